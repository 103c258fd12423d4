"""The GUI's background sync: off the GUI thread, its outcome delivered by signals."""
from __future__ import annotations

import datetime as dt

import pytest

from kiosk.app import init_community, sync_in_background
from kiosk.clock import FixedClock
from kiosk.model import CardKind, Household
from ui.sync_timer import SyncTimer


def timer_for(gate, lang="zh") -> SyncTimer:
    return SyncTimer(lambda cancelled: sync_in_background(gate.path, lang, cancelled=cancelled),
                     interval_s=3600)


@pytest.fixture
def gate_with_scans(tmp_path):
    clock = FixedClock(dt.datetime(2026, 2, 11, 1, 0, tzinfo=dt.UTC))
    gate = init_community(tmp_path / "gate.db", "幸福里", start_date=dt.date(2026, 2, 10), clock=clock)
    household = Household("H000301", "3", "2", "301")
    gate.store.add_households([household], clock.now())
    card = gate.office().issue(household.id, CardKind.WORK)
    for direction in ("out", "in"):
        clock.advance(minutes=5)
        gate.service.scan(card.payload, direction, "36.5")
    yield gate
    gate.close()


def test_the_background_sync_pushes_and_reports_on_the_gui_thread(qtbot, gate_with_scans, tmp_path):
    (tmp_path / "office").mkdir()
    gate_with_scans.store.set_setting("sync.url", f"sqlite:///{tmp_path}/office/office.db")
    timer = timer_for(gate_with_scans)

    with qtbot.waitSignal(timer.synced, timeout=10000) as done:
        assert timer.sync_now()
        assert not timer.sync_now()  # one at a time

    assert done.args[0].pushed == 2
    assert gate_with_scans.sync_summary().waiting == 0
    timer.stop()


def test_an_unreachable_office_is_a_calm_sentence_and_nothing_is_lost(qtbot, gate_with_scans, tmp_path):
    gate_with_scans.store.set_setting("sync.url", f"sqlite:///{tmp_path}/no-stick/office.db")
    timer = timer_for(gate_with_scans, "en")

    with qtbot.waitSignal(timer.failed, timeout=10000) as failed:
        timer.sync_now()

    assert "every record is safe on this gate" in failed.args[0]
    assert gate_with_scans.sync_summary().waiting == 2
    timer.stop()


def test_without_an_office_a_tick_does_nothing(qtbot, gate_with_scans):
    timer = timer_for(gate_with_scans)
    with qtbot.waitSignal(timer.skipped, timeout=10000):
        timer.sync_now()
    timer.stop()


def test_the_gate_screen_runs_the_background_sync(qtbot, gate_with_scans, tmp_path):
    from ui.run import GateApp

    (tmp_path / "office").mkdir()
    gate_with_scans.store.set_setting("sync.url", f"sqlite:///{tmp_path}/office/office.db")
    app = GateApp(gate_with_scans.path, camera=None, clock=gate_with_scans.clock)
    try:
        with qtbot.waitSignal(app.sync_timer.synced, timeout=10000) as done:
            app.sync_timer.sync_now()
        assert done.args[0].pushed == 2
    finally:
        app.close()
