"""The gate screen: the window a volunteer uses all day, composed of small widgets.

Three input paths (the camera, the keyboard-wedge scanner, the typed serial) all end in
`submit_scan`, which hands a `ScanRequest` to the GateClient; the verdict comes back on
`GateClient.scanned`. This class only wires and shows: the checkpoint service decides.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QRegion,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.model import Decision, Verdict
from kiosk.typed import TypedCard, TypedLimiter
from ui.dialogs import PinDialog
from ui.direction import DirectionSwitch
from ui.gateclient import BUG, NOTICE, STORAGE, GateClient, ScanOutcome, ScanRequest, Snapshot, screen_failure
from ui.keypad import TemperatureKeypad
from ui.mask import MaskCheck
from ui.preview import CameraPreview, CameraState
from ui.report_dialog import ReportDialog
from ui.retest import RetestQueueModel, RetestQueueView
from ui.serial_keyboard import SerialKeyboard
from ui.sign_in import SignIn
from ui.sizing import KEY_PX, SCALE, apply_scale, scale_for, set_points
from ui.sound import Sounds
from ui.statusbar import GateStatusBar
from ui.typed_confirm import TypedConfirmDialog
from ui.verdict import FLOOD, Look, VerdictPanel
from ui.wedge import mark_scan_window

log = logging.getLogger("gate")

REFRESH_MS = 15_000  # the status bar's numbers; a scan refreshes them at once too
BAND_PX = 14  # the verdict's colour around and between the panels, at the reference size

WINDOW_STYLE = """
QMainWindow { background: #102027; }
#panel { background: #102027; border-radius: 12px; }
QLabel { color: #eceff1; }
QPushButton { background: #37474f; color: white; border-radius: 10px; padding: 4px 8px; }
QPushButton:pressed { background: #263238; }
QPushButton:disabled { color: #cfd8dc; }
QLineEdit { background: #eceff1; color: #102027; border-radius: 8px; padding: 4px 8px; }
QTableView { background: #eceff1; color: #1a1a1a; gridline-color: #b0bec5; }
"""


class Panel(QFrame):
    """A group of the screen's widgets on a dark ground.

    Its height is the window's to give, not its words' (wrapped words inside would report a
    height for the width, and a box layout holds such an item rigidly: the window grew past
    the screen and keys were squeezed over each other, issue 11)."""

    def hasHeightForWidth(self) -> bool:
        return False


class Flood(QWidget):
    """The window's ground, in the verdict's colour: it shows as a band around and between
    the panels, which keep their own dark ground so their words stay readable in every look.

    A new colour repaints the band only, not the panels over it (a style sheet re-polish
    repainted the whole window on every verdict)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.colour = QColor(FLOOD[Look.IDLE])

    def set_colour(self, colour: str) -> None:
        if QColor(colour) == self.colour:
            return
        self.colour = QColor(colour)
        band = QRegion(self.rect())
        for child in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if child.isVisible():
                band -= QRegion(child.geometry())
        self.update(band)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), self.colour)
        painter.end()


class GateWindow(QMainWindow):
    """The gate screen.

    Signals:
        verdict_shown(ScanOutcome): a verdict (or "record on paper") is on screen.
        verdict_painted(float): the verdict area was painted; the value is the `seen_at`
            of the scan it shows (perf_counter seconds: the latency benchmark reads it).
    """

    verdict_shown = Signal(object)
    verdict_painted = Signal(float)

    def __init__(self, client: GateClient, now: Callable[[], dt.datetime], language=None,
                 sounds: Sounds | None = None, camera=None, community: str = "",
                 timezone: dt.tzinfo | None = None, operator: str = "",
                 admin_client=None,
                 typed_limiter: TypedLimiter | None = None):
        super().__init__()
        # Typed serials are the unsigned path: too many missed numbers pause it (kiosk.typed).
        self.typed_limiter = typed_limiter or TypedLimiter(time.monotonic)
        self.typed_dialog: TypedConfirmDialog | None = None
        self.client = client
        self.language = language
        self.sounds = sounds or Sounds(player=None)
        self.camera = camera
        self.operator = operator
        self._admin_client = admin_client  # the admin screens' door (ui.adminclient.AdminClient)
        self.locked = False  # in kiosk mode leaving full screen and closing need a lead's PIN
        self._closing_allowed = False
        self._last_request: ScanRequest | None = None
        self._shown_seen_at = 0.0
        self._damage: str | None = None  # a check found the database damaged: what to do
        self._painted_seen_at = 0.0
        self.pin_dialog: PinDialog | None = None
        self.setObjectName("gate")
        mark_scan_window(self)  # its keys may be a hand scanner's; a dialog's never are
        self.setStyleSheet(WINDOW_STYLE)
        self.community = community

        self.preview = CameraPreview()
        self.direction = DirectionSwitch()
        self.verdict = VerdictPanel()
        self.keypad = TemperatureKeypad()
        self.mask_check = MaskCheck()  # shown while the setting mask.check is on
        self.mask_check.setVisible(False)
        self.report_dialog: ReportDialog | None = None
        self.retest_model = RetestQueueModel(now, self)
        self.retest = RetestQueueView(self.retest_model)
        self.status = GateStatusBar(now, timezone)
        self.serial_entry = QLineEdit()
        self.serial_entry.setObjectName("serial_entry")
        set_points(self.serial_entry, 18)
        self.serial_entry.setMinimumSize(KEY_PX * 2, KEY_PX)
        self.serial_entry.returnPressed.connect(self._submit_typed)
        self.serial_button = QPushButton()
        self.serial_button.setObjectName("serial_button")
        set_points(self.serial_button, 16)
        self.serial_button.setMinimumSize(KEY_PX, KEY_PX)
        self.serial_button.clicked.connect(self._submit_typed)
        # The on-screen keyboard, for a gate without a physical one (or gloves on): a toggle.
        self.serial_keyboard = SerialKeyboard(self.serial_entry)
        self.serial_keyboard.setVisible(False)
        self.serial_keyboard.submitted.connect(self._submit_typed)
        self.keyboard_button = QPushButton()
        self.keyboard_button.setObjectName("keyboard_button")
        self.keyboard_button.setCheckable(True)
        set_points(self.keyboard_button, 16)
        self.keyboard_button.setMinimumSize(KEY_PX, KEY_PX)
        self.keyboard_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.keyboard_button.toggled.connect(self._show_keyboard)
        self.typed_pause = QLabel()
        self.typed_pause.setObjectName("typed_pause")
        self.typed_pause.setWordWrap(True)
        set_points(self.typed_pause, 13)
        self.typed_pause.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.typed_pause.setVisible(False)
        self._pause_timer = QTimer(self, interval=1000)
        self._pause_timer.timeout.connect(self._show_typed_pause)

        self.title = QLabel()
        self.title.setObjectName("gate_title")
        set_points(self.title, 22, bold=True)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._scale = 1.0
        self.language_button = self._header_button("language", self.toggle_language)
        self.mute_button = self._header_button("mute", self.toggle_mute)
        self.admin_button = self._header_button("admin", self.open_admin)
        self.report_button = self._header_button("report", self.open_report)
        self.duty_button = self._header_button("duty", self.change_duty)  # ui/sign_in.py

        self._build_layout()
        self._connect()
        self.sign_in = SignIn(client, self, cover=self.verdict)  # every scan carries their name
        self.sign_in.on_duty.connect(self.set_operator)
        self.set_operator(operator)
        self._refresh_timer = QTimer(self, interval=REFRESH_MS)
        self._refresh_timer.timeout.connect(client.refresh)
        self._refresh_timer.start()
        QShortcut(QKeySequence(Qt.Key.Key_F11), self, self.toggle_fullscreen)
        QShortcut(QKeySequence(Qt.Key.Key_F6), self, self.open_report)
        self.preview.set_state(CameraState.STARTING if camera is not None else CameraState.OFF)
        self.retranslate()
        client.refresh()

    def _header_button(self, name: str, action) -> QPushButton:
        button = QPushButton()
        button.setObjectName(name)
        set_points(button, 14)
        button.setMinimumSize(KEY_PX, KEY_PX)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(action)
        return button

    @staticmethod
    def _panel(layout) -> QFrame:
        """A dark ground for a group of widgets: readable whatever colour floods around it."""
        frame = Panel()
        frame.setObjectName("panel")
        frame.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        frame.setLayout(layout)
        return frame

    def _build_layout(self) -> None:
        # Other header buttons join this row (addWidget before the stretch's end is fine).
        self.header = QHBoxLayout()
        self.header.setContentsMargins(8, 4, 8, 4)
        self.header.addWidget(self.title, 1)
        for button in (self.report_button, self.duty_button, self.language_button,
                       self.mute_button, self.admin_button):
            self.header.addWidget(button)

        left = QVBoxLayout()
        left.setContentsMargins(8, 8, 8, 8)
        left.addWidget(self.preview, 1)
        left.addWidget(self.serial_keyboard, 1)  # in the preview's place while it is open
        left.addWidget(self.mask_check)  # the preview gives way to it; the keypad keeps its size
        left.addWidget(self.direction)

        entry = QHBoxLayout()
        entry.addWidget(self.serial_entry, 1)
        entry.addWidget(self.serial_button)
        entry.addWidget(self.keyboard_button)
        self.serial_caption = QLabel()
        self.serial_caption.setObjectName("serial_caption")
        self.serial_caption.setWordWrap(True)
        set_points(self.serial_caption, 13)
        self.serial_caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        right = QVBoxLayout()
        right.setContentsMargins(8, 8, 8, 8)
        # The keypad keeps its size; the retest table gives way when the prompt appears.
        self.keypad.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        right.addWidget(self.keypad)
        right.addWidget(self.retest, 1)
        right.addWidget(self.serial_caption)
        right.addLayout(entry)
        right.addWidget(self.typed_pause)

        # Side by side on a landscape screen; on a portrait one the verdict goes on top,
        # across the whole width, and the two panels share the row under it (resizeEvent).
        self.left_panel, self.right_panel = self._panel(left), self._panel(right)
        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.columns.addWidget(self.left_panel, 4)
        self.columns.addWidget(self.right_panel, 3)
        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body.addLayout(self.columns, 7)
        self.body.insertWidget(1, self.verdict, 6)  # between the columns: set by _arrange
        status_row = QVBoxLayout()
        status_row.setContentsMargins(0, 0, 0, 0)
        status_row.addWidget(self.status)
        self.status_panel = self._panel(status_row)

        central = Flood()
        central.setObjectName("central")
        self.band = QVBoxLayout(central)
        self.band.addWidget(self._panel(self.header))
        self.band.addLayout(self.body, 1)
        self.band.addWidget(self.status_panel)
        self.setCentralWidget(central)
        self.flood = central
        self._portrait: bool | None = None
        self._arrange(portrait=False)

    def _arrange(self, portrait: bool) -> None:
        """Landscape: preview | verdict | keypad. Portrait: the verdict above the two panels."""
        if portrait == self._portrait:
            return
        self._portrait = portrait
        self.status.set_rows(2 if portrait else 1)
        self.body.removeWidget(self.verdict)
        self.columns.removeWidget(self.left_panel)
        self.columns.removeWidget(self.right_panel)
        self.body.removeItem(self.columns)
        if portrait:
            self.body.setDirection(QBoxLayout.Direction.TopToBottom)
            self.body.addWidget(self.verdict, 5)
            self.body.addLayout(self.columns, 6)
            self.columns.addWidget(self.left_panel, 1)
            self.columns.addWidget(self.right_panel, 1)
        else:
            self.body.setDirection(QBoxLayout.Direction.LeftToRight)
            self.body.addWidget(self.left_panel, 4)
            self.body.addWidget(self.verdict, 6)
            self.body.addWidget(self.right_panel, 3)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The one place sizes follow the window: the arrangement, the band and every font."""
        size = event.size()
        self._arrange(size.height() > size.width())
        scale = scale_for(size.width(), size.height())
        if scale != self._scale:
            self._scale = scale
            self.setProperty(SCALE, scale)  # panels opened later over the window (ui/sign_in.py)
            band = max(6, round(BAND_PX * scale))
            self.band.setContentsMargins(band, band, band, band)
            for layout in (self.band, self.body, self.columns):
                layout.setSpacing(band)
            apply_scale(self, scale)
        super().resizeEvent(event)

    def fit_to_screen(self) -> None:
        """Windowed, the window takes the screen's available geometry (a kiosk session with no
        window manager keeps exactly that); a window manager maximises it in its frame."""
        self.setGeometry(self.screen().availableGeometry())
        self.showMaximized()

    def _on_look_changed(self, look: str) -> None:
        self.flood.set_colour(FLOOD[Look(look)])

    def _connect(self) -> None:
        self.client.scanned.connect(self.show_outcome)
        self.client.snapshot_ready.connect(self._on_snapshot)
        self.verdict.reason_chosen.connect(self._rescan_with_reason)
        self.verdict.override_requested.connect(self.request_override)
        self.verdict.look_changed.connect(self._on_look_changed)
        self.direction.direction_changed.connect(lambda _: self.verdict.clear())
        self.retest.retest_due.connect(self._on_retest_due)
        self.verdict.installEventFilter(self)
        if self.camera is not None:
            self.camera.frame_ready.connect(self._show_frame)
            self.camera.state_changed.connect(self._on_camera_state)
            self.camera.payload_seen.connect(self._on_camera_payload)

    # Slots return None: a PySide6 slot returning a value (a bool above all) corrupts refcounts.
    def _on_retest_due(self, _serial: str, _flat: str) -> None:
        self.sounds.play("due")

    def _show_keyboard(self, on: bool) -> None:
        # A card typed by hand is one the camera could not read: its preview can give way.
        # What goes away goes first: both shown for a moment made the window grow past the screen.
        going, coming = (self.preview, self.serial_keyboard) if on else (self.serial_keyboard, self.preview)
        going.setVisible(False)
        coming.setVisible(True)
        self.serial_button.setVisible(not on and self.serial_entry.isVisible())  # the keyboard has its 查验
        self.retranslate()

    def _on_camera_state(self, state: str) -> None:
        self.preview.set_state(CameraState(state))

    def _on_camera_payload(self, payload: str, seen_at: float) -> None:
        self.submit_scan(payload, "camera", seen_at)

    def _show_frame(self, image, seen_at: float) -> None:
        self.preview.set_frame(image, seen_at)
        self.camera.frame_taken()

    # -- scans in -------------------------------------------------------------------

    def submit_scan(self, payload: str, source: str, seen_at: float | None = None) -> ScanRequest:
        """Every path ends here: the direction and the temperature on screen go with it."""
        mask = None if self.mask_check.isHidden() else self.mask_check.answer
        request = ScanRequest(payload=payload, direction=self.direction.direction.value,
                              temperature=self.keypad.reading or None, operator=self.operator,
                              source=source, mask=mask)
        if seen_at is not None:
            request = dataclasses.replace(request, seen_at=seen_at)
        self._last_request = request
        self.client.scan(request)
        return request

    def _submit_typed(self) -> None:
        """查验: first whose card the number names; an active card waits for 确认."""
        text = self.serial_entry.text().strip()
        if not text or self._show_typed_pause():
            return
        self.client.look_up_typed(text, self._on_typed_card, self._on_typed_failed)

    def _on_typed_card(self, typed: TypedCard) -> None:
        self.typed_limiter.record(typed)
        self._show_typed_pause()
        serial = typed.serial  # a found card always has one
        if typed.outcome != "found" or serial is None:
            # Nothing to compare: the scan decides and records it (unknown, revoked, ...). A
            # number that is no serial at all is a typo: it stays in the field to be put right.
            if typed.outcome != "not_a_card":
                self.serial_entry.clear()
            self.submit_scan(typed.typed, "typed")
            return
        dialog = TypedConfirmDialog(typed, self)
        self.typed_dialog = dialog
        def confirmed() -> None:
            self.serial_entry.clear()
            self.submit_scan(serial, "typed")

        dialog.accepted.connect(confirmed)
        dialog.finished.connect(self._forget_typed_dialog)
        dialog.open()

    def _on_typed_failed(self, error: BaseException) -> None:
        if screen_failure(error) == BUG:
            self.client.report_bug(error, "typed serial look-up")
            self.verdict.show_bug()
        else:
            log.error("typed serial not looked up: %s", error)
            self.verdict.show_paper()
        self.sounds.play("paper")

    def _forget_typed_dialog(self, _result: int) -> None:
        self.typed_dialog = None

    def _show_typed_pause(self) -> bool:
        """While typed entry is paused: the entry off and the time left, calmly. True then."""
        left = math.ceil(self.typed_limiter.remaining())
        paused = left > 0
        self.serial_entry.setEnabled(not paused)
        self.serial_button.setEnabled(not paused)
        self.serial_keyboard.setEnabled(not paused)
        self.typed_pause.setVisible(paused)
        # The pause's sentence takes the place of the caption and the field it turned off.
        for widget in (self.serial_caption, self.serial_entry, self.keyboard_button):
            widget.setVisible(not paused)
        self.serial_button.setVisible(not paused and not self.keyboard_button.isChecked())
        if paused:
            self.typed_pause.setText(self.tr("Too many card numbers that name no valid card: typing "
                                             "is paused for %1 s. QR codes scan as usual.")
                                     .replace("%1", str(left)))
            if not self._pause_timer.isActive():
                self._pause_timer.start()
        else:
            self._pause_timer.stop()
        return paused

    def _rescan_with_reason(self, reason: str) -> None:
        if self._last_request is not None:
            request = dataclasses.replace(self._last_request, reason=reason)
            self._last_request = request
            self.client.scan(request)

    # -- verdicts out ---------------------------------------------------------------

    def show_outcome(self, outcome: ScanOutcome) -> None:
        verdict = outcome.verdict
        self._shown_seen_at = outcome.request.seen_at
        if outcome.failure == STORAGE:
            self.verdict.show_paper(self._damage)
            self.status.set_snapshot(None)
            self.sounds.play("paper")
        elif outcome.failure == BUG:
            self.verdict.show_bug()
            self.sounds.play("paper")
        elif outcome.failure == NOTICE:
            self.verdict.show_notice(outcome.notice or str(outcome.error))
            self.sounds.play("deny")
        elif verdict is not None:
            self.verdict.show_verdict(verdict, outcome.request.source)
            log.info("shown %s %s", verdict.event_id, verdict.decision.value)  # the kill tests read it
            # A slip is the volunteer's to put right: a soft tone, not the deny's buzz at the resident.
            slip = self.verdict.look is Look.ACTION
            self.sounds.play("attention" if slip else verdict.decision.value)
            if verdict.reason != "reason_required":
                self.keypad.clear()  # the reading belonged to this person
                self.mask_check.clear()
            self.client.refresh()
        self.verdict_shown.emit(outcome)

    def show_damage(self, sentence: str) -> None:
        """A check found the database damaged: record on paper, and what to do, until closed."""
        self._damage = sentence
        self.verdict.show_paper(sentence)
        self.status.set_snapshot(None)
        self.sounds.play("paper")

    def _on_snapshot(self, snapshot: Snapshot | None) -> None:
        self.status.set_snapshot(snapshot)
        if snapshot is not None:
            self.mask_check.setVisible(snapshot.mask_check)
            self.verdict.deny_clear_s = snapshot.deny_clear_s
            self.retest_model.set_queue(snapshot.retest_queue, snapshot.flats, snapshot.retest_wait_s,
                                        snapshot.retest_window_s)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.verdict and event.type() == QEvent.Type.Paint and self._shown_seen_at:
            self._painted_seen_at, self._shown_seen_at = self._shown_seen_at, 0.0
            QTimer.singleShot(0, self._emit_painted)
        return super().eventFilter(watched, event)

    def _emit_painted(self) -> None:
        self.verdict_painted.emit(self._painted_seen_at)

    # -- the lead's PIN -------------------------------------------------------------

    def ask_pin(self, title: str, prompt: str, then: Callable[[object, str], None],
                ask_reason: bool = False, role: str = "lead") -> PinDialog:
        """Open the PIN pad; `then(operator, reason)` runs once the service accepts the PIN."""
        quick = (self.tr("Urgent medical need"), self.tr("Staff on duty"), self.tr("Card misread")) \
            if ask_reason else ()
        dialog = PinDialog(title, prompt, ask_reason, quick, self)
        self.pin_dialog = dialog

        def checked(operator, locked_until, reason: str) -> None:
            if operator is None:
                dialog.reject_pin(locked_until)
                return
            dialog.accept_pin()
            then(operator, reason)

        def submitted(pin: str, reason: str) -> None:
            self.client.authenticate(pin, role, lambda op, locked: checked(op, locked, reason))

        dialog.submitted.connect(submitted)
        dialog.finished.connect(self._forget_pin_dialog)
        dialog.open()
        return dialog

    def _forget_pin_dialog(self, _result: int) -> None:
        self.pin_dialog = None

    def request_override(self, verdict: Verdict | None) -> None:
        if verdict is None or verdict.event_id is None or verdict.decision is Decision.ALLOW:
            return
        event_id = verdict.event_id
        direction = verdict.direction.value if verdict.direction else "out"
        request = self._last_request or ScanRequest("", direction)

        def override(operator, reason: str) -> None:
            self.client.override(event_id, operator, reason,
                                 dataclasses.replace(request, source="override"))

        self.ask_pin(self.tr("Let through"), self.tr("Lead's PIN and the reason for letting this "
                                                     "person through"), override, ask_reason=True)

    def open_admin(self) -> None:
        def admin(operator, _reason: str) -> None:
            try:
                from ui.admin import open_admin
            except ImportError:
                self.verdict.show_notice(self.tr("The admin screens are not installed."))
                return
            if self._admin_client is not None:
                open_admin(self._admin_client, operator, self)

        self.ask_pin(self.tr("Administration"), self.tr("PIN of a lead or an administrator"), admin)

    def open_report(self) -> None:
        """报告 (F6): what the volunteer saw, recorded with the operator on duty (ui/report_dialog.py)."""
        if self.report_dialog is None:
            self.report_dialog = ReportDialog(self.client, self.operator, self)
            self.report_dialog.finished.connect(lambda _r: setattr(self, "report_dialog", None))
            self.report_dialog.recorded.connect(lambda _r: self.client.refresh())
            self.report_dialog.open()

    # -- who is on duty (ui/sign_in.py) ----------------------------------------------

    def ask_sign_in(self) -> None:
        """The start of a shift: who is on duty? (the picker; scans go on behind it)."""
        self.sign_in.start()

    def change_duty(self) -> None:
        """The header's button: sign in, or sign out and let the next volunteer sign in."""
        if self.operator:
            self.sign_in.sign_out()
        else:
            self.sign_in.start()

    def set_operator(self, name: str) -> None:
        self.operator = self.sign_in.name = name
        self.status.set_on_duty(name)
        self.retranslate()

    # -- full screen and closing ----------------------------------------------------

    def set_kiosk_mode(self, on: bool) -> None:
        self.locked = on
        if on:
            self.showFullScreen()
        else:
            self.showNormal()

    def toggle_fullscreen(self) -> None:
        if not self.isFullScreen():
            self.set_kiosk_mode(True)
        else:
            self.ask_pin(self.tr("Leave full screen"), self.tr("Lead's PIN to leave full screen"),
                         lambda *_: self.set_kiosk_mode(False))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.locked and not self._closing_allowed:
            event.ignore()
            self.ask_pin(self.tr("Close the gate"), self.tr("Lead's PIN to close the gate screen"),
                         lambda *_: self._close_now())
            return
        super().closeEvent(event)

    def _close_now(self) -> None:
        self._closing_allowed = True
        self.close()

    # -- language and sound ---------------------------------------------------------

    def toggle_language(self) -> None:
        if self.language is None:
            return
        code = self.language.toggle()
        self.client.set_lang(code)

    def toggle_mute(self) -> None:
        self.sounds.muted = not self.sounds.muted
        self.retranslate()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Keys no widget took (digits, the point) go to the temperature keypad."""
        self.keypad.keyPressEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("%1 · Gate").replace("%1", self.community) if self.community
                           else self.tr("Gate"))
        self.setWindowTitle(self.title.text())
        # The button names the other language: untranslated (English on screen) it says 中文.
        self.language_button.setText(self.tr("中文"))
        self.mute_button.setText(self.tr("Sound on") if self.sounds.muted else self.tr("Mute"))
        self.admin_button.setText(self.tr("Admin"))
        self.report_button.setText(self.tr("Report"))
        self.duty_button.setText(self.tr("Sign out / change") if self.operator else self.tr("Sign in"))
        self.serial_caption.setText(self.tr("Card does not scan? Type its number:"))
        # A sample serial, the same in every language: "例如" did not fit the field at 1024x768.
        self.serial_entry.setPlaceholderText("7K3Q-9AD")
        self.serial_button.setText(self.tr("Check"))
        self.keyboard_button.setText(self.tr("Hide keys") if self.keyboard_button.isChecked()
                                     else self.tr("Keys"))
        self._show_typed_pause()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
