"""The admin screens' table models.

`EventLogModel` holds only the matching events' ids (an array of 8-byte integers) and
fetches the rows of a page when the view asks for them, keeping a bounded cache, like
Anki's browser model: opening a day of 20,000 events, or filtering a database of a
million, costs one indexed id query; scrolling costs one query per page of 200 rows.
Pages are read off the GUI thread (ui.adminclient.AdminClient.log_rows); a page on its
way shows blank cells until `dataChanged` says it is there. `RowsModel` shows a short
list of plain tuples (incidents, who is out, the roster).
"""
from __future__ import annotations

import array
import collections
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from kiosk.model import LogFilter

log = logging.getLogger("export")

PAGE = 200
CACHED_PAGES = 50  # 10,000 rows at most in memory, whatever the day's size

Index = QModelIndex | QPersistentModelIndex


class LogSource(Protocol):
    """A synchronous read side (data.admin_queries.AdminQueries): benchmarks and tests."""

    def log_ids(self, f: LogFilter) -> array.array: ...
    def log_rows(self, seqs: list[int]) -> dict[int, list]: ...
    def log_headers(self) -> list[str]: ...


# fetch(seqs, deliver): read those rows somewhere (the admin client's lane) and call
# deliver({seq: cells}) on the GUI thread when they are there (at once, for a plain source).
RowFetch = Callable[[list[int], Callable[[dict[int, list]], None]], None]


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
    """The day's log: the matching seqs, and pages of rows fetched when the view shows them.

    A page not read yet shows blank cells while `fetch` reads it (off the GUI thread, on
    the admin client's lane); `dataChanged` tells the view when it is there.
    """

    def __init__(self, fetch: RowFetch, headers: Sequence[str] = (), parent=None):
        super().__init__(parent)
        self._fetch_rows = fetch
        self.source: LogSource | None = None  # only for a synchronous source (`over`)
        self.headers = list(headers)
        self.ids: array.array = array.array("q")
        self._pages: collections.OrderedDict[int, list[list]] = collections.OrderedDict()
        self._asked: set[int] = set()  # pages being read now
        self._generation = 0  # a new filter: pages still on their way are for the old one
        self._delivering_now = False
        self.filter: LogFilter | None = None

    @classmethod
    def over(cls, source: LogSource, parent=None) -> EventLogModel:
        """A model reading `source` on the caller's thread (benchmarks and tests)."""
        model = cls(lambda seqs, deliver: deliver(source.log_rows(seqs)), source.log_headers(), parent)
        model.source = source
        return model

    def set_filter(self, f: LogFilter) -> None:
        """Query the ids here and now, through the synchronous source (`over`)."""
        assert self.source is not None, "set_filter needs a synchronous source"
        self.set_ids(f, self.source.log_ids(f))

    def set_ids(self, f: LogFilter, ids: array.array, headers: Sequence[str] | None = None,
                first_rows: dict[int, list] | None = None) -> None:
        """Show the events `ids` (queried elsewhere, e.g. on the admin lane) for `f`, under
        `headers` (the language may have changed), with the first page's rows if given."""
        self.beginResetModel()
        self.filter = f
        self.ids = ids
        if headers is not None:
            self.headers = list(headers)
        self._forget_pages()
        if first_rows is not None and len(ids):
            self._keep(0, list(ids[:PAGE]), first_rows)
        self.endResetModel()

    def clear(self) -> None:
        """No rows while the next filter's ids are being read."""
        self.beginResetModel()
        self.ids = array.array("q")
        self._forget_pages()
        self.endResetModel()

    def _forget_pages(self) -> None:
        self._pages.clear()
        self._asked.clear()
        self._generation += 1

    # -- QAbstractTableModel -------------------------------------------------------------

    def _row_count(self) -> int:
        return len(self.ids)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.row(index.row())
        if row is None or index.column() >= len(row):
            return None
        value = row[index.column()]
        if value is None:
            return ""
        return f"{value:.1f}" if isinstance(value, float) else str(value)

    def row(self, number: int) -> list | None:
        """The row's cells, or None while its page is being read."""
        if not 0 <= number < len(self.ids):
            return None
        page_no = number // PAGE
        page = self._pages.get(page_no)
        if page is None:
            self._request(page_no)
            page = self._pages.get(page_no)  # a synchronous source has delivered already
            if page is None:
                return None
        else:
            self._pages.move_to_end(page_no)
        return page[number % PAGE]

    def _request(self, page_no: int) -> None:
        if page_no in self._asked:
            return
        self._asked.add(page_no)
        generation = self._generation
        seqs = list(self.ids[page_no * PAGE:(page_no + 1) * PAGE])

        def deliver(by_seq: dict[int, list]) -> None:
            if generation != self._generation:
                return  # the filter changed while this page was read
            self._asked.discard(page_no)
            self._keep(page_no, seqs, by_seq)
            if not self._delivering_now:
                first = page_no * PAGE
                self.dataChanged.emit(self.index(first, 0),
                                      self.index(first + len(seqs) - 1, len(self.headers) - 1))

        self._delivering_now = True
        try:
            self._fetch_rows(seqs, deliver)
        finally:
            self._delivering_now = False

    def _keep(self, page_no: int, seqs: list[int], by_seq: dict[int, list]) -> None:
        blank = [""] * len(self.headers)
        self._pages[page_no] = [by_seq.get(seq, blank) for seq in seqs]  # a purged row shows blank
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)


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
