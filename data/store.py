"""The gate's SQLite database, on sqlite-utils: the storage port of `kiosk.ports`.

Durability first: WAL with `synchronous=FULL`, so a scan's event is on disk (fsync'd)
when `record` returns, and a power cut loses nothing that was shown. Every write is one
transaction. Events are never updated; the retention purge alone may delete them.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import sqlite3
import threading
import uuid
import weakref
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from data import check_marker, walguard
from data.migrations import migrate
from data.outputs import owner_only
from data.store_audit import AuditSide
from data.store_chain import ChainSide
from data.store_db import LeanDatabase
from data.store_log import LogSide, slip_sql
from data.store_reports import ReportSide
from data.store_sync import SyncSide
from kiosk import quota as quota_rules
from kiosk.chain import GENESIS, event_hash, sign
from kiosk.errors import BadInput
from kiosk.model import (
    Card,
    CardKind,
    CardStatus,
    Decision,
    Direction,
    Event,
    Household,
)
from kiosk.office import CardConflict
from kiosk.policy import Policy
from kiosk.ports import Community, Passage, StorageError, StoredTextDamaged
from kiosk.roster_plan import RosterPlan

log = logging.getLogger("db")

_T = TypeVar("_T")

_A_MOMENT = dt.timedelta(microseconds=1)  # the stored times' resolution
_NEVER = dt.datetime.max.replace(tzinfo=dt.UTC)


def utc_text(when: dt.datetime) -> str:
    """The stored form of a moment: `2026-11-20T00:00:00.000000Z`, fixed width, so text
    order is time order."""
    # By isoformat: a fifth of strftime's cost, and a scan writes four of them.
    return when.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_utc(text: str) -> dt.datetime:
    # fromisoformat reads the stored form (…%fZ) as UTC: 0.3 µs against strptime's 13 µs.
    return dt.datetime.fromisoformat(text)


class NotInitialised(FileNotFoundError):
    """No Gatepost database at that path (run `kiosk init`)."""


class OfficeDatabase(BadInput):
    """The file is the community office's database, not a gate's: use `kiosk office ...`."""


class Conflict(ValueError):
    """A write that the roster's rules refuse (a flat registered twice, a second life card)."""


class WalLost(StorageError):
    """The WAL was unlinked under this process (data/walguard.py): the last commit went into
    a deleted file. The connections were reopened and the transaction's events verified on
    disk or written again, with an incident; the verdict must not be shown as given."""

    sentence = "wal_replaced"

    def __init__(self, event_ids: list[str]):
        super().__init__("wal_replaced")
        self.event_ids = event_ids


# Every open store of this process, by database file: a lost WAL is a fault of the whole
# process (SQLite shares one lock and one -shm mapping per file among its connections), so
# the recovery closes and reopens them all.
_OPEN_STORES: dict[Path, weakref.WeakSet] = {}
_OPEN_STORES_LOCK = threading.Lock()


def is_storage_failure(error: BaseException) -> bool:
    """Is `error` the disk's or the database file's (full, gone, locked, damaged), not a bug?

    The one test, for `storage_errors` and for the edges (the CLI, the gate screen) that
    meet such an error raised by a read outside it. A broken constraint is a bug.
    """
    if isinstance(error, sqlite3.IntegrityError):
        return False
    return isinstance(error, sqlite3.DatabaseError | OSError)


@contextlib.contextmanager
def storage_errors() -> Iterator[None]:
    """Turn the failures a volunteer can meet (disk full, file gone, locked) into StorageError."""
    try:
        yield
    except Exception as failure:
        if not is_storage_failure(failure):
            raise
        log.error("storage failure: %s", failure)
        raise StorageError(str(failure)) from failure


