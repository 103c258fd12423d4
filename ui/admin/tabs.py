"""The smaller admin screens: incidents, who is out now, households and cards, settings, audit."""
from __future__ import annotations

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
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kiosk import messages, policy
from kiosk.app import Gate
from kiosk.errors import GatepostError
from kiosk.model import CardKind, CardStatus
from kiosk.operators import Operator
from ui.admin.models import RowsModel
from ui.admin.texts import screen_lang, shared

log = logging.getLogger("gate")


class _Tab(QWidget):
    """A tab that shows its words again when the screen's language changes."""

    lang = "zh"

    def retranslate(self) -> None:
        """Own words by tr(), shared words (headers, codes) from kiosk.messages.LOG."""

    def changeEvent(self, event) -> None:
        # A closed window is not reopened (the gate screen builds a new one) and its gate may be
        # closed already: only an open one reads its rows again.
        if event.type() == QEvent.Type.LanguageChange and self.window().isVisible():
            self.lang = screen_lang()
            self.retranslate()
        super().changeEvent(event)


def _headers(keys: tuple[str, ...], lang: str) -> list[str]:
    return [shared(k, lang) for k in keys]


def _table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class IncidentsTab(_Tab):
    """Fevers, forged and revoked cards, overrides: of one day, in the operator's buildings."""

    COLUMNS = ("col_time", "col_reason", "col_flat", "col_serial", "col_note", "col_operator")

    def __init__(self, gate: Gate, operator: Operator, parent=None):
        super().__init__(parent)
        self.gate, self.operator = gate, operator
        self.lang = screen_lang()
        self.model = RowsModel(_headers(self.COLUMNS, self.lang), self)
        today = gate.today()
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
        rows = self.gate.admin().incidents(self.date.date().toPython(), self.operator.visible_buildings(None))
        self.model.set_rows([(time, shared(kind, self.lang), flat, serial, detail, operator)
                             for time, kind, flat, serial, detail, operator in rows])


class OutNowTab(_Tab):
    """Every card that is out now, longest out first."""

    COLUMNS = ("col_flat", "col_kind", "col_serial", "col_holder", "col_since")

    def __init__(self, gate: Gate, operator: Operator, parent=None):
        super().__init__(parent)
        self.gate, self.operator = gate, operator
        self.lang = screen_lang()
        self.model = RowsModel(_headers(self.COLUMNS, self.lang), self)
        self.count = QLabel()
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        bar.addWidget(self.count)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(_table(self.model))
        self.retranslate()

    def retranslate(self) -> None:
        self.refresh_button.setText(self.tr("Refresh"))
        self.model.set_headers(_headers(self.COLUMNS, self.lang))
        self.refresh()

    def refresh(self) -> None:
        zone = self.gate.policy().timezone
        rows = self.gate.admin().out_now(self.operator.visible_buildings(None))
        self.model.set_rows([(flat, shared(kind, self.lang), serial, initial,
                              since.astimezone(zone).strftime("%m-%d %H:%M"))
                             for flat, kind, serial, initial, since in rows])
        self.count.setText(self.tr("{count} out now").format(count=len(rows)))


class RosterTab(_Tab):
    """Households by flat or serial; their cards; issue, revoke, re-issue, suspend (admins).

    Signals:
        changed(str): a card was changed; the message says which.
    """

    changed = Signal(str)

    HOUSEHOLD_COLUMNS = ("col_household", "col_flat", "col_head", "col_phone", "col_members")
    CARD_COLUMNS = ("col_serial", "col_kind", "col_generation", "col_status", "col_valid", "col_holder")

    def __init__(self, gate: Gate, operator: Operator, parent=None):
        super().__init__(parent)
        self.gate, self.operator = gate, operator
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
        found = self.gate.admin().find_households(self.search.text())
        self.households.set_rows([(h.id, h.flat, h.head, h.phone, h.members) for h in found])
        if len(found) == 1:
            self.household_view.selectRow(0)
        self.show_cards()

    def selected_household(self) -> str | None:
        rows = self.household_view.selectionModel().selectedRows()
        return self.households.rows[rows[0].row()][0] if rows else None

    def selected_card(self) -> str | None:
        rows = self.card_view.selectionModel().selectedRows()
        return self.cards.rows[rows[0].row()][0] if rows else None

    def show_cards(self) -> None:
        household = self.selected_household()
        cards = self.gate.store.cards(household) if household else []
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
        """The change and its audit line are one transaction (kiosk.office.CardOffice)."""
        try:
            card = change(self.gate.office())
        except GatepostError as refused:  # refused, or the disk failed: its sentence (kiosk/errors.py)
            self.changed.emit(self.tr("Not done: {error}").format(error=refused.message(self.lang)))
            return
        self.show_cards()
        self.changed.emit(self.tr("Done: {serial}").format(serial=card.serial))


