"""The office screen (`kiosk office gui`, issue 15): the admin screens on the office database.

The same widgets and words as a gate's admin window (ui/admin/window.py), over
data.office_admin.OfficeAdmin through the same admin client (its lane): the merged day log
of every gate with its chart, incidents across gates, households and cards (with the bulk
issue and the new cards' print of a building), the office's operators, the gates and their
last sync. Tabs whose data the office does not hold (who is out now, parcels at a gate, the
audit log, the gate's settings) are not shown, rather than shown empty.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import messages
from kiosk.operators import Operator
from ui.admin.log_tab import LogTab
from ui.admin.models import RowsModel
from ui.admin.tabs import IncidentsTab, RosterTab, _counted_table, _log_failure, _reason, _Tab, _table
from ui.admin.texts import screen_lang, shared
from ui.admin.window import STYLE
from ui.adminclient import AdminClient
from ui.filedialogs import ask_save_path


def _local(utc_text: str | None, zone) -> str:
    """A stored UTC time as the community reads it ("MM-DD HH:MM"), "" for none."""
    import datetime as dt

    if not utc_text:
        return ""
    at = dt.datetime.fromisoformat(utc_text.replace("Z", "+00:00"))
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(zone).strftime("%m-%d %H:%M")


class OfficeRosterTab(RosterTab):
    """Households and cards, and the office's bulk work for a building: a life card to every
    household that has none (`office card issue-missing`), the new cards' sheets (`office
    cards print --new`). Signals: as RosterTab (changed(str))."""

    def __init__(self, client: AdminClient, operator: Operator, parent=None):
        self.bulk_building = QComboBox()
        self.issue_missing_button = QPushButton()
        self.print_new_button = QPushButton()
        super().__init__(client, operator, parent)
        self.bulk_building.addItem("", None)
        client.buildings(self._add_buildings, _log_failure)
        bar = QHBoxLayout()
        self.bulk_caption = QLabel()
        bar.addWidget(self.bulk_caption)
        bar.addWidget(self.bulk_building)
        bar.addWidget(self.issue_missing_button)
        bar.addWidget(self.print_new_button)
        bar.addStretch(1)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertLayout(1, bar)
        self.issue_missing_button.clicked.connect(self.issue_missing)
        self.print_new_button.clicked.connect(self.on_print_new_clicked)
        self.retranslate()

    def _add_buildings(self, buildings) -> None:
        for b in buildings:
            self.bulk_building.addItem(b, b)

    def retranslate(self) -> None:
        super().retranslate()
        if not hasattr(self, "bulk_caption"):
            return  # RosterTab's own first call, before this tab's widgets are laid out
        self.bulk_caption.setText(self.tr("Building"))
        self.bulk_building.setItemText(0, self.tr("all"))
        self.issue_missing_button.setText(self.tr("Life card to every household without one"))
        self.print_new_button.setText(self.tr("Print new cards…"))

    def issue_missing(self) -> None:
        building, by = self.bulk_building.currentData(), self.operator.name

        def done(answer) -> None:
            issued, households = answer
            self.refresh()
            # the CLI's own sentence (`office card issue-missing`): one wording for one act
            self.changed.emit(messages.cli_message("issued_missing", self.lang, count=len(issued),
                                                   kind=shared("life", self.lang),
                                                   had=households - len(issued), households=households))

        self.client.office_call(lambda office: office.issue_missing(building, by), done, self._failed)

    def on_print_new_clicked(self) -> None:
        building = self.bulk_building.currentData()
        name = f"new-cards-{building}.pdf" if building else "new-cards.pdf"
        path, _ = ask_save_path(self, self.tr("Print new cards…"), name, ["PDF (*.pdf)"], self.client.db_path)
        if path is not None:
            self.print_new(path, force=True)  # the dialog asked before replacing a file

    def print_new(self, path, force: bool = False) -> None:
        """The sheets of the building's cards never printed, on the lane; then they are marked
        (nothing to print: the refusal's sentence)."""
        building, by, lang = self.bulk_building.currentData(), self.operator.name, self.lang

        def done(answer) -> None:
            count, pages = answer
            self.changed.emit(messages.cli_message("cards_printed", self.lang, count=count, pages=pages,
                                                   path=path))

        self.client.office_call(lambda office: office.print_cards(path, building, True, by, force, lang),
                                done, self._failed)

    def _failed(self, error: BaseException) -> None:
        self.changed.emit(self.tr("Not done: {error}").format(error=_reason(error, self.lang)))


class GatesTab(_Tab):
    """Every gate the office knows and its last sync (what `office status` shows)."""

    def __init__(self, client: AdminClient, parent=None):
        super().__init__(parent)
        self.client = client
        self.lang = screen_lang()
        self.model = RowsModel([], self)
        self.summary = QLabel()
        self.refresh_button = _counted_table(self, self.summary, self.model)
        self.retranslate()

    def retranslate(self) -> None:
        self.refresh_button.setText(self.tr("Refresh"))
        self.model.set_headers([shared("col_gate", self.lang), self.tr("Device"), self.tr("Last sync"),
                                self.tr("Events held"), self.tr("Events today")])
        self.refresh()

    def refresh(self) -> None:
        def body(office) -> list[tuple]:
            zone = office.policy().timezone
            return [(g["name"] or g["device_id"], g["device_id"], _local(g["last_push_utc"], zone),
                     g["events"], g["events_today"]) for g in office.gates()]

        def show(rows) -> None:
            never = self.tr("never")
            self.model.set_rows([(name, device, last or never, held, today)
                                 for name, device, last, held, today in rows])
            self.summary.setText(self.tr("{count} gates").format(count=len(rows)))

        self.client.office_call(body, show, _log_failure)


class OperatorsTab(_Tab):
    """The operators defined at the office (`office operator …`): they reach every gate with
    the roster. Add one (name, role, buildings, PIN), give a new PIN, deactivate.

    Signals:
        changed(str): what was done, in words.
    """

    changed = Signal(str)
    ROLES = ("lead", "admin", "volunteer")

    def __init__(self, client: AdminClient, operator: Operator, parent=None):
        super().__init__(parent)
        self.client, self.operator = client, operator
        self.lang = screen_lang()
        self.model = RowsModel([], self)
        self.view = _table(self.model)
        self.name = QLineEdit()
        self.role = QComboBox()
        for role in self.ROLES:
            self.role.addItem(role, role)
        self.buildings = QLineEdit()
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.status = QLabel()
        form = QHBoxLayout()
        for widget in (self.name, self.role, self.buildings, self.pin):
            form.addWidget(widget)
        self.buttons: list[tuple[QPushButton, Callable[[], str]]] = []
        for words, slot in ((lambda: self.tr("Add"), self.add), (lambda: self.tr("New PIN"), self.set_pin),
                            (lambda: self.tr("Deactivate"), self.deactivate)):
            button = QPushButton()
            button.clicked.connect(slot)
            form.addWidget(button)
            self.buttons.append((button, words))
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addLayout(form)
        layout.addWidget(self.status)
        self.changed.connect(self.status.setText)
        self.retranslate()

    def _role_words(self, role: str) -> str:
        return {"lead": self.tr("building lead"), "admin": self.tr("admin")}.get(role, self.tr("volunteer"))

    def retranslate(self) -> None:
        self.model.set_headers([shared("col_operator", self.lang), self.tr("Role"),
                                shared("col_building", self.lang), shared("col_status", self.lang)])
        self.name.setPlaceholderText(self.tr("Name"))
        self.buildings.setPlaceholderText(self.tr("Buildings (3,5)"))
        self.pin.setPlaceholderText(self.tr("PIN (6-8 digits for a lead or an admin)"))
        for i in range(self.role.count()):
            self.role.setItemText(i, self._role_words(self.role.itemData(i)))
        for button, words in self.buttons:
            button.setText(words())
        self.refresh()

    def refresh(self) -> None:
        def show(rows) -> None:
            self.model.set_rows([(name, self._role_words(role), ", ".join(buildings) or self.tr("all"),
                                  shared("active" if active else "suspended", self.lang))
                                 for name, role, buildings, active in rows])

        self.client.office_call(lambda office: office.operator_rows(), show, _log_failure)

    def selected(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()][0] if rows else None

    def _run(self, change, words: str) -> None:
        def done(_result) -> None:
            self.pin.clear()
            self.refresh()
            self.changed.emit(words)

        def failed(error: BaseException) -> None:
            self.pin.clear()
            self.changed.emit(self.tr("Not done: {error}").format(error=_reason(error, self.lang)))

        self.client.office_call(change, done, failed)

    def add(self) -> None:
        name, role, pin = self.name.text().strip(), self.role.currentData(), self.pin.text()
        by = self.operator.name
        buildings = tuple(b.strip() for b in self.buildings.text().replace("，", ",").split(",") if b.strip())
        self._run(lambda office: office.add_operator(name, role, pin, buildings, by),
                  self.tr("Added {name}: they reach the gates at their next sync").format(name=name))

    def set_pin(self) -> None:
        name, pin, by = self.selected(), self.pin.text(), self.operator.name
        if name is None:
            self.changed.emit(self.tr("Select an operator first"))
            return
        self._run(lambda office: office.change_pin(name, pin, by),
                  self.tr("New PIN for {name}").format(name=name))

    def deactivate(self) -> None:
        name, by = self.selected(), self.operator.name
        if name is None:
            self.changed.emit(self.tr("Select an operator first"))
            return
        self._run(lambda office: office.deactivate_operator(name, by),
                  self.tr("Deactivated {name}").format(name=name))


class OfficeWindow(QDialog):
    """The office's tabs for one office admin, every question through the admin client.

    Signals:
        language_toggled(): the 中文/English button was pressed (the composition root switches).
    """

    language_toggled = Signal()

    def __init__(self, client: AdminClient, operator: Operator, parent=None):
        super().__init__(parent)
        self.client, self.operator = client, operator
        self.setObjectName("admin")
        self.setStyleSheet(STYLE)
        screen = self.screen().availableGeometry()
        self.resize(min(1180, screen.width()), min(720, screen.height()))
        self.tabs = QTabWidget()
        self.log_tab = LogTab(client, operator)
        self.log_tab.export_name = "office-log"
        self.incidents_tab = IncidentsTab(client, operator, columns=IncidentsTab.OFFICE_COLUMNS)
        self.roster_tab = OfficeRosterTab(client, operator)
        self.operators_tab = OperatorsTab(client, operator)
        self.gates_tab = GatesTab(client)
        for tab in (self.log_tab, self.incidents_tab, self.roster_tab, self.operators_tab, self.gates_tab):
            self.tabs.addTab(tab, "")
        self.language_button = QPushButton()
        self.language_button.clicked.connect(self.language_toggled.emit)
        self.tabs.setCornerWidget(self.language_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Community office: {name}").format(name=self.operator.name))
        titles: dict[QWidget | None, str] = {
            self.log_tab: self.tr("Log"), self.incidents_tab: self.tr("Incidents"),
            self.roster_tab: self.tr("Households and cards"), self.operators_tab: self.tr("Operators"),
            self.gates_tab: self.tr("Gates")}
        for i in range(self.tabs.count()):
            self.tabs.setTabText(i, titles[self.tabs.widget(i)])
        self.language_button.setText("English" if screen_lang() == "zh" else "中文")

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