def _strict_text(raw: bytes) -> str:
    """Stored text as str, or StoredTextDamaged: invalid UTF-8 is damage, never guessed at.

    sqlite3's own decoder would raise an OperationalError that quotes the garbled text
    (a holder's name, into a log line) and that nobody up the stack tells from a locked file.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise StoredTextDamaged() from None


def connect(path: str | Path, autocheckpoint: bool = True) -> sqlite3.Connection:
    """A connection with the pragmas every Gatepost database runs under.

    Without `autocheckpoint` its commits never copy the WAL back into the database (SQLite
    does that inside the commit that crosses 1000 pages: 15 ms in one scan of ~115):
    the gate lane's connection, whose WAL a second connection checkpoints off the lane
    (`checkpoint`, kiosk.app.checkpoint_in_background)."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                           timeout=10)
    # An office file given as a gate's (`kiosk --db office.db ...`): said in a sentence,
    # before WAL would be switched on in a file that lives on a shared folder.
    try:
        is_office = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'office_schema'").fetchone()
    except sqlite3.DatabaseError:
        is_office = None  # a damaged schema: the start-up check finds it and says so in its words
    if is_office:
        conn.close()
        raise OfficeDatabase("office_db_not_gate", path=str(Path(path).resolve()))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
    # Up to 64 MiB of pages in SQLite's own cache (allocated only as pages are read): a
    # verdict's indexed look-ups into a million-event log then rarely leave the process.
    conn.execute("PRAGMA cache_size=-65536")
    # Every page read is checked whole as SQLite loads it (its cells' sizes and places), so
    # a damaged page met by a scan is an error, "record on paper", and not a wrong answer:
    # the open no longer reads the whole file every time (data/check_marker.py).
    conn.execute("PRAGMA cell_size_check=ON")
    if not autocheckpoint:
        conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.row_factory = sqlite3.Row
    conn.text_factory = _strict_text
    return conn


