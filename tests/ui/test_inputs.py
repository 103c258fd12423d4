"""The three input paths into the one scan path, and the thread that keeps the GUI free."""
from __future__ import annotations

import time
import wave

import cv2
import pytest
from PySide6.QtCore import QElapsedTimer, QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QWindow
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from data.demo_frames import card_frame, desk
from kiosk.model import Direction
from scanners.sources import FolderSource, SourceUnavailable
from scanners.wedge import WedgeParser
from tests.scanners import wedge_traces
from tests.scanners.wedge_traces import Trace
from tests.ui.test_gate_screen import RecordingSounds
from ui.camera import CameraFeed
from ui.filedialogs import save_dialog
from ui.preview import CameraState
from ui.run import GateApp
from ui.sound import TUNES, Sounds
from ui.tasks import Lane
from ui.verdict import Look
from ui.wedge import WedgeFilter


def gate_app(qtbot, community, camera=None) -> GateApp:
    app = GateApp(community.path, "zh", camera=camera, clock=community.clock, sounds=RecordingSounds())
    qtbot.addWidget(app.window)
    return app


# -- the keyboard-wedge scanner --------------------------------------------------------

def test_wedge_burst_anywhere_in_the_window_is_a_scan(qtbot, community):
    app = gate_app(qtbot, community)
    try:
        app.show()
        app.window.serial_entry.setFocus()  # whatever has the focus
        qtbot.waitExposed(app.window)
        qtbot.waitUntil(lambda: app.window.status.snapshot is not None)  # first paint and refresh done
        app.app.processEvents()
        handle = app.window.windowHandle()
        with qtbot.waitSignal(app.window.verdict_shown, timeout=5000) as shown:
            for char in community.payloads["life"]:
                QTest.keyClick(handle, char)  # into the window, as a USB keyboard's keys arrive
            QTest.keyClick(handle, Qt.Key.Key_Return)
        assert shown.args[0].request.source == "wedge"
        assert shown.args[0].request.payload == community.payloads["life"]
        assert app.window.verdict.look is Look.ALLOW
        assert app.window.serial_entry.text() == ""  # nothing leaked into the focused field
    finally:
        app.close()


def test_a_scanner_under_a_chinese_input_method_types_full_width_and_still_scans(qtbot, community):
    app = gate_app(qtbot, community)
    try:
        app.show()
        qtbot.waitExposed(app.window)
        qtbot.waitUntil(lambda: app.window.status.snapshot is not None)
        payload = community.payloads["life"]
        to_full_width = {i: i + 0xFEE0 for i in range(0x21, 0x7F)}
        full_width = payload[:30].translate(to_full_width) + "\u3000" + payload[30:]  # and an IME space
        handle = app.window.windowHandle()
        with qtbot.waitSignal(app.window.verdict_shown, timeout=5000) as shown:
            for char in full_width:
                QTest.sendKeyEvent(QTest.KeyAction.Click, handle, Qt.Key.Key_unknown, char,
                                   Qt.KeyboardModifier.NoModifier)
            QTest.keyClick(handle, Qt.Key.Key_Return)
        assert shown.args[0].request.source == "wedge"
        assert app.window.verdict.look is Look.ALLOW
    finally:
        app.close()


class StepClock:
    """Monotonic seconds the test moves by hand."""

    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


_KEYS = {"Enter": (Qt.Key.Key_Return, "\r"), "Shift": (Qt.Key.Key_Shift, ""), " ": (Qt.Key.Key_Space, " ")}


def send_key(window: QWindow, key: str, ms: int) -> None:
    """One key press and release carrying its own timestamp, as the window system hands
    them to the application (a character, or "Enter", "Shift")."""
    code, text = _KEYS.get(key) or (Qt.Key(ord(key.upper())) if key.isascii() else Qt.Key.Key_unknown, key)
    modifiers = Qt.KeyboardModifier.ShiftModifier if key.isupper() else Qt.KeyboardModifier.NoModifier
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        event = QKeyEvent(kind, code, modifiers, text)
        event.setTimestamp(ms)
        QApplication.sendEvent(window, event)


