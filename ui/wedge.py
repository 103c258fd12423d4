"""The keyboard-wedge scanner, app-wide: one event filter feeds every key press into the
pure `scanners.wedge.WedgeParser`, whatever widget has the focus.

Keys are taken where they enter the application, at the top-level window (a `QWindow`),
so each key press is fed exactly once; Qt forwards it to the focused widget afterwards,
unless the parser holds it. Characters held back that turn out to be a person typing are
replayed, as the key presses they were, to the widget that had the focus when they were
typed, so typing is never lost.

Only the window that says it takes scans (the gate screen: `mark_scan_window`), while it
is the active window, is watched. Keys in a dialog (export, settings, a PIN pad) are a
person's typed text and never a scan, however fast they come.

Timings are the key events' own timestamps (`QKeyEvent.timestamp()`, in ms, from the
window system: when the key was pressed), not the time the GUI thread got to them, so a
busy GUI thread neither splits a scanner's burst nor makes a person's queued keys look
like one.
"""
from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QWindow
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid

from scanners.wedge import WedgeAction, WedgeParser

log = logging.getLogger("scan")

SCAN_WINDOW_PROPERTY = "gatepost_takes_wedge_scans"
"""The dynamic property that marks the one top-level window whose keys may be scans."""

LATE_POLL_S = 0.02
"""A poll timer that fires this much late means the GUI thread was busy: keys of the burst
may still wait in the event queue, so the poll waits one more turn of the event loop."""

RESYNC_S = 60.0
"""An event clock that falls behind ours by more than this has restarted or wrapped (X
server time is 32-bit milliseconds): the mapping between the two clocks starts afresh."""

_NAMES = {
    Qt.Key.Key_Return: "Enter", Qt.Key.Key_Enter: "Enter", Qt.Key.Key_Tab: "Tab",
    Qt.Key.Key_Shift: "Shift", Qt.Key.Key_Control: "Control", Qt.Key.Key_Alt: "Alt",
    Qt.Key.Key_AltGr: "AltGr", Qt.Key.Key_Meta: "Meta", Qt.Key.Key_CapsLock: "CapsLock",
    Qt.Key.Key_NumLock: "NumLock", Qt.Key.Key_Backspace: "Backspace", Qt.Key.Key_Escape: "Escape",
}


def mark_scan_window(window: QWidget) -> None:
    """Let the wedge filter take scans from `window`'s keys while it is the active window."""
    window.setProperty(SCAN_WINDOW_PROPERTY, True)


def key_name(event: QKeyEvent) -> str:
    """The parser's name for a key: its character, or a name such as "Enter" or "F11"."""
    key = Qt.Key(event.key())
    if key in _NAMES:
        return _NAMES[key]
    text = event.text()
    # A Chinese input method's full-width space (U+3000) is not "printable" to Python but
    # is part of what the scanner typed: it must stay in the burst (the codec drops it).
    if len(text) == 1 and (text.isprintable() or text.isspace()):
        return text
    return key.name.removeprefix("Key_") if hasattr(key, "name") else str(int(key))


class WedgeFilter(QObject):
    """Installed on the QApplication; turns a scanner's fast burst into one `scanned` value.

    `clock` (monotonic seconds) only tells when the parser must be polled: it is mapped
    onto the key events' clock by the smallest difference seen between the two (the key
    delivered with the least delay), so the estimate of "now" is never early.

    Signals:
        scanned(str): a payload typed by the scanner (NFKC-normalised).
    """

    scanned = Signal(str)

    def __init__(self, parser: WedgeParser | None = None, clock: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.parser = parser or WedgeParser()
        self._clock = clock
        self._offset: float | None = None  # our clock minus the events' clock, smallest seen
        self._poll_timer = QTimer(self, singleShot=True)
        self._poll_timer.timeout.connect(self._poll)
        self._poll_due = 0.0  # when the poll timer should fire, on our clock
        self._deferred = False  # the late poll has waited its one turn
        self._replaying = False
        self._held: list[tuple[int, str]] = []  # (key, text) of the presses eaten, oldest first
        self._target: QWidget | None = None  # had the focus when the held burst began

    @property
    def poll_due(self) -> float | None:
        """When the poll timer falls due, on `clock`; None when nothing is held."""
        return self._poll_due if self._poll_timer.isActive() else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent)
                or self._replaying or not isinstance(watched, QWindow)):
            return False
        if not _takes_scans(watched):
            if self._held:  # the gate window lost the keyboard mid-burst: settle what it held
                self._act(self.parser.poll(math.inf))
                self._arm()
            return False
        if event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            return False  # shortcuts are a person's, never a scanner's
        action = self.parser.feed(key_name(event), self._event_time(event))
        self._act(action)
        if action.consumed:
            if not self._held:
                self._target = QApplication.focusWidget() or QApplication.activeWindow()
            self._held.append((event.key(), event.text()))
        self._arm()
        return action.consumed

    def _event_time(self, event: QKeyEvent) -> float:
        """The key's own time in seconds; a synthetic event without one gets our "now"."""
        stamp = event.timestamp()
        if stamp == 0:
            return self._now()
        seconds = stamp / 1000
        offset = self._clock() - seconds
        if self._offset is None or offset < self._offset or offset > self._offset + RESYNC_S:
            self._offset = offset
        return seconds

    def _now(self) -> float:
        """Now on the events' clock (never ahead of it)."""
        return self._clock() - (self._offset or 0.0)

    def _poll(self) -> None:
        if not self._deferred and self._clock() - self._poll_due > LATE_POLL_S:
            self._deferred = True
            self._poll_timer.start(0)  # after the keys that waited behind the busy thread
            return
        self._act(self.parser.poll(self._now()))
        self._arm()

    def _arm(self) -> None:
        self._deferred = False
        deadline = self.parser.deadline()
        if deadline is None:
            self._poll_timer.stop()
            return
        wait_ms = max(1, math.ceil((deadline - self._now()) * 1000) + 2)
        self._poll_due = self._clock() + wait_ms / 1000
        self._poll_timer.start(wait_ms)

    def _act(self, action: WedgeAction) -> None:
        if action.replay:
            self._replay(self._held[:len(action.replay)])
        if action.replay or action.scanned:
            self._held.clear()  # every settled action settles all that was held before
        if action.scanned:
            log.info("wedge scan (%d characters)", len(action.scanned))
            self.scanned.emit(action.scanned)

    def _replay(self, keys: list[tuple[int, str]]) -> None:
        """Give held keys back, as the presses (and releases) they were, to the widget that
        had the focus: a Space reaches a button as a Space, a letter a field as a letter."""
        target = self._target if self._target is not None and isValid(self._target) else None
        target = target or QApplication.focusWidget() or QApplication.activeWindow()
        self._target = None
        if target is None:
            return
        self._replaying = True
        try:
            for key, text in keys:
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(target, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text))
        finally:
            self._replaying = False


def _takes_scans(window: QWindow) -> bool:
    active = QApplication.activeWindow()
    return (active is not None and bool(active.property(SCAN_WINDOW_PROPERTY))
            and active.windowHandle() is window)
