"""The retention purge: delete events older than a date, once the office has them.

"Synced" is strict: an event may go only when EVERY sync target has acknowledged it
(sync_targets.acked_seq >= its seq); with no target at all, nothing is synced. An event
one office still lacks is never lost to a purge unless the admin forces it.

Events are append-only: the delete trigger lets rows go only while meta 'purging' is set
in the same transaction, and the key is removed again before COMMIT. The purge's audit
line is written in that transaction too, so the log never shows a purge that did not
happen, nor misses one that did. Incidents of the deleted events go with them.
"""
from __future__ import annotations

import datetime as dt
import logging

from data.operators_store import SqliteOperatorStore
from data.store import SqliteStore
from kiosk.clock import Clock

log = logging.getLogger("db")


class UnsyncedEvents(Exception):
    """Some events before the date are not synced; nothing was deleted."""

    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


def synced_through(store: SqliteStore) -> int:
    """The highest local seq every sync target has acknowledged (0 with no target)."""
    row = store.db.execute("SELECT COUNT(*), MIN(acked_seq) FROM sync_targets").fetchone()
    return row[1] if row[0] else 0


def purge(store: SqliteStore, clock: Clock, before: dt.date, force: bool = False,
          operator: str = "") -> int:
    """Delete the events of local dates before `before`; returns how many went."""
    day = before.isoformat()
    with store._write() as db:
        acked = synced_through(store)
        unsynced = db.execute("SELECT COUNT(*) FROM events WHERE local_date < ? AND seq > ?",
                              [day, acked]).fetchone()[0]
        if unsynced and not force:
            raise UnsyncedEvents(unsynced)
        where = "local_date < ?" if force else "local_date < ? AND seq <= ?"
        params = [day] if force else [day, acked]
        db.execute(f"DELETE FROM incidents WHERE event_id IN (SELECT id FROM events WHERE {where})", params)
        db.execute("INSERT INTO meta (key, value) VALUES ('purging', '1')")
        deleted = db.execute(f"DELETE FROM events WHERE {where}", params).rowcount
        db.execute("DELETE FROM meta WHERE key = 'purging'")
        SqliteOperatorStore(store).write_audit(operator, "purge", day, {
            "deleted": deleted, "forced": force, "unsynced_deleted": unsynced if force else 0},
            clock.now())
    log.warning("purged %d events before %s%s", deleted, day, " (forced)" if force else "")
    return deleted
