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

from data.operators_store import SqliteOperatorStore
from data.store import SqliteStore, utc_text
from kiosk.chain import purge_hash, sign
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
        markers = _purge_markers(db.conn, where, params, clock.now())
        for marker in markers:
            db.execute("DELETE FROM incidents WHERE event_id IN (SELECT id FROM events"
                       " WHERE device_id = ? AND device_seq <= ?)",
                       [marker["device_id"], marker["through_seq"]])
        db.execute("INSERT INTO meta (key, value) VALUES ('purging', '1')")
        deleted = 0
        for marker in markers:  # each device's chain loses a prefix, up to its marker
            deleted += db.execute("DELETE FROM events WHERE device_id = ? AND device_seq <= ?",
                                  [marker["device_id"], marker["through_seq"]]).rowcount
        db.execute("DELETE FROM meta WHERE key = 'purging'")
        kept = db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]
        for marker in markers:
            marker["kept_seq"] = kept
            marker["signature"] = sign(store.signer, purge_hash(marker))
            db.execute("INSERT INTO purge_markers (device_id, through_seq, through_hash, used_seq,"
                       " kept_seq, purged_utc, signature) VALUES (:device_id, :through_seq,"
                       " :through_hash, :used_seq, :kept_seq, :purged_utc, :signature)", marker)
        SqliteOperatorStore(store).write_audit(operator, "purge", day, {
            "deleted": deleted, "forced": force, "unsynced_deleted": unsynced if force else 0},
            clock.now())
    log.warning("purged %d events before %s%s", deleted, day, " (forced)" if force else "")
    return deleted


def _purge_markers(conn, where: str, params: list, now: dt.datetime) -> list[dict]:
    """Per device, the newest event the purge takes such that no older event stays."""
    markers = []
    used = conn.execute("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)"
                        ).fetchone()[0]
    for device, in conn.execute(f"SELECT DISTINCT device_id FROM events WHERE {where}", params).fetchall():
        kept = conn.execute(f"SELECT MIN(device_seq) FROM events WHERE device_id = ? AND NOT ({where})",
                            [device, *params]).fetchone()[0]
        through = conn.execute(
            f"SELECT device_seq, chain_hash FROM events WHERE device_id = ? AND {where}"
            " AND device_seq < COALESCE(?, device_seq + 1) ORDER BY device_seq DESC LIMIT 1",
            [device, *params, kept]).fetchone()
        if through is not None:
            markers.append({"device_id": device, "through_seq": through[0], "through_hash": through[1],
                            "used_seq": used, "purged_utc": utc_text(now)})
    return markers
