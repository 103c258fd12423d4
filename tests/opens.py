"""Which files Python code opens (audit hook 'open' events): for the rule "nothing in a
gate's process opens the database file but SQLite itself" (data/outputs.py).

SQLite's own opens are C calls and raise no audit event; Qt's neither (so the file dialog
test also checks the -wal survives, tests/ui/test_filedialogs.py).
"""
from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

_WATCHERS: list[list[str]] = []
_INSTALLED = False


def _hook(event: str, args: tuple) -> None:
    if event == "open" and _WATCHERS and isinstance(args[0], (str, bytes, os.PathLike)):
        for seen in _WATCHERS:
            seen.append(os.fsdecode(args[0]))


@contextlib.contextmanager
def python_opens() -> Iterator[list[str]]:
    """The paths opened by Python code (any thread) while the block runs."""
    global _INSTALLED
    if not _INSTALLED:  # an audit hook cannot be removed: one for the whole session
        sys.addaudithook(_hook)
        _INSTALLED = True
    seen: list[str] = []
    _WATCHERS.append(seen)
    try:
        yield seen
    finally:
        _WATCHERS.remove(seen)


def database_files(db: Path) -> set[str]:
    real = os.path.realpath(db)
    return {real + suffix for suffix in ("", "-wal", "-shm", "-journal")}


def opened_database_files(seen: list[str], db: Path) -> list[str]:
    guarded = database_files(db)
    return [path for path in seen if os.path.realpath(path) in guarded]
