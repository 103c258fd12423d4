"""The camera path: the scanners' `ScanWorker` (its own capture and decode threads, no Qt)
bridged to Qt signals, which Qt queues onto the GUI thread.

The GUI's own background work goes through `ui.tasks.Lane`; the camera is the one
exception because `scanners` already runs it in plain threads (so it is tested without
Qt) and a second copy of that loop here would be a second thing to keep right.

Frames are converted to a preview-sized QImage on the capture thread, and at most one
frame waits for the GUI at a time: a busy GUI thread skips frames instead of queueing
them, so memory and latency stay bounded.
"""
from __future__ import annotations

import logging
import threading
import time

import cv2
import numpy as np
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QImage

from scanners.decode import QrDecoder
from scanners.repeat import RepeatGuard
from scanners.sources import SourceFactory
from scanners.worker import ScanState, ScanWorker
from ui.preview import CameraState

log = logging.getLogger("camera")

PREVIEW_WIDTH = 960  # the preview is never shown wider than this: scale once, off the GUI thread

STATES = {ScanState.RUNNING: CameraState.LIVE, ScanState.CAMERA_MISSING: CameraState.MISSING,
          ScanState.RECONNECTING: CameraState.MISSING, ScanState.STOPPED: CameraState.OFF}


def to_qimage(frame: np.ndarray, width: int = PREVIEW_WIDTH) -> QImage:
    """A BGR or grey frame as an RGB QImage at most `width` wide (a copy: the frame may be reused)."""
    if frame.ndim == 2:
        frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    height, full_width = frame.shape[:2]
    if full_width > width:
        frame = cv2.resize(frame, (width, height * width // full_width), interpolation=cv2.INTER_AREA)
    rgb = np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    image = QImage(rgb.data, rgb.shape[1], rgb.shape[0], rgb.strides[0], QImage.Format.Format_RGB888)
    return image.copy()


class CameraFeed(QObject):
    """Runs a ScanWorker; reports frames, payloads and the camera's state as signals.

    Signals:
        frame_ready(QImage, float): a preview frame and when it was captured (perf_counter s).
        payload_seen(str, float): a new payload (past the repeat guard) and when it was decoded.
        state_changed(str): a CameraState value.
    """

    frame_ready = Signal(QImage, float)
    payload_seen = Signal(str, float)
    state_changed = Signal(str)

    def __init__(self, factory: SourceFactory, decoder: QrDecoder | None = None,
                 guard: RepeatGuard | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.guard = guard or RepeatGuard()
        self.state = CameraState.STARTING
        self.frames_shown = 0
        self._frame_waiting = threading.Event()
        self._worker = ScanWorker(factory, decoder=decoder, repeat_guard=self.guard,
                                  on_frame=self._on_frame, on_payload=self._on_payload,
                                  on_status=self._on_status)
        self.state_changed.connect(self._remember_state)

    @property
    def stats(self):
        return self._worker.stats

    def start(self) -> None:
        self._worker.start()

    def stop(self) -> None:
        if not self._worker.stop():
            log.error("the camera threads did not stop in time")

    # worker threads: keep these short, hand over by signal

    def _on_frame(self, frame: np.ndarray) -> None:
        if self._frame_waiting.is_set():
            return  # the GUI has not shown the last one yet: skip this frame
        self._frame_waiting.set()
        self.frame_ready.emit(to_qimage(frame), time.perf_counter())

    def _on_payload(self, payload: str) -> None:
        self.payload_seen.emit(payload, time.perf_counter())

    def _on_status(self, state: ScanState) -> None:
        self.state_changed.emit(STATES[state].value)

    # GUI thread

    def frame_taken(self) -> None:
        """The GUI has the frame: the next one may be sent."""
        self.frames_shown += 1
        self._frame_waiting.clear()

    @Slot(str)
    def _remember_state(self, state: str) -> None:
        self.state = CameraState(state)
