"""The camera's decoder: the same card over many frames, the budget spent differently per frame.

A still image gets the whole cascade at once (scanners/decode.py); a camera frame cannot,
at 30 frames a second. But a card is held up for half a second or more, so:

- every frame: the fast path, zxing-cpp on the whole frame (about 2 ms at 1280x720);
- when it reads nothing, one slow step, while the time budget lasts (`FallbackBudget`),
  taken in turn from a rotating schedule:
  - with no region known: look for QR finder patterns (the three nested squares), or run
    zbar on the whole thresholded frame, alternately;
  - once finder patterns were seen, for the next `REGION_FRAMES` frames: the region
    around them is cut out of every frame, and each slow step runs the next of
    `REGION_STEPS` on that small crop: zxing-cpp on it enlarged, zbar on its adaptive
    threshold, zxing-cpp after a local contrast equaliser, and both on the per-pixel
    minimum (glare only ever brightens, and it moves on a hand-held card) or mean (noise
    and blur average out) of the last crops of the same region.

A crop is a tenth of the frame or less, so a slow step on it costs a few milliseconds
and runs on most frames, where a full-frame zbar run costs 20-50 ms and fits one frame in
several. Every frame's reads go through `agreed`, as a still image's do.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import cv2
import numpy as np

from scanners.decode import (
    ZBAR_ADAPTIVE,
    ZBAR_GREY,
    Box,
    Read,
    _load_zbar,
    adaptive,
    agreed,
    load_pyzbar,
    to_grey,
    zbar_reads,
    zxing_reads,
)
from scanners.timing import Clock, monotonic

REGION_FRAMES = 15
"""How long a region where finder patterns were seen is worked on: half a second at 30 fps."""

STACK_FRAMES = 5
"""Crops of one region kept for the minimum and the mean (a sixth of a second)."""

REGION_UPSCALE_MAX_PX = 900
"""A crop is enlarged (up to 2x) until its long side reaches this."""


class FallbackBudget:
    """A token bucket in milliseconds that rations the slow steps.

    Every frame earns `ms_per_frame`; a slow step spends what it actually took (the balance
    may go negative, and then the next steps wait until it is paid back). Over any long
    stretch the slow steps therefore cost at most `ms_per_frame` per frame on average. The
    balance is capped at `max_ms`, so a long run of frames the fast path reads does not
    save up for a burst of slow frames later.

    8 ms a frame (a quarter of a frame at 30 fps): with the fast path, the decode thread
    stays under half of one core, the GUI keeps the other; a step on a region crop costs
    a few ms, so a card in view gets a slow step on most frames, while a full-frame zbar
    run (20-50 ms) on an empty gate runs a few times a second (bench/decode.py).
    """

    def __init__(self, ms_per_frame: float = 8.0, max_ms: float = 60.0) -> None:
        if ms_per_frame < 0 or max_ms < 0:
            raise ValueError("budget figures must not be negative")
        self.ms_per_frame = ms_per_frame
        self.max_ms = max_ms
        self.balance_ms = max_ms

    def earn_frame(self) -> None:
        """Credit one frame's share."""
        self.balance_ms = min(self.max_ms, self.balance_ms + self.ms_per_frame)

    def allows_run(self) -> bool:
        """True when a slow step may run on this frame."""
        return self.balance_ms > 0

    def spend(self, ms: float) -> None:
        """Debit what a slow step took."""
        self.balance_ms -= ms


