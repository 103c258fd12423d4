"""Who is on duty: the volunteer signs in at the start of a shift (issue 11).

They tap their name among the active operators (big buttons, for gloves), then enter their
PIN on the usual PIN pad. From then on every scan carries their name (GateWindow.operator).
Nobody signed in never blocks a resident: scans still decide, the status bar says so in
amber. The gate service checks the PIN and writes the audit line (kiosk.app.Gate.sign_in);
this module only shows and asks, on the gate's lane.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.dialogs import PinDialog
from ui.sizing import apply_scale, set_points, window_scale

if TYPE_CHECKING:
    from ui.gateclient import GateClient

log = logging.getLogger("gate")

COLUMNS = 3  # names per row: 3 big buttons fit a 1024 px wide screen
# Its own colours, not the gate window's: #eceff1 on #263238 is 12:1, white on #37474f
# 9.7:1 (WCAG AAA asks 7:1).
STYLE = """
#name_picker { background: #263238; border: 3px solid #90a4ae; border-radius: 14px; }
#name_picker QLabel { color: #eceff1; }
#name_picker QPushButton { background: #37474f; color: white; border: 2px solid #90a4ae;
                           border-radius: 10px; padding: 6px 12px; }
#name_picker QPushButton:pressed { background: #455a64; }
"""


class NamePicker(QFrame):
    """The active operators' names as big buttons, and "not now", over the gate screen.

    A panel inside the gate window, not a window of its own: the gate window stays the
    active one, so the camera and the hand scanner (ui/wedge.py takes scans only in the
    active gate window) keep scanning while it is up, and a resident never waits.

    Signals:
        picked(str): a name was tapped (the panel is gone).
    """

    picked = Signal(str)

    def __init__(self, names: list[str], parent: QWidget, cover: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("name_picker")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(STYLE)
        # Points at the reference size: the window scales them with everything else.
        self.prompt = set_points(QLabel(self.tr("Who is on duty? Tap your name")), 24)
        self.prompt.setWordWrap(True)
        self.box = layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addStretch(1)  # the names in the middle of the panel it covers
        layout.addWidget(self.prompt)
        self.grid = grid = QGridLayout()
        self.columns = COLUMNS
        self.buttons: dict[str, QPushButton] = {}
        for i, name in enumerate(names):
            button = set_points(QPushButton(name), 24)
            button.setObjectName("sign_in_name")
            button.setMinimumSize(200, 80)  # 80 px: over 12 mm at 96 dpi, for gloves
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, n=name: self._pick(n))
            self.buttons[name] = button
            grid.addWidget(button, i // COLUMNS, i % COLUMNS)
        layout.addLayout(grid)
        self.later = set_points(QPushButton(self.tr("Not now")), 20)
        self.later.setObjectName("sign_in_later")
        self.later.setMinimumHeight(64)
        self.later.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.later.clicked.connect(self.close)
        layout.addWidget(self.later)
        layout.addStretch(1)
        apply_scale(self, window_scale(parent))
        self._over = parent
        # The panel it covers whole (the verdict's: its words half hidden under the names
        # looked broken); the band of colour around the panels still shows a scan's verdict.
        self._cover = cover
        for watched in (parent, cover):
            if watched is not None:
                watched.installEventFilter(self)  # placed again when the window is resized

    def open(self) -> None:
        self._centre()
        self.show()
        self.raise_()

    def _fit_columns(self) -> None:
        """As many names to a row (three at most) as fit the panel it covers; when none do,
        or their rows would be taller than the window, as many as fit the window."""
        margins = self.box.contentsMargins()
        spacing = max(0, self.grid.horizontalSpacing(), self.grid.verticalSpacing())
        hints = [b.sizeHint().expandedTo(b.minimumSize()) for b in self.buttons.values()]
        widest = max((h.width() for h in hints), default=0)
        tallest = max((h.height() for h in hints), default=0)

        def width(columns: int) -> int:
            return margins.left() + margins.right() + columns * widest + (columns - 1) * spacing

        def fits_height(columns: int) -> bool:
            rows = -(-len(hints) // columns) + 2  # the names' rows, the prompt and 暂不签到
            return rows * (tallest + spacing) + margins.top() + margins.bottom() <= self._over.height()

        cover = self._cover.width() if self._cover is not None and self._cover.isVisible() else 0
        choices = range(COLUMNS, 0, -1)
        columns = next((c for c in choices if width(c) <= cover and fits_height(c)), None)
        if columns is None:
            columns = next((c for c in choices if width(c) <= self._over.width()), 1)
        if columns != self.columns:
            self.columns = columns
            for i, button in enumerate(self.buttons.values()):
                self.grid.removeWidget(button)
                self.grid.addWidget(button, i // columns, i % columns)
            self.box.activate()

    def _centre(self) -> None:
        parent = self._over
        self._fit_columns()
        cover = self._cover
        if cover is not None and cover.isVisible():
            area = QRect(cover.mapTo(parent, QPoint(0, 0)), cover.size())
        else:
            area = QRect(parent.width() // 2, parent.height() // 2, 0, 0)  # its own size, centred
        size = self.sizeHint().expandedTo(area.size()).boundedTo(parent.size())
        # Centred on the area (QRect.center() rounds its inclusive corner a pixel short).
        x = min(max(0, area.x() + (area.width() - size.width()) // 2), parent.width() - size.width())
        y = min(max(0, area.y() + (area.height() - size.height()) // 2), parent.height() - size.height())
        self.setGeometry(x, y, size.width(), size.height())

    def eventFilter(self, watched, event) -> bool:
        moved = event.type() in (QEvent.Type.Resize, QEvent.Type.Move)
        if moved and (watched is self._over or watched is self._cover):
            self._centre()
        return False

    def event(self, event) -> bool:
        # The window scales the words after its resize event (and after this filter saw it):
        # the names' new sizes come as a layout request, so the panel is fitted again.
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest and self.isVisible():
            self._centre()
        return handled

    def _pick(self, name: str) -> None:
        self.close()
        self.picked.emit(name)


class SignIn(QObject):
    """The sign-in of one gate screen: names, PIN, and who is on duty now.

    Signals:
        on_duty(str): the volunteer now on duty ("" when nobody is signed in).
    """

    on_duty = Signal(str)

    def __init__(self, client: GateClient, parent_widget: QWidget, cover: QWidget | None = None):
        super().__init__(parent_widget)
        self.cover = cover  # what the names are shown over (the verdict panel)
        self.client = client
        self.widget = parent_widget
        self.name = ""  # who is on duty
        self.picker: NamePicker | None = None
        self.pin_dialog: PinDialog | None = None

    def start(self) -> None:
        """Ask who is on duty: the names are read on the lane, then the picker opens."""
        self.client.call(lambda gate: gate.duty_names(), self._show_names,
                         lambda error: log.error("operators not read: %s", error))

    def sign_out(self) -> None:
        """The volunteer on duty leaves: an audit line, nobody on duty, and the picker for the next."""
        if self.name:
            name = self.name
            self.client.call(lambda gate: gate.sign_out(name), None,
                             lambda error: log.error("sign-out not recorded: %s", error))
            self._set("")
        self.start()

    def _show_names(self, names: list[str]) -> None:
        if not names:  # no operators yet: nobody can sign in, the gate scans all the same
            log.warning("no operators to sign in: add them with kiosk operator add")
            return
        if self.picker is not None:
            self.picker.close()
            self.picker.deleteLater()
        self.picker = NamePicker(names, self.widget, self.cover)
        self.picker.picked.connect(self._ask_pin)
        self.picker.open()

    def _ask_pin(self, name: str) -> None:
        dialog = PinDialog(self.tr("Sign in"), self.tr("%1: your PIN").replace("%1", name),
                           parent=self.widget)
        self.pin_dialog = dialog

        def checked(result: tuple) -> None:
            operator, locked_until = result
            if operator is None:
                dialog.reject_pin(locked_until)
                return
            dialog.accept_pin()
            self._set(operator.name)

        def failed(error: BaseException) -> None:
            log.error("sign-in failed: %s", error)
            dialog.reject_pin(None)

        def submitted(pin: str, _reason: str) -> None:
            self.client.call(lambda gate: (gate.sign_in(name, pin), gate.pin_locked_until()),
                             checked, failed)

        dialog.submitted.connect(submitted)
        dialog.finished.connect(self._forget_pin_dialog)
        dialog.open()

    def _forget_pin_dialog(self, _result: int) -> None:
        self.pin_dialog = None

    def _set(self, name: str) -> None:
        self.name = name
        log.info("on duty: %s", name or "nobody")
        self.on_duty.emit(name)

