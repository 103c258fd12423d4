"""End to end in a real X window: `kiosk gui` under its own Xvfb, a keyboard-wedge scan
typed by xdotool as a USB scanner would, a verdict, and the event in the database."""
from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time

import pytest

from kiosk.app import open_gate
from kiosk.model import CardKind, Household

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]

def wait_for_line(process: subprocess.Popen, text: str, timeout_s: float) -> str:
    """Read the process's stderr until it holds a line with `text` (blocking reads, no sleeps).

    Raw os.read on the pipe: a buffered readline could swallow several lines at once and
    leave the selector waiting for data that has already arrived.
    """
    seen, deadline = b"", time.monotonic() + timeout_s
    fd = process.stderr.fileno()
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while time.monotonic() < deadline and selector.select(deadline - time.monotonic()):
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            seen += chunk
            if text.encode() in seen:
                return seen.decode(errors="replace")
    raise AssertionError(f"no line with {text!r} (exit code {process.poll()}) in:\n"
                         f"{seen.decode(errors='replace')}")


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
    try:
        window = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "门岗"], env=env,
                                check=True, capture_output=True, text=True, timeout=30).stdout.split()[-1]
        # No window manager under Xvfb: give the window the keyboard focus directly.
        subprocess.run(["xdotool", "windowfocus", "--sync", window], env=env, check=True, timeout=10)
        subprocess.run(["xdotool", "type", "--delay", "4", payload], env=env, check=True, timeout=30)
        subprocess.run(["xdotool", "key", "Return"], env=env, check=True, timeout=10)
        # "shown" is logged once the verdict is on screen, so after its commit; the
        # checkpoint's "allow ok out" comes inside the transaction, before it.
        assert "allow ok out" in wait_for_line(gui, " allow\n", timeout_s=20)
    finally:
        gui.terminate()
        gui.wait(10)
        gui.stderr.close()
    gate = open_gate(community.path)
    try:
        assert gate.status()["exits_today"] == 1
        assert gate.status()["out_now"] == 1
    finally:
        gate.close()
