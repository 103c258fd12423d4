"""The smaller admin screens: incidents, who is out now, households and cards, settings, audit."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QDate, QEvent, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kiosk import messages, policy
from kiosk.errors import GatepostError
from kiosk.model import CardKind, CardStatus
from kiosk.operators import Operator
from ui.admin.models import RowsModel
from ui.admin.texts import screen_lang, shared
from ui.adminclient import AdminClient
from ui.i18n import readable

log = logging.getLogger("gate")


def picked_day(edit: QDateEdit) -> dt.date:
    """The day a date field shows (PySide6 types QDate.toPython as any object)."""
    day = edit.date().toPython()
    assert isinstance(day, dt.date)
    return day


class _Tab(QWidget):
    """A tab that shows its words again when the screen's language changes."""

    lang = "zh"

    def retranslate(self) -> None:
        """Own words by tr(), shared words (headers, codes) from kiosk.messages.LOG."""

    def changeEvent(self, event) -> None:
        # A closed window is not reopened (the gate screen builds a new one): only an open one
        # asks for its rows again.
        if event.type() == QEvent.Type.LanguageChange and self.window().isVisible():
            self.lang = screen_lang()
            self.retranslate()
        super().changeEvent(event)


def _log_failure(error: BaseException) -> None:
    """A read that failed leaves the table as it was; the reason goes to the log."""
    log.error("admin screen not read: %s", error, exc_info=not isinstance(error, GatepostError))


def _headers(keys: tuple[str, ...], lang: str) -> list[str]:
    return [shared(k, lang) for k in keys]


def _reason(error: BaseException, lang: str) -> str:
    """Why a change was not done, in words: a refusal's sentence, a storage failure's text.
    A bug gets its traceback in the log."""
    if isinstance(error, GatepostError):  # refused, or the disk failed: its sentence (kiosk/errors.py)
        return error.message(lang)
    log.error("admin change failed", exc_info=error)
    return str(error)


def _table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _counted_table(tab: QWidget, label: QLabel, model) -> QPushButton:
    """A tab of one table under a bar: its count on the left, 刷新 on the right (returned)."""
    refresh = QPushButton()
    refresh.clicked.connect(tab.refresh)  # type: ignore[attr-defined]
    bar = QHBoxLayout()
    bar.addWidget(label)
    bar.addStretch(1)
    bar.addWidget(refresh)
    layout = QVBoxLayout(tab)
    layout.addLayout(bar)
    layout.addWidget(_table(model))
    return refresh


class IncidentsTab(_Tab):
    """Fevers, forged and revoked cards, overrides: of one day, in the operator's buildings."""

    COLUMNS: tuple[str, ...] = ("col_time", "col_reason", "col_flat", "col_serial", "col_note",
                                "col_operator")
    OFFICE_COLUMNS = COLUMNS + ("col_gate",)  # the office's incidents: every gate's, each with its gate

    def __init__(self, client: AdminClient, operator: Operator, parent=None,
                 columns: tuple[str, ...] = COLUMNS):
        super().__init__(parent)
        self.client, self.operator = client, operator
        self.COLUMNS = columns
        self.lang = screen_lang()
        self.model = RowsModel(_headers(self.COLUMNS, self.lang), self)
        today = client.today()
        self.date = QDateEdit(QDate(today.year, today.month, today.day))
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.dateChanged.connect(self.refresh)
        bar = QHBoxLayout()
        self.date_label = QLabel()
        bar.addWidget(self.date_label)
        bar.addWidget(self.date)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(_table(self.model))
        self.retranslate()

    def retranslate(self) -> None:
        self.date_label.setText(self.tr("Date"))
        self.model.set_headers(_headers(self.COLUMNS, self.lang))
        self.refresh()

    def refresh(self) -> None:
        def show(rows) -> None:
            self.model.set_rows([(time, shared(kind, self.lang), *rest) for time, kind, *rest in rows])

        self.client.incidents(picked_day(self.date), self.operator.visible_buildings(None),
                              show, _log_failure)


class OutNowTab(_Tab):
    """Every card that is out now, longest out first."""

    COLUMNS = ("col_flat", "col_kind", "col_serial", "col_holder", "col_since")

    def __init__(self, client: AdminClient, operator: Operator, parent=None):
        super().__init__(parent)
        self.client, self.operator = client, operator
        self.lang = screen_lang()
        self.model = RowsModel(_headers(self.COLUMNS, self.lang), self)
        self.count = QLabel()
        self.refresh_button = _counted_table(self, self.count, self.model)
        self.retranslate()

    def retranslate(self) -> None:
        self.refresh_button.setText(self.tr("Refresh"))
        self.model.set_headers(_headers(self.COLUMNS, self.lang))
        self.refresh()

    def refresh(self) -> None:
        def show(rows) -> None:
            self.model.set_rows([(flat, shared(kind, self.lang), serial, initial, since)
                                 for flat, kind, serial, initial, since in rows])
            self.count.setText(self.tr("{count} out now").format(count=len(rows)))

        self.client.out_now(self.operator.visible_buildings(None), show, _log_failure)


