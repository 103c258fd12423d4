"""The SQLite store: durability settings, append-only events, migrations, permissions."""
from __future__ import annotations

import datetime as dt
import sqlite3
import stat

import pytest

from data.keyfile import key_path
from data.migrations import MIGRATIONS, SchemaTooNew
from data.store import SqliteStore
from kiosk.app import init_community, open_gate
from kiosk.chain import GENESIS, event_hash
from kiosk.clock import FixedClock
from kiosk.model import CardKind, Household

NOW = dt.datetime(2026, 2, 10, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def gate(tmp_path):
    gate = init_community(tmp_path / "gate.db", "幸福里", clock=FixedClock(NOW))
    gate.store.add_households([Household("H000301", "3", "2", "301")], NOW)
    yield gate
    gate.close()


def test_database_runs_in_wal_with_full_fsync(gate):
    conn = gate.store.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_database_and_key_are_owner_only(gate, tmp_path):
    for path in (tmp_path / "gate.db", key_path(tmp_path / "gate.db")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_private_key_is_not_in_the_database(gate, tmp_path):
    pem = key_path(tmp_path / "gate.db").read_bytes()
    body = b"".join(pem.splitlines()[1:-1])
    assert body not in (tmp_path / "gate.db").read_bytes()


def test_events_cannot_be_updated_or_deleted(gate):
    card = gate.office().issue("H000301", CardKind.LIFE)
    gate.service.scan(card.payload, "out")
    conn = gate.store.db.conn
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE events SET decision = 'deny'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM events")
    assert conn.execute("SELECT decision FROM events").fetchone()[0] == "allow"


def test_each_event_chains_to_the_one_before(gate):
    card = gate.office().issue("H000301", CardKind.LIFE)
    for minute, direction in enumerate(("out", "in", "out")):
        gate.service.scan(card.payload, direction, temperature="36.5",
                          at=NOW + dt.timedelta(minutes=minute))
    rows = [dict(r) for r in gate.store.db.execute("SELECT * FROM events ORDER BY device_seq")]
    previous = GENESIS
    for row in rows:
        assert row["prev_hash"] == previous
        assert row["chain_hash"] == event_hash(previous, row)
        previous = row["chain_hash"]
    assert [r["device_seq"] for r in rows] == [1, 2, 3]


def test_a_verdict_is_on_disk_when_scan_returns(gate, tmp_path):
    card = gate.office().issue("H000301", CardKind.LIFE)
    verdict = gate.service.scan(card.payload, "out")
    other = sqlite3.connect(tmp_path / "gate.db")  # another process's view
    assert other.execute("SELECT decision FROM events WHERE id = ?",
                         [verdict.event_id]).fetchone() == ("allow",)


def test_reopening_applies_no_migration_twice(gate, tmp_path):
    gate.close()
    again = open_gate(tmp_path / "gate.db")
    assert again.store.db.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    again.close()


def test_a_newer_schema_is_refused(gate, tmp_path):
    gate.store.db.conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    gate.close()
    with pytest.raises(SchemaTooNew):
        SqliteStore(tmp_path / "gate.db")


def test_a_flat_cannot_be_registered_twice_and_the_batch_is_all_or_none(gate):
    from data.store import Conflict

    batch = [Household("H000302", "3", "2", "302"), Household("H000399", "3", "2", "301")]
    with pytest.raises(Conflict):
        gate.store.add_households(batch, NOW)
    assert gate.store.household("H000302") is None


def test_verdict_queries_use_indexes(gate):
    plans = {
        "card": "SELECT * FROM events WHERE serial = 'X' AND at_utc >= '' ORDER BY at_utc, seq",
        "household": "SELECT at_utc FROM events WHERE household_id = 'H' AND kind = 'life' AND "
                     "decision = 'allow' AND direction = 'out' AND at_utc >= '' AND at_utc < 'z'",
        "fevers": "SELECT * FROM events WHERE reason = 'fever_retest' AND at_utc >= ''",
        "day": "SELECT COUNT(*) FROM events WHERE local_date = '2026-02-10'",
    }
    for name, sql in plans.items():
        plan = " ".join(r[3] for r in gate.store.db.execute("EXPLAIN QUERY PLAN " + sql))
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, (name, plan)
