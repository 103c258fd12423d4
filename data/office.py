"""The community office's database: one schema on SQLite and on PostgreSQL.

The office holds one community: its roster (households, cards, public keys, settings),
every gate's events, and what it noticed about them (gaps in a device's sequence, breaks in
its hash chain). Several compounds share one PostgreSQL database by living in separate
schemas (`?options=-csearch_path%3Dcompound_a` in the URL), or in separate databases.

Roster rows carry `change_seq`, drawn from the one-row `roster_clock` in the writing
transaction: writers queue on that row, so a gate that pulls "everything after version N"
never misses a change committed late. Pushes take the events table's write lock for the
same reason, so `office_seq` order is commit order and the pull cursor over it is safe.

A SQLite office file runs with a rollback journal, not WAL: it usually sits on a shared
folder or a USB stick, and WAL needs shared memory on one host.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sqlite3
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from data.store_log import slip_sql
from data.store_reports import REPORT_COLUMNS
from kiosk.chain import CHAINED_FIELDS, GENESIS
from kiosk.errors import ENVIRONMENT, REFUSED, GatepostError
from kiosk.model import Card, CardKind, CardStatus, Household
from kiosk.ports import Community

if TYPE_CHECKING:
    from kiosk.audit import AuditEntry
    from kiosk.operators import PinAttempt, StoredOperator

log = logging.getLogger("sync")

# The event columns a gate sends, in the gate's own form (text times, JSON text).
# "mask": the passage's mask answer, also inside the chained verdict JSON;
# `source` travels with the event but is not in its signed content (kiosk/chain.py).
EVENT_COLUMNS = (*CHAINED_FIELDS, "prev_hash", "chain_hash", "signature", "mask", "source")
HOUSEHOLD_COLUMNS = ("id", "building", "unit", "room", "head", "phone", "members", "created_utc",
                     "left_utc")
CARD_COLUMNS = ("serial", "household_id", "kind", "generation", "valid_from", "valid_to", "status",
                "holder", "updated_utc", "replaced_by", "lineage")
OFFICE_DEVICE = "office"  # the device id of the office itself: it records no scans

# Numbered like the gate's migrations; `{pk}`, `{real}` and `{big}` differ per dialect.
OFFICE_MIGRATIONS: list[str] = [
    # 1: the first office schema
    """
    CREATE TABLE office_schema (version INTEGER NOT NULL);
    CREATE TABLE office_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE roster_clock (id INTEGER PRIMARY KEY CHECK (id = 1), version {big} NOT NULL);
    INSERT INTO roster_clock (id, version) VALUES (1, 0);
    CREATE TABLE keys (
        key_id TEXT PRIMARY KEY,
        public_key TEXT NOT NULL,
        created_utc TEXT NOT NULL,
        change_seq {big} NOT NULL
    );
    CREATE TABLE households (
        id TEXT PRIMARY KEY,
        building TEXT NOT NULL,
        unit TEXT NOT NULL,
        room TEXT NOT NULL,
        head TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        members INTEGER NOT NULL DEFAULT 1 CHECK (members BETWEEN 1 AND 30),
        created_utc TEXT NOT NULL,
        change_seq {big} NOT NULL,
        UNIQUE (building, unit, room)
    );
    CREATE INDEX households_change ON households (change_seq);
    CREATE TABLE cards (
        serial TEXT PRIMARY KEY,
        household_id TEXT NOT NULL REFERENCES households (id),
        kind TEXT NOT NULL CHECK (kind IN ('life', 'work', 'special')),
        generation INTEGER NOT NULL CHECK (generation >= 1),
        valid_from TEXT NOT NULL,
        valid_to TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'suspended')),
        holder TEXT NOT NULL DEFAULT '',
        updated_utc TEXT NOT NULL,
        change_seq {big} NOT NULL
    );
    CREATE INDEX cards_change ON cards (change_seq);
    CREATE INDEX cards_household ON cards (household_id, kind);
    CREATE TABLE devices (
        device_id TEXT PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        enrolled_utc TEXT,
        last_push_utc TEXT,
        head_seq {big} NOT NULL DEFAULT 0,
        head_hash TEXT NOT NULL
    );
    CREATE TABLE events (
        office_seq {pk},
        id TEXT NOT NULL UNIQUE,
        device_id TEXT NOT NULL,
        device_seq {big} NOT NULL,
        at_utc TEXT NOT NULL,
        at_local TEXT NOT NULL,
        local_date TEXT NOT NULL,
        direction TEXT NOT NULL,
        decision TEXT NOT NULL,
        reason TEXT NOT NULL,
        warnings TEXT NOT NULL DEFAULT '[]',
        serial TEXT,
        generation INTEGER,
        household_id TEXT,
        kind TEXT,
        temp_first {real},
        temp_second {real},
        exit_reason TEXT,
        operator TEXT NOT NULL DEFAULT '',
        override_of TEXT,
        override_reason TEXT,
        payload_digest TEXT,
        verdict TEXT,
        prev_hash TEXT NOT NULL,
        chain_hash TEXT NOT NULL,
        received_utc TEXT NOT NULL,
        UNIQUE (device_id, device_seq)
    );
    CREATE TABLE device_issues (
        id {pk},
        device_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        first_seq {big},
        last_seq {big},
        detail TEXT NOT NULL DEFAULT '',
        detected_utc TEXT NOT NULL
    );
    """,
    # 2 (issue 13): a re-issued card is a new card that the lost one names
    # (replaced_by); both keep the first card's serial as their lineage. One life card per
    # household by a unique index: where two are active already, the first issued stays
    # and the others are revoked, as a roster change the gates pull.
    """
    ALTER TABLE cards ADD COLUMN replaced_by TEXT;
    ALTER TABLE cards ADD COLUMN lineage TEXT;
    UPDATE cards SET lineage = serial;
    CREATE INDEX cards_lineage ON cards (lineage);
    UPDATE roster_clock SET version = version + 1 WHERE id = 1;
    UPDATE cards SET status = 'revoked', change_seq = (SELECT version FROM roster_clock WHERE id = 1)
        WHERE kind = 'life' AND status != 'revoked' AND EXISTS (
            SELECT 1 FROM cards AS older WHERE older.household_id = cards.household_id
            AND older.kind = 'life' AND older.status != 'revoked'
            AND (older.updated_utc < cards.updated_utc
                 OR (older.updated_utc = cards.updated_utc AND older.serial < cards.serial)));
    CREATE UNIQUE INDEX cards_one_life ON cards (household_id)
        WHERE kind = 'life' AND status != 'revoked'
    """,
    # 3 (issue 13): each event's signature, and each device's public key
    # with the first device_seq it signs. Devices known now pushed unsigned events: those
    # up to their head stay accepted as they are.
    """
    ALTER TABLE events ADD COLUMN signature TEXT;
    ALTER TABLE devices ADD COLUMN public_key TEXT;
    ALTER TABLE devices ADD COLUMN signed_from_seq {big} NOT NULL DEFAULT 1;
    UPDATE devices SET signed_from_seq = head_seq + 1
    """,
    # 4 (issue 17): the gates' own reports (an outsider refused, symptoms, a
    # delivery for a flat and its "collected", ...), pushed after the events, once each by id;
    # and each event's mask answer (setting mask.check), as the gates keep it.
    """
    ALTER TABLE events ADD COLUMN mask TEXT;
    CREATE TABLE gate_reports (
        office_seq {pk},
        id TEXT NOT NULL UNIQUE,
        device_id TEXT NOT NULL,
        at_utc TEXT NOT NULL,
        at_local TEXT NOT NULL,
        local_date TEXT NOT NULL,
        kind TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 1,
        building TEXT,
        unit TEXT,
        room TEXT,
        household_id TEXT,
        note TEXT NOT NULL DEFAULT '',
        operator TEXT NOT NULL DEFAULT '',
        closes TEXT,
        received_utc TEXT NOT NULL
    );
    CREATE INDEX gate_reports_day ON gate_reports (local_date, kind)
    """,
    # 5 (issue 15): roster upkeep (a household that left keeps its row,
    # with the time it left), the cards printed (`office cards print --new`), and the
    # operators defined at the office, which come down to the gates with the roster.
    """
    ALTER TABLE households ADD COLUMN left_utc TEXT;
    CREATE TABLE card_prints (serial TEXT PRIMARY KEY, printed_utc TEXT NOT NULL);
    CREATE TABLE operators (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('volunteer', 'lead', 'admin')),
        buildings TEXT NOT NULL DEFAULT '[]',
        pin_hash TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        updated_utc TEXT NOT NULL,
        change_seq {big} NOT NULL
    );
    CREATE INDEX operators_change ON operators (change_seq)
    """,
    # 6 (issue 11): each event's input source (camera, wedge, typed, cli), so the
    # office counts a typed card number that is no card as a slip, not a denial.
    """
    ALTER TABLE events ADD COLUMN source TEXT
    """,
]

DIALECT_TYPES = {
    "sqlite": {"pk": "INTEGER PRIMARY KEY AUTOINCREMENT", "real": "REAL", "big": "INTEGER"},
    "postgresql": {"pk": "BIGSERIAL PRIMARY KEY", "real": "DOUBLE PRECISION", "big": "BIGINT"},
}


class SyncError(GatepostError):
    """Sync or the office refused or failed; `key` names the message (kiosk.messages CLI).

    `environmental` errors (an unreachable target, an office newer than this program) are
    the database-or-disk kind, exit code 3; the others are bad usage, exit code 2.
    Every sentence takes {target} and {detail}.
    """

    ENVIRONMENTAL = frozenset({"sync_unreachable", "sync_office_too_new", "sync_failed",
                               # a gate database with forged records is a damaged one
                               "sync_forged_event", "sync_device_key_changed"})

    def __init__(self, key: str, detail: object = "", target: str = ""):
        Exception.__init__(self, f"{key}: {target} {detail}")
        self.key = key
        self.detail = str(detail)
        self.target = target  # data/sync.py names the target once it is known

    @property
    def fields(self) -> dict[str, object]:  # type: ignore[override]  # made from target and detail
        return {"target": self.target, "detail": self.detail}

    @property
    def environmental(self) -> bool:
        return self.key in self.ENVIRONMENTAL

    @property
    def kind(self) -> str:  # type: ignore[override]  # decided by the key, not the class
        return ENVIRONMENT if self.environmental else REFUSED


def utc_now_text(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# Connection parameters that are secrets or local paths: never part of a shown URL.
_HIDDEN_PARAMETERS = ("password", "passfile")


def mask_url(url: str) -> str:
    """The URL as it may be shown or logged: without a password, whatever the scheme.

    The one function every message, log line and outbox name goes through. It works on the
    text, not on a parsed URL, so a malformed URL (a bad port, a stray '@') is masked too:
    everything between the scheme's '//' and the last '@' of the authority except the user
    name is dropped, and a `password=` or `passfile=` query parameter with it.
    """
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if not sep or scheme == "sqlite":  # a file path has no password (and may hold ':' and '@')
        return url
    authority_end = len(rest)
    for mark in "/?#":
        found = rest.find(mark, rest.rfind("@") + 1)
        if found != -1:
            authority_end = min(authority_end, found)
    authority, tail = rest[:authority_end], rest[authority_end:]
    if "@" in authority:
        user_info, _, host = authority.rpartition("@")
        authority = f"{user_info.split(':', 1)[0]}@{host}"
    path, qmark, query = tail.partition("?")
    if qmark:
        kept = [pair for pair in query.split("&")
                if pair.split("=", 1)[0].lower() not in _HIDDEN_PARAMETERS]
        tail = path + ("?" + "&".join(kept) if kept else "")
    return f"{scheme}://{authority}{tail}"


def target_name(url: str) -> str:
    """The URL without a password: what the outbox and the status bar call the target."""
    return mask_url(url)


def sqlite_path(url: str) -> Path | None:
    """The file of a `sqlite:///path/office.db` URL, or None for another scheme."""
    url = url.strip()
    if not url.startswith("sqlite://"):
        return None
    path = url[len("sqlite://"):]
    if not path or path == "/":
        raise SyncError("sync_bad_url", url)
    return Path(urllib.parse.unquote(path))


class OfficeDB:
    """A connection to an office database, hiding the two dialects' few differences.

    SQL is written with `?` placeholders and ON CONFLICT clauses that both dialects share.
    """

    def __init__(self, url: str):
        self.url = url.strip()
        self.name = target_name(self.url)
        path = sqlite_path(self.url)
        # A sqlite3 or a psycopg connection (psycopg is imported for a PostgreSQL office
        # only); `dialect` says which, and the two share the DB-API calls used here.
        self.conn: Any
        if path is not None:
            self.dialect = "sqlite"
            self.conn = self._connect_sqlite(path)
        elif self.url.startswith(("postgresql://", "postgres://")):
            self.dialect = "postgresql"
            self.conn = self._connect_postgres()
        else:
            raise SyncError("sync_bad_url", mask_url(self.url))

    @staticmethod
    def _connect_sqlite(path: Path) -> sqlite3.Connection:
        # A missing folder is an unplugged USB stick or an unmounted share: unreachable,
        # never a reason to create a folder on the gate's own disk.
        if not path.parent.is_dir():
            raise SyncError("sync_unreachable", f"{path.parent} is not there")
        try:
            conn = sqlite3.connect(str(path), isolation_level=None, timeout=30,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=DELETE")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
        except sqlite3.DatabaseError as failure:
            raise SyncError("sync_unreachable", f"{path}: {failure}") from failure
        conn.row_factory = sqlite3.Row
        return conn

    def _connect_postgres(self):
        import psycopg  # only when a PostgreSQL office is used
        from psycopg.rows import dict_row

        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=10,
                                   row_factory=dict_row)
        except psycopg.Error as failure:
            # libpq names the host, port and user, never the password; masked all the same,
            # in case a driver ever quotes the connection string back
            detail = str(failure).strip().splitlines()[0] if str(failure).strip() else ""
            raise SyncError("sync_unreachable", detail.replace(self.url, self.name)) from failure

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a broken connection: nothing to save
            self.conn.close()

    # -- statements -------------------------------------------------------------------

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgresql" else sql

    def execute(self, sql: str, params: Sequence[Any] = ()):
        with self.errors():
            return self.conn.execute(self._sql(sql), tuple(params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        with self.errors():
            if self.dialect == "sqlite":
                return self.conn.executemany(sql, rows).rowcount
            with self.conn.cursor() as cursor:
                cursor.executemany(self._sql(sql), list(rows))
                return cursor.rowcount

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict]:
        return [dict(r) for r in self.execute(sql, params).fetchall()]

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.execute(sql, params).fetchone()
        if row is None:
            return None
        return row[0] if self.dialect == "sqlite" else next(iter(row.values()))

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        """A connection that drops half-way is unreachable too: the caller retries later."""
        try:
            yield
        except sqlite3.OperationalError as failure:
            raise SyncError("sync_unreachable", failure) from failure
        except Exception as failure:
            if type(failure).__module__.startswith("psycopg") and _is_connection_failure(failure):
                raise SyncError("sync_unreachable", failure) from failure
            raise

    @contextlib.contextmanager
    def transaction(self, snapshot: bool = False) -> Iterator[OfficeDB]:
        """One write transaction, or with `snapshot` one consistent read."""
        if self.dialect == "postgresql":
            with self.errors(), self.conn.transaction():
                if snapshot:
                    self.conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                yield self
            return
        self.execute("BEGIN" if snapshot else "BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            with contextlib.suppress(sqlite3.Error):  # the failure itself is what we report
                self.conn.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def lock_events(self) -> None:
        """Pushes queue here (SQLite's BEGIN IMMEDIATE already does): office_seq = commit order."""
        if self.dialect == "postgresql":
            self.execute("LOCK TABLE events IN EXCLUSIVE MODE")

    def insert_events(self, rows: list[Sequence[Any]], received_utc: str) -> int:
        """Store events (EVENT_COLUMNS order) once each: a known UUID is skipped. Returns new rows."""
        columns = ", ".join(EVENT_COLUMNS)
        if self.dialect == "sqlite":
            marks = ", ".join("?" * (len(EVENT_COLUMNS) + 1))
            return self.executemany(
                f"INSERT INTO events ({columns}, received_utc) VALUES ({marks}) ON CONFLICT DO NOTHING",
                [(*r, received_utc) for r in rows])
        # COPY into a scratch table, then one INSERT … SELECT that skips what is there.
        with self.errors(), self.conn.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE incoming ON COMMIT DROP AS SELECT {columns}"
                           " FROM events WITH NO DATA")
            with cursor.copy(f"COPY incoming ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO events ({columns}, received_utc) SELECT {columns}, %s"
                           " FROM incoming ORDER BY device_id, device_seq ON CONFLICT DO NOTHING",
                           (received_utc,))
            return cursor.rowcount

    def insert_reports(self, rows: list[Sequence[Any]], received_utc: str) -> int:
        """Store a gate's reports (REPORT_COLUMNS order) once each by id. Returns new rows."""
        marks = ", ".join("?" * (len(REPORT_COLUMNS) + 1))
        return self.executemany(
            f"INSERT INTO gate_reports ({', '.join(REPORT_COLUMNS)}, received_utc) VALUES ({marks})"
            " ON CONFLICT DO NOTHING", [(*r, received_utc) for r in rows])

    def gate_reports(self, first: str, last: str, buildings: Sequence[str] | None = None) -> list[dict]:
        """Every gate's reports of local dates first..last (ISO), oldest first, for the merged
        log (an outsider's has no building: only an all-buildings view shows it)."""
        sql = ("SELECT device_id, at_local, local_date, kind, count, building, unit, room, note,"
               " operator, closes FROM gate_reports WHERE local_date >= ? AND local_date <= ?")
        params: list[Any] = [first, last]
        if buildings is not None:
            sql += f" AND building IN ({', '.join('?' * len(buildings))})"
            params += list(buildings)
        return self.query(sql + " ORDER BY at_utc, office_seq", params)

    # -- schema -----------------------------------------------------------------------

    def tables(self) -> set[str]:
        if self.dialect == "sqlite":
            rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table'")
            return {r["name"] for r in rows}
        rows = self.query("SELECT table_name FROM information_schema.tables"
                          " WHERE table_schema = current_schema()")
        return {r["table_name"] for r in rows}

    def schema_version(self) -> int:
        """0 for an empty database; SyncError for one that is not an office's."""
        tables = self.tables()
        if "office_schema" in tables:
            return int(self.scalar("SELECT MAX(version) FROM office_schema") or 0)
        if {"meta", "events", "passages"} <= tables:  # a gate's database given as the office's
            raise SyncError("gate_db_not_office", target=self.name)
        if tables:
            raise SyncError("sync_not_an_office", target=self.name)
        return 0

    def migrate(self) -> None:
        """Create or bring up to date the office schema; refuse one newer than this program."""
        with self.transaction():
            version = self.schema_version()
            if version > len(OFFICE_MIGRATIONS):
                raise SyncError("sync_office_too_new", f"schema {version} > {len(OFFICE_MIGRATIONS)}",
                                target=self.name)
            for number, script in enumerate(OFFICE_MIGRATIONS[version:], start=version + 1):
                for statement in script.format(**DIALECT_TYPES[self.dialect]).split(";"):
                    if statement.strip():
                        self.execute(statement)
                self.execute("DELETE FROM office_schema")
                self.execute("INSERT INTO office_schema (version) VALUES (?)", [number])
                log.info("office %s: schema %d", self.name, number)

    # -- the community ----------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM office_meta WHERE key = ?", [key])

    def community(self) -> Community | None:
        community_id = self.meta("community_id")
        if community_id is None:
            return None
        return Community(community_id, self.meta("community_name") or "", OFFICE_DEVICE)

    def office_id(self) -> str:
        """This office database's own identity: a replaced file or database is another office."""
        return self.meta("office_id") or ""

    def found(self, community_id: str, name: str, keys: dict[str, str], settings: dict[str, str],
              now: dt.datetime) -> None:
        """Write a new office's community, keys and settings (in the caller's transaction)."""
        stamp = utc_now_text(now)
        meta = {"office_id": str(uuid.uuid4()), "community_id": community_id,
                "community_name": name, "created_utc": stamp}
        self.executemany("INSERT INTO office_meta (key, value) VALUES (?, ?)", meta.items())
        version = self.bump_roster()
        self.executemany("INSERT INTO keys (key_id, public_key, created_utc, change_seq) VALUES (?, ?, ?, ?)",
                         [(k, v, stamp, version) for k, v in keys.items()])
        self.executemany("INSERT INTO settings (key, value) VALUES (?, ?)", settings.items())

    def bump_roster(self) -> int:
        """The next roster version; holds the roster_clock row until commit, so writers queue."""
        self.execute("UPDATE roster_clock SET version = version + 1 WHERE id = 1")
        return int(self.scalar("SELECT version FROM roster_clock WHERE id = 1"))

    def upsert_households(self, rows: list[dict], version: int) -> None:
        columns = (*HOUSEHOLD_COLUMNS, "change_seq")
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
        self.executemany(
            f"INSERT INTO households ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            f" ON CONFLICT (id) DO UPDATE SET {updates}",
            [(*(r.get(c) for c in HOUSEHOLD_COLUMNS), version) for r in rows])

    def upsert_cards(self, rows: list[dict], version: int) -> None:
        columns = (*CARD_COLUMNS, "change_seq")
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
        self.executemany(
            f"INSERT INTO cards ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            f" ON CONFLICT (serial) DO UPDATE SET {updates}",
            [(*(r.get(c) for c in CARD_COLUMNS), version) for r in revoked_first(rows)])

    def register_device(self, device_id: str, name: str, now: dt.datetime,
                        public_key: str | None = None) -> None:
        """A gate enrolled: its name and its device key's public key (never replaced once known)."""
        self.execute("INSERT INTO devices (device_id, name, enrolled_utc, head_hash, public_key)"
                     " VALUES (?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET name = excluded.name,"
                     " public_key = COALESCE(devices.public_key, excluded.public_key)",
                     [device_id, name, utc_now_text(now), GENESIS, public_key])

    def issues(self, device_id: str | None = None) -> list[dict]:
        sql, params = "SELECT * FROM device_issues", []
        if device_id is not None:
            sql, params = sql + " WHERE device_id = ?", [device_id]
        return self.query(sql + " ORDER BY id", params)

    def device_status(self) -> list[dict]:
        """Each device the office knows, with its head and the events it holds (`office status`)."""
        return self.query(
            "SELECT d.device_id, d.name, d.last_push_utc, d.head_seq,"
            " (SELECT COUNT(*) FROM events e WHERE e.device_id = d.device_id) AS events"
            " FROM devices d ORDER BY d.device_id")

    # -- what data/sync.py asks of the office (issue 12: the office database has one owner)

    def public_keys(self) -> dict[str, str]:
        """The community's public keys, oldest first: an enrolling gate's first key is the first."""
        return {r["key_id"]: r["public_key"] for r in self.query("SELECT * FROM keys ORDER BY created_utc")}

    def settings(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self.query("SELECT key, value FROM settings")}

    def add_device(self, device_id: str) -> None:
        """A device the office has not heard of yet (it pushes before it was enrolled here)."""
        self.execute("INSERT INTO devices (device_id, head_hash) VALUES (?, ?)", [device_id, GENESIS])

    def device_key(self, device_id: str) -> dict | None:
        """The device's `public_key` (None until learnt) and `signed_from_seq`; None for an unknown device."""
        rows = self.query("SELECT public_key, signed_from_seq FROM devices WHERE device_id = ?", [device_id])
        return rows[0] if rows else None

    def learn_device_key(self, device_id: str, public_key: str, signed_from_seq: int) -> None:
        self.execute("UPDATE devices SET public_key = ?, signed_from_seq = ? WHERE device_id = ?",
                     [public_key, signed_from_seq, device_id])

    def device_keys_except(self, device_id: str) -> list[dict]:
        """The other devices' `device_id`, `public_key`, `signed_from_seq` and `name`: what a
        gate pins (and the names its already_out verdicts show)."""
        return self.query("SELECT device_id, public_key, signed_from_seq, name FROM devices"
                          " WHERE device_id <> ?", [device_id])

    def device_name(self, device_id: str) -> str:
        """The gate's name at the office ("" if it has none, or is not known)."""
        return str(self.scalar("SELECT name FROM devices WHERE device_id = ?", [device_id]) or "")

    def device_head(self, device_id: str) -> dict | None:
        """The device's `head_seq` and `head_hash` as the office last checked them; None if unknown."""
        rows = self.query("SELECT head_seq, head_hash FROM devices WHERE device_id = ?", [device_id])
        return rows[0] if rows else None

    def move_head(self, device_id: str, head_seq: int, head_hash: str, pushed_utc: str) -> None:
        self.execute("UPDATE devices SET head_seq = ?, head_hash = ?, last_push_utc = ? WHERE device_id = ?",
                     [head_seq, head_hash, pushed_utc, device_id])

    def event_ids_between(self, device_id: str, first_seq: int, last_seq: int) -> set[str]:
        """The UUIDs of the device's events the office holds with device_seq in [first, last]."""
        return {r["id"] for r in self.query(
            "SELECT id FROM events WHERE device_id = ? AND device_seq BETWEEN ? AND ?",
            [device_id, first_seq, last_seq])}

    def record_issues(self, issues: list[dict], detected_utc: str) -> None:
        """Rows for device_issues (device_id, kind, first_seq, last_seq, detail)."""
        self.executemany(
            "INSERT INTO device_issues (device_id, kind, first_seq, last_seq, detail, detected_utc)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(i["device_id"], i["kind"], i["first_seq"], i["last_seq"], i["detail"], detected_utc)
             for i in issues])

    def record_forged(self, device_id: str, device_seq: int, event_id: str, detected_utc: str) -> None:
        """A forged event's issue, once per event however often the gate tries again."""
        if not self.query("SELECT 1 FROM device_issues WHERE device_id = ? AND kind = 'forged'"
                          " AND detail = ?", [device_id, event_id]):
            self.execute("INSERT INTO device_issues (device_id, kind, first_seq, last_seq, detail,"
                         " detected_utc) VALUES (?, 'forged', ?, ?, ?, ?)",
                         [device_id, device_seq, device_seq, event_id, detected_utc])

    def roster_version(self) -> int:
        return int(self.scalar("SELECT version FROM roster_clock WHERE id = 1"))

    def roster_changes_after(self, version: int) -> tuple[list[dict], list[dict], list[dict]]:
        """Keys, households and cards changed after roster `version` (call in one snapshot)."""
        keys = self.query("SELECT key_id, public_key, created_utc FROM keys WHERE change_seq > ?",
                          [version])
        households = self.query(f"SELECT {', '.join(HOUSEHOLD_COLUMNS)} FROM households"
                                " WHERE change_seq > ?", [version])
        cards = self.query(f"SELECT {', '.join(CARD_COLUMNS)} FROM cards WHERE change_seq > ?",
                           [version])
        return keys, households, cards

    def operators_after(self, version: int) -> list[dict]:
        """The operators defined here and changed after roster `version` (PIN hashes only)."""
        return self.query("SELECT name, role, buildings, pin_hash, active, updated_utc FROM operators"
                          " WHERE change_seq > ? ORDER BY name", [version])

    def newest_event_seq(self) -> int:
        """The office_seq of the newest event (0: none). Pushes commit in office_seq order
        (lock_events), so every event up to it is committed and none below it comes later."""
        return int(self.scalar("SELECT MAX(office_seq) FROM events") or 0)

    def count_events_after(self, office_seq: int, not_device: str, up_to: int) -> int:
        """How many events in (`office_seq`, `up_to`] other devices than `not_device` recorded."""
        return int(self.scalar("SELECT COUNT(*) FROM events WHERE office_seq > ? AND office_seq <= ?"
                               " AND device_id <> ?", [office_seq, up_to, not_device]) or 0)

    def events_after(self, office_seq: int, not_device: str, limit: int, up_to: int) -> list[dict]:
        """The next `limit` such events, oldest first, with their office_seq and EVENT_COLUMNS."""
        return self.query(f"SELECT office_seq, {', '.join(EVENT_COLUMNS)} FROM events"
                          " WHERE office_seq > ? AND office_seq <= ? AND device_id <> ?"
                          " ORDER BY office_seq LIMIT ?", [office_seq, up_to, not_device, limit])

    # -- the community's merged log: `kiosk office export` (data/export/office_log.py)
    # Read-only queries in the SQL both dialects share (no boolean SUM, no CAST of a
    # building name: "2" sorts before "10" by length, then text).

    def _log_where(self, first: dt.date, last: dt.date, buildings: tuple[str, ...] | None,
                   gates: bool = False) -> tuple[str, list[Any]]:
        gate = " LEFT JOIN devices d ON d.device_id = e.device_id" if gates else ""
        sql = (f"FROM events e LEFT JOIN households h ON h.id = e.household_id{gate}"
               " WHERE e.local_date BETWEEN ? AND ?")
        params: list[Any] = [first.isoformat(), last.isoformat()]
        if buildings is not None:
            sql += f" AND h.building IN ({', '.join('?' * len(buildings))})"
            params += list(buildings)
        return sql, params

    def log_rows(self, first: dt.date, last: dt.date, buildings: tuple[str, ...] | None,
                 batch: int = 2000) -> Iterator[tuple]:
        """Every gate's events of the local dates first..last, in time order, streamed as tuples
        (date, time, gate, direction, building, unit, room, kind, serial, decision, reason,
        temp_first, temp_second, operator, override_of, override_reason, exit_reason, head,
        phone, mask, source); the gate is its name at the office, or its device id when it has
        none."""
        where, params = self._log_where(first, last, buildings, gates=True)
        sql = ("SELECT e.local_date, substr(e.at_local, 12, 8), coalesce(NULLIF(d.name, ''), e.device_id),"
               " e.direction,"
               " h.building, h.unit, h.room, e.kind, e.serial, e.decision, e.reason,"
               " e.temp_first, e.temp_second, e.operator, e.override_of, e.override_reason,"
               " e.exit_reason, h.head, h.phone, e.mask, e.source"
               f" {where}"
               " ORDER BY e.at_utc, e.device_id, e.device_seq")
        with self.errors():
            if self.dialect == "sqlite":
                cursor = self.conn.cursor()
                cursor.row_factory = None
                cursor.execute(sql, params)
                while rows := cursor.fetchmany(batch):
                    yield from rows
                return
            from psycopg.rows import tuple_row

            # a server-side cursor: a month of a district is not held in memory
            with (self.conn.transaction(),
                  self.conn.cursor(name="office_log", row_factory=tuple_row) as cursor):
                cursor.itersize = batch
                cursor.execute(self._sql(sql), params)
                yield from cursor

    def _tuples(self, sql: str, params: Sequence[Any]) -> list[tuple]:
        """Rows as tuples: PostgreSQL's dict rows would merge columns of one name (?column?)."""
        with self.errors():
            if self.dialect == "sqlite":
                return [tuple(r) for r in self.conn.execute(sql, tuple(params)).fetchall()]
            from psycopg.rows import tuple_row

            with self.conn.cursor(row_factory=tuple_row) as cursor:
                cursor.execute(self._sql(sql), tuple(params))
                return cursor.fetchall()

    def log_count(self, first: dt.date, last: dt.date, buildings: tuple[str, ...] | None) -> int:
        where, params = self._log_where(first, last, buildings)
        return int(self.scalar(f"SELECT COUNT(*) {where}", params) or 0)

    def log_has_mask(self, first: dt.date, last: dt.date, buildings: tuple[str, ...] | None) -> bool:
        """Does any event of the merged log carry a mask answer (some gate checks masks)?"""
        where, params = self._log_where(first, last, buildings)
        return self.scalar(f"SELECT 1 {where} AND e.mask IS NOT NULL LIMIT 1", params) is not None

    def log_reports(self, first: dt.date, last: dt.date, buildings: tuple[str, ...] | None,
                    limit: int = 2000) -> tuple[int, list[tuple]]:
        """Every gate's reports of the local dates first..last but the "collected" ones, for the
        merged log: how many, and the first `limit` oldest first as (date, time, gate, kind,
        building, unit, room, count, note, operator, collected at (local ISO), collected by).
        A report with no flat (an outsider, a crowd) only with no building asked for."""
        sql = ("FROM gate_reports r LEFT JOIN gate_reports c ON c.closes = r.id"
               " LEFT JOIN devices d ON d.device_id = r.device_id"
               " WHERE r.local_date BETWEEN ? AND ? AND r.kind <> 'collected'")
        params: list[Any] = [first.isoformat(), last.isoformat()]
        if buildings is not None:
            sql += f" AND r.building IN ({', '.join('?' * len(buildings))})"
            params += list(buildings)
        count = int(self.scalar(f"SELECT COUNT(*) {sql}", params) or 0)
        rows = self._tuples(
            "SELECT r.local_date, substr(r.at_local, 12, 5), coalesce(NULLIF(d.name, ''), r.device_id),"
            " r.kind, r.building, r.unit, r.room, r.count, r.note, r.operator, c.at_local, c.operator"
            f" {sql} ORDER BY r.at_utc, r.office_seq LIMIT {int(limit)}", params)
        return count, rows

    def log_outsiders(self, first: dt.date, last: dt.date) -> list[tuple]:
        """(date, gate, people) of the outsiders refused, per gate and local day, by date then
        gate: every building (an outsider has no flat)."""
        return self._tuples(
            "SELECT r.local_date, coalesce(NULLIF(d.name, ''), r.device_id), SUM(r.count)"
            " FROM gate_reports r LEFT JOIN devices d ON d.device_id = r.device_id"
            " WHERE r.local_date BETWEEN ? AND ? AND r.kind = 'outsider_refused'"
            " GROUP BY r.local_date, coalesce(NULLIF(d.name, ''), r.device_id)"
            " ORDER BY r.local_date, coalesce(NULLIF(d.name, ''), r.device_id)",
            [first.isoformat(), last.isoformat()])

    def log_figures(self, first: dt.date, last: dt.date, buildings: tuple[str, ...] | None,
                    limit: int = 2000) -> dict[str, Any]:
        """The summary of the merged log: counts, denials by reason, fevers with their retest,
        overrides, allowed passages per local hour, per-unit totals (lists as tuples)."""
        where, params = self._log_where(first, last, buildings)
        exits = "e.decision = 'allow' AND e.direction = 'out'"
        entries = "e.decision = 'allow' AND e.direction = 'in'"

        def rows(sql: str) -> list[tuple]:
            return self._tuples(sql, params)

        def one(sql: str) -> int:
            return int(self.scalar(sql, params) or 0)

        flat = "h.building, h.unit, h.room"
        retest = ("FROM events r WHERE r.serial = e.serial AND r.at_utc > e.at_utc"
                  " AND r.temp_second IS NOT NULL AND r.reason <> 'retest_too_soon'"
                  " ORDER BY r.at_utc LIMIT 1")
        return {
            "scans": one(f"SELECT COUNT(*) {where}"),
            "exits": one(f"SELECT COUNT(*) {where} AND {exits}"),
            "entries": one(f"SELECT COUNT(*) {where} AND {entries}"),
            "exit_households": one(f"SELECT COUNT(DISTINCT e.household_id) {where} AND {exits}"),
            # by source too: a typed number that is no card is a slip (kiosk.model.is_slip)
            "denials": rows(f"SELECT e.reason, e.source, COUNT(*) {where} AND e.decision <> 'allow'"
                            " GROUP BY e.reason, e.source"),
            "fevers": rows(f"SELECT e.local_date, substr(e.at_local, 12, 5), {flat}, e.temp_first,"
                           f" (SELECT r.temp_second {retest}), (SELECT r.reason {retest})"
                           f" {where} AND e.reason = 'fever_retest' ORDER BY e.at_utc LIMIT {limit}"),
            "fever_count": one(f"SELECT COUNT(*) {where} AND e.reason = 'fever_retest'"),
            "overrides": rows(f"SELECT e.local_date, substr(e.at_local, 12, 5), {flat}, e.operator,"
                              f" e.override_reason {where} AND e.override_of IS NOT NULL"
                              f" ORDER BY e.at_utc LIMIT {limit}"),
            "override_count": one(f"SELECT COUNT(*) {where} AND e.override_of IS NOT NULL"),
            "hourly": rows(f"SELECT CAST(substr(e.at_local, 12, 2) AS INTEGER), e.direction, COUNT(*)"
                           f" {where} AND e.decision = 'allow'"
                           " GROUP BY CAST(substr(e.at_local, 12, 2) AS INTEGER), e.direction"),
            "fever_hours": rows(f"SELECT substr(e.at_local, 12, 5) {where}"
                                " AND e.reason IN ('fever_retest', 'fever_confirmed')"
                                " AND e.override_of IS NULL"
                                f" ORDER BY e.at_utc LIMIT {limit}"),
            "units": rows(f"SELECT h.building, h.unit, SUM(CASE WHEN {exits} THEN 1 ELSE 0 END),"
                          f" COUNT(DISTINCT CASE WHEN {exits} THEN e.household_id END),"
                          f" SUM(CASE WHEN {entries} THEN 1 ELSE 0 END),"
                          f" SUM(CASE WHEN e.decision = 'deny' AND NOT {slip_sql('e')} THEN 1 ELSE 0 END),"
                          " COUNT(DISTINCT CASE WHEN e.reason = 'fever_retest' THEN e.serial END)"
                          f" {where} AND h.building IS NOT NULL GROUP BY h.building, h.unit"
                          " ORDER BY length(h.building), h.building, length(h.unit), h.unit"),
        }

    # -- the office screen (issue 15: `kiosk office gui`, data/office_admin.py)
    # The same columns and order as log_rows, addressed by office_seq: the screen's lazy
    # table holds the day's seqs and reads 200 rows at a time.

    _SCREEN_ROW = ("SELECT e.office_seq, e.local_date, substr(e.at_local, 12, 8),"
                   " coalesce(NULLIF(d.name, ''), e.device_id), e.direction, h.building, h.unit, h.room,"
                   " e.kind, e.serial, e.decision, e.reason,"
                   " e.temp_first, e.temp_second, e.operator, e.override_of, e.override_reason,"
                   " e.exit_reason, h.head, h.phone, e.mask, e.source")

    def day_seqs(self, day: dt.date, buildings: tuple[str, ...] | None, direction: str | None,
                 decision: str | None) -> list[int]:
        """The office_seqs of one local day's events of every gate, in time order; `decision`
        "slip" is the volunteers' slips, "deny" the rules' denials only (kiosk.model.is_slip)."""
        from data.store_log import slip_sql

        where, params = self._log_where(day, day, buildings)
        if direction:
            where += " AND e.direction = ?"
            params.append(direction)
        if decision == "slip":
            where += f" AND e.decision = 'deny' AND {slip_sql()}"
        elif decision == "deny":
            where += f" AND e.decision = 'deny' AND NOT {slip_sql()}"
        elif decision:
            where += " AND e.decision = ?"
            params.append(decision)
        return [int(r[0]) for r in self._tuples(
            f"SELECT e.office_seq {where} ORDER BY e.at_utc, e.device_id, e.device_seq", params)]

    def rows_at(self, seqs: Sequence[int]) -> list[tuple]:
        """The rows of these office_seqs: (office_seq, *log_rows' columns)."""
        if not seqs:
            return []
        marks = ", ".join("?" * len(seqs))
        return self._tuples(
            f"{self._SCREEN_ROW} FROM events e LEFT JOIN households h ON h.id = e.household_id"
            f" LEFT JOIN devices d ON d.device_id = e.device_id WHERE e.office_seq IN ({marks})",
            list(seqs))

    def day_incidents(self, day: dt.date, buildings: tuple[str, ...] | None) -> list[tuple]:
        """Every gate's fevers, forged, revoked and foreign cards and overrides of the day:
        (local time, reason, is an override, building, unit, room, serial, first and second
        reading, override reason, operator, gate), in time order."""
        where, params = self._log_where(day, day, buildings, gates=True)
        return self._tuples(
            "SELECT substr(e.at_local, 12, 8), e.reason,"
            " CASE WHEN e.override_of IS NULL THEN 0 ELSE 1 END, h.building, h.unit, h.room, e.serial,"
            " e.temp_first, e.temp_second, e.override_reason, e.operator,"
            f" coalesce(NULLIF(d.name, ''), e.device_id) {where}"
            " AND (e.override_of IS NOT NULL OR e.reason IN"
            " ('fever_retest', 'fever_confirmed', 'bad_signature', 'revoked', 'wrong_community'))"
            " ORDER BY e.at_utc", params)

    def building_names(self) -> list[str]:
        return [r[0] for r in self._tuples(
            "SELECT DISTINCT building FROM households WHERE left_utc IS NULL", [])]


