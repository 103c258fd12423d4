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

ADMIN_HEIGHT = 720  # fits a 768-pixel-high screen with a title bar and a panel

# Its own colours: under the gate screen's sheet (light words for its dark ground) the admin
# window's labels and setting names were light on light (issue 11). Every pair is 7:1 or more.
STYLE = """
QDialog#admin { background: #ffffff; }
QDialog#admin QLabel { color: #1a1a1a; }
QDialog#admin QPushButton { background: #37474f; color: #ffffff; border-radius: 6px; padding: 4px 12px; }
QDialog#admin QLineEdit, QDialog#admin QComboBox, QDialog#admin QDateEdit {
    background: #ffffff; color: #1a1a1a; border: 1px solid #546e7a; padding: 2px 4px;
    placeholder-text-color: #37474f; }  /* a placeholder is words too: the default grey is 4:1 */
QDialog#admin QLineEdit:disabled, QDialog#admin QComboBox:disabled { color: #37474f; background: #eceff1; }
QDialog#admin QTabBar::tab { background: #eceff1; color: #1a1a1a; padding: 6px 14px; }
QDialog#admin QTabBar::tab:selected { background: #ffffff; color: #000000; font-weight: bold; }
QDialog#admin QTableView { background: #ffffff; color: #1a1a1a; alternate-background-color: #f1f4f5; }
QDialog#admin QHeaderView::section { background: #eceff1; color: #1a1a1a; }
QDialog#admin QScrollArea, QDialog#admin #settings_form { background: #ffffff; }
"""


class AdminWindow(QDialog):
    """Tabs over one gate for one operator, every question asked through the admin client
    (its lane outlives the window: the composition root closes it)."""

    def __init__(self, client: AdminClient, operator: Operator, parent=None):
        super().__init__(parent)
        self.client, self.operator = client, operator
        self.setObjectName("admin")
        self.setStyleSheet(STYLE)
        screen = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        self.resize(min(1180, screen.width()), min(ADMIN_HEIGHT, screen.height()))
        self.tabs = QTabWidget()
        admin = operator.may(Role.ADMIN)
        self.log_tab = LogTab(client, operator)
        self.incidents_tab = IncidentsTab(client, operator)
        self.out_tab = OutNowTab(client, operator)
        self.parcels_tab = ParcelsTab(client, operator)  # deliveries waiting at the gate
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
