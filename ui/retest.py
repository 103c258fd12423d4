"""The fever retest queue: people resting before their second reading, each with a
countdown, and a clear prompt when their time comes."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QHeaderView, QLabel, QSizePolicy, QTableView, QVBoxLayout, QWidget

from kiosk.model import Event
from ui.sizing import set_points

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()

DUE_BRUSH = QBrush(QColor("#ffb300"))
WAITING_BRUSH = QBrush(QColor("#eceff1"))


class RetestQueueModel(QAbstractTableModel):
    """Rows are first fever readings waiting for their retest, oldest first.

    Signals:
        became_due(str, str): a card's wait is over (serial, flat): measure it again now.
    """

    became_due = Signal(str, str)

    COLUMNS = 4  # flat, card, first reading, time left

    def __init__(self, now: Callable[[], dt.datetime], parent=None):
        super().__init__(parent)
        self._now = now
        self._events: list[Event] = []
        self._flats: dict[str, str] = {}
        self._wait = dt.timedelta(seconds=300)
        self._window = dt.timedelta(seconds=1800)
        self._due: set[str] = set()

    def set_queue(self, events: list[Event], flats: dict[str, str], wait_s: int, window_s: int) -> None:
        self.beginResetModel()
        self._events = list(events)
        self._flats = dict(flats)
        self._wait = dt.timedelta(seconds=wait_s)
        self._window = dt.timedelta(seconds=window_s)
        self._due &= {e.id for e in self._events}
        self.endResetModel()
        self.tick()

    def tick(self) -> None:
        """Move the countdowns on; announce the rows whose wait has just ended."""
        if not self._events:
            return
        now = self._now()
        for event in self._events:
            if event.id not in self._due and now >= event.at_utc + self._wait:
                self._due.add(event.id)
                self.became_due.emit(event.serial or "", self._flat(event))
        self.dataChanged.emit(self.index(0, 0), self.index(len(self._events) - 1, self.COLUMNS - 1))

    def event_at(self, row: int) -> Event:
        return self._events[row]

    def is_due(self, row: int) -> bool:
        return self._events[row].id in self._due

    def seconds_left(self, row: int) -> int:
        left = self._events[row].at_utc + self._wait - self._now()
        return max(0, int(left.total_seconds() + 0.999))

    def _flat(self, event: Event) -> str:
        return self._flats.get(event.household_id or "", "")

    # -- QAbstractTableModel --------------------------------------------------------

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._events)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else self.COLUMNS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._events):
            return None
        event, row, column = self._events[index.row()], index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return self._flat(event)
            if column == 1:
                return event.serial or ""
            if column == 2:
                return self.tr("%1 °C").replace("%1", f"{event.temp_first:.1f}") if event.temp_first else ""
            if self.is_due(row):
                return self.tr("Retest now")
            minutes, seconds = divmod(self.seconds_left(row), 60)
            return f"{minutes}:{seconds:02d}"
        if role == Qt.ItemDataRole.BackgroundRole:
            return DUE_BRUSH if self.is_due(row) else WAITING_BRUSH
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor("#1a1a1a"))
        if role == Qt.ItemDataRole.FontRole and column == 3 and self.is_due(row):
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if not 0 <= section < self.COLUMNS:
            return None
        return (self.tr("Flat"), self.tr("Card"), self.tr("First"), self.tr("Time left"))[section]


class RetestQueueView(QWidget):
    """The queue as a table, a caption with its length, and the prompt when a wait ends.

    Signals:
        retest_due(str, str): forwarded from the model (serial, flat).
    """

    retest_due = Signal(str, str)

    def __init__(self, model: RetestQueueModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.caption = QLabel()
        self.caption.setObjectName("retest_caption")
        self.caption.setWordWrap(True)
        set_points(self.caption, 13)
        self.prompt = QLabel()
        self.prompt.setObjectName("retest_prompt")
        self.prompt.setWordWrap(True)
        set_points(self.prompt, 15, bold=True)
        self.prompt.setStyleSheet("background: #ffb300; color: #1a1a1a; padding: 6px; border-radius: 8px;")
        for label in (self.caption, self.prompt):  # they wrap; they never widen the column
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.prompt.hide()
        self.table = QTableView()
        self.table.setModel(model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        set_points(self.table, 14)
        self.table.horizontalHeader().setMinimumSectionSize(20)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnHidden(1, True)  # the serial is in the prompt; the flat says who it is
        self.table.setMinimumHeight(48)  # a row; it scrolls rather than push the keys
        self.table.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.prompt)
        layout.addWidget(self.table)
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(model.tick)
        self._timer.start()
        model.became_due.connect(self._on_became_due)
        model.modelReset.connect(self._update_caption)
        self._due_serial = ""
        self._due_flat = ""
        self.retranslate()

    def hasHeightForWidth(self) -> bool:
        """The prompt wraps inside, but the view's height is the column's to give: reporting a
        height for its width made a column hold it rigidly and squeeze the keypad's keys
        over each other when the prompt appeared (issue 11). The table gives way instead."""
        return False

    def _on_became_due(self, serial: str, flat: str) -> None:
        self._due_serial, self._due_flat = serial, flat
        self._show_prompt()
        self.retest_due.emit(serial, flat)

    def _show_prompt(self) -> None:
        if not any(self.model.is_due(r) for r in range(self.model.rowCount())):
            self.prompt.hide()
            return
        self.prompt.setText(self.tr("Retest now: %1 (card %2)")
                            .replace("%1", self._due_flat or "—").replace("%2", self._due_serial))
        self.prompt.show()

    def _update_caption(self) -> None:
        self.caption.setText(self.tr("Fever retest queue: %1 waiting").replace(
            "%1", str(self.model.rowCount())))
        self._show_prompt()

    def retranslate(self) -> None:
        self._update_caption()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, RetestQueueModel.COLUMNS - 1)

    def changeEvent(self, event) -> None:
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
