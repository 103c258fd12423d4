"""The admin screens' table models.

`EventLogModel` holds only the matching events' ids (an array of 8-byte integers) and
fetches the rows of a page when the view asks for them, keeping a bounded cache, like
Anki's browser model: opening a day of 20,000 events, or filtering a database of a
million, costs one indexed id query; scrolling costs one query per page of 200 rows.
`RowsModel` shows a short list of plain tuples (incidents, who is out, the roster).
"""
from __future__ import annotations

import array
import collections
import logging
from collections.abc import Sequence
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from kiosk.model import LogFilter

log = logging.getLogger("export")

PAGE = 200
CACHED_PAGES = 50  # 10,000 rows at most in memory, whatever the day's size

Index = QModelIndex | QPersistentModelIndex


class LogSource(Protocol):
    def log_ids(self, f: LogFilter) -> array.array: ...
    def log_rows(self, seqs: list[int]) -> dict[int, list]: ...
    def log_headers(self) -> list[str]: ...


class _HeadedTableModel(QAbstractTableModel):
    """Rows numbered down the side, `self.headers` across the top."""

    headers: list[str]

    def _row_count(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's own signature)
        return 0 if parent.isValid() else self._row_count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's own signature)
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers[section] if 0 <= section < len(self.headers) else None
        return str(section + 1)


class EventLogModel(_HeadedTableModel):
    """The day's log, read lazily through a LogSource (data.admin_queries.AdminQueries)."""

    def __init__(self, source: LogSource, parent=None):
        super().__init__(parent)
        self.source = source
        self.headers = source.log_headers()
        self.ids: array.array = array.array("q")
        self._pages: collections.OrderedDict[int, list[list]] = collections.OrderedDict()
        self.filter: LogFilter | None = None

    def set_filter(self, f: LogFilter) -> None:
        """Query the ids here and now (on the caller's thread): tests and small tools."""
        self.set_ids(f, self.source.log_ids(f))

    def set_ids(self, f: LogFilter, ids: array.array) -> None:
        """Show the events `ids` (queried elsewhere, e.g. on the log tab's lane) for `f`."""
        self.beginResetModel()
        self.filter = f
        self.ids = ids
        self._pages.clear()
        self.endResetModel()

    def clear(self) -> None:
        """No rows while the next filter's ids are being read."""
        self.beginResetModel()
        self.ids = array.array("q")
        self._pages.clear()
        self.endResetModel()

    def retranslate(self) -> None:
        """Headers and cached rows again in the source's (new) language."""
        self.beginResetModel()
        self.headers = self.source.log_headers()
        self._pages.clear()
        self.endResetModel()

    def refresh(self) -> None:
        if self.filter is not None:
            self.set_filter(self.filter)

    # -- QAbstractTableModel -------------------------------------------------------------

    def _row_count(self) -> int:
        return len(self.ids)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.row(index.row())
        if row is None:
            return None
        value = row[index.column()]
        if value is None:
            return ""
        return f"{value:.1f}" if isinstance(value, float) else str(value)

    def row(self, number: int) -> list | None:
        if not 0 <= number < len(self.ids):
            return None
        page_no = number // PAGE
        page = self._pages.get(page_no)
        if page is None:
            page = self._fetch(page_no)
        else:
            self._pages.move_to_end(page_no)
        return page[number % PAGE]

    def _fetch(self, page_no: int) -> list[list]:
        seqs = list(self.ids[page_no * PAGE:(page_no + 1) * PAGE])
        by_seq = self.source.log_rows(seqs)
        blank = [""] * len(self.headers)
        page = [by_seq.get(seq, blank) for seq in seqs]  # a purged row shows blank, not a crash
        self._pages[page_no] = page
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        return page


class RowsModel(_HeadedTableModel):
    """A short list of tuples under fixed headers."""

    def __init__(self, headers: Sequence[str], parent=None):
        super().__init__(parent)
        self.headers = list(headers)
        self.rows: list[tuple] = []

    def set_headers(self, headers: Sequence[str]) -> None:
        """The same columns under headers in another language."""
        self.headers = list(headers)
        if self.headers:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.headers) - 1)

    def set_rows(self, rows: list[tuple]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def _row_count(self) -> int:
        return len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        if not (0 <= index.row() < len(self.rows) and 0 <= index.column() < len(self.headers)):
            return None
        value = self.rows[index.row()][index.column()]
        return "" if value is None else str(value)
