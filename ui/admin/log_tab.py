"""The day's log: filters over a lazy table, and the export that runs off the GUI thread."""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QDate, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kiosk.app import Gate, open_gate
from kiosk.model import LogFilter
from kiosk.operators import Operator
from kiosk.ports import Cancelled
from ui.admin.chart import HourlyChart
from ui.admin.models import EventLogModel
from ui.admin.texts import t
from ui.tasks import Lane

log = logging.getLogger("export")

FORMATS = ("xlsx", "pdf", "csv")


class _Relay(QObject):
    """Carries the export's progress from the lane's thread to the GUI thread."""

    progressed = Signal(int, int)


class LogTab(QWidget):
    """Filters (date, building, direction, decision) over the lazy log, the day's hourly chart, and Export.

    Signals:
        export_finished(str): a message for the operator (done, failed or cancelled).
    """

    export_finished = Signal(str)

    def __init__(self, gate: Gate, operator: Operator, parent=None):
        super().__init__(parent)
        self.gate, self.operator = gate, operator
        self._lane: Lane | None = None  # started by the first export: most visits never export
        lang = gate.lang
        self.lang = lang
        self.model = EventLogModel(gate.admin(), self)

        self.date = QDateEdit(QDate(*gate.today().timetuple()[:3]))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.building = QComboBox()
        self.building.addItem(t("all", lang), None)
        visible = operator.visible_buildings(None)
        for b in (visible if visible is not None else gate.admin().buildings()):
            self.building.addItem(b, b)
        self.direction = self._choices(("in", "out"))
        self.decision = self._choices(("allow", "deny", "retest"))
        self.count = QLabel()
        self.status = QLabel()
        export = QPushButton(t("export", lang))
        export.clicked.connect(self.on_export_clicked)

        bar = QHBoxLayout()
        for label, widget in (("date", self.date), ("building", self.building),
                              ("direction", self.direction), ("decision", self.decision)):
            bar.addWidget(QLabel(t(label, lang)))
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.count)
        bar.addWidget(export)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        self.chart = HourlyChart(lang)  # above the table: the day's shape before its rows
        layout.addWidget(self.chart)
        layout.addWidget(self.view)
        layout.addWidget(self.status)

        self.date.dateChanged.connect(self.apply_filter)
        for combo in (self.building, self.direction, self.decision):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.export_finished.connect(self.status.setText)
        self.apply_filter()

    def _choices(self, codes: tuple[str, ...]) -> QComboBox:
        combo = QComboBox()
        combo.addItem(t("all", self.lang), None)
        for code in codes:
            combo.addItem(t(code, self.lang), code)
        return combo

    def current_filter(self) -> LogFilter:
        building = self.building.currentData()
        buildings = (building,) if building else self.operator.visible_buildings(None)
        return LogFilter(self.date.date().toPython(), buildings, self.direction.currentData(),
                         self.decision.currentData())

    def apply_filter(self) -> None:
        f = self.current_filter()
        self.model.set_filter(f)
        # the chart shows the day in the chosen buildings; direction and decision filter the rows only
        self.chart.set_counts(*self.gate.admin().hourly(f.day, f.buildings))
        self.count.setText(t("rows", self.lang, count=self.model.rowCount()))

    # -- export --------------------------------------------------------------------------

    def on_export_clicked(self) -> None:
        day = self.date.date().toPython()
        suggested = str(Path.home() / f"gate-log-{day}.xlsx")
        path, chosen = QFileDialog.getSaveFileName(self, t("export", self.lang), suggested,
                                                   "Excel (*.xlsx);;PDF (*.pdf);;CSV (*.csv)")
        if path:
            fmt = Path(path).suffix.lstrip(".").lower()
            self.export_to(Path(path), fmt if fmt in FORMATS else "xlsx")

    def export_to(self, path: Path, fmt: str) -> QProgressDialog:
        """Start the export on the lane; returns the progress dialog (Cancel stops it)."""
        day = self.date.date().toPython()
        building = self.building.currentData()
        stop = threading.Event()
        relay = _Relay(self)
        dialog = QProgressDialog(t("exporting", self.lang), t("cancel", self.lang), 0, 100, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.canceled.connect(stop.set)
        relay.progressed.connect(lambda done, total: dialog.setValue(int(100 * done / max(total, 1))))
        gate_path, lang, clock, operator = self.gate.path, self.gate.lang, self.gate.clock, self.operator

        def body():
            # Its own connection on the lane's thread: the GUI's is never shared.
            worker = open_gate(gate_path, lang, clock)
            try:
                return worker.export_log(operator, fmt, path, day, None, building,
                                         progress=relay.progressed.emit, cancelled=stop.is_set)
            finally:
                worker.close()

        def done(result) -> None:
            dialog.reset()
            self.export_finished.emit(t("exported", self.lang, count=result.rows, path=result.path))

        def failed(error: BaseException) -> None:
            dialog.reset()

            if isinstance(error, Cancelled):
                self.export_finished.emit(t("export_cancelled", self.lang))
            else:
                log.error("export failed", exc_info=error)
                self.export_finished.emit(t("export_failed", self.lang, error=error))

        if self._lane is None:
            self._lane = Lane("export", self)
        self._lane.submit(body, done, failed)
        return dialog

    def stop(self) -> None:
        """Finish a running export and stop the lane's thread (the window is closing)."""
        if self._lane is not None:
            self._lane.stop()
            self._lane = None
