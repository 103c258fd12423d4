"""The gate screen's upkeep off the gate lane (issue 14): the day's backup is made after the
window opens, on its own lane; the gate lane's connection never checkpoints its WAL, a
second connection does."""
from __future__ import annotations

import os
import sys
import threading

import pytest

from data.backup import daily_path
from kiosk.app import start_gate_process
from tests.ui.conftest import START
from tests.ui.test_gate_screen import RecordingSounds
from ui.run import GateApp


def test_the_process_starts_without_making_the_days_backup(community):
    start_gate_process(community.path, "en", community.clock)
    assert not daily_path(community.path, START.date()).exists()  # 18 s at a million events


def test_the_screen_makes_the_days_backup_on_its_maintenance_lane(qtbot, community):
    screen = GateApp(community.path, "en", camera=None, clock=community.clock, sounds=RecordingSounds())
    qtbot.addWidget(screen.window)
    try:
        with qtbot.waitSignal(screen.maintenance.backed_up, timeout=30000):
            pass  # started as the screen was built; its result comes back on the GUI thread
        assert daily_path(community.path, START.date()).exists()
        with qtbot.waitSignal(screen.maintenance.backed_up, timeout=30000):
            assert screen.maintenance.backup_now()  # due no more: nothing to do, no finding
    finally:
        screen.close()


def test_the_gate_lanes_scans_leave_the_wal_to_the_maintenance_checkpoint(qtbot, community):
    screen = GateApp(community.path, "en", camera=None, clock=community.clock, sounds=RecordingSounds())
    qtbot.addWidget(screen.window)
    try:
        window = screen.window
        with qtbot.waitSignal(window.verdict_shown, timeout=10000) as shown:
            window.submit_scan(community.payloads["work"], "typed")
        assert shown.args[0].verdict is not None
        answers = []
        with qtbot.waitSignal(screen.client.lane.idle, timeout=10000):
            screen.client.call(lambda gate: gate.store.db.conn.execute(
                "PRAGMA wal_autocheckpoint").fetchone()[0], answers.append)
        assert answers == [0]
        with qtbot.waitSignal(screen.maintenance.checkpointed, timeout=30000) as done:
            screen.maintenance.checkpoint_now()
        frames, copied = done.args[0]
        assert frames > 0 and copied == frames  # everything the scan wrote is in the file now
    finally:
        screen.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a nice value per thread is Linux's")
def test_the_backup_and_the_checks_run_below_the_gate_lanes_cpu_priority(qtbot, community):
    """On a loaded machine the seconds of copying and checking wait, not a scan."""
    screen = GateApp(community.path, "en", camera=None, clock=community.clock, sounds=RecordingSounds())
    qtbot.addWidget(screen.window)

    def nice_of(lane) -> int:
        seen: list[int] = []
        with qtbot.waitSignal(lane.idle, timeout=30000):
            lane.submit(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), seen.append)
        return seen[0]

    try:
        gate = nice_of(screen.client.lane)
        assert nice_of(screen.maintenance.lane) == nice_of(screen.integrity_timer.lane) == min(19, gate + 10)
    finally:
        screen.close()
