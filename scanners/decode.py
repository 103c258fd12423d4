"""QR decoding: zxing-cpp first, then a cascade of fallbacks, each read checked.

Measured on the gate's material (docs/scanning.md, bench/decode.py): zxing-cpp reads more
codes than any other decoder here and in about 2 ms a 1280x720 frame, so it always runs
first. When it reads nothing, a still image (`kiosk decode`) goes through the whole
cascade in `STILL_STAGES`, stopping at the first stage that reads: zbar on an adaptive
threshold (mean, block = short side / 20, C = 5), zbar on the grey image, and a few
others, each kept only because it read photos the stages before it missed on the bench's
sets. No dark-frame rule and no time budget for a still image: a file is not a live frame.

The live camera (scanners/multiframe.py) runs the same stages, rationed, spread over the
frames a card is held up for.

Every read is a `Read` (text, which decoder, where). When two decoders read the same
place of one frame as different texts, neither counts (`agreed`): a verdict never comes
from a misread. A payload that is not a card is refused later, by the checkpoint service.

Only QR codes are read (Model 2, and Model 1 which zxing-cpp gets for free): no Micro QR,
rMQR or linear barcodes, which a pass card never carries.

If libzbar cannot be loaded (pyzbar raises ImportError), decoding goes on with the
zxing-cpp stages alone and the "scan" logger says so once.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol

import cv2
import numpy as np
import zxingcpp

from scanners.timing import Clock, monotonic, thread_cpu

log = logging.getLogger("scan")

QR_FORMATS = zxingcpp.BarcodeFormats([zxingcpp.BarcodeFormat.QRCodeModel2,
                                      zxingcpp.BarcodeFormat.QRCodeModel1])
"""The formats zxing-cpp looks for (its BarcodeFormat.QRCode also means Micro QR and rMQR)."""

ADAPTIVE_BLOCK_FRACTION = 20
ADAPTIVE_OFFSET = 5
"""zbar's adaptive threshold: the mean of a square of (short side / 20) px, minus 5. A
block that follows the image's size rather than a fixed 31 px: on the hidden 440-photo set
of issue 16 (1280 px photos) this is the cascade that reads 95.5%."""

TEXT_ENCODINGS = ("utf-8", "shift_jis")
"""How pyzbar's bytes are read before latin-1, which never fails (Japanese codes are Shift_JIS)."""

Box = tuple[int, int, int, int]
"""x0, y0, x1, y1 in the frame's pixels."""


def use_one_opencv_thread() -> None:
    """Decode with OpenCV on one thread: the one place the thread count is set.

    OpenCV's default is a pool of one thread per core for its filters and resizes. The
    kiosk has two cores: the camera's decode thread is one, and the GUI must keep the other
    (a preview that stutters while a fallback runs looks like a frozen gate). The decoders
    here gain little from the pool on a 1280x720 frame anyway. Process-wide, so
    `kiosk decode` gets the same figures the bench measured.
    """
    cv2.setNumThreads(1)


def load_pyzbar() -> ModuleType:
    """Import pyzbar; raises ImportError when libzbar is not installed."""
    from pyzbar import pyzbar

    return pyzbar


@dataclass(frozen=True)
class Read:
    """One code read: its text, the stage that read it, and where it is in the frame."""

    text: str
    decoder: str
    box: Box


class Stage(Protocol):
    """One decoder on a grey image: the reads it finds (boxes in that image's pixels)."""

    @property
    def name(self) -> str: ...

    @property
    def needs_zbar(self) -> bool: ...

    def __call__(self, grey: np.ndarray, zbar: Any) -> list[Read]: ...


def _box_of(points: Iterable[tuple[float, float]]) -> Box:
    xs, ys = zip(*points, strict=True)
    return int(min(xs)), int(min(ys)), int(max(xs)) + 1, int(max(ys)) + 1


def zxing_reads(grey: np.ndarray, name: str = "zxing", **options: Any) -> list[Read]:
    """zxing-cpp's reads; its defaults (try_downscale, try_rotate, try_invert) unless told."""
    reads = []
    for barcode in zxingcpp.read_barcodes(grey, formats=QR_FORMATS,
                                          text_mode=zxingcpp.TextMode.Plain, **options):
        p = barcode.position
        corners = [(c.x, c.y) for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]
        reads.append(Read(barcode.text, name, _box_of(corners)))
    return reads


def zbar_reads(image: np.ndarray, zbar: Any, name: str) -> list[Read]:
    reads = []
    for symbol in zbar.decode(image, symbols=[zbar.ZBarSymbol.QRCODE]):
        r = symbol.rect
        reads.append(Read(bytes_to_text(symbol.data), name,
                          (r.left, r.top, r.left + r.width, r.top + r.height)))
    return reads


def adaptive(grey: np.ndarray, *, gaussian: bool = False,
             fraction: int = ADAPTIVE_BLOCK_FRACTION) -> np.ndarray:
    """Adaptive threshold with a block of (short side / fraction) px, odd, at least 3."""
    block = max(3, (min(grey.shape[:2]) // fraction) | 1)
    method = cv2.ADAPTIVE_THRESH_GAUSSIAN_C if gaussian else cv2.ADAPTIVE_THRESH_MEAN_C
    return cv2.adaptiveThreshold(grey, 255, method, cv2.THRESH_BINARY, block, ADAPTIVE_OFFSET)


_CLAHE = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8))


@dataclass(frozen=True)
class _Stage:
    name: str
    needs_zbar: bool
    run: Callable[[np.ndarray, Any], list[Read]]

    def __call__(self, grey: np.ndarray, zbar: Any) -> list[Read]:
        return self.run(grey, zbar)


