"""The admin window: the tabs a lead or an admin may see, over one gate.

A building lead sees the log, incidents and who is out, for their buildings, and may
export; an admin also sees households and cards, the settings (editable) and the audit log.
"""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QTabWidget, QVBoxLayout

from kiosk.app import Gate
from kiosk.operators import Operator, Role
from ui.admin.log_tab import LogTab
from ui.admin.tabs import AuditTab, IncidentsTab, OutNowTab, RosterTab, SettingsTab
from ui.admin.texts import t


class AdminWindow(QDialog):
    """Tabs over one gate for one operator. Close it (or give it a parent): closing stops the
    export lane's thread."""

    def __init__(self, gate: Gate, operator: Operator, parent=None):
        super().__init__(parent)
        lang = gate.lang
        self.gate, self.operator = gate, operator
        role = t(f"role_{operator.role.value}", lang)
        self.setWindowTitle(t("window", lang, name=operator.name, role=role))
        self.resize(1180, 720)
        self.tabs = QTabWidget()
        self.log_tab = LogTab(gate, operator)
        self.tabs.addTab(self.log_tab, t("tab_log", lang))
        self.incidents_tab = IncidentsTab(gate, operator)
        self.tabs.addTab(self.incidents_tab, t("tab_incidents", lang))
        self.out_tab = OutNowTab(gate, operator)
        self.tabs.addTab(self.out_tab, t("tab_out", lang))
        admin = operator.may(Role.ADMIN)
        self.roster_tab = RosterTab(gate, operator) if admin else None
        if self.roster_tab is not None:
            self.tabs.addTab(self.roster_tab, t("tab_roster", lang))
        self.settings_tab = SettingsTab(gate, operator, editable=admin)
        self.tabs.addTab(self.settings_tab, t("tab_settings", lang))
        self.audit_tab = AuditTab(gate) if admin else None
        if self.audit_tab is not None:
            self.tabs.addTab(self.audit_tab, t("tab_audit", lang))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

    def done(self, result: int) -> None:
        self.log_tab.stop()
        super().done(result)

    def closeEvent(self, event) -> None:
        # A lane's thread must stop before its QThread object goes: Qt aborts otherwise.
        self.log_tab.stop()
        super().closeEvent(event)