class EventLoop:
    """Plays a key trace into a window as the event loop would, on a clock moved by hand:
    each key when it is pressed (its timestamp), and the wedge filter's poll timer whenever
    it falls due first. After the GUI thread was busy (`busy`), the keys pressed meanwhile
    wait in the queue and are delivered at once, before any timer; then it catches up."""

    def __init__(self, app: GateApp):
        self.clock = StepClock(0.0)
        self.wedge = WedgeFilter(WedgeParser(), self.clock)
        self.scans: list[str] = []
        self.wedge.scanned.connect(self.scans.append)
        self.wedge.scanned.connect(app._on_wedge)
        app.app.removeEventFilter(app.wedge)
        app.app.installEventFilter(self.wedge)
        self.app = app

    def play(self, trace: Trace) -> None:
        for key, ms in trace:
            arrives = ms / 1000
            while (due := self.wedge.poll_due) is not None and due <= arrives and due > self.clock.now:
                self.clock.now = due
                self.wedge._poll()  # the timer fires
            self.clock.now = max(self.clock.now, arrives)
            send_key(self.app.window.windowHandle(), key, ms)

    def busy(self, seconds: float) -> None:
        """The GUI thread is busy: the poll timer fires this much late."""
        self.clock.now = (self.wedge.poll_due or self.clock.now) + seconds
        self.wedge._poll()

    def settle(self) -> None:
        """No more keys: the poll timer fires until nothing is held."""
        while (due := self.wedge.poll_due) is not None:
            self.clock.now = max(self.clock.now, due)
            self.wedge._poll()

    def close(self) -> None:
        self.app.app.removeEventFilter(self.wedge)


def shown_app(qtbot, community) -> GateApp:
    app = gate_app(qtbot, community)
    app.show()
    qtbot.waitExposed(app.window)
    qtbot.waitUntil(lambda: app.window.status.snapshot is not None)
    return app


@pytest.mark.parametrize("text", ["7K3Q", "CWWC-H14", "7k3q 9ad"])
def test_a_persons_keys_delivered_back_to_back_still_reach_the_field(qtbot, community, text):
    """A busy GUI thread hands a person's queued keys over all at once: their own timestamps
    still say a person typed them (the real clock and the real poll timer)."""
    app = shown_app(qtbot, community)
    scans = []
    app.wedge.scanned.connect(scans.append)
    try:
        app.window.serial_entry.setFocus()
        for key, ms in wedge_traces.person(text, seed=5, then=None):
            send_key(app.window.windowHandle(), key, ms)
        qtbot.waitUntil(lambda: app.window.serial_entry.text() == text)
        assert scans == []
    finally:
        app.close()


@pytest.mark.parametrize("seed", [0, 1])
def test_a_slow_bursty_scanner_is_one_verdict_through_the_window(qtbot, community, seed):
    app = shown_app(qtbot, community)
    loop = EventLoop(app)
    payload = community.payloads["life"]
    try:
        app.window.serial_entry.setFocus()
        with qtbot.waitSignal(app.window.verdict_shown, timeout=5000) as shown:
            loop.play(wedge_traces.slow_bursty_scanner(payload, seed))
        loop.settle()
        assert loop.scans == [payload]
        assert shown.args[0].request.source == "wedge"
        assert app.window.verdict.look is Look.ALLOW
        assert app.window.serial_entry.text() == ""
    finally:
        loop.close()
        app.close()


