"""The schema, changed only by numbered migrations that run at start-up.

`PRAGMA user_version` holds the number of the last migration applied. A database newer
than this code refuses to open rather than be written by code that does not know it.
Each migration runs in the same transaction as the version bump.
"""
from __future__ import annotations

import sqlite3

from kiosk.ports import StorageError

MIGRATIONS: list[str] = [
    # 1: the gate core
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE keys (
        key_id TEXT PRIMARY KEY,
        public_key TEXT NOT NULL,
        created_utc TEXT NOT NULL
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
        UNIQUE (building, unit, room)
    );
    CREATE INDEX households_building ON households (building);
    CREATE TABLE cards (
        serial TEXT PRIMARY KEY,
        household_id TEXT NOT NULL REFERENCES households (id),
        kind TEXT NOT NULL CHECK (kind IN ('life', 'work', 'special')),
        generation INTEGER NOT NULL CHECK (generation >= 1),
        valid_from TEXT NOT NULL,
        valid_to TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'suspended')),
        holder TEXT NOT NULL DEFAULT '',
        updated_utc TEXT NOT NULL
    );
    CREATE INDEX cards_household ON cards (household_id, kind);
    -- The event log: append-only. `seq` is this database's own order (the sync outbox
    -- walks it); `id` is the event's identity everywhere else.
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        device_id TEXT NOT NULL,
        device_seq INTEGER NOT NULL,
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
        temp_first REAL,
        temp_second REAL,
        exit_reason TEXT,
        operator TEXT NOT NULL DEFAULT '',
        override_of TEXT,
        override_reason TEXT,
        payload_digest TEXT,
        verdict TEXT,
        prev_hash TEXT NOT NULL,
        chain_hash TEXT NOT NULL,
        UNIQUE (device_id, device_seq)
    );
    CREATE INDEX events_card ON events (serial, at_utc);
    CREATE INDEX events_household_exits ON events (household_id, kind, at_utc)
        WHERE decision = 'allow' AND direction = 'out';
    CREATE INDEX events_reason ON events (reason, at_utc);
    CREATE INDEX events_day ON events (local_date);
    CREATE TRIGGER events_append_only BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    -- Deleting is the retention purge's job alone: it sets meta 'purging' in its transaction.
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    WHEN (SELECT value FROM meta WHERE key = 'purging') IS NULL
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    -- Each card's last allowed passage: anti-passback and "who is out now" read it.
    CREATE TABLE passages (
        serial TEXT PRIMARY KEY,
        direction TEXT NOT NULL,
        at_utc TEXT NOT NULL,
        event_id TEXT NOT NULL
    );
    CREATE TABLE incidents (
        id INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL REFERENCES events (id),
        kind TEXT NOT NULL,
        at_utc TEXT NOT NULL,
        local_date TEXT NOT NULL
    );
    CREATE INDEX incidents_day ON incidents (local_date);
    -- The sync outbox: per target, the highest local seq the target has acknowledged.
    CREATE TABLE sync_targets (
        target TEXT PRIMARY KEY,
        acked_seq INTEGER NOT NULL DEFAULT 0,
        last_success_utc TEXT,
        last_error TEXT
    );
    """,
    # 2: operators, the PIN lock-out and the audit log (issue 5: leads and the office)
    """
    CREATE TABLE operators (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('volunteer', 'lead', 'admin')),
        buildings TEXT NOT NULL DEFAULT '[]',
        pin_hash TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        created_utc TEXT NOT NULL,
        updated_utc TEXT NOT NULL
    );
    -- One row: the PIN lock-out is the gate's, since a PIN alone names its operator.
    CREATE TABLE pin_guard (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until_utc TEXT
    );
    INSERT INTO pin_guard (id, failures) VALUES (1, 0);
    -- Who did what: exports, overrides, card and setting changes, logins. Append-only.
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at_utc TEXT NOT NULL,
        operator TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        details TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX audit_time ON audit (at_utc);
    CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    -- The daily log by building: a day's events of the households of one building.
    CREATE INDEX events_day_household ON events (local_date, household_id);
    """,
    # 3: sync with the office (issue 6): per target, which office it was (a replaced office
    # file starts over), the roster version and the office event number pulled so far.
    """
    ALTER TABLE sync_targets ADD COLUMN office_id TEXT;
    ALTER TABLE sync_targets ADD COLUMN roster_cursor INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sync_targets ADD COLUMN events_cursor INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sync_targets ADD COLUMN last_attempt_utc TEXT;
    CREATE INDEX incidents_event ON incidents (event_id, kind);
    """,
    # 4: fewer index pages written by each scan's commit. events_day is the prefix of
    # events_day_household; the reason index served only the fever retest queue, which a
    # partial index of the fever readings serves alone (touched by fever scans only).
    """
    DROP INDEX events_day;
    DROP INDEX events_reason;
    CREATE INDEX events_fever_waits ON events (at_utc) WHERE reason = 'fever_retest';
    """,
    # 5: a denial is overridden at most once: find an override by the event it lets through.
    """
    CREATE INDEX events_overrides ON events (override_of) WHERE override_of IS NOT NULL;
    """,
    # 6 (issue 13): a re-issued card is a new card. The lost one is revoked and names
    # its replacement (replaced_by); both keep the first card's serial as their lineage.
    # One life card per household, enforced by the database: households that already hold
    # two (the check-then-insert race of issue 13) keep their first-issued card, the others
    # are revoked here, each with an audit line.
    """
    ALTER TABLE cards ADD COLUMN replaced_by TEXT;
    ALTER TABLE cards ADD COLUMN lineage TEXT;
    UPDATE cards SET lineage = serial;
    CREATE INDEX cards_lineage ON cards (lineage);
    INSERT INTO audit (at_utc, operator, action, target, details)
        SELECT strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'), 'migration', 'card_revoke', serial,
               '{"reason": "second_life_card"}'
        FROM cards WHERE kind = 'life' AND status != 'revoked' AND EXISTS (
            SELECT 1 FROM cards AS older WHERE older.household_id = cards.household_id
            AND older.kind = 'life' AND older.status != 'revoked'
            AND (older.updated_utc < cards.updated_utc
                 OR (older.updated_utc = cards.updated_utc AND older.serial < cards.serial)))
        ORDER BY serial;
    UPDATE cards SET status = 'revoked' WHERE serial IN (
        SELECT target FROM audit WHERE operator = 'migration' AND action = 'card_revoke');
    CREATE UNIQUE INDEX cards_one_life ON cards (household_id)
        WHERE kind = 'life' AND status != 'revoked';
    """,
    # 7 (issue 13: events are not authenticated): each event signed by its
    # gate's device key; the devices' public keys (this gate's own, and the other gates'
    # handed out by the office); the audit log chained and signed; signed purge markers.
    # Events and audit lines written before this migration stay unsigned: every device
    # known now gets signed_from_seq just after its newest event, so only that prefix of
    # its chain may be unsigned.
    """
    ALTER TABLE events ADD COLUMN signature TEXT;
    CREATE TABLE device_keys (
        device_id TEXT PRIMARY KEY,
        public_key TEXT,
        signed_from_seq INTEGER NOT NULL DEFAULT 1
    );
    INSERT INTO device_keys (device_id, signed_from_seq)
        SELECT device_id, MAX(device_seq) + 1 FROM events GROUP BY device_id;
    ALTER TABLE audit ADD COLUMN prev_hash TEXT;
    ALTER TABLE audit ADD COLUMN hash TEXT;
    ALTER TABLE audit ADD COLUMN signature TEXT;
    -- One row per device per purge: events of that device up to through_seq (whose chain
    -- hash was through_hash) were deleted; used_seq and kept_seq: the highest events.seq
    -- used before the purge and kept after it (so newest events deleted later are found).
    CREATE TABLE purge_markers (
        id INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL,
        through_seq INTEGER NOT NULL,
        through_hash TEXT NOT NULL,
        used_seq INTEGER NOT NULL,
        kept_seq INTEGER NOT NULL,
        purged_utc TEXT NOT NULL,
        signature TEXT
    );
    CREATE TRIGGER purge_markers_append_only BEFORE UPDATE ON purge_markers
    BEGIN SELECT RAISE(ABORT, 'purge markers are append-only'); END;
    CREATE TRIGGER purge_markers_no_delete BEFORE DELETE ON purge_markers
    BEGIN SELECT RAISE(ABORT, 'purge markers are append-only'); END;
    """,
    # 8 (issue 17): the gate's own reports (an outsider refused, symptoms, a
    # refused reading, crowding, a delivery for a flat, other) and the "collected" reports
    # that close a delivery: append-only, pushed to the office after the events
    # (sync_targets.reports_acked). An outsider's report keeps a count and the time, no
    # flat and nothing personal. And the mask answer of a passage (setting mask.check).
    """
    CREATE TABLE reports (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        device_id TEXT NOT NULL,
        at_utc TEXT NOT NULL,
        at_local TEXT NOT NULL,
        local_date TEXT NOT NULL,
        kind TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 1 CHECK (count BETWEEN 1 AND 50),
        building TEXT,
        unit TEXT,
        room TEXT,
        household_id TEXT,
        note TEXT NOT NULL DEFAULT '',
        operator TEXT NOT NULL DEFAULT '',
        closes TEXT REFERENCES reports (id)
    );
    CREATE INDEX reports_day ON reports (local_date, kind);
    CREATE INDEX reports_deliveries ON reports (building) WHERE kind = 'delivery';
    -- A delivery is collected once, whoever taps at once.
    CREATE UNIQUE INDEX reports_closes ON reports (closes) WHERE closes IS NOT NULL;
    CREATE TRIGGER reports_append_only BEFORE UPDATE ON reports
    BEGIN SELECT RAISE(ABORT, 'reports are append-only'); END;
    CREATE TRIGGER reports_no_delete BEFORE DELETE ON reports
    BEGIN SELECT RAISE(ABORT, 'reports are append-only'); END;
    ALTER TABLE sync_targets ADD COLUMN reports_acked INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE events ADD COLUMN mask TEXT;
    """,
    # 9 (issue 15): roster upkeep and the office's operators. A household
    # that leaves the roster keeps its row (its events name it) with the time it left;
    # an operator defined at the office comes down with the roster (source 'office').
    """
    ALTER TABLE households ADD COLUMN left_utc TEXT;
    ALTER TABLE operators ADD COLUMN source TEXT NOT NULL DEFAULT 'local';
    """,
    # 10 (issue 11: slips are not denials; already_out says through which gate):
    # each event's input source (camera, wedge, typed, cli; NULL before this migration),
    # and each gate's name as the office knows it (learnt with its device key at sync).
    """
    ALTER TABLE events ADD COLUMN source TEXT;
    ALTER TABLE device_keys ADD COLUMN name TEXT NOT NULL DEFAULT '';
    """,
    # 11 (issue 14: the status bar reads indexes, not the log): today's
    # allowed exits counted in a partial index of exits by day (written only by allowed
    # exits), the cards out now in an index of the passages by direction.
    """
    CREATE INDEX events_day_exits ON events (local_date) WHERE decision = 'allow' AND direction = 'out';
    CREATE INDEX passages_direction ON passages (direction);
    """,
    # 12 (issue 14: a scan writes fewer pages): the cards out now in a partial index of
    # the passages that are out. A card going out adds one entry and coming back removes
    # it (one page written), where the index of every passage by direction moved the
    # card's entry from one end to the other (two pages) at every turn.
    """
    DROP INDEX passages_direction;
    CREATE INDEX passages_out ON passages (direction) WHERE direction = 'out';
    """,
]


class SchemaTooNew(StorageError):
    """The database was written by a newer Gatepost."""


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations this database has not had yet; return the version."""
    version = schema_version(conn)
    if version > len(MIGRATIONS):
        raise SchemaTooNew(f"database schema {version} is newer than this program's "
                           f"{len(MIGRATIONS)}: update Gatepost")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        # executescript would commit on its own; run the statements in one transaction.
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)


def _statements(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
