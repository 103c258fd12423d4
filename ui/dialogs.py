"""The lead's PIN pad: for an override (with a written reason), leaving full screen,
closing the gate, and the admin screens. It never checks the PIN itself: it emits it,
and the screen asks the service (off the GUI thread) and answers `accept_pin` or `reject_pin`.
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

MAX_PIN = 8


class PinDialog(QDialog):
    """A big numeric pad for a lead's PIN, with an optional reason line.

    Signals:
        submitted(str, str): the PIN and the reason ("" when none is asked for).
    """

    submitted = Signal(str, str)

    def __init__(self, title: str, prompt: str, ask_reason: bool = False,
                 quick_reasons: tuple[str, ...] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.ask_reason = ask_reason
        self._pin = ""
        big = QFont()
        big.setPointSize(24)

        self.prompt = QLabel(prompt)
        self.prompt.setWordWrap(True)
        self.prompt.setFont(big)
        self.dots = QLabel()
        self.dots.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dots.setFont(big)
        self.dots.setMinimumHeight(56)
        self.error = QLabel()
        self.error.setObjectName("pin_error")
        self.error.setStyleSheet("color: #b71c1c; font-weight: bold;")
        self.error.setFont(big)

        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        self.reason = QLineEdit()
        self.reason.setObjectName("override_reason")
        self.reason.setFont(big)
        self.reason.setPlaceholderText(self.tr("Reason (required)"))
        self.reason.setVisible(ask_reason)
        layout.addWidget(self.reason)
        if ask_reason and quick_reasons:
            row = QHBoxLayout()
            for text in quick_reasons:
                button = QPushButton(text)
                button.setMinimumHeight(56)
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                button.clicked.connect(lambda _=False, t=text: self.reason.setText(t))
                row.addWidget(button)
            layout.addLayout(row)
        layout.addWidget(self.dots)
        layout.addWidget(self.error)

        grid = QGridLayout()
        self.keys: dict[str, QPushButton] = {}
        for i, key in enumerate(("1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK")):
            button = QPushButton(self.tr("OK") if key == "OK" else key)
            button.setObjectName(f"pin_{key}")
            button.setFont(big)
            button.setMinimumSize(96, 72)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            self.keys[key] = button
            grid.addWidget(button, i // 3, i % 3)
        layout.addLayout(grid)
        cancel = QPushButton(self.tr("Cancel"))
        cancel.setMinimumHeight(56)
        cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        cancel.clicked.connect(self.reject)
        layout.addWidget(cancel)
        self._show()

    @property
    def pin(self) -> str:
        return self._pin

    def press(self, key: str) -> None:
        self.error.clear()
        if key == "OK":
            self.submit()
        elif key == "⌫":
            self._pin = self._pin[:-1]
        elif len(self._pin) < MAX_PIN:
            self._pin += key
        self._show()

    def submit(self) -> None:
        if self.ask_reason and not self.reason.text().strip():
            self.error.setText(self.tr("Write the reason first"))
            return
        if not self._pin:
            self.error.setText(self.tr("Enter the PIN"))
            return
        self.submitted.emit(self._pin, self.reason.text().strip())

    def reject_pin(self, locked_until: dt.datetime | None = None) -> None:
        """The service refused the PIN: clear it and say so (and when the next try is possible)."""
        self._pin = ""
        self._show()
        if locked_until is None:
            self.error.setText(self.tr("Wrong PIN"))
        else:
            # Gate.pin_locked_until gives the community's time zone, not this machine's.
            local = locked_until.strftime("%H:%M:%S")
            self.error.setText(self.tr("Too many wrong PINs: try again after %1").replace("%1", local))

    def accept_pin(self) -> None:
        self.accept()

    def _show(self) -> None:
        self.dots.setText("●" * len(self._pin) or "—")

    def keyPressEvent(self, event) -> None:
        text = event.text()
        if text and text.isdigit() and not self.reason.hasFocus():
            self.press(text)
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit()
        elif event.key() == Qt.Key.Key_Backspace and not self.reason.hasFocus():
            self.press("⌫")
        else:
            super().keyPressEvent(event)