class SqliteStore(SyncSide, AuditSide, ChainSide, LogSide, ReportSide):
    """One gate's database. Not shared between threads without the caller's care."""

    def __init__(self, path: str | Path, create: bool = False, autocheckpoint: bool = True):
        self.path = Path(path)
        self.autocheckpoint = autocheckpoint  # False: the gate lane's (connect)
        # The roster as last read (settings, keys, cards, households), valid while
        # `PRAGMA data_version` stays what it was: it changes exactly when another
        # connection commits, so a CLI command writing beside the gate is seen at once.
        self._cache: dict[tuple, object] = {}
        self._cache_version: int | None = None
        self._roster_written = False  # this transaction changed the roster: no cache in it
        self._version_seen = False  # the version was read in this write transaction
        if not create and not self.path.exists():
            raise NotInitialised(str(self.path))
        # The device key's sign (bytes -> bytes) or None: set by the composition root
        # (data/device_key.py); signs each event's chain hash and each audit line.
        self.signer: Callable[[bytes], bytes] | None = None
        with storage_errors():
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            # Owner-only from the first byte (the file holds the roster): SQLite creates the
            # file and its -wal/-shm under umask 077. Nothing but SQLite opens the file: a
            # descriptor closed on it would drop the process's locks (data/walguard.py).
            with owner_only() if create else contextlib.nullcontext():
                self._open()
            migrate(self.db.conn)
        self._community: Community | None = None
        self._depth = 0           # nesting of _write(): only the outermost one commits
        self._written: list[tuple[Event, str | None]] = []  # this transaction's events
        with _OPEN_STORES_LOCK:
            _OPEN_STORES.setdefault(self.path.resolve(), weakref.WeakSet()).add(self)

    def _open(self) -> None:
        self.db = LeanDatabase(connect(self.path, self.autocheckpoint))  # sqlite-utils loads only when needed
        self._cache, self._cache_version = {}, None  # a new connection counts versions anew
        self._version_seen = False
        # SQLite keeps these two files open, and never replaces them, while a connection
        # is open: their identities now are what every commit is checked against.
        self._wal_identity = walguard.identities(self.path)

    def close(self) -> None:
        with check_marker.carried(self.path):  # the last connection's close checkpoints
            self.db.close()

    def _write(self) -> _WriteTransaction:
        """One write transaction, storage failures reported as StorageError. Nested ones
        join the outer one: a verdict and its event, a change and its audit line, commit
        together."""
        return _WriteTransaction(self)

    def decision(self) -> _WriteTransaction:
        """The write transaction a scan is decided and recorded in (kiosk.ports.Store)."""
        return self._write()

    # -- the roster's cache -----------------------------------------------------------

    def _cached(self, key: tuple, load: Callable[[], _T]) -> _T:
        """`load()`'s value, read again only after any connection changed the database.

        This connection's own commits do not change `PRAGMA data_version`: the store's
        roster writes mark the transaction (`_roster_changed`), which reads around the
        cache and empties it when it ends."""
        if self._roster_written:
            return load()
        # Inside a write transaction no other connection can commit: one look at the
        # version is enough for the whole of it (a scan asks the cache four times).
        if not self._version_seen:
            version = self.db.conn.execute("PRAGMA data_version").fetchone()[0]
            if version != self._cache_version:
                self._cache, self._cache_version = {}, version
            self._version_seen = self._depth > 0
        try:
            return self._cache[key]  # type: ignore[return-value]  # stored by this key's own load
        except KeyError:
            value = self._cache[key] = load()
            return value

    def _roster_changed(self) -> None:
        """Called inside a write transaction that changes settings, keys, cards or households."""
        self._roster_written = True
        self._cache = {}

    def _end_roster_write(self) -> None:
        if self._roster_written:
            self._roster_written = False
            self._cache, self._cache_version = {}, None

    def forget_cache(self) -> None:
        """Read the roster afresh: after SQL that went around the store's methods (a bench's bulk load)."""
        self._cache, self._cache_version = {}, None

    def checkpoint(self) -> tuple[int, int]:
        """A passive WAL checkpoint on this connection: copies what no reader still needs,
        never waits for a lock. Returns (frames in the WAL, frames copied)."""
        with storage_errors(), check_marker.carried(self.path):
            _busy, frames, copied = self.db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return frames, copied

    # -- the WAL under us (data/walguard.py) -------------------------------------------

    def _check_wal(self) -> None:
        """After a commit: is the WAL we wrote to still the file on disk? WalLost if not."""
        now = walguard.identities(self.path)
        if now == self._wal_identity:
            return
        # A database that had no WAL yet when we connected (a new file) gets it at its
        # first write: that first identity is the one to hold on to.
        pairs = zip(self._wal_identity, now, strict=True)
        if None not in now and all(seen in (None, current) for seen, current in pairs):
            self._wal_identity = now
            return
        written, self._written = self._written, []
        log.critical("the WAL of %s was replaced under this process (%s -> %s): reopening",
                     self.path, self._wal_identity, now)
        self._reopen_all()
        ids = [event.id for event, _ in written]
        with self._write():
            for event, incident in written:
                if self.event(event.id) is None:  # lost with the orphan WAL: write it again
                    log.critical("event %s was not on disk: recorded again", event.id)
                    self._append(event, incident)
            for event_id in ids:
                self.db.conn.execute(
                    "INSERT INTO incidents (event_id, kind, at_utc, local_date)"
                    " SELECT id, 'wal_replaced', at_utc, local_date FROM events WHERE id = ?", [event_id])
        raise WalLost(ids)

    def _reopen_all(self) -> None:
        """Close every connection of this process to this file, then open them again.

        None of them may checkpoint its orphan WAL on the way out: another process may
        have written newer pages since, and the orphan's frames would overwrite them.
        """
        with _OPEN_STORES_LOCK:
            stores = list(_OPEN_STORES.get(self.path.resolve(), ()))
        for store in stores:
            walguard.no_checkpoint_on_close(store.db.conn, store.path)
        for store in stores:
            with contextlib.suppress(sqlite3.Error):
                store.db.close()
        for store in stores:
            store._open()

    # -- community, keys, settings ---------------------------------------------------

    def initialise(self, name: str, community_id: str, key_id: str, public_key: str,
                   settings: dict[str, str], now: dt.datetime) -> Community:
        with self._write():
            meta = {"community_id": community_id, "community_name": name,
                    "device_id": str(uuid.uuid4()), "created_utc": utc_text(now)}
            self._roster_changed()
            self.db["meta"].insert_all([{"key": k, "value": v} for k, v in meta.items()])
            self.db["keys"].insert({"key_id": key_id, "public_key": public_key,
                                    "created_utc": utc_text(now)})
            self.db["settings"].insert_all([{"key": k, "value": v} for k, v in settings.items()])
        return self.community()

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def community(self) -> Community:
        if self._community is None:
            community_id, name, device_id = (self.meta(key) for key in (
                "community_id", "community_name", "device_id"))
            if community_id is None or name is None or device_id is None:
                raise NotInitialised(str(self.path))  # created, but `init` never finished
            self._community = Community(community_id, name, device_id)
        return self._community

    def public_keys(self) -> dict[str, str]:
        return dict(self._cached(("keys",), lambda: dict(
            self.db.execute("SELECT key_id, public_key FROM keys").fetchall())))

    def settings(self) -> dict[str, str]:
        return dict(self._cached(("settings",), lambda: dict(
            self.db.execute("SELECT key, value FROM settings").fetchall())))

    def set_setting(self, key: str, value: str) -> None:
        with self.atomic():
            self._roster_changed()
            self.db["settings"].upsert({"key": key, "value": value}, pk="key")

    # -- a change and its audit line, together ---------------------------------------

    def atomic(self) -> _WriteTransaction:
        """One write transaction (kiosk.office.RosterStore); the store's writes inside it
        (save_card, set_setting, carry_passage, audit_line) join it, so a card change and
        its audit line are on disk together or not at all."""
        return self._write()

    def audit_line(self, operator: str, action: str, target: str, details: dict | None,
                   now: dt.datetime) -> None:
        """One line in the audit log (data/store_audit.py writes it), in atomic()."""
        with self.atomic():
            self.write_audit(operator, action, target, details, now)

    # -- households and cards --------------------------------------------------------

    def add_households(self, households: Iterable[Household], now: dt.datetime) -> None:
        """All or none: a flat already registered refuses the whole batch."""
        rows = [{**_household_row(h), "created_utc": utc_text(now)} for h in households]
        try:
            with self._write():
                self._roster_changed()
                self.db["households"].insert_all(rows, batch_size=500)
        except sqlite3.IntegrityError as clash:
            raise Conflict(str(clash)) from None

    def import_households(self, households: list[Household], now: dt.datetime,
                          new_id: Callable[[], str]) -> list[Household]:
        """All or none, in one write transaction; returns the households as stored
        (data/roster.py import_households).

        An id that clashes with one in the database or earlier in the batch is drawn again
        (`new_id`), inside the transaction, so no other writer can take it in between. A
        flat that another program registered meanwhile refuses the batch (Conflict).
        """
        created = utc_text(now)
        try:
            with self._write():
                self._roster_changed()
                taken = {row[0] for row in self.db.execute("SELECT id FROM households")}
                stored = []
                for household in households:
                    while household.id in taken:
                        household = dataclasses.replace(household, id=new_id())
                    taken.add(household.id)
                    stored.append(household)
                self.db.conn.executemany(
                    "INSERT INTO households (id, building, unit, room, head, phone, members, created_utc)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(h.id, h.building, h.unit, h.room, h.head, h.phone, h.members, created)
                     for h in stored])
        except sqlite3.IntegrityError as clash:
            raise Conflict(str(clash)) from None
        return stored

    def household(self, household_id: str) -> Household | None:
        def load() -> Household | None:
            row = self.db.execute("SELECT * FROM households WHERE id = ?", [household_id]).fetchone()
            return _household(dict(row)) if row else None

        return self._cached(("household", household_id), load)

    def household_by_flat(self, building: str, unit: str, room: str) -> Household | None:
        row = self.db.execute(
            "SELECT * FROM households WHERE building = ? AND unit = ? AND room = ?",
            [building, unit, room]).fetchone()
        return _household(dict(row)) if row else None

    def households(self, building: str | None = None, include_left: bool = False) -> list[Household]:
        """The roster's households (by flat); those that left it only with `include_left`."""
        sql = "SELECT * FROM households WHERE (? OR left_utc IS NULL)"
        params: list[object] = [include_left]
        if building is not None:
            sql, params = sql + " AND building = ?", [*params, building]
        rows = self.db.execute(sql + " ORDER BY building, unit, room", params)
        return [_household(dict(r)) for r in rows.fetchall()]

    def left_household_ids(self) -> set[str]:
        """The households that left the roster (roster upkeep): their rows stay for the log."""
        return {r[0] for r in self.db.execute("SELECT id FROM households WHERE left_utc IS NOT NULL")}

    def apply_roster_plan(self, plan: RosterPlan, now: dt.datetime,
                          new_id: Callable[[], str]) -> int:
        """A roster update (kiosk.roster_plan), all or nothing in one write transaction:
        households added (ids drawn again on a clash), changed, moved (through a free
        placeholder room, so two households may swap flats), and removed (marked as left,
        their cards revoked). Returns the cards revoked. Conflict when a flat clashes."""
        stamp = utc_text(now)
        conn = self.db.conn
        try:
            with self._write():
                for _, new in plan.moved:  # off their old flats first
                    conn.execute("UPDATE households SET room = ? WHERE id = ?",
                                 [f"{new.room}~{new.id}", new.id])
                for _, new in [*plan.moved, *plan.changed]:
                    conn.execute("UPDATE households SET building = ?, unit = ?, room = ?, head = ?,"
                                 " phone = ?, members = ?, left_utc = NULL WHERE id = ?",
                                 [new.building, new.unit, new.room, new.head, new.phone, new.members,
                                  new.id])
                gone = [h.id for h in plan.removed]
                conn.executemany("UPDATE households SET left_utc = ? WHERE id = ?",
                                 [(stamp, hid) for hid in gone])
                revoked = 0
                for hid in gone:
                    revoked += conn.execute(
                        "UPDATE cards SET status = 'revoked', updated_utc = ? WHERE household_id = ?"
                        " AND status != 'revoked'", [stamp, hid]).rowcount
                self.import_households(plan.added, now, new_id)
        except sqlite3.IntegrityError as clash:
            raise Conflict(str(clash)) from None
        return revoked

    def card(self, serial: str) -> Card | None:
        def load() -> Card | None:
            row = self.db.execute("SELECT * FROM cards WHERE serial = ?", [serial]).fetchone()
            return _card(dict(row)) if row else None

        return self._cached(("card", serial), load)

    def cards(self, household_id: str | None = None) -> list[Card]:
        sql, params = "SELECT * FROM cards", []
        if household_id is not None:
            sql, params = sql + " WHERE household_id = ?", [household_id]
        cursor = self.db.execute(sql + " ORDER BY household_id, kind, serial", params)
        return [_card(dict(r)) for r in cursor.fetchall()]

    def save_card(self, card: Card, now: dt.datetime) -> None:
        """Insert a card or replace its row (a status change, a replacement named).

        CardConflict when the roster's unique rules refuse it (a second life card).
        """
        try:
            with self.atomic():
                self._roster_changed()
                self.db["cards"].upsert({
                    "serial": card.serial, "household_id": card.household_id,
                    "kind": card.kind.value, "generation": card.generation,
                    "valid_from": card.valid_from.isoformat(), "valid_to": card.valid_to.isoformat(),
                    "status": card.status.value, "holder": card.holder, "updated_utc": utc_text(now),
                    "replaced_by": card.replaced_by, "lineage": card.line,
                }, pk="serial")
        except sqlite3.IntegrityError as clash:
            raise CardConflict(str(clash)) from None

    def carry_passage(self, old_serial: str, new_serial: str) -> None:
        """A re-issued card is out (or in) where the lost one was: anti-passback holds."""
        with self.atomic():
            self.db.conn.execute(CARRY_PASSAGE, [new_serial, old_serial])
            self.db.conn.execute("DELETE FROM passages WHERE serial = ?", [old_serial])

    # -- the event log ---------------------------------------------------------------

    def record(self, event: Event, incident: str | None = None) -> None:
        # The hot path of every scan: plain SQL, one transaction, one fsync at COMMIT.
        with self._write():
            self._append(event, incident)
            self._written.append((event, incident))
            if (event.decision is Decision.ALLOW and event.kind is CardKind.LIFE
                    and event.direction is Direction.OUT and event.household_id
                    and self.life_exits(event.household_id, event.at_utc + _A_MOMENT, _NEVER)):
                # Only an exit with a later one after it can put an exit beyond the quota:
                # the checkpoint has just counted this one within it against every exit
                # before it (kiosk.quota.counted, the function the breach check walks
                # with), so the household's newest exit is never a breach and changes
                # nothing for those before it. Left: a scan recorded with an earlier time
                # (`kiosk scan --at`), a gate whose clock is behind another's.
                self.record_quota_breaches({event.household_id}, since=event.at_utc)

    def _append(self, event: Event, incident: str | None) -> None:
        conn = self.db.conn
        last = conn.execute(
            "SELECT device_seq, chain_hash FROM events WHERE device_id = ?"
            " ORDER BY device_seq DESC LIMIT 1", [event.device_id]).fetchone()
        row = _event_row(event, last[0] + 1 if last else 1)
        row["prev_hash"] = last[1] if last else GENESIS
        row["chain_hash"] = event_hash(row["prev_hash"], row)
        # The device key signs the chain hash (so the whole history before it too).
        row["signature"] = sign(self.signer, row["chain_hash"])
        conn.execute(_INSERT_EVENT, row)
        if event.decision is Decision.ALLOW and event.serial:
            conn.execute(
                "INSERT INTO passages (serial, direction, at_utc, event_id) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (serial) DO UPDATE SET direction = excluded.direction,"
                " at_utc = excluded.at_utc, event_id = excluded.event_id",
                [event.serial, event.direction.value, row["at_utc"], event.id])
        if incident:
            conn.execute("INSERT INTO incidents (event_id, kind, at_utc, local_date)"
                         " VALUES (?, ?, ?, ?)",
                         [event.id, incident, row["at_utc"], row["local_date"]])

    def record_quota_breaches(self, households: set[str], since: dt.datetime | None = None) -> list[str]:
        """Life-card exits beyond the quota (kiosk.quota.beyond_quota over every gate's
        exits this database holds): an incident each, once. From `since` on, if given
        (with the windows that reach back before it). Returns the new breaches' event ids."""
        if not households:
            return []
        rule = quota_rules.QuotaRule.life(Policy(self.settings()))
        conn, found = self.db.conn, []
        start = (quota_rules.window_at(rule, since).start_utc - dt.timedelta(days=rule.window_days)
                 if since is not None else dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
        with self._write():
            for household in sorted(households):
                rows = conn.execute(
                    "SELECT id, at_utc, override_of FROM events WHERE household_id = ?"
                    " AND kind = 'life' AND decision = 'allow' AND direction = 'out' AND at_utc >= ?",
                    [household, utc_text(start)]).fetchall()
                exits = [(r[0], parse_utc(r[1]), r[2] is not None) for r in rows]
                for event_id in quota_rules.beyond_quota(rule, exits):
                    added = conn.execute(
                        "INSERT INTO incidents (event_id, kind, at_utc, local_date)"
                        " SELECT id, 'quota_breach', at_utc, local_date FROM events e WHERE id = ?"
                        " AND NOT EXISTS (SELECT 1 FROM incidents WHERE event_id = e.id"
                        " AND kind = 'quota_breach')", [event_id]).rowcount
                    if added:
                        flat = conn.execute("SELECT building || '-' || unit || '-' || room FROM"
                                            " households WHERE id = ?", [household]).fetchone()
                        log.warning("quota breach: flat %s, event %s", flat[0] if flat else household,
                                    event_id)
                        found.append(event_id)
        return found

    def event(self, event_id: str) -> Event | None:
        row = self.db.execute("SELECT * FROM events WHERE id = ?", [event_id]).fetchone()
        return _event(dict(row)) if row else None

    def last_passage(self, serial: str) -> Passage | None:
        # With the gate it went through: its event's device, and that device's name.
        row = self.db.execute(
            "SELECT p.direction, p.at_utc, p.event_id, e.device_id, COALESCE(k.name, '')"
            " FROM passages p LEFT JOIN events e ON e.id = p.event_id"
            " LEFT JOIN device_keys k ON k.device_id = e.device_id WHERE p.serial = ?",
            [serial]).fetchone()
        return Passage(Direction(row[0]), parse_utc(row[1]), row[2], row[3] or "", row[4]) if row else None

    def card_events(self, serial: str, since_utc: dt.datetime) -> list[Event]:
        cursor = self.db.execute(
            "SELECT * FROM events WHERE serial = ? AND at_utc >= ? ORDER BY at_utc, seq",
            [serial, utc_text(since_utc)])
        return [_event(dict(r)) for r in cursor.fetchall()]

    def life_exits(self, household_id: str, since_utc: dt.datetime,
                   until_utc: dt.datetime) -> list[dt.datetime]:
        rows = self.db.execute(
            "SELECT at_utc FROM events WHERE household_id = ? AND kind = 'life'"
            " AND decision = 'allow' AND direction = 'out' AND at_utc >= ? AND at_utc < ?"
            " ORDER BY at_utc", [household_id, utc_text(since_utc), utc_text(until_utc)])
        return [parse_utc(r[0]) for r in rows.fetchall()]

    def card_exits(self, serial: str, since_utc: dt.datetime,
                   until_utc: dt.datetime) -> list[dt.datetime]:
        # By the card's lineage: a work card re-issued today has used today's exit too.
        rows = self.db.execute(
            "SELECT at_utc FROM events WHERE serial IN (SELECT serial FROM cards WHERE lineage ="
            " (SELECT lineage FROM cards WHERE serial = ?)) AND decision = 'allow'"
            " AND direction = 'out' AND at_utc >= ? AND at_utc < ? ORDER BY at_utc",
            [serial, utc_text(since_utc), utc_text(until_utc)])
        return [parse_utc(r[0]) for r in rows.fetchall()]

    def is_overridden(self, event_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM events WHERE override_of = ? LIMIT 1",
                               [event_id]).fetchone() is not None

    def fever_retests(self, since_utc: dt.datetime) -> list[Event]:
        # The reason is written out, not a parameter: that is what lets SQLite use the
        # partial index events_fever_waits.
        cursor = self.db.execute(
            "SELECT * FROM events WHERE reason = 'fever_retest' AND at_utc >= ? ORDER BY at_utc",
            [utc_text(since_utc)])
        return [_event(dict(r)) for r in cursor.fetchall()]

    # -- the numbers on the status bar -----------------------------------------------

    def status(self, local_date: dt.date) -> dict[str, int]:
        day = local_date.isoformat()
        one = lambda sql, *p: self.db.execute(sql, p).fetchone()[0]  # noqa: E731 (local helper)
        # Each count is read from an index (tests/data/test_store_scale.py checks the plans):
        # a day's entries, never the whole log's rows.
        counts = {sql_key: one(sql, day) if "?" in sql else one(sql) for sql_key, sql in STATUS_SQL.items()}
        # This gate's own events that no office has acknowledged yet: pulled events of
        # other gates are the office's already. A difference of device numbers.
        counts["unsynced"] = self.unsynced_after(one("SELECT MAX(acked_seq) FROM sync_targets") or 0)
        return counts

    # -- sync with the office (data/sync.py) -----------------------------------------


# The status bar's counts of a local day (the parameter), each from an index (migration 8).
STATUS_SQL = {
    "scans_today": "SELECT COUNT(*) FROM events WHERE local_date = ?",
    "out_now": "SELECT COUNT(*) FROM passages WHERE direction = 'out'",
    "exits_today": "SELECT COUNT(*) FROM events WHERE local_date = ?"
                   " AND decision = 'allow' AND direction = 'out'",
    "fevers_today": "SELECT COUNT(*) FROM incidents WHERE local_date = ? AND kind = 'fever_confirmed'",
    # Volunteers' slips to put right, apart from the rules' denials (the day's rows only).
    "slips_today": "SELECT COUNT(*) FROM events e WHERE local_date = ? AND decision = 'deny'"
                   f" AND {slip_sql()}",
    "denials_today": "SELECT COUNT(*) FROM events e WHERE local_date = ? AND decision = 'deny'"
                     f" AND NOT {slip_sql()}",
}


class _WriteTransaction:
    """BEGIN IMMEDIATE … COMMIT, with storage failures as StorageError.

    IMMEDIATE takes the write lock at the start, so two processes (the GUI and a CLI
    command) queue on the busy timeout instead of failing half-way, and whatever is read
    inside cannot change before the commit. A transaction opened inside another joins it.
    After the outermost COMMIT the store checks that its WAL is still the one on disk.
    """

    def __init__(self, store: SqliteStore):
        self.store = store

    def __enter__(self):
        store = self.store
        if store._depth == 0:
            with storage_errors():
                store.db.conn.execute("BEGIN IMMEDIATE")
            store._written, store._version_seen = [], False
        store._depth += 1
        return store.db

    def __exit__(self, exc_type, exc, tb):
        store = self.store
        store._depth -= 1
        if store._depth > 0:
            return False  # the outer transaction commits or rolls back
        store._version_seen = False  # from here on other connections may commit again
        if exc_type is None:
            try:
                # A commit may checkpoint (SQLite's auto-checkpoint): Gatepost's own write
                # into the file, which keeps the check marker standing (data/check_marker.py).
                with storage_errors(), (check_marker.carried(store.path) if store.autocheckpoint
                                        else contextlib.nullcontext()):
                    store.db.conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
            store._end_roster_write()
            store._check_wal()
            return False
        self._rollback()
        if isinstance(exc, sqlite3.IntegrityError):
            return False
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            check_marker.forget(store.path)  # a damaged page met: the next open checks the file
        if isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError | OSError):
            log.error("storage failure: %s", exc)
            raise StorageError(str(exc)) from exc
        return False

    def _rollback(self):
        self.store._written = []
        self.store._end_roster_write()
        conn = self.store.db.conn
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):  # the failure itself is what we report
                conn.execute("ROLLBACK")


