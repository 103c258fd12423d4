"""The temperature keypad: big buttons for gloved hands, a row of common readings, and
the keyboard. The reading is kept as typed; the checkpoint service parses and judges it.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ui.sizing import KEY_PX, set_points

QUICK_READINGS = ("36.2", "36.5", "36.8", "37.0")
MAX_CHARS = 5  # "36.5" and a slip of the finger; more is never a reading


class TemperatureKeypad(QWidget):
    """Enters the temperature for the next scan.

    Signals:
        reading_changed(str): the reading as typed ("" when cleared).
    """

    reading_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._reading = ""
        self.display = QLabel()
        self.display.setObjectName("reading")
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.display.setMinimumHeight(KEY_PX + 8)
        set_points(self.display, 32, bold=True)
        self.display.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # Little padding: the words get the key's width at every screen size.
        self.setStyleSheet("QLabel#reading { background: #eceff1; color: #102027; border-radius: 10px; }"
                           " QPushButton { padding: 2px; }")

        self.buttons: dict[str, QPushButton] = {}
        quick = QHBoxLayout()
        for reading in QUICK_READINGS:
            quick.addWidget(self._button(reading, lambda _=False, r=reading: self.set_reading(r),
                                         20, "quick"))
        grid = QGridLayout()
        keys = ("7", "8", "9", "4", "5", "6", "1", "2", "3", ".", "0", "⌫")
        for i, key in enumerate(keys):
            action: Callable[..., None] = (
                self.backspace if key == "⌫" else (lambda _=False, k=key: self.press(k)))
            grid.addWidget(self._button(key, action, 24, "key"), i // 3, i % 3)
        self.clear_button = self._button("C", self.clear, 24, "key")
        self.clear_button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        grid.addWidget(self.clear_button, 0, 3, 4, 1)

        self.caption = QLabel()
        self.caption.setObjectName("keypad_caption")
        set_points(self.caption, 13)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.display)
        layout.addLayout(quick)
        layout.addLayout(grid)
        self.retranslate()
        self._show()

    def _button(self, text: str, action: Callable[..., None], points: int, role: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(f"{role}_{text}")
        set_points(button, points)
        button.setMinimumSize(KEY_PX, KEY_PX)
        button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a tap must not steal the keyboard
        button.clicked.connect(action)
        self.buttons[text] = button
        return button

    @property
    def reading(self) -> str:
        return self._reading

    def press(self, key: str) -> None:
        if len(self._reading) >= MAX_CHARS or (key == "." and "." in self._reading):
            return
        self._set(self._reading + key)

    def backspace(self) -> None:
        self._set(self._reading[:-1])

    def clear(self) -> None:
        self._set("")

    def set_reading(self, reading: str) -> None:
        self._set(reading[:MAX_CHARS])

    def _set(self, reading: str) -> None:
        if reading != self._reading:
            self._reading = reading
            self._show()
            self.reading_changed.emit(reading)

    def _show(self) -> None:
        self.display.setText(self.tr("%1 °C").replace("%1", self._reading) if self._reading else "— °C")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Digits, the point (or comma), Backspace and Escape from a keyboard."""
        text = event.text()
        if text and text in "0123456789":
            self.press(text)
        elif text in (".", ","):
            self.press(".")
        elif event.key() == Qt.Key.Key_Backspace:
            self.backspace()
        elif event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Delete):
            self.clear()
        else:
            super().keyPressEvent(event)

    def retranslate(self) -> None:
        self.caption.setText(self.tr("Temperature"))
        self._show()

    def changeEvent(self, event) -> None:
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
