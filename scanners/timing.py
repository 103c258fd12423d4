"""Time, injected: the clock and the sleep every scanner module is given, and the back-off.

No scanner module reads the clock or sleeps on its own; tests hand in fakes and so run in
microseconds without `time.sleep`.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]
"""Monotonic seconds (`time.monotonic` in production)."""

Sleep = Callable[[float], None]
"""Blocks for the given number of seconds (`time.sleep` in production)."""

monotonic: Clock = time.monotonic
sleep_for: Sleep = time.sleep

thread_cpu: Clock = time.thread_time
"""The calling thread's CPU seconds: what the camera decoder's budget counts. The budget is
there to leave the GUI its core, so it counts what the decode thread takes from the CPU,
not the wall clock: other work on the machine slowing a step down must not starve the
schedule of the steps it could afford (measured: under a load average of 15-25 the
wall-clock budget cut the slow steps to a third and the multi-frame gains vanished)."""


@dataclass
class Backoff:
    """Delays between attempts to reopen a lost camera: doubling, capped, reset on success.

    Doubling gets a USB camera that comes straight back going again quickly, while a kiosk
    whose camera stays unplugged all night does not retry `VideoCapture` several times a
    second (each attempt costs CPU and a warning in OpenCV's log).
    """

    initial_s: float = 0.5
    max_s: float = 5.0
    factor: float = 2.0
    _next_s: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.initial_s < 0 or self.max_s < self.initial_s or self.factor < 1:
            raise ValueError("Backoff needs 0 <= initial_s <= max_s and factor >= 1")
        self._next_s = self.initial_s

    def next_delay(self) -> float:
        """The delay before the next attempt; each call lengthens the following one."""
        delay = self._next_s
        self._next_s = min(self.max_s, self._next_s * self.factor)
        return delay

    def reset(self) -> None:
        """Forget the failures: the next delay is the initial one again."""
        self._next_s = self.initial_s
