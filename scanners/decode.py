"""QR decoding: zxing-cpp first, pyzbar on a thresholded image as the rationed fallback.

Measured on the gate's material (docs/performance.md, bench/decode.py): zxing-cpp reads
more codes than any other decoder here and in about 2 ms a 1280x720 frame; pyzbar on an
adaptive-threshold image reads a few codes zxing-cpp misses (motion blur, glare, odd
samples), but costs 20-50 ms a frame, and over 100 ms on a frame full of texture. So
pyzbar runs only when zxing-cpp found nothing, never on a dark frame (nobody at the gate at
night), and only while a time budget lasts (`FallbackBudget`): the average cost per frame
stays inside the frame budget however long the camera looks at an empty gate. A card held
up for half a second gives the fallback several frames to try.

Only QR codes are read (Model 2, and Model 1 which zxing-cpp gets for free): no Micro QR,
rMQR or linear barcodes, which a pass card never carries.

If libzbar cannot be loaded (pyzbar raises ImportError), decoding goes on with zxing-cpp
alone and the "scan" logger says so once.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from types import ModuleType
from typing import Any

import cv2
import numpy as np
import zxingcpp

from scanners.timing import Clock, monotonic

log = logging.getLogger("scan")

QR_FORMATS = zxingcpp.BarcodeFormats([zxingcpp.BarcodeFormat.QRCodeModel2,
                                      zxingcpp.BarcodeFormat.QRCodeModel1])
"""The formats zxing-cpp looks for (its BarcodeFormat.QRCode also means Micro QR and rMQR)."""

DARK_MEAN = 40.0
"""Mean grey level (0-255) under which a frame is too dark for the fallback to be worth it."""

ADAPTIVE_BLOCK_PX = 31
ADAPTIVE_OFFSET = 5
"""Adaptive threshold for pyzbar (mean of a 31 px square, minus 5): of the block sizes
31/51/71, offsets 5/10, mean or Gaussian, tried on the benchmark's sets, one of those that
rescue the most codes zxing-cpp misses at 1280x720, with no wrong payload, and cheap (a box
filter)."""

TEXT_ENCODINGS = ("utf-8", "shift_jis")
"""How pyzbar's bytes are read before latin-1, which never fails (Japanese codes are Shift_JIS)."""


def load_pyzbar() -> ModuleType:
    """Import pyzbar; raises ImportError when libzbar is not installed."""
    from pyzbar import pyzbar

    return pyzbar


class FallbackBudget:
    """A token bucket in milliseconds that rations the slow fallback decoder.

    Every frame earns `ms_per_frame`; a fallback run spends what it actually took (the
    balance may go negative, and then the next runs wait until it is paid back). Over any
    long stretch the fallback therefore costs at most `ms_per_frame` per frame on average.
    The balance is capped at `max_ms`, so a long run of frames zxing-cpp reads does not
    save up for a burst of slow frames later.

    4 ms a frame: at 1280x720 a fallback run takes 20-50 ms (over 100 ms on heavy
    texture), so on an empty gate it runs on about one frame in ten, a few times a second
    at 30 fps; the median frame costs what zxing-cpp costs and the average stays near 7 ms
    of the 33 ms a frame lasts. A card zxing-cpp cannot read, held up for half a second, still
    gets a couple of tries (bench/decode.py, docs/performance.md).
    """

    def __init__(self, ms_per_frame: float = 4.0, max_ms: float = 50.0) -> None:
        if ms_per_frame < 0 or max_ms < 0:
            raise ValueError("budget figures must not be negative")
        self.ms_per_frame = ms_per_frame
        self.max_ms = max_ms
        self.balance_ms = max_ms

    def earn_frame(self) -> None:
        """Credit one frame's share."""
        self.balance_ms = min(self.max_ms, self.balance_ms + self.ms_per_frame)

    def allows_run(self) -> bool:
        """True when the fallback may run on this frame."""
        return self.balance_ms > 0

    def spend(self, ms: float) -> None:
        """Debit what a fallback run took."""
        self.balance_ms -= ms


