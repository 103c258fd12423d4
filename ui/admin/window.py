"""The admin window: the tabs a lead or an admin may see, over one gate.

A building lead sees the log, incidents and who is out, for their buildings, and may
export; an admin also sees households and cards, the settings (editable) and the audit log.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QDialog, QTabWidget, QVBoxLayout, QWidget

from kiosk.operators import Operator, Role
from ui.admin.deliveries_tab import ParcelsTab
from ui.admin.log_tab import LogTab
from ui.admin.tabs import AuditTab, IncidentsTab, OutNowTab, RosterTab, SettingsTab
from ui.adminclient import AdminClient


class AdminWindow(QDialog):
    """Tabs over one gate for one operator, every question asked through the admin client
    (its lane outlives the window: the composition root closes it)."""

    def __init__(self, client: AdminClient, operator: Operator, parent=None):
        super().__init__(parent)
        self.client, self.operator = client, operator
        self.resize(1180, 720)
        self.tabs = QTabWidget()
        admin = operator.may(Role.ADMIN)
        self.log_tab = LogTab(client, operator)
        self.incidents_tab = IncidentsTab(client, operator)
        self.out_tab = OutNowTab(client, operator)
        self.parcels_tab = ParcelsTab(client, operator)  # h-report: deliveries waiting at the gate
        self.roster_tab = RosterTab(client, operator) if admin else None
        self.settings_tab = SettingsTab(client, operator, editable=admin)
        self.audit_tab = AuditTab(client) if admin else None
        for tab in (self.log_tab, self.incidents_tab, self.out_tab, self.parcels_tab, self.roster_tab,
                    self.settings_tab, self.audit_tab):
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
        titles: dict[QWidget | None, str] = {
            self.log_tab: self.tr("Log"), self.incidents_tab: self.tr("Incidents"),
            self.out_tab: self.tr("Out now"), self.parcels_tab: self.tr("Parcels at the gate"),
            self.roster_tab: self.tr("Households and cards"),
            self.settings_tab: self.tr("Settings"), self.audit_tab: self.tr("Audit log")}
        for i in range(self.tabs.count()):
            self.tabs.setTabText(i, titles[self.tabs.widget(i)])

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
