"""End to end in a real X window: `kiosk gui` under its own Xvfb, a keyboard-wedge scan
typed by xdotool as a USB scanner would, a verdict, and the event in the database."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kiosk.app import open_gate
from kiosk.model import CardKind, Household
from tests.gatelog import GuiLog

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]


def card_valid_today(community) -> str:
    """The fixture's cards follow its fixed clock; the GUI runs on the real one."""
    gate = open_gate(community.path)
    try:
        household = Household("H0000X9", "9", "1", "101")
        gate.store.add_households([household], gate.clock.now())
        return gate.office().issue(household.id, CardKind.LIFE, "孙八").payload
    finally:
        gate.close()


def test_wedge_scan_typed_by_xdotool_reaches_a_verdict_and_the_database(display, community):
    payload = card_valid_today(community)
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "KIOSK_DB": str(community.path)}
    gui = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "-v", "gui", "--camera", "none"],
                           env=env, stderr=subprocess.PIPE)
    log = GuiLog(gui)
    try:
        window = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "门岗"], env=env,
                                check=True, capture_output=True, text=True, timeout=90).stdout.split()[-1]
        # No window manager under Xvfb: give the window the keyboard focus directly.
        subprocess.run(["xdotool", "windowfocus", "--sync", window], env=env, check=True, timeout=10)
        subprocess.run(["xdotool", "type", "--delay", "4", payload], env=env, check=True, timeout=30)
        subprocess.run(["xdotool", "key", "Return"], env=env, check=True, timeout=10)
        # "shown EVENT_ID allow" is logged once the verdict is on screen, so after its
        # commit (the checkpoint's own line comes inside the transaction, before it): the
        # kill below cannot land between the two. A deadline, not a wait: under load the
        # start-up alone can take many seconds.
        log.wait_for(lambda log: bool(log.shown), timeout_s=90, what="a verdict shown")
    finally:
        gui.terminate()
        gui.wait(30)
        log.drain()
        gui.stderr.close()
    assert len(log.shown) == 1, log.shown  # one scan: the burst was not split into two
    event_id, decision = log.shown[0]
    assert decision == "allow", log.lines[-20:]
    gate = open_gate(community.path)
    try:
        assert gate.store.event(event_id) is not None  # the verdict shown is on disk
        assert gate.status()["exits_today"] == 1
        assert gate.status()["out_now"] == 1
    finally:
        gate.close()
