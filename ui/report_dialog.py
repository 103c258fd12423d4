"""The gate's own report (issue 17): what the volunteer saw, in a few big taps.

First row: 外来人员劝返 records one outsider refused at once (one tap). Below: the
categories as big buttons; an optional flat picked building, unit, room from the register
(a delivery needs one; an outsider never has one); a few words typed or picked; 记录
records it, with the operator on duty and the time, on the gate lane. A failure to record
says "record on paper", as a scan's does.

Signals:
    recorded(object): a report was recorded (the kiosk.reports.GateReport).
"""
from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.errors import GatepostError
from kiosk.reports import DELIVERY, OUTSIDER, REPORT_KINDS
from ui.gateclient import BUG, STORAGE, GateClient, screen_failure
from ui.i18n import screen_lang
from ui.sizing import W, apply_scale, dialog_scale, set_points

log = logging.getLogger("gate")

COUNTS = (1, 2, 3, 4, 5, 6)
# White words on the verdict's own red, green and blue (8.5, 8.1, 8.6:1; WCAG AAA asks 7:1);
# a border: with no window manager (a kiosk session) nothing else frames the dialog.
STYLE = """
QDialog { background: #102027; border: 3px solid #90a4ae; }
QLabel { color: #eceff1; }
QPushButton { background: #eceff1; color: #102027; border-radius: 10px;
              min-height: 46px; padding: 2px 10px; }
QPushButton:checked { background: #0d47a1; color: white; }
QPushButton#outsider_now { background: #9c0a0a; color: white; min-height: 60px; }
QPushButton#record { background: #0b5d27; color: white; min-height: 56px; }
QPushButton#cancel { min-width: 160px; min-height: 56px; }
QPushButton:disabled { background: #37474f; color: #eceff1; }
QLineEdit { background: #eceff1; color: #102027; border-radius: 8px; min-height: 46px; }
"""
# Points at the reference size (ui/sizing.py), scaled up with a larger window (dialog_scale).
POINTS = {"outsider_now": 22, "record": 22, "report_status": 20, "report_note": 18}
BOLD = ("outsider_now", "record", "report_status")


def _sized(widget: W, name: str = "") -> W:
    """`widget` named, with its points at the reference size (buttons bold: a thin "1" on a
    key was too faint to read, 4.7:1)."""
    if name:
        widget.setObjectName(name)
    set_points(widget, POINTS.get(name, 16), bold=name in BOLD or isinstance(widget, QPushButton))
    return widget


def _button(name: str = "", checkable: bool = False) -> QPushButton:
    button = _sized(QPushButton(), name)
    button.setCheckable(checkable)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button


