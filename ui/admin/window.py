"""The admin window: the tabs a lead or an admin may see, over one gate.

A building lead sees the log, incidents and who is out, for their buildings, and may
export; an admin also sees households and cards, the settings (editable) and the audit log.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QDialog, QTabWidget, QVBoxLayout

from kiosk.app import Gate
from kiosk.operators import Operator, Role
from ui.admin.log_tab import LogTab
from ui.admin.tabs import AuditTab, IncidentsTab, OutNowTab, RosterTab, SettingsTab


class AdminWindow(QDialog):
    """Tabs over one gate for one operator. Close it (or give it a parent): closing stops the
    export lane's thread."""

    def __init__(self, gate: Gate, operator: Operator, parent=None):
        super().__init__(parent)
        self.gate, self.operator = gate, operator
        self.resize(1180, 720)
        self.tabs = QTabWidget()
        admin = operator.may(Role.ADMIN)
        self.log_tab = LogTab(gate, operator)
        self.incidents_tab = IncidentsTab(gate, operator)
        self.out_tab = OutNowTab(gate, operator)
        self.roster_tab = RosterTab(gate, operator) if admin else None
        self.settings_tab = SettingsTab(gate, operator, editable=admin)
        self.audit_tab = AuditTab(gate) if admin else None
        for tab in (self.log_tab, self.incidents_tab, self.out_tab, self.roster_tab, self.settings_tab,
                    self.audit_tab):
            if tab is not None:
                self.tabs.addTab(tab, "")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.retranslate()

    def retranslate(self) -> None:
        """The title and the tab titles in the screen's language (the tabs retranslate themselves)."""
        roles = {Role.LEAD: self.tr("building lead"), Role.ADMIN: self.tr("admin")}
        role = roles.get(self.operator.role, self.tr("volunteer"))
        self.setWindowTitle(self.tr("Admin: {name} ({role})").format(name=self.operator.name, role=role))
        titles = {self.log_tab: self.tr("Log"), self.incidents_tab: self.tr("Incidents"),
                  self.out_tab: self.tr("Out now"), self.roster_tab: self.tr("Households and cards"),
                  self.settings_tab: self.tr("Settings"), self.audit_tab: self.tr("Audit log")}
        for i in range(self.tabs.count()):
            self.tabs.setTabText(i, titles[self.tabs.widget(i)])

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def done(self, result: int) -> None:
        self.log_tab.stop()
        super().done(result)

    def closeEvent(self, event) -> None:
        # A lane's thread must stop before its QThread object goes: Qt aborts otherwise.
        self.log_tab.stop()
        super().closeEvent(event)