class RosterTab(_Tab):
    """Households by flat or serial; their cards; issue, revoke, re-issue, suspend (admins).

    Signals:
        changed(str): a card was changed; the message says which.
    """

    changed = Signal(str)

    HOUSEHOLD_COLUMNS = ("col_household", "col_flat", "col_head", "col_phone", "col_members")
    CARD_COLUMNS = ("col_serial", "col_kind", "col_generation", "col_status", "col_valid", "col_holder")

    def __init__(self, client: AdminClient, operator: Operator, parent=None):
        super().__init__(parent)
        self.client, self.operator = client, operator
        self.lang = lang = screen_lang()
        self.households = RowsModel(_headers(self.HOUSEHOLD_COLUMNS, lang), self)
        self.cards = RowsModel(_headers(self.CARD_COLUMNS, lang), self)
        self.search = QLineEdit()
        self.search.returnPressed.connect(self.refresh)
        self.household_view = _table(self.households)
        self.household_view.selectionModel().selectionChanged.connect(self.show_cards)
        self.card_view = _table(self.cards)
        self.kind = QComboBox()
        for kind in CardKind:
            self.kind.addItem(shared(kind.value, lang), kind.value)
        self.holder = QLineEdit()
        self.status = QLabel()
        actions = QHBoxLayout()
        actions.addWidget(self.kind)
        actions.addWidget(self.holder)
        self.buttons: list[tuple[QPushButton, Callable[[], str]]] = []  # a button and its words
        for words, slot in ((lambda: self.tr("Issue"), self.issue), (lambda: self.tr("Revoke"), self.revoke),
                            (lambda: self.tr("Re-issue"), self.reissue),
                            (lambda: self.tr("Suspend"), self.suspend),
                            (lambda: self.tr("Activate"), self.activate)):
            button = QPushButton()
            button.clicked.connect(slot)
            actions.addWidget(button)
            self.buttons.append((button, words))
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.household_view, 2)
        layout.addWidget(self.card_view, 1)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        self.changed.connect(self.status.setText)
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search by flat (3-2-301) or serial"))
        self.holder.setPlaceholderText(self.tr("Holder's name"))
        for button, words in self.buttons:
            button.setText(words())
        for i in range(self.kind.count()):
            self.kind.setItemText(i, shared(self.kind.itemData(i), self.lang))
        self.households.set_headers(_headers(self.HOUSEHOLD_COLUMNS, self.lang))
        self.cards.set_headers(_headers(self.CARD_COLUMNS, self.lang))
        self.show_cards()

    def refresh(self) -> None:
        def show(found) -> None:
            self.households.set_rows([(h.id, h.flat, h.head, h.phone, h.members) for h in found])
            if len(found) == 1:
                self.household_view.selectRow(0)
            self.show_cards()

        self.client.find_households(self.search.text(), show, _log_failure)

    def selected_household(self) -> str | None:
        rows = self.household_view.selectionModel().selectedRows()
        return self.households.rows[rows[0].row()][0] if rows else None

    def selected_card(self) -> str | None:
        rows = self.card_view.selectionModel().selectedRows()
        return self.cards.rows[rows[0].row()][0] if rows else None

    def show_cards(self) -> None:
        household = self.selected_household()
        if household is None:
            self._show_card_rows(household, [])
        else:
            self.client.cards(household, lambda cards: self._show_card_rows(household, cards),
                              _log_failure)

    def _show_card_rows(self, household: str | None, cards) -> None:
        if household != self.selected_household():
            return  # another household was chosen while these were read
        lang = self.lang
        self.cards.set_rows([(c.serial, shared(c.kind.value, lang), c.generation,
                              shared(c.status.value, lang), f"{c.valid_from} – {c.valid_to}",
                              c.holder_initial) for c in cards])

    # -- card changes: each one audited ---------------------------------------------------

    def issue(self) -> None:
        household = self.selected_household()
        if household is None:
            self.changed.emit(self.tr("Select a household first"))
            return
        by = self.operator.name
        self._change(lambda office: office.issue(
            household, CardKind(self.kind.currentData()), self.holder.text(), by=by).card)

    def revoke(self) -> None:
        self._card_change(lambda office, serial, by: office.revoke(serial, by=by))

    def reissue(self) -> None:
        self._card_change(lambda office, serial, by: office.reissue(serial, by=by).card)

    def suspend(self) -> None:
        self._card_change(lambda office, s, by: office.set_status(s, CardStatus.SUSPENDED, by=by))

    def activate(self) -> None:
        self._card_change(lambda office, s, by: office.set_status(s, CardStatus.ACTIVE, by=by))

    def _card_change(self, change) -> None:
        serial = self.selected_card()
        if serial is None:
            self.changed.emit(self.tr("Select a card first"))
            return
        self._change(lambda office: change(office, serial, self.operator.name))

    def _change(self, change) -> None:
        """On the admin lane: the change and its audit line are one transaction
        (kiosk.office.CardOffice); the words come when it is done."""
        def done(card) -> None:
            self.show_cards()
            self.changed.emit(self.tr("Done: {serial}").format(serial=card.serial))

        def failed(error: BaseException) -> None:
            self.changed.emit(self.tr("Not done: {error}").format(error=_reason(error, self.lang)))

        self.client.change_card(change, done, failed)


