"""The scan worker: a frame source and the decoder, run off the caller's (GUI) thread.

Two plain threads, so that decoding never holds up the camera and the camera never queues
up stale frames for the decoder:

- capture: reads frames as fast as the source gives them, hands each to `on_frame` (the
  preview) and puts it in a one-frame slot, replacing any frame not yet decoded; it also
  reopens a lost camera with back-off and reports the state through `on_status`.
- decode: takes the newest frame from the slot, decodes it, and passes each payload that
  the repeat guard lets through to `on_payload`. Frames that arrived while it was busy
  were replaced in the slot and are never decoded: memory and latency stay bounded.

The callbacks run on those threads, not the caller's: keep them short and let the UI
bridge them to Qt signals (queued connections). No Qt here, so this is tested without one.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from scanners.decode import FrameDecoder, use_one_opencv_thread
from scanners.multiframe import CameraDecoder
from scanners.repeat import RepeatGuard
from scanners.sources import FrameSource, SourceExhausted, SourceFactory
from scanners.timing import Backoff, Clock, monotonic

camera_log = logging.getLogger("camera")
scan_log = logging.getLogger("scan")


class ScanState(StrEnum):
    """What `on_status` reports; the values are the plain strings the UI compares with."""

    RUNNING = "running"  # frames are arriving
    CAMERA_MISSING = "camera_missing"  # the source could not be opened; retrying
    RECONNECTING = "reconnecting"  # the open source stopped giving frames; reopening it
    STOPPED = "stopped"  # stop() was called, or a finite source ran out


@dataclass
class ScanStats:
    """Counters for the log and a debug overlay (written by the worker threads)."""

    frames_captured: int = 0
    frames_decoded: int = 0
    payloads_seen: int = 0  # before the repeat guard
    payloads_delivered: int = 0  # after it


class LatestFrameSlot:
    """Holds at most one frame: `put` replaces it, `take` waits for it. Thread-safe."""

    def __init__(self) -> None:
        self._frame: np.ndarray | None = None
        self._closed = False
        self._changed = threading.Condition()

    def put(self, frame: np.ndarray) -> None:
        with self._changed:
            self._frame = frame
            self._changed.notify()

    def take(self) -> np.ndarray | None:
        """The newest frame, waiting for one; None once the slot is closed and empty."""
        with self._changed:
            self._changed.wait_for(lambda: self._frame is not None or self._closed)
            frame, self._frame = self._frame, None
            return frame

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()


class ScanWorker:
    """Runs `open_source()` frames through `decoder` until `stop()`.

    Callbacks (each optional; exceptions in them are logged with a traceback, the worker
    carries on):
      on_frame(frame):   every captured frame, for the preview (capture thread; treat the
                         array as read-only).
      on_payload(text):  a new scan, already past the repeat guard (decode thread).
      on_status(state):  a `ScanState`, when it changes (capture thread).

    open_source: opens the source, raising SourceUnavailable (an OSError) when it cannot;
        called again to reconnect.
    max_failed_reads: reads in a row that return no frame before the source counts as lost.
    """

    def __init__(self, open_source: SourceFactory, *, decoder: FrameDecoder | None = None,
                 on_frame: Callable[[np.ndarray], Any] | None = None,
                 on_payload: Callable[[str], Any] | None = None,
                 on_status: Callable[[ScanState], Any] | None = None,
                 repeat_guard: RepeatGuard | None = None, backoff: Backoff | None = None,
                 clock: Clock = monotonic, max_failed_reads: int = 3) -> None:
        self._open_source = open_source
        # The decoder's budget counts its own thread's CPU time, not this clock (timing.py).
        self._decoder = decoder if decoder is not None else CameraDecoder()
        self._on_frame = on_frame
        self._on_payload = on_payload
        self._on_status = on_status
        self._guard = repeat_guard if repeat_guard is not None else RepeatGuard(clock=clock)
        self._backoff = backoff if backoff is not None else Backoff()
        self._clock = clock
        self._max_failed_reads = max_failed_reads
        self._slot = LatestFrameSlot()
        self._stopping = threading.Event()
        self._state: ScanState | None = None
        self.stats = ScanStats()
        self._threads = [
            threading.Thread(target=self._capture_loop, name="scan-capture", daemon=True),
            threading.Thread(target=self._decode_loop, name="scan-decode", daemon=True),
        ]

    @property
    def state(self) -> ScanState | None:
        """The last state reported (None before the first)."""
        return self._state

    def start(self) -> None:
        """Start both threads; returns at once (the source is opened on the capture thread)."""
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Ask both threads to finish and wait up to `timeout` s; True when they have."""
        self._stopping.set()
        return self.join(timeout)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the threads (e.g. until a video file has run out); True when finished."""
        for thread in self._threads:
            if thread.ident is not None:
                thread.join(timeout)
        return not any(thread.is_alive() for thread in self._threads)

    # capture thread

    def _capture_loop(self) -> None:
        source: FrameSource | None = None
        failed_reads = 0
        try:
            while not self._stopping.is_set():
                if source is None:
                    source = self._try_open()
                    failed_reads = 0
                    continue
                try:
                    frame = source.read()
                except SourceExhausted:
                    camera_log.info("the video has no more frames")
                    break
                if frame is None:
                    failed_reads += 1
                    if failed_reads >= self._max_failed_reads:
                        camera_log.warning("the camera stopped giving frames; reconnecting")
                        self._set_state(ScanState.RECONNECTING)
                        source.close()
                        source = None
                        self._stopping.wait(self._backoff.next_delay())
                    continue
                failed_reads = 0
                self._backoff.reset()
                self._set_state(ScanState.RUNNING)
                self.stats.frames_captured += 1
                self._slot.put(frame)
                self._call("on_frame", self._on_frame, frame)
        finally:
            if source is not None:
                source.close()
            self._slot.close()
            self._set_state(ScanState.STOPPED)

    def _try_open(self) -> FrameSource | None:
        try:
            return self._open_source()
        except OSError as exc:  # SourceUnavailable, or the OS refusing the device
            if self._state is not ScanState.CAMERA_MISSING:
                camera_log.warning("camera unavailable: %s; retrying", exc)
            self._set_state(ScanState.CAMERA_MISSING)
            self._stopping.wait(self._backoff.next_delay())
            return None

    def _set_state(self, state: ScanState) -> None:
        if state is not self._state:
            self._state = state
            camera_log.info("scanning state: %s", state)
            self._call("on_status", self._on_status, state)

    # decode thread

    def _decode_loop(self) -> None:
        use_one_opencv_thread()  # this thread takes one core; the GUI keeps the other
        while (frame := self._slot.take()) is not None:
            if self._stopping.is_set():
                break
            try:
                payloads = self._decoder.decode(frame)
            except Exception:  # a decoder bug on one odd frame must not end scanning
                scan_log.exception("decoding a frame failed")
                continue
            self.stats.frames_decoded += 1
            now = self._clock()
            for payload in payloads:
                self.stats.payloads_seen += 1
                if self._guard.accept(payload, now):
                    self.stats.payloads_delivered += 1
                    scan_log.info("scanned a code (%d characters)", len(payload))
                    self._call("on_payload", self._on_payload, payload)

    @staticmethod
    def _call(name: str, callback: Callable[[Any], Any] | None, argument: Any) -> None:
        if callback is None:
            return
        try:
            callback(argument)
        except Exception:  # a bug in the UI's callback: logged, and the camera keeps going
            scan_log.exception("the %s callback failed", name)
