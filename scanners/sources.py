"""Frame sources: where camera frames come from, behind one small interface.

- `CameraSource`: an OpenCV camera by index (asks for 1280x720 MJPG: raw YUYV at 720p
  fits only ~10 fps through USB 2.0, MJPG gives the full 30).
- `VideoFileSource`: a recorded video, optionally looping and paced at its own fps
  (for `kiosk gui --camera FILE`, and for tests: no physical camera exists there).
- `FolderSource`: a folder of images, each shown for a while, cycled (for `kiosk demo`).

`read()` returns the next frame, or None when none could be had (a camera that was
unplugged returns None from then on). A finite source that has run out raises
`SourceExhausted`. Opening raises `SourceUnavailable` (e.g. no camera at that index).
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from scanners.decode import read_image
from scanners.timing import Clock, Sleep, monotonic, sleep_for

log = logging.getLogger("camera")

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"})


class SourceUnavailable(OSError):
    """The source cannot be opened: no camera at that index, no such file, an empty folder."""


class SourceExhausted(Exception):
    """A finite source (a video file that does not loop) has no more frames."""


class FrameSource(Protocol):
    """Anything that gives frames: `read()` the next one (None if none came), `close()`."""

    def read(self) -> np.ndarray | None: ...

    def close(self) -> None: ...


SourceFactory = Callable[[], FrameSource]
"""Opens a source (raising SourceUnavailable); the worker calls it again to reconnect."""


class CameraSource:
    """A camera by index through OpenCV, asking for `width`x`height` in `fourcc`.

    The camera may not grant what is asked; the frames say what it gave.
    """

    def __init__(self, index: int, *, width: int = 1280, height: int = 720,
                 fourcc: str = "MJPG", api: int = cv2.CAP_ANY) -> None:
        self.index = index
        self._capture = cv2.VideoCapture(index, api)
        if not self._capture.isOpened():
            self._capture.release()
            raise SourceUnavailable(f"no camera at index {index}")
        # The codec first: V4L2 drivers pick the resolutions on offer per codec.
        self._capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*fourcc))
        self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        # A short driver queue: the worker wants the newest frame, not one from 100 ms ago.
        self._capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        log.info("camera %d opened at %dx%d", index,
                 int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
                 int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))

    def read(self) -> np.ndarray | None:
        ok, frame = self._capture.read()
        return frame if ok else None

    def close(self) -> None:
        self._capture.release()


class VideoFileSource:
    """Frames of a video file, paced at its frame rate (or as fast as asked with pace=False).

    loop: start again at the end instead of raising SourceExhausted.
    """

    def __init__(self, path: str | os.PathLike[str], *, loop: bool = False, pace: bool = True,
                 clock: Clock = monotonic, sleep: Sleep = sleep_for) -> None:
        self.path = str(path)
        self.loop = loop
        self._capture = cv2.VideoCapture(self.path)
        if not self._capture.isOpened():
            self._capture.release()
            raise SourceUnavailable(f"cannot open video {self.path}")
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        # Some containers report 0 or nonsense; 30 is what a webcam gives.
        self.fps = fps if 1.0 <= fps <= 240.0 else 30.0
        self._pacer = Pacer(self.fps, clock, sleep) if pace else None

    def read(self) -> np.ndarray | None:
        if self._pacer is not None:
            self._pacer.wait_for_next_frame()
        ok, frame = self._capture.read()
        if not ok and self.loop:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._capture.read()
        if not ok:
            raise SourceExhausted(self.path)
        return frame

    def close(self) -> None:
        self._capture.release()


class FolderSource:
    """The images of a folder in name order, each returned for `hold_s` seconds, cycled.

    Frames come at `fps` (paced with the injected clock and sleep). Only the image on show
    is kept decoded. Files that cannot be read are skipped with a warning.
    """

    def __init__(self, folder: str | os.PathLike[str], *, hold_s: float = 2.0,
                 fps: float = 10.0, pace: bool = True, clock: Clock = monotonic,
                 sleep: Sleep = sleep_for) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise SourceUnavailable(f"not a folder: {self.folder}")
        self.paths = sorted(p for p in self.folder.iterdir()
                            if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
        if not self.paths:
            raise SourceUnavailable(f"no images in {self.folder}")
        self.hold_s = hold_s
        self._clock = clock
        self._pacer = Pacer(fps, clock, sleep) if pace else None
        self._position = -1
        self._image: np.ndarray | None = None
        self._shown_since: float | None = None

    def read(self) -> np.ndarray | None:
        if self._pacer is not None:
            self._pacer.wait_for_next_frame()
        now = self._clock()
        if self._shown_since is None or now - self._shown_since >= self.hold_s:
            self._image = self._next_readable_image()
            self._shown_since = now
        return self._image

    def close(self) -> None:
        self._image = None
        self._shown_since = None

    def _next_readable_image(self) -> np.ndarray | None:
        for _ in range(len(self.paths)):
            self._position = (self._position + 1) % len(self.paths)
            image = read_image(self.paths[self._position])
            if image is not None:
                return image
        return None  # read_image has logged every file


class Pacer:
    """Spaces calls `1/fps` seconds apart, like a camera delivering frames.

    It aims at a fixed schedule (not "period after the last call"), so a slow caller does
    not drift; one that fell far behind starts a new schedule instead of rushing to catch up.
    """

    def __init__(self, fps: float, clock: Clock, sleep: Sleep) -> None:
        if fps <= 0:
            raise ValueError("fps must be positive")
        self.period_s = 1.0 / fps
        self._clock = clock
        self._sleep = sleep
        self._due: float | None = None

    def wait_for_next_frame(self) -> None:
        now = self._clock()
        if self._due is None or now - self._due > self.period_s:
            self._due = now
        elif self._due > now:
            self._sleep(self._due - now)
        self._due += self.period_s


def open_source(spec: str, *, clock: Clock = monotonic, sleep: Sleep = sleep_for,
                loop: bool = True) -> SourceFactory:
    """A factory for `kiosk gui --camera INDEX|FILE|FOLDER`: digits are a camera index,
    a folder is a `FolderSource`, anything else a video file (looping by default).

    Nothing is opened until the factory is called (by the worker, off the GUI thread).
    """
    if spec.strip().isdigit():
        index = int(spec)
        return lambda: CameraSource(index)
    if os.path.isdir(spec):
        return lambda: FolderSource(spec, clock=clock, sleep=sleep)
    return lambda: VideoFileSource(spec, loop=loop, clock=clock, sleep=sleep)
