"""The scan worker end to end: real videos through OpenCV, the real decoder, real threads.

A physical camera cannot exist here, so an unplugged camera is played by `CableCamera`: a
real video read through OpenCV that, once over, answers reads as an unplugged USB camera
does (no frame, ever again).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from scanners.multiframe import CameraDecoder
from scanners.sources import FrameSource, SourceExhausted, SourceUnavailable, VideoFileSource
from scanners.timing import Backoff
from scanners.worker import LatestFrameSlot, ScanState, ScanWorker
from tests.scanners.scanner_helpers import draw_card_frame, write_video

FAST_BACKOFF = Backoff(initial_s=0.001, max_s=0.004)


class Recorder:
    """Collects what the worker reports, and lets a test wait for a payload."""

    def __init__(self) -> None:
        self.frames = 0
        self.payloads: list[str] = []
        self.states: list[str] = []
        self._wanted: dict[str, threading.Event] = {}

    def on_frame(self, frame: np.ndarray) -> None:
        self.frames += 1

    def on_payload(self, payload: str) -> None:
        self.payloads.append(payload)
        if payload in self._wanted:
            self._wanted[payload].set()

    def on_status(self, state: ScanState) -> None:
        self.states.append(state)

    def arrival_of(self, payload: str) -> threading.Event:
        return self._wanted.setdefault(payload, threading.Event())


@pytest.fixture
def make_worker() -> Iterator[Callable[..., tuple[ScanWorker, Recorder]]]:
    workers: list[ScanWorker] = []

    def make(open_source: Callable[[], FrameSource], **kwargs) -> tuple[ScanWorker, Recorder]:
        recorder = Recorder()
        worker = ScanWorker(open_source, on_frame=recorder.on_frame,
                            on_payload=recorder.on_payload, on_status=recorder.on_status,
                            backoff=kwargs.pop("backoff", FAST_BACKOFF), **kwargs)
        workers.append(worker)
        return worker, recorder

    yield make
    for worker in workers:  # no thread outlives its test
        assert worker.stop(timeout=10)


def test_a_card_in_a_video_is_reported_once(make_worker, card_video) -> None:
    path, payload, count = card_video
    worker, seen = make_worker(lambda: VideoFileSource(path))  # paced at 30 fps, like a camera
    worker.start()
    assert worker.join(timeout=30), "the worker should stop when the video is over"
    assert seen.payloads == [payload]
    assert worker.stats.payloads_seen > 1  # decoded in several frames; the guard made it one
    assert seen.frames == count  # the preview got every frame
    assert seen.states == ["running", "stopped"]


def test_a_gate_with_no_card_reports_no_payload(make_worker, tmp_path: Path) -> None:
    frames = [np.full((480, 640, 3), level, np.uint8) for level in range(60, 200, 10)]
    path = write_video(tmp_path / "empty.avi", frames)
    worker, seen = make_worker(lambda: VideoFileSource(path, pace=False))
    worker.start()
    assert worker.join(timeout=30)
    assert seen.payloads == []
    assert worker.stats.frames_decoded >= 1


class CableCamera:
    """Plays a video through OpenCV; when it is over, the cable has been pulled."""

    def __init__(self, path: Path) -> None:
        self._video = VideoFileSource(path)

    def read(self) -> np.ndarray | None:
        try:
            return self._video.read()
        except SourceExhausted:
            return None

    def close(self) -> None:
        self._video.close()


def card_clip(folder: Path, payload: str, frames: int = 10) -> Path:
    card = draw_card_frame(payload, size=(640, 480), module_px=4, at=(40, 40))
    return write_video(folder / f"{payload.replace(':', '_')}.avi", [card] * frames)


def test_an_unplugged_camera_is_reopened_when_plugged_back_in(make_worker,
                                                             tmp_path: Path) -> None:
    before, after = "GP1:CARD:BEFORE", "GP1:CARD:AFTER"
    clip_before, clip_after = card_clip(tmp_path, before), card_clip(tmp_path, after)
    # The kiosk starts with the camera unplugged; it is plugged in, shows a card, is
    # pulled out, stays out for two attempts to reopen it, and is plugged in again.
    plugged = iter([None, lambda: CableCamera(clip_before), None, None,
                    lambda: VideoFileSource(clip_after, loop=True)])
    attempts = []

    def open_camera() -> FrameSource:
        attempts.append(1)
        camera = next(plugged, None)
        if camera is None:
            raise SourceUnavailable("no camera at index 0")
        return camera()

    worker, seen = make_worker(open_camera)
    arrived = seen.arrival_of(after)
    worker.start()
    assert arrived.wait(timeout=30), f"no payload after reconnecting; states {seen.states}"
    assert worker.stop()
    assert seen.payloads == [before, after]
    assert seen.states == ["camera_missing", "running", "reconnecting", "camera_missing",
                           "running", "stopped"]
    assert len(attempts) == 5


def test_a_missing_camera_is_retried_with_back_off_until_stopped(make_worker) -> None:
    tried = threading.Event()
    attempts = []

    def no_camera() -> FrameSource:
        attempts.append(1)
        if len(attempts) >= 4:
            tried.set()
        raise SourceUnavailable("no camera at index 0")

    backoff = Backoff(initial_s=0.001, max_s=0.002)
    worker, seen = make_worker(no_camera, backoff=backoff)
    worker.start()
    assert tried.wait(timeout=10)
    assert worker.stop()
    assert seen.states == ["camera_missing", "stopped"]  # said once, not at every attempt
    assert backoff.next_delay() == 0.002  # the delays grew to the cap


def test_a_failing_callback_is_logged_and_scanning_goes_on(make_worker, card_video,
                                                          caplog: pytest.LogCaptureFixture
                                                          ) -> None:
    path, payload, _ = card_video

    def broken_preview(frame: np.ndarray) -> None:
        raise RuntimeError("preview bug")

    seen: list[str] = []
    worker = ScanWorker(lambda: VideoFileSource(path), on_frame=broken_preview,
                        on_payload=seen.append, backoff=FAST_BACKOFF)
    with caplog.at_level(logging.ERROR, logger="scan"):
        worker.start()
        assert worker.join(timeout=30)
    assert seen == [payload]
    failures = [r for r in caplog.records if "on_frame callback failed" in r.getMessage()]
    assert failures and failures[0].exc_info is not None  # with its traceback


class OnceBrokenDecoder(CameraDecoder):
    """The worker's real decoder, except that it fails on the first frame (a decoder bug).

    The camera's, not the still images' cascade: that one spends 100-200 ms on every empty
    frame, and on a loaded machine more than the 20 frames the card is shown."""

    failed = False

    def decode(self, frame: np.ndarray) -> list[str]:
        if not self.failed:
            self.failed = True
            raise ValueError("odd frame")
        return super().decode(frame)


def test_a_decoder_failure_on_one_frame_does_not_end_scanning(card_video,
                                                              caplog: pytest.LogCaptureFixture
                                                              ) -> None:
    path, payload, _ = card_video
    seen: list[str] = []
    worker = ScanWorker(lambda: VideoFileSource(path), decoder=OnceBrokenDecoder(),
                        on_payload=seen.append, backoff=FAST_BACKOFF)
    with caplog.at_level(logging.ERROR, logger="scan"):
        worker.start()
        assert worker.join(timeout=30)
    assert seen == [payload]
    assert any("decoding a frame failed" in r.getMessage() for r in caplog.records)


def test_the_slot_keeps_only_the_newest_frame() -> None:
    slot = LatestFrameSlot()
    frames = [np.full((2, 2), i, np.uint8) for i in range(3)]
    for frame in frames:
        slot.put(frame)
    assert slot.take() is frames[2]
    slot.close()
    assert slot.take() is None


def test_the_slot_hands_over_a_frame_put_before_it_was_closed() -> None:
    slot = LatestFrameSlot()
    frame = np.zeros((2, 2), np.uint8)
    slot.put(frame)
    slot.close()
    assert slot.take() is frame
    assert slot.take() is None


def test_take_waits_for_a_frame_from_another_thread() -> None:
    slot = LatestFrameSlot()
    frame = np.zeros((2, 2), np.uint8)
    producer = threading.Thread(target=slot.put, args=(frame,))
    producer.start()
    assert slot.take() is frame
    producer.join()


def test_stop_before_start_is_harmless() -> None:
    worker = ScanWorker(lambda: VideoFileSource("missing.avi"))
    assert worker.stop()
    assert worker.state is None


def test_backoff_doubles_up_to_its_cap_and_resets() -> None:
    backoff = Backoff(initial_s=0.5, max_s=5.0)
    assert [backoff.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_the_decode_thread_runs_opencv_on_one_thread(make_worker, card_video) -> None:
    # The kiosk has two cores: the decode thread takes one, the GUI must keep the other.
    import cv2

    before = cv2.getNumThreads()
    cv2.setNumThreads(4)
    try:
        path, payload, _ = card_video
        worker, seen = make_worker(lambda: VideoFileSource(path))  # paced, like a camera
        worker.start()
        assert worker.join(timeout=30)
        assert seen.payloads == [payload]  # it decoded
        assert cv2.getNumThreads() == 1
    finally:
        cv2.setNumThreads(before)
