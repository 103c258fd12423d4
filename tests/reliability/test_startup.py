"""Start-up checks when a gate opens: integrity, schema, public key, and a clock that
jumped back (shown, recorded, and unable to reopen a quota window)."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from kiosk.app import StartupFailed, open_gate
from kiosk.cli import main
from kiosk.clock import FixedClock
from kiosk.startup import GuardedClock
from tests.reliability.conftest import local


def test_a_clock_turned_back_does_not_reopen_the_households_quota(community):
    card = community.life[0].payload
    community.clock.set(local(12, 10))  # window 12-13 Feb
    assert community.gate.service.scan(card, "out", "36.5").reason == "ok"
    community.clock.set(local(12, 12))
    community.gate.service.scan(card, "in", "36.5")
    community.gate.close()

    behind = FixedClock(local(11, 10))  # someone set the clock a day back: window 10-11 Feb
    gate = open_gate(community.path, lang="en", clock=behind)
    try:
        verdict = gate.service.scan(card, "out", "36.5")
        assert (verdict.decision.value, verdict.reason) == ("deny", "quota_used")
        assert [f.key for f in gate.findings] == ["clock_jumped_back"]
        assert gate.audit_entries()[0].action == "clock_jumped_back"
        assert gate.clock.now() >= local(12, 12)  # the gate carries on from the newest event
    finally:
        gate.close()


def test_the_cli_shows_the_clock_warning_and_still_decides(community, capsys, monkeypatch):
    community.clock.set(local(12, 10))
    community.gate.service.scan(community.life[0].payload, "out", "36.5")
    community.gate.close()
    # The CLI reads the system clock: the newest event is made to lie in its future instead.
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    conn = sqlite3.connect(str(community.path))
    conn.execute("DROP TRIGGER events_append_only")
    conn.execute("UPDATE events SET at_utc = ?", [future])
    conn.commit()
    conn.close()

    code = main(["--db", str(community.path), "--lang", "en", "status", "--json"])

    captured = capsys.readouterr()
    assert code == 0 and "scans_today" in json.loads(captured.out)
    assert "clock" in captured.err and "behind the newest record" in captured.err


def test_a_gate_without_a_public_key_refuses_to_open(community, capsys):
    community.gate.store.db.conn.execute("DELETE FROM keys")
    community.gate.close()

    with pytest.raises(StartupFailed):
        open_gate(community.path, clock=community.clock)
    code = main(["--db", str(community.path), "--lang", "en", "scan", community.life[0].payload,
                 "--direction", "out", "--temp", "36.5"])
    assert code == 3
    assert "no public key" in capsys.readouterr().err


def test_a_damaged_database_is_found_at_start_up_and_by_kiosk_check(community, capsys):
    for card in community.life:
        community.gate.service.scan(card.payload, "out", "36.5")
    community.gate.close()
    conn = sqlite3.connect(str(community.path))
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                        ["events_day_household"]).fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(community.path, "r+b") as raw:  # a bad sector in the middle of an index
        raw.seek((root - 1) * page_size + 8)
        raw.write(b"\x07" * 64)

    code = main(["--db", str(community.path), "--lang", "en", "check"])

    assert code == 3
    assert "damaged" in capsys.readouterr().err
    with pytest.raises(StartupFailed) as failed:
        open_gate(community.path, clock=FixedClock(local(11)))  # a new day: the daily check runs
    assert failed.value.findings[0].key == "integrity_failed"


def test_kiosk_check_passes_a_healthy_gate(community, capsys):
    community.gate.service.scan(community.life[0].payload, "out", "36.5")
    community.gate.close()
    assert main(["--db", str(community.path), "--lang", "en", "check"]) == 0
    assert "Start-up checks passed" in capsys.readouterr().out


def test_the_guarded_clock_never_goes_back_and_follows_a_clock_set_right():
    inner = FixedClock(local(12, 10))
    clock = GuardedClock(inner, floor=local(12, 11))
    assert clock.now() == local(12, 11)
    inner.advance(minutes=5)
    assert clock.now() == local(12, 11, 5)  # time still passes: the retest wait elapses
    inner.set(local(12, 9))  # jumps back again while running
    assert clock.now() == local(12, 11, 5)
    inner.set(local(12, 12))  # someone set it right
    assert clock.now() == local(12, 12) and clock.shifted == dt.timedelta(0)
    assert len(clock.jumps) == 2
