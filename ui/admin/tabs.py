"""The smaller admin screens: incidents, who is out now, households and cards, settings, audit."""
from __future__ import annotations

import logging

from PySide6.QtCore import QDate, Signal
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

from kiosk import policy
from kiosk.app import Gate
from kiosk.model import CardKind, CardStatus
from kiosk.office import RosterError
from kiosk.operators import Operator
from kiosk.ports import StorageError
from ui.admin.models import RowsModel
from ui.admin.texts import t

log = logging.getLogger("gate")


def _table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class IncidentsTab(QWidget):
    """Fevers, forged and revoked cards, overrides: of one day, in the operator's buildings."""

    def __init__(self, gate: Gate, operator: Operator, parent=None):
        super().__init__(parent)
        self.gate, self.operator, lang = gate, operator, gate.lang
        self.lang = lang
        self.model = RowsModel([t(k, lang) for k in ("col_time", "col_reason", "col_flat", "col_serial",
                                                     "col_note", "col_operator")], self)
        today = gate.today()
        self.date = QDateEdit(QDate(today.year, today.month, today.day))
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.dateChanged.connect(self.refresh)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(t("date", lang)))
        bar.addWidget(self.date)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(_table(self.model))
        self.refresh()

    def refresh(self) -> None:
        rows = self.gate.admin().incidents(self.date.date().toPython(), self.operator.visible_buildings(None))
        self.model.set_rows([(time, t(kind, self.lang), flat, serial, detail, operator)
                             for time, kind, flat, serial, detail, operator in rows])


class OutNowTab(QWidget):
    """Every card that is out now, longest out first."""

    def __init__(self, gate: Gate, operator: Operator, parent=None):
        super().__init__(parent)
        self.gate, self.operator, lang = gate, operator, gate.lang
        self.lang = lang
        self.model = RowsModel([t(k, lang) for k in ("col_flat", "col_kind", "col_serial", "col_holder",
                                                     "col_since")], self)
        self.count = QLabel()
        refresh = QPushButton(t("refresh", lang))
        refresh.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        bar.addWidget(self.count)
        bar.addStretch(1)
        bar.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(_table(self.model))
        self.refresh()

    def refresh(self) -> None:
        zone = self.gate.policy().timezone
        rows = self.gate.admin().out_now(self.operator.visible_buildings(None))
        self.model.set_rows([(flat, t(kind, self.lang), serial, initial,
                              since.astimezone(zone).strftime("%m-%d %H:%M"))
                             for flat, kind, serial, initial, since in rows])
        self.count.setText(t("out_count", self.lang, count=len(rows)))