class SettingsTab(_Tab):
    """Every setting of kiosk.policy.SETTINGS, its meaning and its value; Save applies the
    changed ones (admins) and audits each."""

    saved = Signal(str)

    def __init__(self, gate: Gate, operator: Operator, editable: bool, parent=None):
        super().__init__(parent)
        self.gate, self.operator = gate, operator
        self.lang = screen_lang()
        self.meanings: list[tuple[QLabel, policy.Setting]] = []
        self.editors: dict[str, QLineEdit | QComboBox] = {}
        form = QFormLayout()
        values = gate.policy().as_dict()
        for setting in policy.SETTINGS:
            if setting.choices:
                editor = QComboBox()
                editor.addItems(list(setting.choices))
                editor.setCurrentText(values[setting.key])
            else:
                editor = QLineEdit(values[setting.key])
            editor.setEnabled(editable)
            editor.setToolTip(setting.describe_range())
            self.editors[setting.key] = editor
            meaning = QLabel()
            self.meanings.append((meaning, setting))
            form.addRow(meaning, editor)
        self.status = QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.save_button = QPushButton() if editable else None
        if self.save_button is not None:
            self.save_button.clicked.connect(self.save)
            layout.addWidget(self.save_button)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.saved.connect(self.status.setText)
        self.retranslate()

    def retranslate(self) -> None:
        # a setting's meaning is declared once, in both languages, with the setting (kiosk.policy)
        passfile = self.gate.sync_password_file()
        for label, setting in self.meanings:
            text = f"{setting.key}\n{setting.help(self.lang)}"
            if setting.key == "sync.url" and passfile is not None:  # that it is set, never what
                text += "\n" + messages.cli_message("sync_password_set", self.lang, path=passfile.name)
            label.setText(text)
        if self.save_button is not None:
            self.save_button.setText(self.tr("Save"))

    def value(self, key: str) -> str:
        editor = self.editors[key]
        return editor.currentText() if isinstance(editor, QComboBox) else editor.text()

    def save(self) -> None:
        """All or nothing: one refused value refuses the lot, with the setting's range."""
        current = self.gate.policy().as_dict()
        try:
            changes = {key: policy.canonical(key, self.value(key)) for key in self.editors
                       if self.value(key).strip() != current[key]}
        except policy.SettingError as refused:
            self.saved.emit(self.tr("Not done: {error}").format(error=refused.message(self.lang)))
            return
        if not changes:
            self.saved.emit(self.tr("Nothing changed"))
            return
        try:
            self.gate.change_settings(changes, self.operator)  # all with their audit lines, or none
        except GatepostError as failure:
            self.saved.emit(self.tr("Not done: {error}").format(error=failure.message(self.lang)))
            return
        self.saved.emit(self.tr("Saved {count} settings").format(count=len(changes)))


class AuditTab(_Tab):
    """The newest 1,000 lines of the audit log (admins)."""

    COLUMNS = ("col_time", "col_operator", "col_action", "col_target", "col_details")

    def __init__(self, gate: Gate, parent=None):
        super().__init__(parent)
        self.lang = screen_lang()
        self.gate = gate
        self.model = RowsModel(_headers(self.COLUMNS, self.lang), self)
        layout = QVBoxLayout(self)
        layout.addWidget(_table(self.model))
        self.refresh()

    def retranslate(self) -> None:
        self.model.set_headers(_headers(self.COLUMNS, self.lang))

    def refresh(self) -> None:
        zone = self.gate.policy().timezone
        entries = self.gate.audit_entries()
        self.model.set_rows([(e.at_utc.astimezone(zone).strftime("%m-%d %H:%M:%S"), e.operator, e.action,
                              e.target, ", ".join(f"{k}={v}" for k, v in e.details.items()
                                                  if k != "serials")) for e in entries])
