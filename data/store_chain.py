"""The gate store's chain side: checking a gate database (the tamper-evident chain of
`kiosk verify-log`, the facts the start-up checks decide on, kiosk/startup.py) and the
retention purge that shortens the chains.

Part of the store (data.store.SqliteStore inherits `ChainSide`): every statement of the
chain walk, the integrity checks and the purge is here. The walk and the checks are
functions over a connection too, because data/backup.py runs them on a backup FILE
(opened read-only there), never on the live database.

The chain (kiosk/chain.py) links each device's events in device_seq order. Walking it
finds three kinds of damage, each reported with the device and its sequence numbers:

- ``edited``: an event whose fields no longer give its own hash (changed after the fact);
- ``broken_link``: an event whose prev_hash is not the hash of the event before it
  (an event replaced, or inserted with a hash computed afresh);
- ``missing``: device_seq numbers that are not there (events removed). Gaps before the
  oldest event that remains are the retention purge's doing when a purge marker signed
  with this gate's device key says so (the device_seq and chain hash purged through);
  they are reported as ``purged`` and do not fail the check;
- ``bad_text``: a stored text that is not valid UTF-8 (a flipped bit, a bad sector): the
  file is damaged, not tampered with; the remedy is a restore from a backup;
- ``missing_newest``: the newest events removed, which leaves no gap in the chain; SQLite's
  own counter of the highest row number ever used (sqlite_sequence, kept by AUTOINCREMENT)
  still remembers them. The numbers reported are the database's own (events.seq).

Issue 13 adds the signatures: every event's signature over its chain hash, checked with
its device's public key (``unsigned``, ``bad_signature``; events recorded before the
device had a key are ``unsigned_legacy`` and do not fail), this gate's key file against
the public key its database records (``device_key_mismatch``; ``device_key_file_missing``
is a note: the signatures are then checked against the recorded key alone), the purge
markers' own signatures (``purge_marker_forged``), and the audit log's chain (``audit_*``).

What no local check can see is a log rewritten from some event on with every hash computed
afresh: the office's copy is the anchor for that (data/sync.py checks each push).
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from data import check_marker
from data.chain_check import CHUNK, ROW_COLUMNS, RowChecker, checked_chunks, workers_for
from data.keyfile import read_private_key
from data.migrations import MIGRATIONS, schema_version
from kiosk import codec
from kiosk.chain import (
    AUDIT_FIELDS,
    CHAINED_FIELDS,
    GENESIS,
    audit_hash,
    purge_hash,
    sign,
    signature_valid,
)
from kiosk.clock import Clock
from kiosk.startup import StartupFacts

log = logging.getLogger("db")

# Where the walk finds a row's values (data/chain_check.py ROW_COLUMNS order).
_ID, _DEVICE, _SEQ = (ROW_COLUMNS.index(c) for c in ("id", "device_id", "device_seq"))
_PREV, _HASH, _SIG = (ROW_COLUMNS.index(c) for c in ("prev_hash", "chain_hash", "signature"))

FAILING = ("edited", "broken_link", "missing", "missing_newest", "bad_text",
           # issue 13: signatures, the device key, purge markers, the audit log
           "unsigned", "bad_signature", "device_key_mismatch", "purge_marker_forged",
           "audit_missing", "audit_unsigned", "audit_broken_link", "audit_edited", "audit_bad_signature")
DAMAGE = ("bad_text",)  # the file is damaged (restore from a backup), rather than tampered with


class _Garbled:
    """Stands for a stored text that is not valid UTF-8, while a check reads on past it."""

    def __repr__(self) -> str:
        return "<garbled text>"


GARBLED = _Garbled()


class _Marked(list):
    """A list of the garbled texts met while reading past them (their count is what matters)."""


@contextlib.contextmanager
def _reading_past_garbled_text(conn: sqlite3.Connection) -> Iterator[_Marked]:
    """Rows read in here hold GARBLED instead of raising StoredTextDamaged (checks only:
    the decision path keeps data.store's strict decoding). Yields the list that grows by one
    for each garbled text read, so a reader can tell a clean chunk of rows at a glance."""
    strict = conn.text_factory
    marked = _Marked()

    def marking(raw: bytes) -> str | _Garbled:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            marked.append(None)
            return GARBLED

    conn.text_factory = marking
    try:
        yield marked
    finally:
        conn.text_factory = strict


@dataclasses.dataclass(frozen=True)
class ChainProblem:
    kind: str          # edited, broken_link, missing, purged
    device_id: str
    first_seq: int
    last_seq: int
    event_id: str = ""  # the event found damaged (edited, broken_link, bad_text)
    column: str = ""    # bad_text: the column(s) whose text is not valid UTF-8

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class ChainReport:
    events: int = 0
    devices: int = 0
    problems: list[ChainProblem] = dataclasses.field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not any(p.kind in FAILING for p in self.problems)

    @property
    def damaged(self) -> bool:
        """Damage to the file itself (bad_text): a restore from a backup, not an inquiry."""
        return any(p.kind in DAMAGE for p in self.problems)

    @property
    def first_break(self) -> ChainProblem | None:
        return next((p for p in self.problems if p.kind in FAILING), None)

    def to_json(self) -> dict:
        first = self.first_break
        return {"intact": self.intact, "events": self.events, "devices": self.devices,
                "first_break": first.to_json() if first else None,
                "problems": [p.to_json() for p in self.problems]}


def verify_chain(conn: sqlite3.Connection, progress: Callable[[int, int], None] | None = None,
                 device_key_file: Path | None = None, *, workers: int | None = None,
                 chunk_size: int = CHUNK) -> ChainReport:
    """Walk every device's chain, the signatures, the purge markers and the audit log; read-only.

    `device_key_file`: this gate's device key file, whose public key must be the one the
    database records (None: not checked, as for a backup, which never holds the key).
    `workers`: processes for the per-event checks (None: as many as pay for the log's size,
    data/chain_check.py; 0: this process alone); `chunk_size`: rows per piece of work.
    """
    # One read transaction: a snapshot. A gate scanning beside `kiosk verify-log` commits
    # events and audit lines meanwhile; read statement by statement, the audit rows and the
    # highest audit id (read after them) disagreed, and a sound log was called tampered.
    snapshot = not conn.in_transaction
    if snapshot:
        conn.execute("BEGIN")
    try:
        return _verify(conn, progress, device_key_file, workers, chunk_size)
    finally:
        if snapshot and conn.in_transaction:
            conn.execute("ROLLBACK")  # read-only: nothing to keep


def _verify(conn: sqlite3.Connection, progress: Callable[[int, int], None] | None,
            device_key_file: Path | None, workers: int | None, chunk_size: int) -> ChainReport:
    report = ChainReport()
    own = (conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone() or [""])[0]
    keys = device_public_keys(conn)
    key_problems, own_private = _key_file_problems(conn, own, device_key_file)
    report.problems += key_problems
    own_key = keys.get(own, (None, 1))[0]
    markers = _valid_markers(conn, own, own_key, report)
    total = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    legacy: dict[str, list[int]] = {}
    # The key file's key signs its own events' hashes again to compare (data/chain_check.py)
    # only when it is the key the database records.
    checker = RowChecker({device: key for device, (key, _) in keys.items()}, own,
                         own_private if not key_problems else None)
    with _reading_past_garbled_text(conn) as marked:
        _walk(conn, report, keys, markers, legacy, total, progress, checker,
              workers_for(total) if workers is None else workers, chunk_size, marked)
    if progress is not None:
        progress(report.events, total)
    for legacy_device, seqs in legacy.items():
        report.problems.append(ChainProblem("unsigned_legacy", legacy_device, seqs[0], seqs[-1]))
    highest_used = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
    highest_kept = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]
    # A signed purge may have taken the newest events too (a forced purge up to today).
    if highest_used and highest_used[0] > highest_kept \
            and (highest_used[0], highest_kept) not in markers.get("newest", set()):
        report.problems.append(ChainProblem("missing_newest", "", highest_kept + 1, highest_used[0]))
    report.problems += _audit_problems(conn, own, own_key)
    if not report.intact:
        log.warning("event chain broken: %s", report.first_break)
    return report


def _walk(conn: sqlite3.Connection, report: ChainReport, keys: dict, markers: dict,
          legacy: dict[str, list[int]], total: int, progress: Callable[[int, int], None] | None,
          checker: RowChecker, workers: int, chunk_size: int, marked: _Marked) -> None:
    """Every device's chain in device_seq order, hashes and signatures; problems appended to
    `report`, the unsigned events of before a device had its key to `legacy`.

    The rows are read in chunks; each event's own hash and signature are checked by
    `checker` (in worker processes when `workers`, data/chain_check.py), and the links,
    numbers and the order of the problems are decided here, row by row, as they always were.
    """
    columns = ", ".join(CHAINED_FIELDS)
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: what a worker process can be sent
    cursor.execute(f"SELECT {columns}, prev_hash, chain_hash, signature FROM events"
                   " ORDER BY device_id, device_seq")
    device: Any = None  # row values from SQL have no static type
    expected_seq = 1
    previous_hash: str | None = GENESIS
    done = 0
    chunks = checked_chunks(_chunks(cursor, chunk_size, marked), checker, workers, judged=_judged)
    for chunk, (edited, bad_signature) in chunks:
        for index, row in enumerate(chunk):
            done += 1
            seq = row[_SEQ]
            garbled = [name for name, value in zip(ROW_COLUMNS, row, strict=True) if value is GARBLED] \
                if chunk.garbled else None
            if garbled:  # no hash can be computed: report the row, and do not judge its links
                report.problems.append(ChainProblem(
                    "bad_text", (device or "?") if row[_DEVICE] is GARBLED else row[_DEVICE], seq, seq,
                    "" if row[_ID] is GARBLED else row[_ID], ", ".join(garbled)))
                expected_seq = seq + 1
                previous_hash = None if row[_HASH] is GARBLED else row[_HASH]
                report.events += 1
                continue
            if row[_DEVICE] != device:
                device, expected_seq, previous_hash = row[_DEVICE], 1, GENESIS
                report.devices += 1
                if seq > 1:  # the oldest events of this device are gone: a signed purge, or not
                    purged = markers.get((device, seq - 1)) == row[_PREV]
                    report.problems.append(
                        ChainProblem("purged" if purged else "missing", device, 1, seq - 1))
                    previous_hash = row[_PREV]  # nothing left to compare it with
            elif seq > expected_seq:
                report.problems.append(ChainProblem("missing", device, expected_seq, seq - 1))
                previous_hash = row[_PREV]  # the link to a removed event cannot be checked
            if previous_hash is not None and row[_PREV] != previous_hash:
                report.problems.append(ChainProblem("broken_link", device, seq, seq, row[_ID]))
            if index in edited:
                report.problems.append(ChainProblem("edited", device, seq, seq, row[_ID]))
            signed_from = keys.get(device, (None, 1))[1]
            if row[_SIG] is None and seq < signed_from:  # recorded before the device key existed
                legacy.setdefault(device, []).append(seq)
            elif row[_SIG] is None:
                report.problems.append(ChainProblem("unsigned", device, seq, seq, row[_ID]))
            elif index in bad_signature:
                report.problems.append(ChainProblem("bad_signature", device, seq, seq, row[_ID]))
            expected_seq, previous_hash = seq + 1, row[_HASH]
            report.events += 1
            if progress is not None and done % 5000 == 0:
                progress(done, total)


class _Chunk(list):
    """Rows read together; `garbled`: whether any text among them was garbled."""

    garbled = False


def _chunks(cursor: sqlite3.Cursor, size: int, marked: _Marked) -> Iterator[_Chunk]:
    while True:
        before = len(marked)
        chunk = _Chunk(cursor.fetchmany(size))
        if not chunk:
            return
        chunk.garbled = len(marked) > before  # most chunks: no row needs looking into
        yield chunk


def _judged(chunk: _Chunk) -> list:
    """No hash or signature of a row with garbled text is judged: the walk reports it.
    A plain list either way: it may be sent to a worker process."""
    return [None if GARBLED in row else row for row in chunk] if chunk.garbled else list(chunk)


def damaged_text(conn: sqlite3.Connection, skip: tuple[str, ...] = ()
                 ) -> list[tuple[str, int, str]]:
    """Every stored text that is not valid UTF-8: (table, rowid, column), read-only.

    One pass over each table (`skip` names tables another check reads in full, such as
    events for the chain walk). Integrity checks do not look inside text, so a flipped bit
    in a name or a serial is found only here, or by the scan that meets it.
    """
    found: list[tuple[str, int, str]] = []
    tables = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name") if name not in skip]
    with _reading_past_garbled_text(conn):
        for table in tables:
            columns = [info[1] for info in conn.execute(f'PRAGMA table_info("{table}")')]
            quoted = ", ".join(f'"{c}"' for c in columns)
            for rowid, *values in conn.execute(f'SELECT rowid, {quoted} FROM "{table}"'):
                found.extend((table, rowid, column)
                             for column, value in zip(columns, values, strict=True) if value is GARBLED)
    if found:
        log.error("stored text damaged: %d cells, the first in %s row %d (%s)", len(found), *found[0])
    return found


def _key_file_problems(conn: sqlite3.Connection, own: str, key_file: Path | None
                       ) -> tuple[list[ChainProblem], Ed25519PrivateKey | None]:
    """The gate's own key file against the public key its database records; the key too."""
    if key_file is None:
        return [], None
    recorded = conn.execute("SELECT public_key FROM device_keys WHERE device_id = ?", [own]).fetchone()
    try:
        key = read_private_key(key_file)
    except ValueError:
        return [ChainProblem("device_key_mismatch", own, 0, 0)], None
    if key is None:
        # Signatures are still checked, against the recorded public key; only the office's
        # copy of that key can confirm it was not replaced.
        return [ChainProblem("device_key_file_missing", own, 0, 0)], None
    if recorded is None or recorded[0] != codec.public_key_text(key.public_key()):
        return [ChainProblem("device_key_mismatch", own, 0, 0)], None
    return [], key


def _valid_markers(conn: sqlite3.Connection, own: str, own_key, report: ChainReport) -> dict:
    """The purge markers this gate's key signed: (device, through_seq) -> through_hash, and
    under "newest" the (used_seq, kept_seq) pairs. A marker that does not verify is a problem."""
    markers: dict = {"newest": set()}
    for row in conn.execute("SELECT * FROM purge_markers ORDER BY id").fetchall():
        marker = dict(row)
        if not signature_valid(own_key, purge_hash(marker), marker["signature"]):
            report.problems.append(ChainProblem("purge_marker_forged", marker["device_id"], 1,
                                                marker["through_seq"]))
            continue
        markers[(marker["device_id"], marker["through_seq"])] = marker["through_hash"]
        markers["newest"].add((marker["used_seq"], marker["kept_seq"]))
    return markers


def _audit_problems(conn: sqlite3.Connection, own: str, own_key) -> list[ChainProblem]:
    """The audit log: ids without gaps, each hashed line linked and signed, none removed at the end.

    Lines written before the audit log was chained (a 0.1.0 database) have no hash; they
    may only come before the signed line that recorded the gate's new device key.
    """
    problems: list[ChainProblem] = []
    key_line = conn.execute("SELECT MIN(id) FROM audit WHERE action = 'device_key_created'"
                            " AND hash IS NOT NULL").fetchone()[0]
    expected_id, previous = 1, GENESIS
    columns = ", ".join(AUDIT_FIELDS)
    for values in conn.execute(f"SELECT {columns}, prev_hash, hash, signature FROM audit ORDER BY id"):
        row = dict(zip((*AUDIT_FIELDS, "prev_hash", "hash", "signature"), values, strict=True))
        line = row["id"]
        if line > expected_id:
            problems.append(ChainProblem("audit_missing", own, expected_id, line - 1))
        expected_id = line + 1
        if row["hash"] is None:
            if key_line is None or line > key_line:
                problems.append(ChainProblem("audit_unsigned", own, line, line))
            continue
        if row["prev_hash"] != previous:
            problems.append(ChainProblem("audit_broken_link", own, line, line))
        if audit_hash(row["prev_hash"], row) != row["hash"]:
            problems.append(ChainProblem("audit_edited", own, line, line))
        elif not signature_valid(own_key, row["hash"], row["signature"]):
            problems.append(ChainProblem("audit_bad_signature", own, line, line))
        previous = row["hash"]
    last_used = conn.execute("SELECT value FROM meta WHERE key = 'audit_last_id'").fetchone()
    if last_used and int(last_used[0]) >= expected_id:
        problems.append(ChainProblem("audit_missing", own, expected_id, int(last_used[0])))
    return problems


def integrity(conn: sqlite3.Connection, quick: bool = False) -> str:
    """'ok', or SQLite's first complaints about the file, joined."""
    pragma = "quick_check" if quick else "integrity_check"
    try:
        rows = conn.execute(f"PRAGMA {pragma}(20)").fetchall()
    except sqlite3.DatabaseError as failure:  # too damaged to even list what is wrong
        return str(failure)
    return "; ".join(str(r[0]) for r in rows)


def _with_small_cache(conn: sqlite3.Connection, check: Callable[[], str]) -> str:
    """`check()` with a 4 MiB page cache: the whole-file check and the backup's copy read
    each page once, and through the connection's own 64 MiB cache they made the day's first
    command 64 MB larger (a month's CSV export: 101 MB before its first row) for pages no
    scan asks for again."""
    kept = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute("PRAGMA cache_size=-4096")
    try:
        return check()
    finally:
        conn.execute(f"PRAGMA cache_size={int(kept)}")


# The tables that grow with the log: checked whole only by the quick check of the whole
# file (once per boot and day) and the full checks; every other table at every open.
GROWING_TABLES = frozenset({"events"})


def cheap_check(conn: sqlite3.Connection, path: str | Path) -> str:
    """'ok', or what is wrong, without reading the log's pages: the header's page size,
    page count and freelist against each other and the file's size, the schema (read
    whole), and SQLite's quick check of every table but GROWING_TABLES, with its indexes
    (the roster, the passages, the settings and keys a verdict reads)."""
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        if not pages or free >= pages:
            return f"the freelist holds {free} of the file's {pages} pages"
        size = os.stat(path).st_size
        if size % page_size:
            return f"the file's {size} bytes are not a whole number of {page_size}-byte pages"
        tables = [name for name, in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
        for table in tables:
            if table in GROWING_TABLES:
                continue
            quoted = table.replace('"', '""')
            found = "; ".join(str(r[0]) for r in conn.execute(
                f'PRAGMA quick_check("{quoted}")').fetchall())
            if found != "ok":
                return found
    except (sqlite3.DatabaseError, OSError) as failure:  # too damaged to list what is wrong
        return str(failure)
    return "ok"


def device_public_keys(conn: sqlite3.Connection) -> dict[str, tuple[Ed25519PublicKey | None, int]]:
    """Every device this database knows: its public key (None: not known) and the first
    device_seq that must be signed."""
    keys = {}
    for device, text, since in conn.execute(
            "SELECT device_id, public_key, signed_from_seq FROM device_keys").fetchall():
        try:
            public = codec.public_key_from_text(text) if text else None
        except ValueError:  # a damaged key text verifies nothing
            public = None
        keys[device] = (public, since)
    return keys


class UnsyncedEvents(Exception):
    """Some events before the date are not synced; nothing was deleted."""

    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


class ChainSide:
    """The chain walk, the checks and the start-up facts over the live database, and the
    retention purge. Mixed into SqliteStore: `self` is the store."""

    if TYPE_CHECKING:  # the store's own, used here
        from kiosk.ports import Community

        db: Any
        signer: Any
        path: Path

        def _write(self) -> Any: ...
        def community(self) -> Community: ...
        def write_audit(self, operator: str, action: str, target: str, details: dict | None,
                        now: dt.datetime) -> None: ...

    # -- checking ---------------------------------------------------------------------

    def verify_log(self, progress: Callable[[int, int], None] | None = None,
                   device_key_file: Path | None = None) -> ChainReport:
        """verify_chain over the live database (`kiosk verify-log`, `kiosk check`)."""
        return verify_chain(self.db.conn, progress, device_key_file)

    def integrity(self, quick: bool = False) -> str:
        """SQLite's check of the whole file; damage found takes the check marker away."""
        result = integrity(self.db.conn, quick)
        if result != "ok":
            check_marker.forget(self.path)
        return result

    def damaged_text(self, skip: tuple[str, ...] = ()) -> list[tuple[str, int, str]]:
        damaged = damaged_text(self.db.conn, skip)
        if damaged:
            check_marker.forget(self.path)
        return damaged

    def copy_into(self, target: sqlite3.Connection, pages: int,
                  progress: Callable[[int, int], None] | None = None) -> None:
        """The live database's pages into `target` (SQLite's online backup, data/backup.py),
        `pages` a step, `progress(copied, total)` after each.

        The steps run inside one read transaction of this connection: the copy is one
        snapshot, and another connection's commit does not make SQLite start the copy over
        (without it, a gate that scans more often than a copy takes never gets a backup)."""
        conn = self.db.conn
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone()  # the snapshot starts here
        def copy() -> str:  # through a small page cache: each page is read once (_with_small_cache)
            conn.backup(target, pages=pages, progress=(
                None if progress is None else lambda _status, left, total: progress(total - left, total)))
            return "ok"

        try:
            _with_small_cache(conn, copy)
        finally:
            if own:
                conn.execute("COMMIT")  # a read transaction: nothing to write

    def device_public_keys(self) -> dict[str, tuple[Ed25519PublicKey | None, int]]:
        return device_public_keys(self.db.conn)

    def newest_event_utc(self) -> dt.datetime | None:
        """This device's newest event: the last of its chain (an indexed look-up)."""
        from data.store import parse_utc  # it imports this module

        row = self.db.execute("SELECT at_utc FROM events WHERE device_id = ?"
                              " ORDER BY device_seq DESC LIMIT 1",
                              [self.community().device_id]).fetchone()
        return parse_utc(row[0]) if row else None

    def startup_facts(self, now: dt.datetime, integrity_result: str | None = None) -> StartupFacts:
        """The facts the gate opens on: indexed look-ups and `opening_check` unless the caller
        ran a check of its own (`kiosk check` runs the full one): a damaged file stops the
        gate when it opens, not the next day (docs/reliability.md)."""
        conn = self.db.conn
        if integrity_result is None:
            integrity_result = self.opening_check(now)
        elif integrity_result == "ok":
            self._mark_checked(now)
        else:
            check_marker.forget(self.path)
        if integrity_result != "ok":  # the other facts may not be readable: kiosk.startup ignores them
            return StartupFacts(schema_version=schema_version(conn), expected_schema=len(MIGRATIONS),
                                public_keys=0, newest_event_utc=None, now_utc=now,
                                integrity=integrity_result)
        return StartupFacts(
            schema_version=schema_version(conn), expected_schema=len(MIGRATIONS),
            public_keys=conn.execute("SELECT COUNT(*) FROM keys").fetchone()[0],
            newest_event_utc=self.newest_event_utc(), now_utc=now, integrity=integrity_result)

    def opening_check(self, now: dt.datetime) -> str:
        """'ok', or what is wrong with the file, at every open: `cheap_check` always (the
        header's numbers, the schema, every table but the log's, tens of milliseconds at any
        size of the log), and SQLite's quick check of the whole file (every page: 0.8 s idle
        at a million events) only when no marker says this file passed it this boot and day
        (data/check_marker.py). Pages the open does not check are checked by SQLite as a
        scan reads them (`cell_size_check`): damage met there is "record on paper" too."""
        result = cheap_check(self.db.conn, self.path)
        if result == "ok":
            device = self.community().device_id
            if check_marker.is_checked(self.path, device, now.date().isoformat()):
                return "ok"
            result = _with_small_cache(self.db.conn, lambda: integrity(self.db.conn, quick=True))
        if result == "ok":
            self._mark_checked(now)
        else:
            check_marker.forget(self.path)
        return result

    def _mark_checked(self, now: dt.datetime) -> None:
        check_marker.mark_checked(self.path, self.community().device_id, now.date().isoformat())

    # -- the retention purge (data/retention.py) ----------------------------------------

    def synced_through(self) -> int:
        """The highest local seq every sync target has acknowledged (0 with no target)."""
        row = self.db.execute("SELECT COUNT(*), MIN(acked_seq) FROM sync_targets").fetchone()
        return row[1] if row[0] else 0

    def purge_events(self, before: dt.date, force: bool, operator: str, clock: Clock) -> int:
        """Delete the events of local dates before `before`, with their markers and the
        audit line, in one transaction; returns how many went. UnsyncedEvents unless `force`."""
        day = before.isoformat()
        with self._write() as db:
            acked = self.synced_through()
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
                marker["signature"] = sign(self.signer, purge_hash(marker))
                db.execute("INSERT INTO purge_markers (device_id, through_seq, through_hash, used_seq,"
                           " kept_seq, purged_utc, signature) VALUES (:device_id, :through_seq,"
                           " :through_hash, :used_seq, :kept_seq, :purged_utc, :signature)", marker)
            self.write_audit(operator, "purge", day, {
                "deleted": deleted, "forced": force, "unsynced_deleted": unsynced if force else 0},
                clock.now())
        return deleted


def _purge_markers(conn, where: str, params: list, now: dt.datetime) -> list[dict]:
    """Per device, the newest event the purge takes such that no older event stays."""
    from data.store import utc_text  # it imports this module

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


# -- restoring a backup (data/backup.py): file-level work on the database path ----------

def events_not_in(db_path: Path, backup_path: Path) -> int:
    """Events in the database that the backup lacks (they would be lost by the restore)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        conn.execute("ATTACH DATABASE ? AS backup", [f"file:{backup_path}?mode=ro"])
        return conn.execute("SELECT COUNT(*) FROM main.events e WHERE NOT EXISTS"
                            " (SELECT 1 FROM backup.events b WHERE b.id = e.id)").fetchone()[0]
    except sqlite3.DatabaseError:
        return 0  # a damaged current database: nothing readable to lose
    finally:
        conn.close()


def restore_pages(source: Path, db_path: Path) -> None:
    """A backup file's pages into the database at `db_path`, through its WAL: no torn copy."""
    from data.outputs import owner_only
    from data.store import connect, storage_errors  # it imports this module

    with storage_errors():
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        with owner_only():  # a new database file (and its -wal/-shm) 0600, opened by SQLite alone
            dst = connect(db_path)
        try:
            src.backup(dst)  # page by page into the live file, through its WAL: no torn copy
            dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            dst.close()
            src.close()


def check_file(path: str | Path, full: bool, now: dt.datetime | None = None
               ) -> tuple[str, list[tuple[str, int, str]]]:
    """SQLite's integrity check (full, with the text pass; or quick) on its own connection
    to the database at `path` (kiosk.app.check_in_background, on a worker thread): 'ok' or
    the complaint, and the damaged texts. sqlite3.DatabaseError if the file cannot be read.
    Damage removes the check marker; a pass at `now` records it (data/check_marker.py)."""
    from data.store import connect  # it imports this module

    conn = connect(path)
    try:
        result = integrity(conn, quick=not full)
        damaged = damaged_text(conn) if full and result == "ok" else []
        if result != "ok" or damaged:
            check_marker.forget(path)
        else:  # a whole-file check passed: the next open need not read the file again
            device = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
            if device is not None and now is not None:
                check_marker.mark_checked(path, device[0], now.date().isoformat())
        return result, damaged
    finally:
        conn.close()
