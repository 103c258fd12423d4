"""The direction switch: two big buttons, 出 (out) and 进 (in); one is always chosen."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QSizePolicy, QWidget

from kiosk.model import Direction
from ui.sizing import KEY_PX, set_points

STYLE = """
QPushButton { background: #37474f; color: #eceff1; border-radius: 14px; border: 4px solid #37474f; }
QPushButton:checked#out { background: #0d47a1; color: white; border-color: #ffffff; }
QPushButton:checked#in { background: #4a148c; color: white; border-color: #ffffff; }
"""


class DirectionSwitch(QWidget):
    """Out or in, chosen by a gloved hand; the chosen one is bright and framed.

    Signals:
        direction_changed(str): "out" or "in".
    """

    direction_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet(STYLE)
        self.buttons: dict[Direction, QPushButton] = {}
        self._group = QButtonGroup(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for direction in (Direction.OUT, Direction.IN):
            button = QPushButton()
            button.setObjectName(direction.value)
            button.setCheckable(True)
            set_points(button, 28, bold=True)
            button.setMinimumSize(KEY_PX * 2, 72)
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.toggled.connect(self._on_toggled)
            self._group.addButton(button)
            self.buttons[direction] = button
            layout.addWidget(button)
        self.buttons[Direction.OUT].setChecked(True)
        self.retranslate()

    def _on_toggled(self, on: bool) -> None:
        # Slots return None: a PySide6 slot that returns a bool corrupts its refcount.
        if on:
            self.direction_changed.emit(self.direction.value)

    @property
    def direction(self) -> Direction:
        return Direction.OUT if self.buttons[Direction.OUT].isChecked() else Direction.IN

    def set_direction(self, direction: Direction | str) -> None:
        self.buttons[Direction(direction)].setChecked(True)

    def retranslate(self) -> None:
        self.buttons[Direction.OUT].setText(self.tr("⬆ OUT"))
        self.buttons[Direction.IN].setText(self.tr("⬇ IN"))

    def changeEvent(self, event) -> None:
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
