"""The mask check's one tap (issue 17, setting mask.check): 戴口罩 / 未戴 / 免戴.

Shown on the gate screen only while the setting is on. The answer goes with the next scan
(like the reading on the keypad) and is cleared once its verdict is shown. No key takes
the focus, so the hand scanner and the keypad keep working beside it.

Signals:
    answered(str): yes, no or exempt was tapped ("" when tapped off again).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.sizing import set_points

ANSWERS = ("yes", "no", "exempt")
# Colours that say which was tapped from a distance: dark text on light keys, white on the
# verdict's own green, red and blue once tapped (8.1, 8.5, 8.6:1; WCAG AAA asks 7:1).
STYLE = """
QLabel { color: #eceff1; }
QPushButton { background: #eceff1; color: #102027; border-radius: 10px; min-height: 56px; }
QPushButton#mask_yes:checked { background: #0b5d27; color: white; }
QPushButton#mask_no:checked { background: #9c0a0a; color: white; }
QPushButton#mask_exempt:checked { background: #0d47a1; color: white; }
"""


class MaskCheck(QWidget):
    """Three big exclusive buttons; `answer` is the tapped one or None."""

    answered = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("mask_check")
        self.setStyleSheet(STYLE)
        # Points at the reference size: the gate window scales them (ui/sizing.py).
        self.caption = set_points(QLabel(), 16)
        self.group = QButtonGroup(self)
        self.group.setExclusive(False)  # a second tap takes the answer back
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for answer in ANSWERS:
            button = set_points(QPushButton(), 18, bold=True)
            button.setObjectName(f"mask_{answer}")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda on, a=answer: self._tapped(a, on))
            self.group.addButton(button)
            self.buttons[answer] = button
            row.addWidget(button)
        row.insertWidget(0, self.caption)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        self.retranslate()

    @property
    def answer(self) -> str | None:
        return next((a for a, b in self.buttons.items() if b.isChecked()), None)

    def tap(self, answer: str) -> None:
        self.buttons[answer].click()

    def clear(self) -> None:
        for button in self.buttons.values():
            button.setChecked(False)

    def _tapped(self, answer: str, on: bool) -> None:
        for other, button in self.buttons.items():
            if other != answer:
                button.setChecked(False)
        self.answered.emit(answer if on else "")

    def retranslate(self) -> None:
        self.caption.setText(self.tr("Mask worn?"))
        self.buttons["yes"].setText(self.tr("Mask on"))
        self.buttons["no"].setText(self.tr("No mask"))
        self.buttons["exempt"].setText(self.tr("Exempt"))

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