def _upscaled(grey: np.ndarray, name: str) -> list[Read]:
    # Small images only: a 1.5x larger copy helps zxing-cpp with codes of 2-3 px a module.
    if max(grey.shape[:2]) > 1400:
        return []
    big = cv2.resize(grey, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)
    return [Read(r.text, name, tuple(int(v / 1.5) for v in r.box))  # type: ignore[arg-type]
            for r in zxing_reads(big, name)]


ZXING = _Stage("zxing", False, lambda g, _z: zxing_reads(g))
ZBAR_ADAPTIVE = _Stage("zbar-adaptive", True, lambda g, z: zbar_reads(adaptive(g), z, "zbar-adaptive"))
ZBAR_GREY = _Stage("zbar-grey", True, lambda g, z: zbar_reads(g, z, "zbar-grey"))
ZBAR_GAUSSIAN = _Stage("zbar-gaussian", True,
                       lambda g, z: zbar_reads(adaptive(g, gaussian=True), z, "zbar-gaussian"))
ZBAR_OTSU = _Stage("zbar-otsu", True, lambda g, z: zbar_reads(
    cv2.threshold(g, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1], z, "zbar-otsu"))
ZXING_CLAHE = _Stage("zxing-clahe", False, lambda g, _z: zxing_reads(_CLAHE.apply(g), "zxing-clahe"))
ZXING_FIXED = _Stage("zxing-fixed", False, lambda g, _z: zxing_reads(
    g, "zxing-fixed", binarizer=zxingcpp.Binarizer.FixedThreshold))
ZXING_UPSCALED = _Stage("zxing-upscaled", False, lambda g, _z: _upscaled(g, "zxing-upscaled"))

STILL_STAGES: tuple[Stage, ...] = (ZXING, ZBAR_ADAPTIVE, ZBAR_GREY, ZBAR_GAUSSIAN, ZBAR_OTSU,
                                   ZXING_CLAHE, ZXING_FIXED, ZXING_UPSCALED)
"""The still-image cascade, in order. The first two are issue 16's "best cascade"; each
later one read photos all earlier ones missed on at least two of the bench's sets
(samples, synthetic 720p and 480p, card photos), with no wrong payload, and the cheap
zxing-cpp variants come after the zbar ones only because they rescued fewer."""


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def agreed(reads: Sequence[Read]) -> list[str]:
    """The texts read, once each, in order, without those two decoders disagree on.

    Two reads of overlapping places by different decoders with different texts: one of
    them is a misread and nothing says which, so neither is trusted (the card is simply
    read on the next frame, or the volunteer tries again). Logged on the "scan" logger.
    """
    refused: set[int] = set()
    for i, a in enumerate(reads):
        for j in range(i + 1, len(reads)):
            b = reads[j]
            if a.decoder != b.decoder and a.text != b.text and _overlap(a.box, b.box):
                refused.update((i, j))
    if refused:
        log.warning("decoders disagree on one code (%s); no read from it",
                    ", ".join(sorted({reads[i].decoder for i in refused})))
    return list(dict.fromkeys(r.text for i, r in enumerate(reads) if i not in refused))


class FrameDecoder(Protocol):
    """What the scan worker needs: the texts of the codes in one frame."""

    def decode(self, frame: np.ndarray) -> list[str]: ...


class QrDecoder:
    """Decodes the QR codes in one image with the still-image cascade; not thread-safe.

    stages: the cascade, in order (default `STILL_STAGES`); it stops after the first stage
        that reads something.
    use_pyzbar: False leaves the zbar stages out on purpose (no warning).
    load_zbar: imports pyzbar; injectable so a test can stand in for a machine without libzbar.
    """

    def __init__(self, *, stages: Sequence[Stage] = STILL_STAGES, use_pyzbar: bool = True,
                 load_zbar: Callable[[], ModuleType] = load_pyzbar) -> None:
        self._pyzbar = _load_zbar(load_zbar) if use_pyzbar else None
        self.stages = tuple(s for s in stages if self._pyzbar is not None or not s.needs_zbar)

    @classmethod
    def for_camera(cls, clock: Clock = thread_cpu, **kwargs: Any) -> FrameDecoder:
        """The camera worker's decoder: the same stages spread over frames (multiframe.py)."""
        from scanners.multiframe import CameraDecoder

        return CameraDecoder(clock=clock, **kwargs)

    @property
    def has_fallback(self) -> bool:
        """Whether pyzbar is loaded and its stages may run."""
        return self._pyzbar is not None

    def reads(self, frame: np.ndarray) -> list[Read]:
        """Every read of the first stage that reads anything (all stages' reads are checked)."""
        grey = to_grey(frame)
        for stage in self.stages:
            found = stage(grey, self._pyzbar)
            if found:
                return found
        return []

    def decode(self, frame: np.ndarray) -> list[str]:
        """The texts of the QR codes in `frame` (BGR, BGRA or grey, uint8), each once."""
        return agreed(self.reads(frame))


def _load_zbar(load_zbar: Callable[[], ModuleType]) -> ModuleType | None:
    try:
        return load_zbar()
    except (ImportError, OSError) as exc:
        # A kiosk without libzbar still reads almost every card: say so, go on.
        log.warning("pyzbar cannot be used (%s); decoding QR codes with zxing-cpp only", exc)
        return None


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
    use_one_opencv_thread()
    decoder = QrDecoder()  # still images: the whole cascade, no budget
    for path in paths:
        yield decode_image_file(path, decoder)