# The lost card's passage, onto its replacement unless that has a newer one (a re-issue
# at the office reaches a gate whose events already moved on).
CARRY_PASSAGE = ("INSERT INTO passages (serial, direction, at_utc, event_id)"
                 " SELECT ?, direction, at_utc, event_id FROM passages WHERE serial = ?"
                 " ON CONFLICT (serial) DO UPDATE SET direction = excluded.direction,"
                 " at_utc = excluded.at_utc, event_id = excluded.event_id"
                 " WHERE excluded.at_utc > passages.at_utc")


def _household_row(h: Household) -> dict:
    return {"id": h.id, "building": h.building, "unit": h.unit, "room": h.room,
            "head": h.head, "phone": h.phone, "members": h.members}


def _household(row: dict) -> Household:
    return Household(row["id"], row["building"], row["unit"], row["room"], row["head"],
                     row["phone"], row["members"])


def _card(row: dict) -> Card:
    return Card(
        serial=row["serial"], household_id=row["household_id"], kind=CardKind(row["kind"]),
        generation=row["generation"], valid_from=dt.date.fromisoformat(row["valid_from"]),
        valid_to=dt.date.fromisoformat(row["valid_to"]), status=CardStatus(row["status"]),
        holder=row["holder"], replaced_by=row.get("replaced_by"),
        lineage=row.get("lineage") or row["serial"],
    )