class RosterTab(QWidget):
    """Households by flat or serial; their cards; issue, revoke, re-issue, suspend (admins).

    Signals:
        changed(str): a card was changed; the message says which.
    """

    changed = Signal(str)

    def __init__(self, gate: Gate, operator: Operator, parent=None):
        super().__init__(parent)
        self.gate, self.operator, lang = gate, operator, gate.lang
        self.lang = lang
        self.households = RowsModel([t(k, lang) for k in ("col_household", "col_flat", "col_head",
                                                          "col_phone", "col_members")], self)
        self.cards = RowsModel([t(k, lang) for k in ("col_serial", "col_kind", "col_generation",
                                                     "col_status", "col_valid", "col_holder")], self)
        self.search = QLineEdit()
        self.search.setPlaceholderText(t("search", lang))
        self.search.returnPressed.connect(self.refresh)
        self.household_view = _table(self.households)
        self.household_view.selectionModel().selectionChanged.connect(self.show_cards)
        self.card_view = _table(self.cards)
        self.kind = QComboBox()
        for kind in CardKind:
            self.kind.addItem(t(kind.value, lang), kind.value)
        self.holder = QLineEdit()
        self.holder.setPlaceholderText(t("holder", lang))
        self.status = QLabel()
        actions = QHBoxLayout()
        actions.addWidget(self.kind)
        actions.addWidget(self.holder)
        for key, slot in (("issue", self.issue), ("revoke", self.revoke), ("reissue", self.reissue),
                          ("suspend", self.suspend), ("activate", self.activate)):
            button = QPushButton(t(key, lang))
            button.clicked.connect(slot)
            actions.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.household_view, 2)
        layout.addWidget(self.card_view, 1)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        self.changed.connect(self.status.setText)
        self.refresh()

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
        self.cards.set_rows([(c.serial, t(c.kind.value, lang), c.generation, t(c.status.value, lang),
                              f"{c.valid_from} – {c.valid_to}", c.holder_initial) for c in cards])

    # -- card changes: each one audited ---------------------------------------------------

    def issue(self) -> None:
        household = self.selected_household()
        if household is None:
            self.changed.emit(t("select_household", self.lang))
            return
        self._change("card_issue", lambda office: office.issue(
            household, CardKind(self.kind.currentData()), self.holder.text()).card)

    def revoke(self) -> None:
        self._card_change("card_revoke", lambda office, serial: office.revoke(serial))

    def reissue(self) -> None:
        self._card_change("card_reissue", lambda office, serial: office.reissue(serial).card)

    def suspend(self) -> None:
        self._card_change("card_suspend", lambda office, s: office.set_status(s, CardStatus.SUSPENDED))

    def activate(self) -> None:
        self._card_change("card_activate", lambda office, s: office.set_status(s, CardStatus.ACTIVE))

    def _card_change(self, action: str, change) -> None:
        serial = self.selected_card()
        if serial is None:
            self.changed.emit(t("select_card", self.lang))
            return
        self._change(action, lambda office: change(office, serial))

    def _change(self, action: str, change) -> None:
        try:
            card = change(self.gate.office())
        except RosterError as refused:
            from kiosk.messages import cli_message

            self.changed.emit(t("failed", self.lang, error=cli_message(refused.key, self.lang,
                                                                       **refused.fields)))
            return
        except StorageError as failure:
            self.changed.emit(t("failed", self.lang, error=failure))
            return
        self.gate.audit(self.operator, action, card.serial, {"generation": card.generation,
                                                             "status": card.status.value})
        self.show_cards()
        self.changed.emit(t("done", self.lang, serial=card.serial))


class SettingsTab(QWidget):
    """Every setting of kiosk.policy.SETTINGS, its meaning and its value; Save applies the
    changed ones (admins) and audits each."""

    saved = Signal(str)

    def __init__(self, gate: Gate, operator: Operator, editable: bool, parent=None):
        super().__init__(parent)
        self.gate, self.operator, lang = gate, operator, gate.lang
        self.lang = lang
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
            meaning = setting.help_zh if lang == "zh" else setting.help_en
            form.addRow(QLabel(f"{setting.key}\n{meaning}"), editor)
        self.status = QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if editable:
            save = QPushButton(t("save", lang))
            save.clicked.connect(self.save)
            layout.addWidget(save)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.saved.connect(self.status.setText)

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
            self.saved.emit(t("failed", self.lang, error=refused))
            return
        if not changes:
            self.saved.emit(t("no_change", self.lang))
            return
        for key, value in changes.items():
            self.gate.store.set_setting(key, value)
            self.gate.audit(self.operator, "setting_change", key, {"from": current[key], "to": value})
        self.saved.emit(t("saved", self.lang, count=len(changes)))


class AuditTab(QWidget):
    """The newest 1,000 lines of the audit log (admins)."""

    def __init__(self, gate: Gate, parent=None):
        super().__init__(parent)
        lang = gate.lang
        self.gate = gate
        self.model = RowsModel([t(k, lang) for k in ("col_time", "col_operator", "col_action", "col_target",
                                                     "col_details")], self)
        layout = QVBoxLayout(self)
        layout.addWidget(_table(self.model))
        self.refresh()

    def refresh(self) -> None:
        zone = self.gate.policy().timezone
        entries = self.gate.audit_entries()
        self.model.set_rows([(e.at_utc.astimezone(zone).strftime("%m-%d %H:%M:%S"), e.operator, e.action,
                              e.target, ", ".join(f"{k}={v}" for k, v in e.details.items()
                                                  if k != "serials")) for e in entries])
