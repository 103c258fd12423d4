"""The lead's PIN pad: for an override (with a written reason), leaving full screen,
closing the gate, and the admin screens. It never checks the PIN itself: it emits it,
and the screen asks the service (off the GUI thread) and answers `accept_pin` or `reject_pin`.
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.sizing import KEY_PX, set_points

MAX_PIN = 8

# Its own colours: under the gate window's sheet (light words) a dialog's default light
# ground left the prompt and the dots unreadable (issue 11). Every pair here is 7:1 or more.
STYLE = """
QDialog#pin_dialog { background: #102027; border: 3px solid #90a4ae; }
QDialog#pin_dialog QLabel { color: #ffffff; }
QLabel#pin_dots { background: #eceff1; color: #102027; border-radius: 8px; }
QLabel#pin_error { color: #ffcc80; font-weight: bold; }
QLineEdit { background: #eceff1; color: #102027; border-radius: 8px; padding: 4px 8px; }
QPushButton { background: #37474f; color: #ffffff; border-radius: 10px; padding: 4px; }
QPushButton:pressed { background: #263238; }
"""


class PinDialog(QDialog):
    """A big numeric pad for a lead's PIN, with an optional reason line.

    The keys never move: the message line has a fixed height and wraps, and the dialog's
    width is the pad's, whatever a message says. With a reason to write, the reason sits
    beside the pad (not above it): the dialog fits a 768-pixel-high screen.

    Signals:
        submitted(str, str): the PIN and the reason ("" when none is asked for).
    """

    submitted = Signal(str, str)

    def __init__(self, title: str, prompt: str, ask_reason: bool = False,
                 quick_reasons: tuple[str, ...] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("pin_dialog")
        self.setStyleSheet(STYLE)
        self.setWindowTitle(title)
        self.setModal(True)
        self.ask_reason = ask_reason
        self._pin = ""

        self.prompt = set_points(QLabel(prompt), 20)
        self.prompt.setObjectName("pin_prompt")
        self.prompt.setWordWrap(True)
        self.dots = set_points(QLabel(), 24)
        self.dots.setObjectName("pin_dots")
        self.dots.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dots.setMinimumHeight(KEY_PX)
        self.error = set_points(QLabel(), 16, bold=True)
        self.error.setObjectName("pin_error")
        self.error.setWordWrap(True)
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # The longest message in two lines, whatever it says: nothing under it moves.
        self.error.setFixedHeight(2 * self.error.fontMetrics().lineSpacing() + 4)
        self.error.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

        self.reason = QLineEdit()
        self.reason.setObjectName("override_reason")
        set_points(self.reason, 20)
        self.reason.setMinimumHeight(KEY_PX)
        self.reason.setPlaceholderText(self.tr("Reason (required)"))
        self.reason.setVisible(ask_reason)
        words = QVBoxLayout()
        words.addWidget(self.prompt)
        words.addWidget(self.reason)
        if ask_reason and quick_reasons:
            for text in quick_reasons:
                button = set_points(QPushButton(text), 16)
                button.setObjectName("quick_reason")
                button.setMinimumHeight(KEY_PX)
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                button.clicked.connect(lambda _=False, t=text: self.reason.setText(t))
                words.addWidget(button)
        words.addStretch(1)

        pad = QVBoxLayout()
        pad.addWidget(self.dots)
        pad.addWidget(self.error)
        grid = QGridLayout()
        self.keys: dict[str, QPushButton] = {}
        for i, key in enumerate(("1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK")):
            button = set_points(QPushButton(self.tr("OK") if key == "OK" else key), 22)
            button.setObjectName(f"pin_{key}")
            button.setFixedSize(96, 64)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            self.keys[key] = button
            grid.addWidget(button, i // 3, i % 3)
        pad.addLayout(grid)
        cancel = set_points(QPushButton(self.tr("Cancel")), 16)
        cancel.setObjectName("pin_cancel")
        cancel.setMinimumHeight(KEY_PX)
        cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        cancel.clicked.connect(self.reject)
        pad.addWidget(cancel)

        if ask_reason:
            layout: QBoxLayout = QHBoxLayout(self)
            words_box = QWidget()
            words_box.setLayout(words)
            words_box.setFixedWidth(360)
            layout.addWidget(words_box)
            layout.addLayout(pad)
        else:
            layout = QVBoxLayout(self)
            layout.addLayout(words)
            layout.addLayout(pad)
            self.prompt.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedWidth(self.sizeHint().width())
        if not ask_reason:  # two lines, or as many as the prompt needs (a long name signing in)
            margins = layout.contentsMargins()
            room = self.width() - margins.left() - margins.right()
            self.prompt.setFixedHeight(max(2 * self.prompt.fontMetrics().lineSpacing() + 4,
                                           self.prompt.heightForWidth(room)))
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
