"""The day's log: filters over a lazy table, and the export that runs off the GUI thread.

The filter's queries (the matching row ids, the per-hour counts, the first page) run on
the admin client's lane, with its own connection: the GUI thread shows "Loading…"
meanwhile and keeps only the answer to the newest filter. The other pages are read there
too, when the view shows them; the export runs there as well.
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

from kiosk.errors import GatepostError
from kiosk.model import LogFilter
from kiosk.operators import Operator
from kiosk.ports import Cancelled
from ui.admin.chart import HourlyChart
from ui.admin.models import EventLogModel
from ui.admin.tabs import picked_day
from ui.admin.texts import screen_lang, shared
from ui.adminclient import AdminClient
from ui.filedialogs import ask_save_path

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

    export_name = "gate-log"  # the file the Export… dialog offers: gate-log-2026-02-12.xlsx

    def __init__(self, client: AdminClient, operator: Operator, parent=None):
        super().__init__(parent)
        self.client, self.operator = client, operator
        self.lang = screen_lang()
        self._asked: tuple[LogFilter, str] | None = None  # the newest filter (and language) asked
        self.loading = False
        self.model = EventLogModel(self._fetch_rows, parent=self)

        self.date = QDateEdit(QDate(*client.today().timetuple()[:3]))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.building = QComboBox()
        self.building.addItem("", None)
        visible = operator.visible_buildings(None)
        if visible is not None:  # a lead's own buildings; an admin's are read on the lane
            self._add_buildings(visible)
        else:
            client.buildings(self._add_buildings,
                             lambda error: log.error("buildings not read: %s", error))
        self.direction = self._choices(("in", "out"))
        # "deny" is the rules' denials; "slip" the volunteers' slips (action needed)
        self.decision = self._choices(("allow", "deny", "slip", "retest"))
        self.count = QLabel()
        self.day_counts = QLabel()  # the day's denials and slips, counted apart
        self.day_counts.setObjectName("day_counts")
        self._day_counts: dict[str, int] = {}
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
        layout.addWidget(self.day_counts)
        layout.addWidget(self.view)
        layout.addWidget(self.status)

        self.date.dateChanged.connect(self.apply_filter)
        for combo in (self.building, self.direction, self.decision):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.export_finished.connect(self.status.setText)
        self.retranslate()
        self.apply_filter()

    def _add_buildings(self, buildings) -> None:
        self.building.blockSignals(True)  # adding choices is not choosing one
        for b in buildings:
            self.building.addItem(b, b)
        self.building.blockSignals(False)

    def _fetch_rows(self, seqs: list[int], deliver) -> None:
        """The model's page reader: the rows come back on the GUI thread, in the tab's language."""
        self.client.log_rows(seqs, self.lang, deliver,
                             lambda error: log.error("log rows not read: %s", error))

    def _choices(self, codes: tuple[str, ...]) -> QComboBox:
        combo = QComboBox()
        combo.addItem("", None)  # "all": named by retranslate()
        for code in codes:
            combo.addItem(code, code)
        return combo

    def retranslate(self) -> None:
        """Every word again in the screen's language: own words by tr(), shared ones from LOG;
        the rows are read again in it."""
        lang_changed = self.lang != screen_lang()
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
        if lang_changed:
            self.apply_filter()
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
        return LogFilter(picked_day(self.date), buildings, self.direction.currentData(),
                         self.decision.currentData())

    def apply_filter(self) -> None:
        """Show "Loading…" and ask the lane for the filter's ids and the day's hourly counts."""
        f, lang = self.current_filter(), self.lang
        asked = self._asked = (f, lang)
        self.loading = True
        self.model.clear()
        self.chart.set_loading()
        self.loading_label.resize(self.view.viewport().size())
        self.loading_label.show()
        self._show_count()

        # the chart shows the day in the chosen buildings; direction and decision filter the rows only
        def done(answer) -> None:
            if asked != self._asked:
                return  # the filter changed while this ran: its own answer is on the way
            self.loading = False
            self.loading_label.hide()
            self.model.set_ids(f, answer.ids, answer.headers, answer.first_rows)
            self.chart.set_counts(answer.counts, answer.fevers)
            self._day_counts = answer.day_counts
            self._show_count()
            self.loaded.emit()

        def failed(error: BaseException) -> None:
            if asked != self._asked:
                return
            log.error("log query failed", exc_info=error)
            self.loading_label.setText(self.tr("The log could not be read: {error}").format(error=error))

        self.client.log(f, lang, done, failed)

    def _show_count(self) -> None:
        self.count.setText(self.tr("Loading…") if self.loading
                           else self.tr("{count} rows").format(count=self.model.rowCount()))
        c = self._day_counts
        self.day_counts.setText("" if self.loading or not c else self.tr(
            "{scans} scans, {exits} out, {entries} in, {denials} denied, "
            "{slips} action needed (slips), {retests} retests").format(**c))

    # -- export --------------------------------------------------------------------------

    def on_export_clicked(self) -> None:
        day = picked_day(self.date)
        path, _chosen = ask_save_path(self, self.tr("Export…"), f"{self.export_name}-{day}.xlsx",
                                      ["Excel (*.xlsx)", "PDF (*.pdf)", "CSV (*.csv)"], self.client.db_path)
        if path is not None:
            fmt = path.suffix.lstrip(".").lower()
            # The dialog asked before replacing an existing file: that is the --force.
            self.export_to(path, fmt if fmt in FORMATS else "xlsx", force=True)

    def export_to(self, path: Path, fmt: str, force: bool = False) -> QProgressDialog:
        """Start the export on the lane; returns the progress dialog (Cancel stops it).
        The database's own files, its key and backups are refused whatever `force` says."""
        day = picked_day(self.date)
        building = self.building.currentData()
        stop = threading.Event()
        relay = _Relay(self)
        dialog = QProgressDialog(self.tr("Exporting…"), self.tr("Cancel"), 0, 100, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.canceled.connect(stop.set)
        relay.progressed.connect(lambda done, total: dialog.setValue(int(100 * done / max(total, 1))))

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

        self.client.export(self.operator, fmt, path, day, building, self.lang, relay.progressed.emit,
                           stop.is_set, force, done, failed)
        return dialog
