"""The day's log: filters over a lazy table, and the export that runs off the GUI thread.

The filter's two queries (the matching row ids, the per-hour counts) run on the tab's lane
with its own Gate and connection: the GUI thread shows "Loading…" meanwhile and keeps only
the answer to the newest filter. Only a visible page's 200 rows are read on the GUI thread.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kiosk.app import Gate, open_gate
from kiosk.errors import GatepostError
from kiosk.model import LogFilter
from kiosk.operators import Operator
from kiosk.ports import Cancelled
from ui.admin.chart import HourlyChart
from ui.admin.models import EventLogModel
from ui.admin.texts import screen_lang, shared
from ui.filedialogs import ask_save_path
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
        loaded(): the rows and the chart of the current filter are shown.
    """

    export_finished = Signal(str)
    loaded = Signal()

    def __init__(self, gate: Gate, operator: Operator, parent=None):
        super().__init__(parent)
        self.gate, self.operator = gate, operator
        self.lang = screen_lang()
        self._lane: Lane | None = None  # the queries' and exports' thread, started on first use
        self._lane_gate: Gate | None = None  # opened and used on the lane's thread only
        self._asked: LogFilter | None = None  # the newest filter sent to the lane
        self.loading = False
        source = gate.admin()
        source.lang = self.lang
        self.model = EventLogModel(source, self)

        self.date = QDateEdit(QDate(*gate.today().timetuple()[:3]))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.building = QComboBox()
        self.building.addItem("", None)
        visible = operator.visible_buildings(None)
        for b in (visible if visible is not None else gate.admin().buildings()):
            self.building.addItem(b, b)
        self.direction = self._choices(("in", "out"))
        self.decision = self._choices(("allow", "deny", "retest"))
        self.count = QLabel()
        self.status = QLabel()
        self.export_button = QPushButton()
        self.export_button.clicked.connect(self.on_export_clicked)

        bar = QHBoxLayout()
        self.labels: list[tuple[QLabel, Callable[[], str]]] = []  # a caption and its words
        for words, widget in ((lambda: self.tr("Date"), self.date),
                              (lambda: self.tr("Building"), self.building),
                              (lambda: self.tr("Direction"), self.direction),
                              (lambda: self.tr("Decision"), self.decision)):
            caption = QLabel()
            self.labels.append((caption, words))
            bar.addWidget(caption)
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.count)
        bar.addWidget(self.export_button)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.loading_label = QLabel(self.view.viewport())  # over the empty table while loading
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading_label.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        self.chart = HourlyChart(self.lang)  # above the table: the day's shape before its rows
        layout.addWidget(self.chart)
        layout.addWidget(self.view)
        layout.addWidget(self.status)

        self.date.dateChanged.connect(self.apply_filter)
        for combo in (self.building, self.direction, self.decision):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.export_finished.connect(self.status.setText)
        self.retranslate()
        self.apply_filter()

    def _choices(self, codes: tuple[str, ...]) -> QComboBox:
        combo = QComboBox()
        combo.addItem("", None)  # "all": named by retranslate()
        for code in codes:
            combo.addItem(code, code)
        return combo

    def retranslate(self) -> None:
        """Every word again in the screen's language: own words by tr(), shared ones from LOG."""
        self.lang = screen_lang()
        for caption, words in self.labels:
            caption.setText(words())
        for combo in (self.building, self.direction, self.decision):
            combo.setItemText(0, self.tr("all"))
            for i in range(1, combo.count()):
                if combo is not self.building:
                    combo.setItemText(i, shared(combo.itemData(i), self.lang))
        self.export_button.setText(self.tr("Export…"))
        self.loading_label.setText(self.tr("Loading…"))
        self.chart.set_lang(self.lang)
        if self.model.source.lang != self.lang:
            self.model.source.lang = self.lang
            self.model.retranslate()
        self._show_count()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange and self.window().isVisible():  # see tabs._Tab
            self.retranslate()
        super().changeEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.loading_label.resize(self.view.viewport().size())

    def current_filter(self) -> LogFilter:
        building = self.building.currentData()
        buildings = (building,) if building else self.operator.visible_buildings(None)
        return LogFilter(self.date.date().toPython(), buildings, self.direction.currentData(),
                         self.decision.currentData())

    def apply_filter(self) -> None:
        """Show "Loading…" and ask the lane for the filter's ids and the day's hourly counts."""
        f = self._asked = self.current_filter()
        self.loading = True
        self.model.clear()
        self.chart.set_loading()
        self.loading_label.resize(self.view.viewport().size())
        self.loading_label.show()
        self._show_count()

        def body():
            queries = self._worker_gate().admin()
            # the chart shows the day in the chosen buildings; direction and decision filter the rows only
            return queries.log_ids(f), queries.hourly(f.day, f.buildings)

        def done(result) -> None:
            if f != self._asked:
                return  # the filter changed while this ran: its own answer is on the way
            ids, (counts, fevers) = result
            self.loading = False
            self.loading_label.hide()
            self.model.set_ids(f, ids)
            self.chart.set_counts(counts, fevers)
            self._show_count()
            self.loaded.emit()

        def failed(error: BaseException) -> None:
            if f != self._asked:
                return
            log.error("log query failed", exc_info=error)
            self.loading_label.setText(self.tr("The log could not be read: {error}").format(error=error))

        self._lane_for_work().submit(body, done, failed)

    def _show_count(self) -> None:
        self.count.setText(self.tr("Loading…") if self.loading
                           else self.tr("{count} rows").format(count=self.model.rowCount()))

    def _lane_for_work(self) -> Lane:
        if self._lane is None:
            self._lane = Lane("admin-log", self)
        return self._lane

    def _worker_gate(self) -> Gate:
        """The lane's own Gate (runs on the lane's thread): the GUI's connection is never shared."""
        if self._lane_gate is None:
            self._lane_gate = open_gate(self.gate.path, self.gate.lang, self.gate.clock, checks=False)
        return self._lane_gate

    # -- export --------------------------------------------------------------------------

    def on_export_clicked(self) -> None:
        day = self.date.date().toPython()
        path, _chosen = ask_save_path(self, self.tr("Export…"), f"gate-log-{day}.xlsx",
                                      ["Excel (*.xlsx)", "PDF (*.pdf)", "CSV (*.csv)"], self.gate.path)
        if path is not None:
            fmt = path.suffix.lstrip(".").lower()
            # The dialog asked before replacing an existing file: that is the --force.
            self.export_to(path, fmt if fmt in FORMATS else "xlsx", force=True)

    def export_to(self, path: Path, fmt: str, force: bool = False) -> QProgressDialog:
        """Start the export on the lane; returns the progress dialog (Cancel stops it).
        The database's own files, its key and backups are refused whatever `force` says."""
        day = self.date.date().toPython()
        building = self.building.currentData()
        stop = threading.Event()
        relay = _Relay(self)
        dialog = QProgressDialog(self.tr("Exporting…"), self.tr("Cancel"), 0, 100, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.canceled.connect(stop.set)
        relay.progressed.connect(lambda done, total: dialog.setValue(int(100 * done / max(total, 1))))
        gate_path, lang, clock, operator = self.gate.path, self.lang, self.gate.clock, self.operator

        def body():
            # Its own connection on the lane's thread: the GUI's is never shared.
            worker = open_gate(gate_path, lang, clock)
            try:
                return worker.export_log(operator, fmt, path, day, None, building,
                                         progress=relay.progressed.emit, cancelled=stop.is_set,
                                         force=force)
            finally:
                worker.close()

        def done(result) -> None:
            dialog.reset()
            self.export_finished.emit(self.tr("Exported {count} rows to {path}").format(
                count=result.rows, path=result.path))

        def failed(error: BaseException) -> None:
            dialog.reset()

            if isinstance(error, Cancelled):
                self.export_finished.emit(self.tr("Export cancelled: no file written"))
            elif isinstance(error, GatepostError):  # a refused path, a failed disk (kiosk/errors.py)
                self.export_finished.emit(error.message(self.lang))
            else:
                log.error("export failed", exc_info=error)
                self.export_finished.emit(self.tr("Export failed: {error}").format(error=error))

        self._lane_for_work().submit(body, done, failed)
        return dialog

    def stop(self) -> None:
        """Finish a running job and stop the lane's thread (the window is closing)."""
        if self._lane is not None:
            self._lane.stop()
            self._lane = None
        if self._lane_gate is not None:  # its thread has stopped: closing here is not a second user
            self._lane_gate.close()
            self._lane_gate = None