@pytest.mark.parametrize("after_characters", [2, 40])
def test_a_busy_gui_thread_does_not_split_a_scan(qtbot, community, after_characters):
    """The GUI thread stalls for 0.8 s in mid-burst: the poll timer fires late, with the
    rest of the burst still waiting in the queue. One scan, one verdict (before: the first
    part typed into the field or scanned alone, the rest a not_a_card denial)."""
    app = shown_app(qtbot, community)
    loop = EventLoop(app)
    payload = community.payloads["life"]
    trace = wedge_traces.fast_usb_scanner(payload, seed=3)
    split = [i for i, (key, _) in enumerate(trace) if len(key) == 1][after_characters]
    try:
        app.window.serial_entry.setFocus()
        with qtbot.waitSignal(app.window.verdict_shown, timeout=5000) as shown:
            loop.play(trace[:split])
            loop.busy(0.8)
            loop.play(trace[split:])
        loop.settle()
        assert loop.scans == [payload]
        assert shown.args[0].verdict.decision.value == "allow"
        assert app.window.serial_entry.text() == ""
    finally:
        loop.close()
        app.close()


def test_a_file_name_typed_fast_in_the_export_dialog_is_a_file_name(qtbot, community, tmp_path):
    """Issue 11: typing a file name quickly in the export dialog was a wedge scan and a red
    deny on the gate screen. Keys in a dialog are typed text, however fast."""
    app = shown_app(qtbot, community)
    scans = []
    app.wedge.scanned.connect(scans.append)
    dialog = save_dialog(app.window, "Export", "log.xlsx", ["All files (*)"])
    dialog.setDirectory(str(tmp_path))
    try:
        dialog.open()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        name.selectAll()
        with qtbot.waitSignal(dialog.accepted, timeout=5000):
            for key, ms in wedge_traces.fast_usb_scanner("gate-log-2026-02-12.xlsx", seed=1):
                send_key(dialog.windowHandle(), key, ms)
        assert scans == []
        assert dialog.selectedFiles() == [str(tmp_path / "gate-log-2026-02-12.xlsx")]
        assert app.window.verdict.look is Look.IDLE
    finally:
        dialog.close()
        app.close()


def test_a_card_scanned_into_the_pin_pad_is_no_scan(qtbot, community):
    """The PIN pad is a dialog: its keys are the PIN, never a gate scan."""
    app = shown_app(qtbot, community)
    scans, pins = [], []
    app.wedge.scanned.connect(scans.append)
    try:
        dialog = app.window.ask_pin("Admin", "PIN", lambda *_: None)
        dialog.submitted.connect(lambda pin, _reason: pins.append(pin))
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
        for key, ms in wedge_traces.fast_usb_scanner("24681357", seed=2):
            send_key(dialog.windowHandle(), key, ms)
        assert pins == ["24681357"]
        assert scans == []
        assert app.window.verdict.look is Look.IDLE
    finally:
        app.close()


def test_space_on_a_focused_button_presses_it(qtbot, community):
    app = shown_app(qtbot, community)
    try:
        button = app.window.direction.buttons[Direction.IN]
        button.setFocus()
        send_key(app.window.windowHandle(), " ", 5_000)
        assert app.window.direction.direction is Direction.IN
    finally:
        app.close()


@pytest.mark.parametrize(("trace", "typed"), [
    pytest.param([("7", 1000), ("K", 1180), (" ", 1400), ("3", 1650)], "7K 3", id="person"),
    pytest.param([("7", 1000), ("K", 1030), (" ", 1055), ("3", 1300)], "7K 3", id="fast-typist"),
])
def test_a_space_typed_into_the_field_arrives_as_a_space(qtbot, community, trace, typed):
    app = shown_app(qtbot, community)
    loop = EventLoop(app)
    try:
        app.window.serial_entry.setFocus()
        loop.play(trace)
        loop.settle()
        assert app.window.serial_entry.text() == typed
        assert loop.scans == []
    finally:
        loop.close()
        app.close()


# -- the camera ------------------------------------------------------------------------

@pytest.fixture
def card_folder(tmp_path, community):
    folder = tmp_path / "frames"
    folder.mkdir()
    cv2.imwrite(str(folder / "a-card.png"), card_frame(community.payloads["life"], "life", "X", "3-1-101", 1))
    return folder


