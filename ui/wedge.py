"""The keyboard-wedge scanner, app-wide: one event filter feeds every key press into the
pure `scanners.wedge.WedgeParser`, whatever widget has the focus.

Keys are taken where they enter the application, at the top-level window (a `QWindow`),
so each key press is fed exactly once; Qt forwards it to the focused widget afterwards,
unless the parser holds it. Characters held back that turn out to be a person typing are
replayed to the focused widget in order, so typing is never lost.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QWindow
from PySide6.QtWidgets import QApplication

from scanners.wedge import WedgeAction, WedgeParser

log = logging.getLogger("scan")

_NAMES = {
    Qt.Key.Key_Return: "Enter", Qt.Key.Key_Enter: "Enter", Qt.Key.Key_Tab: "Tab",
    Qt.Key.Key_Shift: "Shift", Qt.Key.Key_Control: "Control", Qt.Key.Key_Alt: "Alt",
    Qt.Key.Key_AltGr: "AltGr", Qt.Key.Key_Meta: "Meta", Qt.Key.Key_CapsLock: "CapsLock",
    Qt.Key.Key_NumLock: "NumLock", Qt.Key.Key_Backspace: "Backspace", Qt.Key.Key_Escape: "Escape",
}


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

    Signals:
        scanned(str): a payload typed by the scanner (NFKC-normalised).
    """

    scanned = Signal(str)

    def __init__(self, parser: WedgeParser | None = None, clock: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.parser = parser or WedgeParser()
        self._clock = clock
        self._poll_timer = QTimer(self, singleShot=True)
        self._poll_timer.timeout.connect(self._poll)
        self._replaying = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or self._replaying or not isinstance(watched, QWindow):
            return False
        if event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            return False  # shortcuts are a person's, never a scanner's
        action = self.parser.feed(key_name(event), self._clock())
        self._act(action)
        self._arm()
        return action.consumed

    def _poll(self) -> None:
        self._act(self.parser.poll(self._clock()))
        self._arm()

    def _arm(self) -> None:
        deadline = self.parser.deadline()
        if deadline is None:
            self._poll_timer.stop()
        else:
            self._poll_timer.start(max(1, int((deadline - self._clock()) * 1000) + 2))

    def _act(self, action: WedgeAction) -> None:
        if action.replay:
            self._replay(action.replay)
        if action.scanned:
            log.info("wedge scan (%d characters)", len(action.scanned))
            self.scanned.emit(action.scanned)

    def _replay(self, text: str) -> None:
        """Give held characters back to the focused widget, as the key presses they were."""
        target = QApplication.focusWidget() or QApplication.activeWindow()
        if target is None:
            return
        self._replaying = True
        try:
            for char in text:
                press = QKeyEvent(QEvent.Type.KeyPress, _key_for(char), Qt.KeyboardModifier.NoModifier, char)
                QApplication.sendEvent(target, press)
        finally:
            self._replaying = False


def _key_for(char: str) -> Qt.Key:
    upper = char.upper()
    if len(upper) == 1 and ("0" <= upper <= "9" or "A" <= upper <= "Z"):
        return Qt.Key(ord(upper))
    return Qt.Key.Key_unknown
