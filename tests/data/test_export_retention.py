"""The retention purge: synced events older than a date go, unsynced ones stay unless forced."""
from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from data.retention import UnsyncedEvents, purge
from kiosk import cli
from kiosk.app import init_community
from kiosk.clock import FixedClock
from kiosk.model import CardKind, Household

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 2, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def gate(tmp_path):
    """Scans on 10, 11, 12 and 13 February (three each: out with a fever, retest, the next)."""
    clock = FixedClock(at(10, 7))
    gate = init_community(tmp_path / "gate.db", "幸福里", start_date=dt.date(2026, 2, 10), clock=clock)
    household = Household("H000001", "3", "1", "101")
    gate.store.add_households([household], clock.now())
    payload = gate.office().issue(household.id, CardKind.SPECIAL, valid_to=dt.date(2026, 3, 1)).payload
    for day in (10, 11, 12, 13):
        gate.service.scan(payload, "in", "38.0", at=at(day, 8))
        gate.service.scan(payload, "in", "38.1", at=at(day, 8).replace(minute=10))  # fever confirmed
    clock.set(at(14))
    yield gate
    gate.close()


def seqs(gate) -> list[tuple[str, int]]:
    return [tuple(r) for r in gate.store.db.execute("SELECT local_date, seq FROM events ORDER BY seq")]


def ack(gate, target: str, seq: int) -> None:
    gate.store.db.execute("INSERT OR REPLACE INTO sync_targets (target, acked_seq) VALUES (?, ?)",
                          [target, seq])


def test_nothing_synced_nothing_purged_unless_forced(gate):
    with pytest.raises(UnsyncedEvents) as refused:
        purge(gate.store, gate.clock, dt.date(2026, 2, 12))
    assert refused.value.count == 4
    assert len(seqs(gate)) == 8
    assert purge(gate.store, gate.clock, dt.date(2026, 2, 12), force=True) == 4
    assert {d for d, _ in seqs(gate)} == {"2026-02-12", "2026-02-13"}


def test_an_event_goes_only_when_every_target_has_it(gate):
    ack(gate, "sqlite:///office.db", 8)
    ack(gate, "postgresql://district", 2)  # has only the 10th
    with pytest.raises(UnsyncedEvents) as refused:
        purge(gate.store, gate.clock, dt.date(2026, 2, 12))
    assert refused.value.count == 2
    ack(gate, "postgresql://district", 4)
    assert purge(gate.store, gate.clock, dt.date(2026, 2, 12)) == 4
    assert [d for d, _ in seqs(gate)] == ["2026-02-12"] * 2 + ["2026-02-13"] * 2


def test_purge_takes_incidents_with_it_and_keeps_the_log_append_only(gate):
    ack(gate, "office", 8)
    purge(gate.store, gate.clock, dt.date(2026, 2, 11))
    incidents = gate.store.db.execute("SELECT local_date FROM incidents ORDER BY id").fetchall()
    assert [r[0] for r in incidents] == ["2026-02-11", "2026-02-12", "2026-02-13"]
    assert gate.store.meta("purging") is None
    with pytest.raises(Exception, match="append-only"):
        gate.store.db.execute("DELETE FROM events")


def test_purge_is_audited(gate):
    ack(gate, "office", 8)
    purge(gate.store, gate.clock, dt.date(2026, 2, 13), operator="cli:root")
    row = gate.store.db.execute("SELECT operator, action, target, details FROM audit ORDER BY id DESC"
                                ).fetchone()
    assert tuple(row[:3]) == ("cli:root", "purge", "2026-02-13")
    assert json.loads(row[3]) == {"deleted": 6, "forced": False, "unsynced_deleted": 0}


def test_cli_purge_refuses_unsynced_events_with_exit_2(gate, capsys):
    db = str(gate.path)
    assert cli.main(["--db", db, "--lang", "en", "purge", "--before", "2026-02-12"]) == 2
    assert "4 events before 2026-02-12 are not synced" in capsys.readouterr().err
    assert cli.main(["--db", db, "purge", "--before", "2026-02-12", "--force"]) == 0
    assert "已删除 2026-02-12 之前的 4 条" in capsys.readouterr().out