def revoked_first(cards: list[dict]) -> list[dict]:
    """Card rows in an order the one-life-card index accepts row by row: a re-issued life
    card's lost row is revoked before its replacement becomes active."""
    return sorted(cards, key=lambda row: row["status"] != "revoked")


def _is_integrity_failure(failure: Exception) -> bool:
    if isinstance(failure, sqlite3.IntegrityError):
        return True
    if type(failure).__module__.startswith("psycopg"):
        import psycopg

        return isinstance(failure, psycopg.IntegrityError)
    return False


def _is_connection_failure(failure: Exception) -> bool:
    import psycopg

    return isinstance(failure, psycopg.OperationalError | psycopg.InterfaceError)


def open_office(url: str, create: bool = False) -> OfficeDB:
    """Connect and bring the schema up to date. With `create`, an empty target gets one."""
    office = OfficeDB(url)
    try:
        if office.schema_version() == 0 and not create:
            raise SyncError("sync_no_office", target=office.name)
        office.migrate()
    except BaseException:
        office.close()
        raise
    return office


class OfficeStore:
    """The office's roster, shaped like the gate's store where the card office needs it.

    `kiosk.office.CardOffice` issues and revokes cards through it, so the signing key stays
    on the office machine and a gate only ever receives public keys.
    """

    def __init__(self, office: OfficeDB):
        self.office = office
        community = office.community()
        if community is None:
            raise SyncError("sync_no_office", target=office.name)
        self._community = community
        self._in_atomic = False

    def close(self) -> None:
        self.office.close()

    def community(self) -> Community:
        return self._community

    def public_keys(self) -> dict[str, str]:
        return {r["key_id"]: r["public_key"] for r in self.office.query("SELECT * FROM keys")}

    def settings(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self.office.query("SELECT key, value FROM settings")}

    def set_setting(self, key: str, value: str) -> None:
        with self.office.transaction():
            self.office.execute("INSERT INTO settings (key, value) VALUES (?, ?)"
                                " ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])

    def household(self, household_id: str) -> Household | None:
        rows = self.office.query("SELECT * FROM households WHERE id = ?", [household_id])
        return _household(rows[0]) if rows else None

    def households(self, building: str | None = None, include_left: bool = False) -> list[Household]:
        """The roster's households (by flat); those that left it only with `include_left`."""
        sql, params = "SELECT * FROM households", []
        clauses = [] if include_left else ["left_utc IS NULL"]
        if building is not None:
            clauses, params = [*clauses, "building = ?"], [building]
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        return [_household(r) for r in self.office.query(sql + " ORDER BY building, unit, room", params)]

    def left_household_ids(self) -> set[str]:
        return {r["id"] for r in self.office.query("SELECT id FROM households WHERE left_utc IS NOT NULL")}

    def apply_roster_plan(self, plan: Any, now: dt.datetime, new_id: Any) -> int:
        """A roster update (kiosk.roster_plan.RosterPlan), all or nothing in one office
        transaction, as one roster version the gates pull: as data.store.SqliteStore's.
        Returns the cards revoked. data.store.Conflict when a flat clashes."""
        from data.store import Conflict

        stamp = utc_now_text(now)
        try:
            with self.atomic():
                version = self.office.bump_roster()
                for _, new in plan.moved:  # off their old flats first, so two may swap
                    self.office.execute("UPDATE households SET room = ? WHERE id = ?",
                                        [f"{new.room}~{new.id}", new.id])
                for _, new in plan.moved:  # their printed cards show the old flat: print again
                    self.office.execute("DELETE FROM card_prints WHERE serial IN (SELECT serial FROM"
                                        " cards WHERE household_id = ?)", [new.id])
                for _, new in [*plan.moved, *plan.changed]:
                    self.office.execute(
                        "UPDATE households SET building = ?, unit = ?, room = ?, head = ?, phone = ?,"
                        " members = ?, left_utc = NULL, change_seq = ? WHERE id = ?",
                        [new.building, new.unit, new.room, new.head, new.phone, new.members, version,
                         new.id])
                revoked = 0
                for gone in plan.removed:
                    self.office.execute("UPDATE households SET left_utc = ?, change_seq = ? WHERE id = ?",
                                        [stamp, version, gone.id])
                    revoked += self.office.execute(
                        "UPDATE cards SET status = 'revoked', updated_utc = ?, change_seq = ?"
                        " WHERE household_id = ? AND status != 'revoked'",
                        [stamp, version, gone.id]).rowcount
                taken = {r["id"] for r in self.office.query("SELECT id FROM households")}
                rows = []
                for h in plan.added:
                    hid = h.id
                    while hid in taken:  # drawn again, inside the transaction
                        hid = new_id()
                    taken.add(hid)
                    rows.append({"id": hid, "building": h.building, "unit": h.unit, "room": h.room,
                                 "head": h.head, "phone": h.phone, "members": h.members,
                                 "created_utc": stamp})
                self.office.upsert_households(rows, version)
        except Exception as clash:
            if _is_integrity_failure(clash):
                raise Conflict(str(clash)) from None
            raise
        return revoked

    # -- the office's own work (issue 15: `kiosk office ...`) -------------------------

    def printed_serials(self) -> set[str]:
        """The cards `office cards print` has put on a sheet (`--new` prints the others)."""
        return {r["serial"] for r in self.office.query("SELECT serial FROM card_prints")}

    def mark_printed(self, serials: list[str], now: dt.datetime) -> None:
        with self.office.transaction():
            self.office.executemany(
                "INSERT INTO card_prints (serial, printed_utc) VALUES (?, ?)"
                " ON CONFLICT (serial) DO UPDATE SET printed_utc = excluded.printed_utc",
                [(s, utc_now_text(now)) for s in serials])

    def audit(self, operator: str, action: str, target: str = "", details: dict | None = None,
              now: dt.datetime | None = None) -> None:
        """The office database has no audit log (data.cardsheet calls this after a print)."""

    def operator_pepper(self) -> bytes:
        """The pepper of the operators defined at the office, made at the first one. It is in
        the office database so that each gate can receive it with the operators; a gate
        keeps it in a file beside its database, never in it (docs/leads-and-office.md)."""
        import secrets

        with self.atomic():
            text = self.office.meta("operator_pepper")
            if text is None:
                text = secrets.token_bytes(32).hex()
                self.office.execute("INSERT INTO office_meta (key, value) VALUES (?, ?)",
                                    ["operator_pepper", text])
        return bytes.fromhex(text)

    def operators(self) -> list[StoredOperator]:
        from kiosk.operators import Operator, Role, StoredOperator

        return [StoredOperator(Operator(r["name"], Role(r["role"]), tuple(json.loads(r["buildings"]))),
                               r["pin_hash"], bool(r["active"]))
                for r in self.office.query("SELECT * FROM operators ORDER BY name")]

    def save_operator(self, name: str, now: dt.datetime, **changes: Any) -> None:
        """Insert an operator (every column in `changes`) or change some of its columns, as a
        roster change the gates pull."""
        with self.atomic():
            version = self.office.bump_roster()
            stamp = utc_now_text(now)
            if self.office.query("SELECT 1 FROM operators WHERE name = ?", [name]):
                sets = ", ".join(f"{column} = ?" for column in changes)
                self.office.execute(f"UPDATE operators SET {sets}, updated_utc = ?, change_seq = ?"
                                    " WHERE name = ?", [*changes.values(), stamp, version, name])
            else:
                self.office.execute(
                    "INSERT INTO operators (name, role, buildings, pin_hash, active, updated_utc,"
                    " change_seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [name, changes["role"], changes["buildings"], changes["pin_hash"],
                     changes.get("active", 1), stamp, version])

    def device_status(self) -> list[dict]:
        return self.office.device_status()

    def issues(self) -> list[dict]:
        return self.office.issues()

    def status_counts(self, local_date: str) -> dict[str, Any]:
        """What `office status` shows besides the devices: households, cards by kind and
        status, and each device's events of the local date."""
        households = int(self.office.scalar("SELECT COUNT(*) FROM households WHERE left_utc IS NULL") or 0)
        cards: dict[str, dict[str, int]] = {}
        for r in self.office.query("SELECT kind, status, COUNT(*) AS n FROM cards GROUP BY kind, status"):
            cards.setdefault(r["kind"], {})[r["status"]] = int(r["n"])
        today = {r["device_id"]: int(r["n"]) for r in self.office.query(
            "SELECT device_id, COUNT(*) AS n FROM events WHERE local_date = ? GROUP BY device_id",
            [local_date])}
        return {"households": households, "cards": cards, "events_today": today}

    def add_households(self, households: Iterable[Household], now: dt.datetime) -> None:
        """All or none: a flat already registered refuses the whole batch (data.store.Conflict)."""
        from data.store import Conflict

        stamp = utc_now_text(now)
        rows = [{"id": h.id, "building": h.building, "unit": h.unit, "room": h.room, "head": h.head,
                 "phone": h.phone, "members": h.members, "created_utc": stamp} for h in households]
        flats = {(r["building"], r["unit"], r["room"]) for r in rows}
        with self.office.transaction():
            taken = [h for h in self.households() if (h.building, h.unit, h.room) in flats]
            if taken or len(flats) != len(rows):
                raise Conflict(", ".join(h.flat for h in taken) or "duplicate flat")
            self.office.upsert_households(rows, self.office.bump_roster())

    def card(self, serial: str) -> Card | None:
        rows = self.office.query("SELECT * FROM cards WHERE serial = ?", [serial])
        return _card(rows[0]) if rows else None

    def cards(self, household_id: str | None = None) -> list[Card]:
        sql, params = "SELECT * FROM cards", []
        if household_id is not None:
            sql, params = sql + " WHERE household_id = ?", [household_id]
        return [_card(r) for r in self.office.query(sql + " ORDER BY household_id, kind, serial", params)]

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """One office transaction that save_card joins (kiosk.office.RosterStore)."""
        if self._in_atomic:
            yield
            return
        self._in_atomic = True
        try:
            with self.office.transaction():
                yield
        finally:
            self._in_atomic = False

    def save_card(self, card: Card, now: dt.datetime) -> None:
        """Insert or replace the card's row; CardConflict when a unique rule refuses it."""
        from kiosk.office import CardConflict

        row = {"serial": card.serial, "household_id": card.household_id, "kind": card.kind.value,
               "generation": card.generation, "valid_from": card.valid_from.isoformat(),
               "valid_to": card.valid_to.isoformat(), "status": card.status.value,
               "holder": card.holder, "updated_utc": utc_now_text(now),
               "replaced_by": card.replaced_by, "lineage": card.line}
        try:
            with self.atomic():
                self.office.upsert_cards([row], self.office.bump_roster())
        except Exception as clash:
            if _is_integrity_failure(clash):
                raise CardConflict(str(clash)) from None
            raise

    def carry_passage(self, old_serial: str, new_serial: str) -> None:
        """The office keeps no passages: each gate carries them over when it pulls the
        replacement (data.sync._pull_roster)."""

    def audit_line(self, operator: str, action: str, target: str, details: dict | None,
                   now: dt.datetime) -> None:
        """The office database has no audit log: its card work is the office's to log."""