class SettingsTab(_Tab):
    """Every setting of kiosk.policy.SETTINGS, its meaning and its value; Save applies the
    changed ones (admins) and audits each.

    Signals:
        saved(str): what Save did, in words.
        loaded(): the values are shown (and editable, for an admin).
    """

    saved = Signal(str)
    loaded = Signal()

    def __init__(self, client: AdminClient, operator: Operator, editable: bool, parent=None):
        super().__init__(parent)
        self.client, self.operator = client, operator
        self.editable = editable
        self.lang = screen_lang()
        self.meanings: list[tuple[QLabel, policy.Setting]] = []
        self.editors: dict[str, QLineEdit | QComboBox] = {}
        self.passfile = None  # where the office's password is kept, once read
        form = QFormLayout()
        for setting in policy.SETTINGS:
            editor: QLineEdit | QComboBox
            if setting.choices:
                editor = QComboBox()
                editor.addItems(list(setting.choices))
            else:
                editor = QLineEdit()
            editor.setEnabled(False)  # until the values are read
            editor.setToolTip(setting.describe_range())
            self.editors[setting.key] = editor
            meaning = QLabel()
            self.meanings.append((meaning, setting))
            form.addRow(meaning, editor)
        self.status = QLabel()
        layout = QVBoxLayout(self)
        # Seventeen settings with their meanings are taller than a 768-pixel screen: they scroll.
        rows = QWidget()
        rows.setObjectName("settings_form")
        rows.setLayout(form)
        self.settings_scroll = QScrollArea()
        self.settings_scroll.setWidgetResizable(True)
        self.settings_scroll.setWidget(rows)
        layout.addWidget(self.settings_scroll, 1)
        self.save_button = QPushButton() if editable else None
        if self.save_button is not None:
            self.save_button.clicked.connect(self.save)
            layout.addWidget(self.save_button)
        layout.addWidget(self.status)
        self.saved.connect(self.status.setText)
        self.retranslate()
        self.load()

    def load(self) -> None:
        """Read every value (and whether the office's password is set) on the lane."""
        def show(answer) -> None:
            for key, editor in self.editors.items():
                if isinstance(editor, QComboBox):
                    editor.setCurrentText(answer.values[key])
                else:
                    editor.setText(answer.values[key])
                editor.setEnabled(self.editable)
            self.passfile = answer.passfile
            self.retranslate()
            self.loaded.emit()

        self.client.settings(show, _log_failure)

    def retranslate(self) -> None:
        # a setting's meaning is declared once, in both languages, with the setting (kiosk.policy)
        passfile = self.passfile
        for label, setting in self.meanings:
            text = f"{setting.key}\n{readable(setting.help(self.lang))}"
            if setting.key == "sync.url" and passfile is not None:  # that it is set, never what
                text += "\n" + messages.cli_message("sync_password_set", self.lang, path=passfile.name)
            label.setText(text)
        if self.save_button is not None:
            self.save_button.setText(self.tr("Save"))

    def value(self, key: str) -> str:
        editor = self.editors[key]
        return editor.currentText() if isinstance(editor, QComboBox) else editor.text()

    def save(self) -> None:
        """All or nothing, on the lane: one refused value refuses the lot, with the setting's
        range; the changed ones are written with their audit lines, or none."""
        def done(count: int) -> None:
            self.saved.emit(self.tr("Saved {count} settings").format(count=count) if count
                            else self.tr("Nothing changed"))

        def failed(error: BaseException) -> None:
            self.saved.emit(self.tr("Not done: {error}").format(error=_reason(error, self.lang)))

        self.client.save_settings({key: self.value(key) for key in self.editors}, self.operator,
                                  done, failed)


class AuditTab(_Tab):
    """The newest 1,000 lines of the audit log (admins)."""

    COLUMNS = ("col_time", "col_operator", "col_action", "col_target", "col_details")

    def __init__(self, client: AdminClient, parent=None):
        super().__init__(parent)
        self.lang = screen_lang()
        self.client = client
        self.model = RowsModel(_headers(self.COLUMNS, self.lang), self)
        layout = QVBoxLayout(self)
        layout.addWidget(_table(self.model))
        self.refresh()

    def retranslate(self) -> None:
        self.model.set_headers(_headers(self.COLUMNS, self.lang))
        self.refresh()  # the actions and details are words: read them again in the new language

    def refresh(self) -> None:
        self.client.audit_entries(self.model.set_rows, _log_failure, self.lang)