class _Choices(QWidget):
    """A grid of exclusive checkable buttons, `columns` to a row; `value` is the checked one's."""

    def __init__(self, columns: int, parent=None):
        super().__init__(parent)
        self.columns = columns
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QPushButton] = {}
        self.on_pick = lambda _value: None

    def set_values(self, values: list[str], texts: dict[str, str] | None = None) -> None:
        for button in self.buttons.values():
            button.hide()  # gone now, not when the event loop next deletes it
            button.deleteLater()
        self.buttons = {}
        for i, value in enumerate(values):
            button = _button(f"pick_{value}", checkable=True)
            button.setText((texts or {}).get(value, value))
            apply_scale(button, dialog_scale(self))
            button.clicked.connect(lambda _=False, v=value: self.pick(v))
            self.grid.addWidget(button, i // self.columns, i % self.columns)
            self.buttons[value] = button

    @property
    def value(self) -> str | None:
        return next((v for v, b in self.buttons.items() if b.isChecked()), None)

    def pick(self, value: str | None) -> None:
        for v, button in self.buttons.items():
            button.setChecked(v == value)
        self.on_pick(value)


class ReportDialog(QDialog):
    """The report: category, optional flat and count, a few words, 记录."""

    recorded = Signal(object)

    def __init__(self, client: GateClient, operator: str, parent=None):
        super().__init__(parent)
        self.setObjectName("report_dialog")
        self.setMinimumWidth(900)  # the categories three to a row, each readable from a step back
        self.setStyleSheet(STYLE)
        self.client = client
        # The operator on duty: a name, or a signed-in volunteer (ui/gate_screen.py's operator)
        self.operator: str = getattr(operator, "name", operator)
        self.flats: list[tuple[str, str, str]] = []
        self.outsider_now = _button("outsider_now")
        self.outsider_now.clicked.connect(self.record_outsider)
        self.kind = _Choices(3)
        self.kind.set_values(list(REPORT_KINDS))
        self.kind.on_pick = self._on_kind
        self.count_label = _sized(QLabel())
        self.count = _Choices(6)
        self.count.set_values([str(c) for c in COUNTS])
        self.count.pick("1")
        self.flat_label = _sized(QLabel())
        self.building = _Choices(8)
        self.unit = _Choices(8)
        self.room = _Choices(8)
        self.building.on_pick = self._on_building
        self.unit.on_pick = self._on_unit
        self.room.on_pick = lambda _v: self._show_flat()
        self.no_flat = _button("no_flat")
        self.no_flat.clicked.connect(lambda: self.building.pick(None))
        self.note_label = _sized(QLabel())
        self.note = _sized(QLineEdit(), "report_note")
        self.note.setMaxLength(120)
        self.presets = QHBoxLayout()
        self.status = _sized(QLabel(), "report_status")
        self.status.setWordWrap(True)
        self.record = _button("record")
        self.record.clicked.connect(self.submit)
        self.cancel = _button("cancel")
        self.cancel.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(self.outsider_now)
        layout.addWidget(self.kind)
        self.count_row = QWidget()
        count_line = QHBoxLayout(self.count_row)
        count_line.setContentsMargins(0, 0, 0, 0)
        count_line.addWidget(self.count_label)
        count_line.addWidget(self.count, 1)
        layout.addWidget(self.count_row)
        flat_line = QHBoxLayout()
        flat_line.addWidget(self.flat_label, 1)
        flat_line.addWidget(self.no_flat)
        layout.addLayout(flat_line)
        for picker in (self.building, self.unit, self.room):
            layout.addWidget(picker)
        layout.addWidget(self.note_label)
        note_line = QHBoxLayout()
        note_line.addWidget(self.note, 1)
        note_line.addLayout(self.presets)
        layout.addLayout(note_line)
        layout.addWidget(self.status)
        self.status.setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.record, 1)
        layout.addLayout(buttons)
        self.retranslate()
        self._on_kind(None)
        apply_scale(self, dialog_scale(self))
        client.call(lambda gate: gate.flats(), self._set_flats, self._failed)

    # -- what is picked ---------------------------------------------------------------

    def _set_flats(self, flats: list[tuple[str, str, str]]) -> None:
        self.flats = flats
        self.building.set_values(sorted({b for b, _, _ in flats}, key=_natural))
        self._on_building(None)

    def _on_kind(self, kind: str | None) -> None:
        self.count_row.setVisible(kind == OUTSIDER)
        for picker in (self.building, self.unit, self.room):  # an outsider has no flat
            picker.setEnabled(kind != OUTSIDER)
        self.no_flat.setEnabled(kind != OUTSIDER)
        if kind == OUTSIDER:
            self.building.pick(None)
        self._fill_presets(kind)
        self.record.setEnabled(kind is not None)

    def _on_building(self, building: str | None) -> None:
        units = sorted({u for b, u, _ in self.flats if b == building}, key=_natural)
        self.unit.set_values(units)
        self.unit.setVisible(building is not None)
        self._on_unit(None)

    def _on_unit(self, unit: str | None) -> None:
        building = self.building.value
        rooms = sorted({r for b, u, r in self.flats if b == building and u == unit}, key=_natural)
        self.room.set_values(rooms)
        self.room.setVisible(unit is not None)
        self._show_flat()

    @property
    def flat(self) -> str | None:
        parts = (self.building.value, self.unit.value, self.room.value)
        return "-".join(p for p in parts if p) if all(parts) else None

    def pick_flat(self, flat: str) -> None:
        """Building, unit and room, as three taps would (tests, screenshots)."""
        building, unit, room = flat.split("-")
        self.building.pick(building)
        self.unit.pick(unit)
        self.room.pick(room)

    def _show_flat(self) -> None:
        flat = self.flat
        self.flat_label.setText(self.tr("Flat: %1").replace("%1", flat) if flat
                                else self.tr("Flat (optional; a delivery needs one)"))

    def _fill_presets(self, kind: str | None) -> None:
        while self.presets.count():
            item = self.presets.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        for text in self._preset_texts().get(kind or "", ()):
            button = _button("preset")
            button.setText(text)
            apply_scale(button, dialog_scale(self))
            button.clicked.connect(lambda _=False, t=text: self.note.setText(t))
            self.presets.addWidget(button)

    def _preset_texts(self) -> dict[str, tuple[str, ...]]:
        return {
            OUTSIDER: (self.tr("No pass card"), self.tr("Visiting a relative"), self.tr("Courier")),
            "symptoms": (self.tr("Cough"), self.tr("Weak, tired"), self.tr("Short of breath")),
            "refused_reading": (self.tr("Would not be measured"),),
            "crowding": (self.tr("Long queue"), self.tr("Crowd dispersed")),
            DELIVERY: (self.tr("Vegetables"), self.tr("Medicine"), self.tr("Parcel")),
        }

    # -- recording --------------------------------------------------------------------

    def record_outsider(self) -> None:
        """The quick action: one outsider refused, now, nothing else asked."""
        self._send(OUTSIDER, 1, None, "")

    def submit(self) -> None:
        kind = self.kind.value
        if kind is None:
            return
        count = int(self.count.value or "1") if kind == OUTSIDER else 1
        self._send(kind, count, self.flat if kind != OUTSIDER else None, self.note.text())

    def _send(self, kind: str, count: int, flat: str | None, note: str) -> None:
        self.record.setEnabled(False)
        self.outsider_now.setEnabled(False)
        operator = self.operator
        self.client.call(lambda gate: gate.report(kind, operator, count, flat, note),
                         self._done, self._failed)

    def _done(self, report) -> None:
        log.info("report %s recorded (%s)", report.id, report.kind)
        self.recorded.emit(report)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.record.setEnabled(self.kind.value is not None)
        self.outsider_now.setEnabled(True)
        failure = screen_failure(error)
        if failure == STORAGE:
            log.error("report not recorded: %s", error)
            self.status.setStyleSheet("color: #ffb300;")
            self.status.setText(self.tr("Not recorded: record on paper"))
            self.status.setVisible(True)
        elif failure == BUG:
            self.client.report_bug(error, "gate report")
            self.status.setStyleSheet("color: #ffb300;")
            self.status.setText(self.tr("A program error: record on paper and tell the office"))
            self.status.setVisible(True)
        else:
            assert isinstance(error, GatepostError)
            self.status.setStyleSheet("color: #ffcc80;")
            self.status.setText(error.message(screen_lang()))
            self.status.setVisible(True)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Report"))
        self.outsider_now.setText(self.tr("Outsider refused: record now"))
        names = {OUTSIDER: self.tr("Outsider refused"), "symptoms": self.tr("Symptoms"),
                 "refused_reading": self.tr("Refused a reading"), "crowding": self.tr("Crowding"),
                 DELIVERY: self.tr("Delivery for a flat"), "other": self.tr("Other")}
        for kind, button in self.kind.buttons.items():
            button.setText(names[kind])
        self.count_label.setText(self.tr("How many people"))
        self.no_flat.setText(self.tr("No flat"))
        self._show_flat()
        self.note_label.setText(self.tr("A few words (no names, no ID numbers)"))
        self.record.setText(self.tr("Record"))
        self.cancel.setText(self.tr("Cancel"))


def _natural(text: str) -> tuple[int, str]:
    """Building 2 before building 10."""
    return (int(text), "") if text.isdigit() else (1 << 30, text)
