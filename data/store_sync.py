"""The gate store's side of sync: the outbox, and the rows pulled from the office.

Part of the store (data.store.SqliteStore inherits `SyncSide`): data/sync.py talks to the
office and decides what to send and what to keep; every statement on the gate database
that it needs is here, each write in one of the store's write transactions.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from data.office import CARD_COLUMNS, EVENT_COLUMNS, HOUSEHOLD_COLUMNS, revoked_first, utc_now_text

OUTBOX_CACHE_KIB = 4096  # the push's page cache while it reads the outbox (own_events_after)


class RosterConflict(ValueError):
    """A pulled household or card clashes with one this gate registered itself (a flat
    under another id): nothing of the batch was kept."""


def _upsert_sql(table: str, columns: Sequence[str], key: str) -> str:
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            f" ON CONFLICT ({key}) DO UPDATE SET {updates}")


_INSERT_PULLED = (f"INSERT INTO events ({', '.join(EVENT_COLUMNS)})"
                  f" VALUES ({', '.join('?' * len(EVENT_COLUMNS))}) ON CONFLICT DO NOTHING")
# Another gate's passage counts where it is the card's latest: anti-passback sees it. A
# lost card's passage (scanned where the re-issue was not known yet) is its replacement's.
_NEWER_PASSAGE = ("INSERT INTO passages (serial, direction, at_utc, event_id) VALUES"
                  " (COALESCE((SELECT serial FROM cards WHERE replaced_by IS NULL AND lineage ="
                  " (SELECT lineage FROM cards WHERE serial = ?1)), ?1), ?2, ?3, ?4)"
                  " ON CONFLICT (serial) DO UPDATE SET direction = excluded.direction,"
                  " at_utc = excluded.at_utc, event_id = excluded.event_id"
                  " WHERE excluded.at_utc > passages.at_utc")
_INCIDENT = ("INSERT INTO incidents (event_id, kind, at_utc, local_date)"
             " SELECT ?, ?, ?, ? WHERE NOT EXISTS"
             " (SELECT 1 FROM incidents WHERE event_id = ? AND kind = ?)")


class SyncSide:
    """The outbox (what each target acknowledged, its cursors, its last error) and the
    application of pulled batches. Mixed into SqliteStore: `self` is the store."""

    if TYPE_CHECKING:  # the store's own, used here
        from kiosk.ports import Community

        db: Any

        def _write(self) -> Any: ...
        def _roster_changed(self) -> None: ...
        def community(self) -> Community: ...
        def carry_passage(self, old_serial: str, new_serial: str) -> None: ...
        def write_pulled_operators(self, rows: list[dict]) -> None: ...

    def sync_target(self, target: str) -> dict:
        """The outbox row of one target: acked_seq, cursors, last success and error."""
        row = self.db.execute("SELECT * FROM sync_targets WHERE target = ?", [target]).fetchone()
        if row is None:
            return {"target": target, "acked_seq": 0, "office_id": None, "roster_cursor": 0,
                    "events_cursor": 0, "last_success_utc": None, "last_error": None,
                    "last_attempt_utc": None}
        return dict(row)

    def unsynced_for(self, target: str) -> int:
        """This gate's events that `target` has not acknowledged."""
        return self.unsynced_after(self.sync_target(target)["acked_seq"])

    def unsynced_after(self, acked_seq: int) -> int:
        """This gate's own events after the local seq `acked_seq`, as a difference of device
        sequence numbers (issue 14): a few indexed look-ups, whatever the size
        of the log or of the backlog.

        The device numbers of the own events a database holds have no gaps (each event is
        the last one's + 1; the purge takes a prefix), so the events not acknowledged are
        those numbered above the acknowledged one's, or all of them when it is gone. The
        push acknowledges the seq of this gate's own last pushed event, so the look-up at
        `acked_seq` finds it at once; any other seq (purged, or another gate's event) falls
        back to the walk down from it, which stops at the first own event.
        """
        device = self.community().device_id
        conn = self.db.conn
        # Two statements: SQLite reads one end of the index for a lone MIN or MAX only.
        last = conn.execute("SELECT MAX(device_seq) FROM events WHERE device_id = ?",
                            [device]).fetchone()[0]
        first = conn.execute("SELECT MIN(device_seq) FROM events WHERE device_id = ?",
                             [device]).fetchone()[0]
        if last is None:
            return 0
        acked = first - 1
        if acked_seq > 0:
            row = conn.execute("SELECT device_id, device_seq FROM events WHERE seq = ?",
                               [acked_seq]).fetchone()
            if row is not None and row[0] == device:
                acked = row[1]
            else:  # purged, or another gate's event: the nearest own one below it
                below = conn.execute("SELECT device_seq FROM events WHERE seq < ? AND +device_id = ?"
                                     " ORDER BY seq DESC LIMIT 1", [acked_seq, device]).fetchone()
                if below is not None:
                    acked = below[0]
        return max(0, last - max(acked, first - 1))

    # -- the outbox -----------------------------------------------------------------------

    def start_outbox(self, target: str, office_id: str) -> bool:
        """The target's outbox row; a different office at the same address starts from
        zero. True when it was another office than last time."""
        state = self.sync_target(target)
        conn = self.db.conn
        with self._write():
            conn.execute("INSERT INTO sync_targets (target, acked_seq, office_id) VALUES (?, 0, ?)"
                         " ON CONFLICT (target) DO NOTHING", [target, office_id])
            if state["office_id"] not in (None, office_id):
                conn.execute("UPDATE sync_targets SET acked_seq = 0, roster_cursor = 0,"
                             " events_cursor = 0, reports_acked = 0, office_id = ? WHERE target = ?",
                             [office_id, target])
                return True
            if state["office_id"] is None:
                conn.execute("UPDATE sync_targets SET office_id = ? WHERE target = ?",
                             [office_id, target])
        return False

    def record_sync_failure(self, target: str, key: str, detail: str, now: dt.datetime) -> None:
        """Only the error and the attempt's time: the acknowledgements stay as they were."""
        text = json.dumps({"key": key, "detail": detail}, ensure_ascii=False)
        with self._write():
            self.db.conn.execute(
                "INSERT INTO sync_targets (target, last_error, last_attempt_utc) VALUES (?, ?, ?)"
                " ON CONFLICT (target) DO UPDATE SET last_error = excluded.last_error,"
                " last_attempt_utc = excluded.last_attempt_utc", [target, text, utc_now_text(now)])

    def record_sync_success(self, target: str, now: dt.datetime) -> None:
        with self._write():
            self.db.conn.execute(
                "UPDATE sync_targets SET last_success_utc = ?, last_attempt_utc = ?, last_error = NULL"
                " WHERE target = ?", [utc_now_text(now), utc_now_text(now), target])

    def ack_target(self, target: str, seq: int) -> None:
        """`target` has committed this gate's events up to `seq`."""
        with self._write():
            self.db.conn.execute("UPDATE sync_targets SET acked_seq = ? WHERE target = ?", [seq, target])

    def own_events_after(self, seq: int, limit: int) -> list[tuple]:
        """This gate's events after `seq`, oldest first: (seq, *EVENT_COLUMNS) each."""
        device = self.community().device_id
        conn = self.db.conn
        start = self._first_own_seq_after(seq, device)
        if start is None:
            return []
        select = (f"SELECT seq, {', '.join(EVENT_COLUMNS)} FROM events"
                  " WHERE +device_id = ? AND seq >= ? ORDER BY seq LIMIT ?")  # + : walk seq, not the index
        cursor = conn.cursor()
        cursor.row_factory = None  # plain tuples: no sqlite3.Row made and converted per event
        # Through a small page cache: a push reads each page of the outbox once, and through
        # the connection's 64 MiB (the scan path's) a long backlog filled it with pages no
        # one reads again: the sync's own memory grew with the log up to that size.
        kept = conn.execute("PRAGMA cache_size").fetchone()[0]
        conn.execute(f"PRAGMA cache_size = -{OUTBOX_CACHE_KIB}")
        try:
            return cursor.execute(select, [device, start, limit]).fetchall()
        finally:
            conn.execute(f"PRAGMA cache_size = {int(kept)}")

    def _first_own_seq_after(self, seq: int, device: str) -> int | None:
        """The seq of this gate's first event after `seq` (None: there is none), by the
        `(device_id, device_seq)` index: a device's numbers follow its seqs. The walk
        along seq then starts there, and not at `seq`, which has every other gate's event
        pulled since this gate's last one after it (a gate that recorded nothing for weeks
        walked all of them at every sync, an enrolled one all the history it pulled)."""
        conn = self.db.conn
        if seq > 0:
            acked = conn.execute("SELECT device_seq FROM events WHERE seq = ? AND device_id = ?",
                                 [seq, device]).fetchone()
            if acked is None:  # purged (or not this gate's): the walk from it is still right
                return seq + 1
            after = acked[0]
        else:
            after = 0
        row = conn.execute("SELECT seq FROM events WHERE device_id = ? AND device_seq > ?"
                           " ORDER BY device_seq LIMIT 1", [device, after]).fetchone()
        return row[0] if row is not None else None

    def name_devices(self, names: dict[str, str]) -> None:
        """Gates' names (device id → name) for the already_out verdict; devices this gate
        holds no key row for are skipped (their row comes with their key)."""
        with self._write():
            self.db.conn.executemany("UPDATE device_keys SET name = ? WHERE device_id = ?",
                                     [(name or "", device) for device, name in names.items()])

    def own_device_key(self) -> tuple[str | None, int] | None:
        """This gate's public key text and the first device_seq it signed, or None."""
        row = self.db.conn.execute("SELECT public_key, signed_from_seq FROM device_keys"
                                   " WHERE device_id = ?", [self.community().device_id]).fetchone()
        return (row[0], row[1]) if row is not None else None

    def roster_rows(self) -> tuple[list[dict], list[dict]]:
        """Every household and card as rows: the start of a new office."""
        conn = self.db.conn
        return ([dict(r) for r in conn.execute("SELECT * FROM households")],
                [dict(r) for r in conn.execute("SELECT * FROM cards")])

    # -- what comes down ------------------------------------------------------------------

    def apply_roster(self, target: str, version: int, keys: list[dict], households: list[dict],
                     cards: list[dict], operators: Sequence[dict] = ()) -> None:
        """The office's roster changes (its operators too), and the target's roster cursor,
        in one transaction. RosterConflict (and nothing kept) when a row clashes with this
        gate's own."""
        conn = self.db.conn
        try:
            with self._write():
                self._roster_changed()
                conn.executemany("INSERT INTO keys (key_id, public_key, created_utc) VALUES (?, ?, ?)"
                                 " ON CONFLICT (key_id) DO UPDATE SET public_key = excluded.public_key",
                                 [tuple(k.values()) for k in keys])
                # A household that moved flats goes off its old one first, so two that
                # swapped flats at the office (roster upkeep) do not clash here.
                conn.executemany("UPDATE households SET room = room || '~' || id WHERE id = ?"
                                 " AND NOT (building = ? AND unit = ? AND room = ?)",
                                 [(h["id"], h["building"], h["unit"], h["room"]) for h in households])
                conn.executemany(_upsert_sql("households", HOUSEHOLD_COLUMNS, "id"),
                                 [tuple(h.values()) for h in households])
                conn.executemany(_upsert_sql("cards", CARD_COLUMNS, "serial"),
                                 [tuple(c.values()) for c in revoked_first(cards)])
                for card in cards:  # a card re-issued at the office: out where the lost one was
                    if card["replaced_by"]:
                        self.carry_passage(card["serial"], card["replaced_by"])
                if operators:
                    self.write_pulled_operators(list(operators))
                conn.execute("UPDATE sync_targets SET roster_cursor = ? WHERE target = ?",
                             [version, target])
        except sqlite3.IntegrityError as clash:
            raise RosterConflict(str(clash)) from None

    def apply_pulled_events(self, target: str, cursor: int, rows: list[dict[str, Any]]) -> dict[str, str]:
        """Other gates' events (already checked), their passages where newer, their
        confirmed fevers as incidents, and the target's events cursor: one transaction.
        Returns the households whose allowed life exits came down, each with its earliest
        such exit's at_utc (the quota check reads from there, not from the log's start)."""
        households: dict[str, str] = {}
        conn = self.db.conn
        with self._write():
            conn.executemany(_INSERT_PULLED, [tuple(r[c] for c in EVENT_COLUMNS) for r in rows])
            for r in rows:
                if r["decision"] == "allow" and r["serial"]:
                    conn.execute(_NEWER_PASSAGE, [r["serial"], r["direction"], r["at_utc"], r["id"]])
                    household = r["household_id"]
                    if r["kind"] == "life" and r["direction"] == "out" and household:
                        households[household] = min(households.get(household, r["at_utc"]), r["at_utc"])
                if r["reason"] == "fever_confirmed" and r["decision"] == "deny":
                    conn.execute(_INCIDENT, [r["id"], "fever_confirmed", r["at_utc"], r["local_date"],
                                             r["id"], "fever_confirmed"])
            conn.execute("UPDATE sync_targets SET events_cursor = ? WHERE target = ?", [cursor, target])
        return households

    def move_events_cursor(self, target: str, cursor: int) -> None:
        """The target's events cursor past events no pull needs (this gate's own)."""
        with self._write():
            self.db.conn.execute("UPDATE sync_targets SET events_cursor = ? WHERE target = ?",
                                 [cursor, target])

    def pin_device_keys(self, devices: list[tuple[str, str | None, int]],
                        names: dict[str, str] | None = None) -> dict:
        """The other gates' public keys (device, key text, first signed seq), pinned once
        learnt, and their `names` as the office knows them now (a name may change, a key
        never); returns every device key this gate knows (data.device_key.device_public_keys)."""
        with self._write():
            # A key this gate already holds is kept: an office that hands out another one
            # cannot make this gate accept what that other key signed.
            self.db.conn.executemany(
                "INSERT INTO device_keys (device_id, public_key, signed_from_seq) VALUES (?, ?, ?)"
                " ON CONFLICT (device_id) DO UPDATE SET public_key = excluded.public_key,"
                " signed_from_seq = MAX(device_keys.signed_from_seq, excluded.signed_from_seq)"
                " WHERE device_keys.public_key IS NULL", devices)
            self.name_devices(names or {})
        from data.store_chain import device_public_keys

        return device_public_keys(self.db.conn)