class QrDecoder:
    """Decodes the QR codes in one camera frame or image; not thread-safe (one per worker).

    fallback_budget: rations pyzbar for a camera stream; None runs pyzbar on every frame
        zxing-cpp reads nothing from (for still images, `decode_image_file`).
    use_pyzbar: False leaves pyzbar out on purpose (no warning).
    load_zbar: imports pyzbar; injectable so a test can stand in for a machine without libzbar.
    clock: times the fallback runs for the budget.
    """

    def __init__(self, *, fallback_budget: FallbackBudget | None = None,
                 use_pyzbar: bool = True, dark_mean: float = DARK_MEAN,
                 load_zbar: Callable[[], ModuleType] = load_pyzbar,
                 clock: Clock = monotonic) -> None:
        self.fallback_budget = fallback_budget
        self.dark_mean = dark_mean
        self._clock = clock
        self._pyzbar: Any = None
        if use_pyzbar:
            try:
                self._pyzbar = load_zbar()
            except (ImportError, OSError) as exc:
                # A kiosk without libzbar still reads almost every card: say so, go on.
                log.warning("pyzbar cannot be used (%s); decoding QR codes with zxing-cpp only",
                            exc)

    @classmethod
    def for_camera(cls, clock: Clock = monotonic, **kwargs: Any) -> QrDecoder:
        """A decoder with the fallback rationed for a stream of frames (the camera worker's)."""
        return cls(fallback_budget=FallbackBudget(), clock=clock, **kwargs)

    @property
    def has_fallback(self) -> bool:
        """Whether pyzbar is loaded and may run."""
        return self._pyzbar is not None

    def decode(self, frame: np.ndarray) -> list[str]:
        """The texts of the QR codes in `frame` (BGR, BGRA or grey, uint8), each once."""
        grey = to_grey(frame)
        texts = [barcode.text for barcode in zxingcpp.read_barcodes(
            grey, formats=QR_FORMATS, text_mode=zxingcpp.TextMode.Plain)]
        if self.fallback_budget is not None:
            self.fallback_budget.earn_frame()
        if not texts and self._fallback_should_run(grey):
            texts = self._decode_with_pyzbar(grey)
        return list(dict.fromkeys(texts))

    def _fallback_should_run(self, grey: np.ndarray) -> bool:
        if self._pyzbar is None:
            return False
        # A sparse sample is enough to tell a dark frame and costs microseconds.
        if float(grey[::8, ::8].mean()) < self.dark_mean:
            return False
        return self.fallback_budget is None or self.fallback_budget.allows_run()

    def _decode_with_pyzbar(self, grey: np.ndarray) -> list[str]:
        started = self._clock()
        binary = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY,
                                       ADAPTIVE_BLOCK_PX, ADAPTIVE_OFFSET)
        symbols = self._pyzbar.decode(binary, symbols=[self._pyzbar.ZBarSymbol.QRCODE])
        if self.fallback_budget is not None:
            self.fallback_budget.spend((self._clock() - started) * 1000.0)
        return [bytes_to_text(symbol.data) for symbol in symbols]


def to_grey(frame: np.ndarray) -> np.ndarray:
    """A contiguous 8-bit grey image from a BGR, BGRA or grey frame."""
    if frame.dtype != np.uint8:
        raise ValueError(f"expected an 8-bit frame, got {frame.dtype}")
    if frame.ndim == 2:
        return np.ascontiguousarray(frame)
    if frame.ndim == 3 and frame.shape[2] == 1:
        return np.ascontiguousarray(frame[:, :, 0])
    if frame.ndim == 3 and frame.shape[2] == 3:
        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    if frame.ndim == 3 and frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    raise ValueError(f"expected a BGR, BGRA or grey frame, got shape {frame.shape}")


def bytes_to_text(data: bytes) -> str:
    """pyzbar's bytes as text: UTF-8, else Shift_JIS, else latin-1 (which never fails)."""
    for encoding in TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_image(path: str | os.PathLike[str]) -> np.ndarray | None:
    """An image file as a BGR or grey uint8 array; None when it cannot be read.

    `np.fromfile` + `cv2.imdecode` rather than `cv2.imread`, which cannot open non-ASCII
    paths on Windows. Transparent pixels are laid on white (QR codes exported from web
    tools often have a transparent background that would otherwise read as black), and a
    16-bit image is brought down to 8 bits.
    """
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:
        log.warning("cannot read image %s: %s", path, exc)
        return None
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if image is None:
        log.warning("cannot read image %s: not an image OpenCV can decode", path)
        return None
    if image.dtype == np.uint16:
        image = (image // 256).astype(np.uint8)  # the high byte
    elif image.dtype != np.uint8:
        # OpenCV's stubs want an array for `dst`; None (a new array) is what its docs use.
        image = cv2.normalize(image, None, 0, 255,  # type: ignore[call-overload]
                              cv2.NORM_MINMAX).astype(np.uint8)
    if image.ndim == 3 and image.shape[2] == 4:
        alpha = image[:, :, 3:4].astype(np.float32) / 255.0
        white = np.full_like(image[:, :, :3], 255)
        image = (image[:, :, :3] * alpha + white * (1.0 - alpha)).astype(np.uint8)
    return image


def decode_image_file(path: str, decoder: QrDecoder | None = None,
                      clock: Clock = monotonic) -> dict[str, Any]:
    """Decode one image file for `kiosk decode`.

    Returns {"file": path, "payloads": [...], "ms": time to read and decode}, plus
    "error": "cannot read image" when the file is missing or not an image (never raises
    for a bad file: one bad file must not stop a batch).
    """
    decoder = decoder if decoder is not None else QrDecoder()
    started = clock()
    image = read_image(path)
    payloads = decoder.decode(image) if image is not None else []
    result: dict[str, Any] = {"file": path, "payloads": payloads,
                              "ms": round((clock() - started) * 1000.0, 2)}
    if image is None:
        result["error"] = "cannot read image"
    return result


def decode_files(paths: Iterable[str]) -> Iterator[dict[str, Any]]:
    """`decode_image_file` for each path, in order, lazily (one JSON line per image)."""
    decoder = QrDecoder()  # still images: the fallback is not rationed
    for path in paths:
        yield decode_image_file(path, decoder)
