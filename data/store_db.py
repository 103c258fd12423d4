"""The store's database handle, without loading sqlite-utils until something needs it.

`kiosk scan` is a process that runs a few statements; importing sqlite-utils cost it about
0.25 s (it pulls numpy and click at import) and making its `Database` 0.07 s more (it looks
for plugins among every installed distribution's entry points). The statements of a scan
need only `execute` and `conn`, so `LeanDatabase` offers those at once and makes the real
`sqlite_utils.Database` over the same connection the first time anything else is asked
for (`db["table"].upsert(...)`, `db.query(...)`): the roster, card and settings writers.

What stays exactly as it was: sqlite-utils' `Database.execute` commits a statement that
opened an implicit transaction; Gatepost's connections run in autocommit mode
(`isolation_level=None`, data/store.py connect), where sqlite3 never opens one, so on them
it is `conn.execute`. The `recursive_triggers` pragma sqlite-utils sets on every
connection it is given is set here at once, so triggers behave the same before and after
the real handle exists. And when sqlite-utils loads, numpy and pandas are hidden from it:
it only uses them to map their types to column types, which no Gatepost row holds, and
loading numpy alone took 0.05-0.13 s.
"""
from __future__ import annotations

import sqlite3
import sys
from collections.abc import Sequence
from typing import Any

_HIDDEN = ("numpy", "pandas")  # optional for sqlite-utils; never in a row Gatepost writes


def sqlite_utils_module() -> Any:
    """sqlite_utils, imported (once) with numpy and pandas hidden from it."""
    if "sqlite_utils" in sys.modules:
        return sys.modules["sqlite_utils"]
    saved = {name: sys.modules.get(name) for name in _HIDDEN}
    for name in _HIDDEN:
        sys.modules[name] = None  # type: ignore[assignment]  # the documented way to make an import fail
    try:
        import sqlite_utils
    finally:
        for name, module in saved.items():
            if module is None:
                del sys.modules[name]
            else:
                sys.modules[name] = module
    return sqlite_utils


class LeanDatabase:
    """`execute` and `conn` at once; anything else from a real sqlite_utils.Database made
    over the same connection when first needed."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._full: Any = None
        conn.execute("PRAGMA recursive_triggers=on;")  # what sqlite_utils.Database sets

    def execute(self, sql: str, parameters: Sequence | dict[str, Any] | None = None) -> sqlite3.Cursor:
        if parameters is not None:
            return self.conn.execute(sql, parameters)
        return self.conn.execute(sql)

    def close(self) -> None:
        self.conn.close()

    @property
    def full(self) -> Any:
        """The real sqlite_utils.Database over this connection."""
        if self._full is None:
            self._full = sqlite_utils_module().Database(self.conn)
        return self._full

    def __getitem__(self, table: str) -> Any:
        return self.full[table]

    def __getattr__(self, name: str) -> Any:  # only for what is not defined above
        return getattr(self.full, name)