class OfficeOperatorStore:
    """kiosk.operators.OperatorStore over the office database: operators are added, given
    a PIN and deactivated here, and reach the gates with the roster. No one signs in at
    the office database, so the PIN guard is the gates' alone; no audit log here."""

    def __init__(self, store: OfficeStore):
        self.store = store

    def operators(self) -> list[StoredOperator]:
        return self.store.operators()

    def add_operator(self, stored: StoredOperator, audit: AuditEntry) -> None:
        op = stored.operator
        self.store.save_operator(op.name, audit.at_utc, role=op.role.value,
                                 buildings=json.dumps(list(op.buildings), ensure_ascii=False),
                                 pin_hash=stored.pin_hash, active=int(stored.active))

    def set_operator_active(self, name: str, active: bool, audit: AuditEntry) -> None:
        self.store.save_operator(name, audit.at_utc, active=int(active))

    def set_pin_hash(self, name: str, pin_hash: str, audit: AuditEntry) -> None:
        self.store.save_operator(name, audit.at_utc, pin_hash=pin_hash)

    def pin_failures(self) -> tuple[int, dt.datetime | None]:
        return 0, None

    def count_pin_attempt(self, now: dt.datetime, wait_after: Callable[[int], dt.timedelta]) -> PinAttempt:
        from kiosk.operators import PinAttempt

        return PinAttempt(0, None, False)

    def pin_accepted(self, audit: AuditEntry, rehash: tuple[str, str] | None) -> None:
        """Nothing to clear: no one signs in at the office database."""

    def audit(self, operator: str, action: str, target: str = "", details: dict[str, Any] | None = None,
              now: dt.datetime | None = None) -> None:
        """The office database has no audit log."""


def _household(row: dict) -> Household:
    return Household(row["id"], row["building"], row["unit"], row["room"], row["head"], row["phone"],
                     row["members"])


def _card(row: dict) -> Card:
    return Card(serial=row["serial"], household_id=row["household_id"], kind=CardKind(row["kind"]),
                generation=row["generation"], valid_from=dt.date.fromisoformat(row["valid_from"]),
                valid_to=dt.date.fromisoformat(row["valid_to"]), status=CardStatus(row["status"]),
                holder=row["holder"], replaced_by=row.get("replaced_by"),
                lineage=row.get("lineage") or row["serial"])
