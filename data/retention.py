"""The retention purge: delete events older than a date, once the office has them.

"Synced" is strict: an event may go only when EVERY sync target has acknowledged it
(sync_targets.acked_seq >= its seq); with no target at all, nothing is synced. An event
one office still lacks is never lost to a purge unless the admin forces it.

Events are append-only: the delete trigger lets rows go only while meta 'purging' is set
in the same transaction, and the key is removed again before COMMIT. The purge's audit
line is written in that transaction too, so the log never shows a purge that did not
happen, nor misses one that did. Incidents of the deleted events go with them.

Each device's chain loses a prefix only (its events up to the newest one the purge may
take with no older one kept), and the purge records a marker per device, signed with the
device key: the device_seq and chain hash it purged through, and the highest local seq
used and kept. `kiosk verify-log` accepts a chain that starts after GENESIS only with such a
marker, so events deleted by hand and dressed up as a purge are found (issue 13).
"""
from __future__ import annotations

import datetime as dt
import logging

from data.store import SqliteStore
from data.store_chain import UnsyncedEvents
from kiosk.clock import Clock

log = logging.getLogger("db")


def synced_through(store: SqliteStore) -> int:
    """The highest local seq every sync target has acknowledged (0 with no target)."""
    return store.synced_through()


def purge(store: SqliteStore, clock: Clock, before: dt.date, force: bool = False,
          operator: str = "") -> int:
    """Delete the events of local dates before `before`; returns how many went.

    The statements are the store's (SqliteStore.purge_events, data/store_chain.py)."""
    deleted = store.purge_events(before, force, operator, clock)
    log.warning("purged %d events before %s%s", deleted, before.isoformat(), " (forced)" if force else "")
    return deleted


__all__ = ["UnsyncedEvents", "purge", "synced_through"]