def test_a_card_shown_to_the_camera_reaches_a_verdict(qtbot, community, card_folder):
    app = gate_app(qtbot, community, camera=lambda: FolderSource(card_folder, fps=15.0))
    try:
        with qtbot.waitSignal(app.window.verdict_shown, timeout=10000) as shown:
            app.show()
        assert shown.args[0].request.source == "camera"
        assert app.window.verdict.look is Look.ALLOW
        # The verdict may arrive before the first frame is painted: the two travel apart.
        qtbot.waitUntil(lambda: app.window.preview.state is CameraState.LIVE
                        and app.window.preview.frames_painted > 0, timeout=5000)
    finally:
        app.close()


def test_missing_camera_says_so_calmly_and_typing_still_works(qtbot, community):
    def no_camera():
        raise SourceUnavailable("no camera at index 0")

    app = gate_app(qtbot, community, camera=no_camera)
    try:
        app.show()
        qtbot.waitUntil(lambda: app.window.preview.state is CameraState.MISSING, timeout=5000)
        assert app.window.preview.message() == "未连接摄像头。请用扫码枪，或手动输入卡号。"
        with qtbot.waitSignal(app.window.verdict_shown, timeout=5000):
            app.window.submit_scan(community.serials["life"], "typed")
        assert app.window.verdict.look is Look.ALLOW
    finally:
        app.close()


def test_gui_thread_is_never_blocked_over_50_ms_while_frames_are_decoded(qtbot, tmp_path, community):
    """1280x720 frames at 30 fps, decoded all the while; a 5 ms GUI timer measures the gaps."""
    folder = tmp_path / "hd"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), card_frame(community.payloads["work"], "work", "X", "3-1-201", 2))
    cv2.imwrite(str(folder / "b.png"), desk(3))
    feed = CameraFeed(lambda: FolderSource(folder, hold_s=0.2, fps=30.0))
    shown = []

    def show(image, _seen_at) -> None:
        shown.append(image.width())
        feed.frame_taken()

    feed.frame_ready.connect(show)
    gaps, clock = [], QElapsedTimer()
    ticker = QTimer(interval=5)

    def tick() -> None:
        gaps.append(clock.restart())

    ticker.timeout.connect(tick)
    clock.start()
    ticker.start()
    feed.start()
    try:
        qtbot.waitUntil(lambda: feed.stats.frames_decoded >= 30, timeout=10000)
    finally:
        ticker.stop()
        feed.stop()
    assert shown and max(shown) <= 960  # scaled for the preview off the GUI thread
    assert max(gaps[1:]) < 50, f"GUI thread blocked for {max(gaps)} ms"


# -- the lane and the sounds -------------------------------------------------------------

def test_lane_runs_jobs_in_order_off_the_gui_thread_and_reports_failures(qtbot):
    import threading

    lane = Lane("test")
    results, errors = [], []
    try:
        with qtbot.waitSignal(lane.idle, timeout=3000):
            for i in range(5):
                lane.submit(lambda i=i: (i, threading.current_thread() is threading.main_thread()),
                            results.append)
            lane.submit(lambda: 1 / 0, None, errors.append)
        assert results == [(i, False) for i in range(5)]
        assert isinstance(errors[0], ZeroDivisionError)
    finally:
        lane.stop()


def test_each_verdict_has_its_own_tune_and_muted_plays_nothing(qtbot, tmp_path):
    sounds = Sounds(player=["true"])
    try:
        with wave.open(str(sounds.file("allow"))) as allow, wave.open(str(sounds.file("deny"))) as deny:
            assert allow.getnframes() != deny.getnframes()
        assert len(set(TUNES.values())) == len(TUNES)
        started = time.perf_counter()
        assert sounds.play("deny") == "deny"
        assert time.perf_counter() - started < 0.05  # started, not waited for
        sounds.muted = True
        assert sounds.play("allow") is None
    finally:
        sounds.close()


def test_no_audio_player_means_silence_not_failure(qtbot):
    sounds = Sounds(player=None)
    try:
        assert sounds.play("allow") is None
    finally:
        sounds.close()
