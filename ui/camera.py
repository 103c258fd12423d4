"""The camera path: frames grabbed on the "camera" lane, decoded on the "decode" lane.

Two lanes so the preview never waits for the decoder: a frame is shown as soon as it is
read, and handed to the decoder only when the decoder is free (a busy decoder skips frames
rather than queueing them up). The frame source and the decoder each live on their own
lane's thread and are never touched from another. A camera that cannot be opened or stops
giving frames is retried with a back-off, and the screen says so calmly meanwhile.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

import cv2
import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from scanners.decode import QrDecoder
from scanners.repeat import RepeatGuard
from scanners.sources import FrameSource, SourceExhausted, SourceFactory
from scanners.timing import Backoff
from ui.preview import CameraState
from ui.tasks import Lane

log = logging.getLogger("camera")

PREVIEW_WIDTH = 960  # the preview is never shown wider than this: scale once, off the GUI thread


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
    """Runs a frame source and a decoder; reports frames, payloads and the camera's state.

    Signals:
        frame_ready(QImage, float): a preview frame and when it was read (perf_counter s).
        payload_seen(str, float): a new payload (the repeat guard let it through) and when
            its frame was decoded.
        state_changed(str): a CameraState value.
    """

    frame_ready = Signal(QImage, float)
    payload_seen = Signal(str, float)
    state_changed = Signal(str)

    def __init__(self, factory: SourceFactory,
                 decoder_factory: Callable[[], QrDecoder] = QrDecoder.for_camera,
                 guard: RepeatGuard | None = None, backoff: Backoff | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._factory = factory
        self._decoder_factory = decoder_factory
        self._decoder: QrDecoder | None = None  # decode lane only
        self._source: FrameSource | None = None  # camera lane only
        self.guard = guard or RepeatGuard()
        self._backoff = backoff or Backoff()
        self._camera = Lane("camera", self)
        self._decode = Lane("decode", self)
        self._running = False
        self._decoding = False
        self.state = CameraState.STARTING
        self.frames_read = 0
        self.frames_decoded = 0
        self._retry = QTimer(self, singleShot=True)
        self._retry.timeout.connect(self._open)

    def start(self) -> None:
        self._running = True
        self._set_state(CameraState.STARTING)
        self._open()

    def stop(self) -> None:
        self._running = False
        self._retry.stop()
        self._camera.stop()
        self._decode.stop()
        if self._source is not None:  # the lane's thread is gone: nobody else holds it
            self._source.close()
            self._source = None

    # -- the camera lane --------------------------------------------------------------

    def _open(self) -> None:
        def body() -> None:
            if self._source is not None:
                self._source.close()
                self._source = None
            self._source = self._factory()

        self._camera.submit(body, lambda _: self._grab(), self._lost)

    def _grab(self) -> None:
        if not self._running:
            return

        def body() -> tuple[np.ndarray, QImage, float] | None:
            frame = self._source.read()
            if frame is None:
                return None
            return frame, to_qimage(frame), time.perf_counter()

        self._camera.submit(body, self._on_frame, self._lost)

    def _on_frame(self, result) -> None:
        if result is None:
            self._lost(OSError("the camera gave no frame"))
            return
        frame, image, seen_at = result
        self.frames_read += 1
        self._backoff.reset()
        self._set_state(CameraState.LIVE)
        self.frame_ready.emit(image, seen_at)
        if not self._decoding:
            self._decoding = True
            self._decode.submit(lambda: self._decode_frame(frame), self._on_decoded, self._decode_failed)
        self._grab()

    def _lost(self, error: BaseException) -> None:
        if isinstance(error, SourceExhausted):
            log.info("the video has ended")
            self._set_state(CameraState.OFF)
            return
        if not self._running:
            return
        delay = self._backoff.next_delay()
        log.warning("camera unavailable (%s): retrying in %.1f s", error, delay)
        self._set_state(CameraState.MISSING)
        self._retry.start(int(delay * 1000))

    # -- the decode lane --------------------------------------------------------------

    def _decode_frame(self, frame: np.ndarray) -> tuple[list[str], float]:
        if self._decoder is None:
            self._decoder = self._decoder_factory()
        return self._decoder.decode(frame), time.perf_counter()

    def _on_decoded(self, result: tuple[list[str], float]) -> None:
        self._decoding = False
        self.frames_decoded += 1
        payloads, decoded_at = result
        for payload in payloads:
            if self.guard.accept(payload):
                self.payload_seen.emit(payload, decoded_at)

    def _decode_failed(self, error: BaseException) -> None:
        self._decoding = False
        log.error("decoding failed", exc_info=error)

    def _set_state(self, state: CameraState) -> None:
        if state is not self.state:
            self.state = state
            self.state_changed.emit(state.value)
