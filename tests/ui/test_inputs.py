"""The three input paths into the one scan path, and the thread that keeps the GUI free."""
from __future__ import annotations

import time
import wave

import cv2
import pytest
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtTest import QTest

from data.demo_frames import card_frame, desk
from scanners.sources import FolderSource, SourceUnavailable
from scanners.wedge import WedgeParser
from tests.ui.test_gate_screen import RecordingSounds
from ui.camera import CameraFeed
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

    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_slow_typing_is_given_back_to_the_focused_field(qtbot, community):
    app = gate_app(qtbot, community)
    clock = StepClock()
    wedge = WedgeFilter(WedgeParser(), clock)
    app.app.removeEventFilter(app.wedge)
    app.app.installEventFilter(wedge)
    try:
        app.show()
        qtbot.waitExposed(app.window)
        app.window.serial_entry.setFocus()
        for char in "7K3Q":
            QTest.keyClick(app.window.windowHandle(), char)
            clock.now += 0.3  # a person: far slower than a scanner
        wedge._poll()
        assert app.window.serial_entry.text() == "7K3Q"
    finally:
        app.app.removeEventFilter(wedge)
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