_EVENT_COLUMNS = (
    "id", "device_id", "device_seq", "at_utc", "at_local", "local_date", "direction", "decision",
    "reason", "warnings", "serial", "generation", "household_id", "kind", "temp_first",
    "temp_second", "exit_reason", "operator", "override_of", "override_reason", "payload_digest",
    "verdict", "prev_hash", "chain_hash", "signature", "mask", "source",
)
_INSERT_EVENT = (f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)})"
                 f" VALUES ({', '.join(':' + c for c in _EVENT_COLUMNS)})")


def _event_row(e: Event, device_seq: int) -> dict:
    return {
        "id": e.id, "device_id": e.device_id, "device_seq": device_seq,
        "at_utc": utc_text(e.at_utc), "at_local": e.at_local.isoformat(timespec="seconds"),
        "local_date": e.at_local.date().isoformat(), "direction": e.direction.value,
        "decision": e.decision.value, "reason": e.reason, "warnings": json.dumps(list(e.warnings)),
        "serial": e.serial, "generation": e.generation, "household_id": e.household_id,
        "kind": e.kind.value if e.kind else None, "temp_first": e.temp_first,
        "temp_second": e.temp_second, "exit_reason": e.exit_reason, "operator": e.operator,
        "override_of": e.override_of, "override_reason": e.override_reason,
        "payload_digest": e.payload_digest,
        "verdict": json.dumps(e.verdict, ensure_ascii=False) if e.verdict else None,
        "mask": e.mask,
        "source": e.source or None,
    }


def _event(row: dict) -> Event:
    return Event(
        id=row["id"], device_id=row["device_id"], at_utc=parse_utc(row["at_utc"]),
        at_local=dt.datetime.fromisoformat(row["at_local"]), direction=Direction(row["direction"]),
        decision=Decision(row["decision"]), reason=row["reason"],
        warnings=tuple(json.loads(row["warnings"])), serial=row["serial"],
        generation=row["generation"], household_id=row["household_id"],
        kind=CardKind(row["kind"]) if row["kind"] else None, temp_first=row["temp_first"],
        temp_second=row["temp_second"], exit_reason=row["exit_reason"], operator=row["operator"],
        override_of=row["override_of"], override_reason=row["override_reason"],
        payload_digest=row["payload_digest"],
        verdict=json.loads(row["verdict"]) if row["verdict"] else None,
        device_seq=row["device_seq"], mask=row.get("mask"), source=row.get("source") or "",
    )
