"""The gate screen checks its database while it runs: damage found by the periodic check
stops green verdicts at once, and the screen says record on paper, with what to do."""
from __future__ import annotations

import sqlite3

import pytest

from kiosk.app import open_gate
from tests.ui.test_gate_screen import RecordingSounds
from ui.run import GateApp
from ui.verdict import Look


@pytest.fixture
def screen(qtbot, community):
    gate_app = GateApp(community.path, "en", camera=None, clock=community.clock, sounds=RecordingSounds())
    qtbot.addWidget(gate_app.window)
    gate_app.window.show()
    yield gate_app
    gate_app.close()


def damage_an_index(path) -> None:
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the index's newest page into the file itself
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                        ["events_day_household"]).fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as raw:  # a bad sector while the gate runs
        raw.seek((root - 1) * page_size + 8)
        raw.write(b"\x07" * 64)


def events(path) -> int:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("full", [True, False])
def test_a_sound_database_passes_the_periodic_check(qtbot, screen, full):
    with qtbot.waitSignal(screen.integrity_timer.passed, timeout=20000) as passed:
        assert screen.integrity_timer.check_now(full)
    assert passed.args == [full]
    assert screen.window.verdict.look is Look.IDLE


def test_damage_found_while_running_stops_green_verdicts(qtbot, screen, community):
    window = screen.window
    with qtbot.waitSignal(window.verdict_shown, timeout=5000) as shown:
        window.keypad.set_reading("36.5")
        window.submit_scan(community.payloads["life"], "typed")
    assert shown.args[0].verdict.allowed  # green before the damage
    recorded = events(community.path)
    damage_an_index(community.path)

    with qtbot.waitSignal(screen.integrity_timer.damaged, timeout=20000):
        assert screen.integrity_timer.check_now()

    assert window.verdict.look is Look.PAPER
    assert "kiosk restore" in window.verdict.reason.text()
    window.direction.set_direction("in")
    with qtbot.waitSignal(window.verdict_shown, timeout=5000) as shown:
        window.submit_scan(community.payloads["work"], "typed")
    assert shown.args[0].failure == "storage" and shown.args[0].verdict is None
    assert window.verdict.look is Look.PAPER and "kiosk restore" in window.verdict.reason.text()
    assert events(community.path) == recorded  # nothing decided, nothing written
    with pytest.raises(Exception, match="integrity_failed"):  # and the next start refuses too
        open_gate(community.path, clock=community.clock).close()
