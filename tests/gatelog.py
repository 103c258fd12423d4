"""Reading a running `kiosk -v gui`'s log (its stderr) in the tests that kill it.

The gate screen logs `gate INFO shown EVENT_ID DECISION` when it puts a verdict on screen
(ui/gate_screen.py): those are the verdicts a volunteer may have read, so they must be on
disk after any kill. Reads are blocking with a deadline (a selector on the pipe), never sleeps.
"""
from __future__ import annotations

import os
import re
import selectors
import subprocess
import time
from collections.abc import Callable

SHOWN = re.compile(r" gate INFO shown (\S+) (allow|deny|retest)$")


class GuiLog:
    """The log lines a gate-screen child process has written so far."""

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self.lines: list[str] = []
        self._partial = b""

    @property
    def shown(self) -> list[tuple[str, str]]:
        """(event id, decision) of every verdict the screen showed, in order."""
        return [(m[1], m[2]) for m in map(SHOWN.search, self.lines) if m]

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    def wait_for(self, condition: Callable[[GuiLog], bool], timeout_s: float, what: str) -> None:
        """Read until `condition(self)` holds; AssertionError (with the log) after `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stderr.fileno(), selectors.EVENT_READ)
            while not condition(self):
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left) or not self._read():
                    raise AssertionError(f"the gate screen never got to: {what} (exit code "
                                         f"{self.process.poll()}); its log:\n" + "\n".join(self.lines[-40:]))

    def drain(self) -> None:
        """After the process is gone: every line it wrote before it died."""
        while self._read():
            pass
        if self._partial:  # a line cut short by the kill still counts if it says enough
            self.lines.append(self._partial.decode(errors="replace"))
            self._partial = b""

    def _read(self) -> bool:
        chunk = os.read(self.process.stderr.fileno(), 65536)
        if not chunk:
            return False
        *complete, self._partial = (self._partial + chunk).split(b"\n")
        self.lines.extend(line.decode(errors="replace") for line in complete)
        return True
