"""Checking a gate database: the names the CLI, the start-up and the backups use.

The checks themselves are the store's (data/store_chain.py): the chain walk, the
integrity check and the damaged-text pass, over the live database through the store's
methods or over a backup file's read-only connection.
"""
from __future__ import annotations

import datetime as dt

from data.store import SqliteStore
from data.store_chain import (
    DAMAGE,
    FAILING,
    GARBLED,
    ChainProblem,
    ChainReport,
    damaged_text,
    integrity,
    verify_chain,
)
from kiosk.startup import StartupFacts


def newest_event_utc(store: SqliteStore) -> dt.datetime | None:
    """This device's newest event: the last of its chain (an indexed look-up)."""
    return store.newest_event_utc()


def startup_facts(store: SqliteStore, now: dt.datetime, integrity_result: str | None = None
                  ) -> StartupFacts:
    """The facts the gate opens on (SqliteStore.startup_facts)."""
    return store.startup_facts(now, integrity_result)


__all__ = ["DAMAGE", "FAILING", "GARBLED", "ChainProblem", "ChainReport", "damaged_text", "integrity",
           "newest_event_utc", "startup_facts", "verify_chain"]
