"""The check before a typed serial counts: whose card is it? In big type, the holder's
initial, the flat and the card kind, to compare with the card in hand; 确认 or 取消."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.model import CardKind
from kiosk.typed import TypedCard

# Its own colours: the gate window's sheet makes labels light, and a dialog's default
# background is light too, which left the flat and the holder unreadable (issue 11).
STYLE = """
QDialog#typed_confirm { background: #102027; border: 3px solid #90a4ae; }
QDialog#typed_confirm QLabel { color: #ffffff; }
QPushButton#typed_cancel { background: #455a64; color: #ffffff; border-radius: 8px; }
QPushButton#typed_confirm_button { background: #1b5e20; color: #ffffff; border-radius: 8px; }
"""


class TypedConfirmDialog(QDialog):
    """Shows a typed serial's card; `accepted` (确认) submits the scan, `rejected` (取消) not.

    Signals: QDialog's own `accepted` and `rejected`.
    """

    def __init__(self, typed: TypedCard, parent: QWidget | None = None):
        super().__init__(parent)
        self.typed = typed
        self.setObjectName("typed_confirm")
        self.setStyleSheet(STYLE)
        self.setModal(True)
        huge, big = QFont(), QFont()
        huge.setPointSize(40)
        huge.setBold(True)
        big.setPointSize(24)
        self.prompt = QLabel()
        self.prompt.setFont(big)
        self.prompt.setWordWrap(True)
        self.flat = self._label(huge, "typed_flat")
        self.holder = self._label(huge, "typed_holder")
        self.kind = self._label(big, "typed_kind")
        self.serial = self._label(big, "typed_serial")
        self.confirm_button = QPushButton()
        self.cancel_button = QPushButton()
        buttons = QHBoxLayout()
        for button, slot, name in ((self.cancel_button, self.reject, "typed_cancel"),
                                   (self.confirm_button, self.accept, "typed_confirm_button")):
            button.setObjectName(name)
            button.setFont(big)
            button.setMinimumSize(180, 72)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        for widget in (self.prompt, self.flat, self.holder, self.kind, self.serial):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        self.retranslate()

    @staticmethod
    def _label(font: QFont, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setFont(font)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label

    def kind_name(self) -> str:
        names: dict[CardKind | None, str] = {
            CardKind.LIFE: self.tr("Life card"), CardKind.WORK: self.tr("Work card"),
            CardKind.SPECIAL: self.tr("Special card")}
        return names.get(self.typed.kind, "")

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Typed card number"))
        self.prompt.setText(self.tr("Is this the card in hand? Compare the flat and the holder."))
        self.flat.setText(self.tr("Flat %1").replace("%1", self.typed.flat))
        self.holder.setText(self.tr("Holder %1").replace("%1", self.typed.initial or "—"))
        self.kind.setText(self.kind_name())
        self.serial.setText(self.typed.serial or "")
        self.confirm_button.setText(self.tr("Confirm"))
        self.cancel_button.setText(self.tr("Cancel"))

    def changeEvent(self, event) -> None:
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