def finder_region(grey: np.ndarray) -> Box | None:
    """The box around the QR finder patterns in `grey`, with a margin; None when none is seen.

    A finder pattern is a dark square ring around a light ring around a dark square: in
    the contour tree of a thresholded image, a contour with two generations inside it.
    Two to twelve roughly square candidates count as a code (a patterned coat gives more,
    and is left alone); the box covers them and as much again around them.
    """
    binary = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                   max(3, (min(grey.shape[:2]) // 20) | 1), 5)
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return None
    tree = hierarchy[0]
    candidates = []
    for i, contour in enumerate(contours):
        child = tree[i][2]
        grandchild = tree[child][2] if child >= 0 else -1
        if grandchild < 0:
            continue
        x, y, w, h = cv2.boundingRect(contour)
        if w >= 7 and h >= 7 and 0.4 < w / h < 2.5:
            candidates.append((x, y, x + w, y + h))
    if not 2 <= len(candidates) <= 12:
        return None
    boxes = np.array(candidates)
    x0, y0 = boxes[:, :2].min(axis=0)
    x1, y1 = boxes[:, 2:].max(axis=0)
    margin = max(int(np.median(boxes[:, 2] - boxes[:, 0])), (x1 - x0) // 4, (y1 - y0) // 4)
    height, width = grey.shape[:2]
    box = (max(0, int(x0 - margin)), max(0, int(y0 - margin)),
           min(width, int(x1 + margin)), min(height, int(y1 + margin)))
    if (box[2] - box[0]) * (box[3] - box[1]) > 0.6 * width * height:
        return None  # candidates all over the frame: texture, not a code
    return box


def _enlarged(crop: np.ndarray) -> tuple[np.ndarray, float]:
    scale = min(2.0, REGION_UPSCALE_MAX_PX / max(crop.shape[:2]))
    if scale <= 1.05:
        return crop, 1.0
    return cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC), scale


def _scaled(reads: list[Read], scale: float, name: str) -> list[Read]:
    return [Read(r.text, name, tuple(int(v / scale) for v in r.box))  # type: ignore[arg-type]
            for r in reads]


_CLAHE = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(4, 4))

RegionStep = Callable[[np.ndarray, Sequence[np.ndarray], Any], list[Read]]
"""(this frame's crop, the last crops of the region, zbar or None) -> reads in crop pixels."""


def _zxing_enlarged(crop: np.ndarray, _stack: Sequence[np.ndarray], _zbar: Any) -> list[Read]:
    big, scale = _enlarged(crop)
    return _scaled(zxing_reads(big, "zxing-region"), scale, "zxing-region")


def _zbar_region(crop: np.ndarray, _stack: Sequence[np.ndarray], zbar: Any) -> list[Read]:
    return zbar_reads(adaptive(crop), zbar, "zbar-region") if zbar is not None else []


def _zxing_equalised(crop: np.ndarray, _stack: Sequence[np.ndarray], _zbar: Any) -> list[Read]:
    big, scale = _enlarged(_CLAHE.apply(crop))
    return _scaled(zxing_reads(big, "zxing-equalised"), scale, "zxing-equalised")


def _both_on(image: np.ndarray, zbar: Any, name: str) -> list[Read]:
    big, scale = _enlarged(image)
    reads = _scaled(zxing_reads(big, name), scale, name)
    if not reads and zbar is not None:
        reads = zbar_reads(adaptive(image), zbar, name + "-zbar")
    return reads


def _stack_minimum(crop: np.ndarray, stack: Sequence[np.ndarray], zbar: Any) -> list[Read]:
    if len(stack) < 3:
        return _zxing_enlarged(crop, stack, zbar)
    return _both_on(np.minimum.reduce(list(stack)), zbar, "stack-minimum")


def _stack_mean(crop: np.ndarray, stack: Sequence[np.ndarray], zbar: Any) -> list[Read]:
    if len(stack) < 3:
        return _zbar_region(crop, stack, zbar)
    mean = np.mean(np.stack(stack), axis=0).astype(np.uint8)
    return _both_on(mean, zbar, "stack-mean")


REGION_STEPS: tuple[RegionStep, ...] = (_zxing_enlarged, _zbar_region, _stack_minimum,
                                        _zxing_equalised, _stack_mean)
"""The slow steps on a region crop, in turn."""

LOCATE = "locate"
FULL_FRAME_STEPS = (LOCATE, ZBAR_ADAPTIVE, LOCATE, ZBAR_GREY)
"""The slow steps while no region is known, in turn: finding one, or zbar on the frame."""


class CameraDecoder:
    """Decodes a stream of frames from one camera; keeps state between frames (one per worker).

    budget: rations the slow steps (default `FallbackBudget()`); the fast path always runs.
    use_pyzbar, load_zbar: as for `QrDecoder`.
    clock: times the slow steps for the budget.
    """

    def __init__(self, *, budget: FallbackBudget | None = None, clock: Clock = monotonic,
                 use_pyzbar: bool = True, load_zbar: Callable[[], ModuleType] = load_pyzbar,
                 region_frames: int = REGION_FRAMES) -> None:
        self.budget = budget if budget is not None else FallbackBudget()
        self._clock = clock
        self._pyzbar = _load_zbar(load_zbar) if use_pyzbar else None
        self._region_frames = region_frames
        self._region: Box | None = None
        self._region_left = 0
        self._stack: deque[np.ndarray] = deque(maxlen=STACK_FRAMES)
        self._full_turn = 0
        self._region_turn = 0
        self.slow_steps = 0  # how many ran (for the bench and the tests)

    @property
    def has_fallback(self) -> bool:
        return self._pyzbar is not None

    @property
    def region(self) -> Box | None:
        """The region being worked on, if any."""
        return self._region

    def decode(self, frame: np.ndarray) -> list[str]:
        """The texts of the QR codes in this frame (BGR, BGRA or grey, uint8), each once."""
        return agreed(self.reads(frame))

    def reads(self, frame: np.ndarray) -> list[Read]:
        grey = to_grey(frame)
        self.budget.earn_frame()
        crop = self._track(grey)
        reads = zxing_reads(grey)
        if reads:
            self._forget_region()  # read: the next card starts from scratch
            return reads
        if not self.budget.allows_run():
            return []
        started = self._clock()
        try:
            return self._slow_step(grey, crop)
        finally:
            self.slow_steps += 1
            self.budget.spend((self._clock() - started) * 1000.0)

    def _track(self, grey: np.ndarray) -> np.ndarray | None:
        """This frame's crop of the region (kept for the stack), or None without a region."""
        if self._region is None:
            return None
        if self._region_left <= 0:
            self._forget_region()
            return None
        self._region_left -= 1
        x0, y0, x1, y1 = self._region
        crop = grey[y0:y1, x0:x1].copy()
        self._stack.append(crop)
        return crop

    def _forget_region(self) -> None:
        self._region = None
        self._stack.clear()

    def _slow_step(self, grey: np.ndarray, crop: np.ndarray | None) -> list[Read]:
        if crop is not None and self._region is not None:
            step = REGION_STEPS[self._region_turn % len(REGION_STEPS)]
            self._region_turn += 1
            x0, y0 = self._region[:2]
            return [Read(r.text, r.decoder, (r.box[0] + x0, r.box[1] + y0, r.box[2] + x0,
                                             r.box[3] + y0))
                    for r in step(crop, self._stack, self._pyzbar)]
        step_name = FULL_FRAME_STEPS[self._full_turn % len(FULL_FRAME_STEPS)]
        self._full_turn += 1
        if isinstance(step_name, str):  # LOCATE: look for finder patterns, decode nothing
            region = finder_region(grey)
            if region is not None:
                self._region, self._region_left, self._region_turn = region, self._region_frames, 0
                self._stack.clear()
            return []
        stage = step_name
        if stage.needs_zbar and self._pyzbar is None:
            return []
        return stage(grey, self._pyzbar)
