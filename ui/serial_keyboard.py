"""The on-screen keyboard for typed card numbers: the serial alphabet in keys a gloved
finger hits, for a gate with no physical keyboard (or one too cold to use).

Only what a printed serial can hold: the digits, the 22 letters of Crockford's base 32
(no I, L, O, U: the card never prints them, `kiosk.serial` folds them on input) and the
hyphen, plus ⌫, 清除 and 查验, under a big echo of what has been typed (the keyboard
may sit away from the field). Its keys edit the gate screen's serial field directly
(no synthetic key events: the wedge filter never sees a tap) and never take the focus,
so the physical keyboard and a hand scanner keep working beside it.
"""
from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.serial import ALPHABET
from ui.sizing import set_points

MIN_KEY_MM = 12  # a gloved fingertip: issue 11
REFERENCE_DPI = 96
MIN_KEY_PX = math.ceil(MIN_KEY_MM / 25.4 * REFERENCE_DPI)  # 46 px
KEY_PX = 56  # what we draw: 14.8 mm at 96 dpi, a margin over the minimum
COLUMNS = 6

CHARACTERS = ALPHABET + "-"
# Digits, the hyphen and ⌫ first (two rows), then the letters in order, 清除 (two keys
# wide) after Z, and 查验 a whole row wide: (name, row, column, columns).
_SINGLES = [*ALPHABET[:10], "-", "⌫", *ALPHABET[10:]]
LAYOUT = [(name, i // COLUMNS, i % COLUMNS, 1) for i, name in enumerate(_SINGLES)] + [
    ("clear", len(_SINGLES) // COLUMNS, len(_SINGLES) % COLUMNS, COLUMNS - len(_SINGLES) % COLUMNS),
    ("check", len(_SINGLES) // COLUMNS + 1, 0, COLUMNS)]

STYLE = """
QPushButton { background: #eceff1; color: #102027; border-radius: 8px; padding: 0; }
QLabel#serial_echo { background: #eceff1; color: #102027; border-radius: 8px; }
QPushButton:pressed { background: #b0bec5; }
QPushButton:disabled { background: #263238; color: #cfd8dc; }
QPushButton#key_check { background: #0d47a1; color: white; }
"""


class SerialKeyboard(QWidget):
    """Big keys that type into `entry`; 查验 asks for the typed number to be checked.

    Signals:
        submitted(): 查验 was tapped (the number is in `entry`).
    """

    submitted = Signal()

    def __init__(self, entry: QLineEdit, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("serial_keyboard")
        self.setStyleSheet(STYLE)
        self.entry = entry
        self.echo = QLabel()
        self.echo.setObjectName("serial_echo")
        set_points(self.echo, 26, bold=True)
        self.echo.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.echo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.echo.setMinimumHeight(KEY_PX)
        entry.textChanged.connect(self._echo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(self.echo)
        grid = QGridLayout()
        grid.setSpacing(6)
        layout.addLayout(grid)
        layout.addStretch(1)
        self.keys: dict[str, QPushButton] = {}
        for name, row, column, columns in LAYOUT:
            button = QPushButton(name if len(name) == 1 else "")
            button.setObjectName(f"key_{name}")
            # 清除 and 查验 are words: smaller type than a key's one character.
            set_points(button, 20 if len(name) == 1 else 15, bold=True)
            button.setMinimumSize(KEY_PX, KEY_PX)
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, key=name: self.press(key))
            self.keys[name] = button
            grid.addWidget(button, row, column, 1, columns)
        self.keys["⌫"].setAutoRepeat(True)  # held down, it keeps erasing
        self._echo(entry.text())
        self.retranslate()

    def _echo(self, text: str) -> None:
        self.echo.setText(text or "—")

    def press(self, key: str) -> None:
        """What a tap on `key` does (a character, "⌫", "clear" or "check")."""
        if key == "⌫":
            self.entry.backspace()
        elif key == "clear":
            self.entry.clear()
        elif key == "check":
            self.submitted.emit()
        else:
            self.entry.insert(key)

    def retranslate(self) -> None:
        self.keys["clear"].setText(self.tr("Clear"))
        self.keys["check"].setText(self.tr("Check"))
        self.keys["⌫"].setToolTip(self.tr("Erase the last character"))

    def changeEvent(self, event) -> None:
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
