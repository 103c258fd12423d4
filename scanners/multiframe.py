"""The camera's decoder: the same card over many frames, the budget spent differently per frame.

A still image gets the whole cascade at once (scanners/decode.py); a camera frame cannot,
at 30 frames a second. But a card is held up for half a second or more, so:

- every frame: the fast path, zxing-cpp on the whole frame (about 2 ms at 1280x720);
- when it reads nothing, and while the time budget lasts (`FallbackBudget`):
  - look for QR finder patterns (the three nested squares; on a half-size copy of a
    720p frame, which also averages a night camera's grain away). Where they are seen,
    the region around them is kept for `REGION_FRAMES` frames, carried over the frames
    where glare or blur hides them, and followed while the hand moves it a little;
  - with a region: its crop of every frame is aligned to the region's first crop (phase
    correlation: a hand is never still) and stacked, and the slow steps of
    `REGION_STEPS` run on the crop in turn, as many as fit in `FRAME_SLOW_MS`: zxing-cpp
    on it enlarged, zbar on an adaptive threshold whose block rotates, both on the
    stack's mean (a night camera's grain averages out), both on the per-pixel minimum of
    the stack (glare only ever brightens, and it moves), both on the sharpened crop
    (defocus, a tilted card), zxing-cpp after a local contrast equaliser;
  - without one: zbar on the whole frame, adaptive threshold then grey, in turn (the old
    fallback, which reads codes whose finder patterns are not found).

A crop is a tenth of the frame or less, so a slow step on it costs 1-5 ms and several run
on one frame, where a full-frame zbar run costs 15-50 ms. Every frame's reads go through
`agreed`, as a still image's do: two decoders reading one place differently give nothing.
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
    Stage,
    _load_zbar,
    adaptive,
    agreed,
    load_pyzbar,
    to_grey,
    zbar_reads,
    zxing_reads,
)
from scanners.timing import Clock, thread_cpu

REGION_FRAMES = 15
"""How long a region where finder patterns were seen is worked on: half a second at 30 fps."""

STACK_FRAMES = 15
"""Crops of one region kept for the minimum and the mean (half a second): a glare spot
moves slowly on a card held still, and only a long stack has each module once out of it."""

FRAME_SLOW_MS = 12.0
"""Slow steps on a region stop once one frame has spent this much on them (the budget's
balance bounds it too): a frame's decode stays well inside a frame's time at 30 fps."""

REGION_KEEP_OVERLAP = 0.5
"""Finder patterns found again in a box with this much of it (or of the region, if
smaller) inside the region keep the region and its stack; elsewhere they start a new one."""

LOCATE_HALF_SIZE_PX = 600
"""Frames whose short side is at least this are searched for finder patterns at half size,
and at full size every other time while no region is known."""

GRAINY_BUSY = 0.07
"""A full-size search is skipped when its threshold flips between neighbouring pixels this
often: grain, where findContours meets tens of thousands of contours and takes up to a
second (measured: a night camera 0.48, the test suite's noisy empty gate 0.12, card scenes
0.01-0.06). The half-size search, smoothed, does better on such frames anyway."""

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


def finder_region(grey: np.ndarray, half: bool = True) -> Box | None:
    """`_finder_box`, in the frame's pixels; on a half-size copy of a large frame unless
    `half` is False (four times cheaper, and the averaging takes a night camera's grain
    away; but a steeply tilted card's finder patterns may be too thin for it)."""
    if min(grey.shape[:2]) < LOCATE_HALF_SIZE_PX:
        return _finder_box(grey)
    if not half:
        return _finder_box(grey, max_busy=GRAINY_BUSY)
    small = cv2.resize(grey, (grey.shape[1] // 2, grey.shape[0] // 2),
                       interpolation=cv2.INTER_AREA)
    # Smoothed a little more: at night the grain alone makes "finder patterns" (measured:
    # without it the boxes jump between frames and miss part of the code).
    box = _finder_box(cv2.GaussianBlur(small, (0, 0), 0.8))
    return None if box is None else (box[0] * 2, box[1] * 2, box[2] * 2, box[3] * 2)


def _finder_box(grey: np.ndarray, max_busy: float = 1.0) -> Box | None:
    """The box around the QR finder patterns in `grey`, with a margin; None when none is seen.

    A finder pattern is a dark square ring around a light ring around a dark square: in
    the contour tree of a thresholded image, a contour with two generations inside it.
    Two to twelve roughly square candidates count as a code (a patterned coat gives more,
    and is left alone); the box covers them and as much again around them.
    """
    binary = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                   max(3, (min(grey.shape[:2]) // 20) | 1), 5)
    if np.count_nonzero(binary[:, 1:] != binary[:, :-1]) > max_busy * binary.size:
        return None  # grain: tens of thousands of contours, 100 ms and more, and no code
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
        if w >= 6 and h >= 6 and 0.4 < w / h < 2.5:
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


def _overlap(a: Box, b: Box) -> float:
    """How much of the smaller box lies in the other (0 to 1)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    return w * h / min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))


def _half(crop: np.ndarray) -> np.ndarray:
    return cv2.resize(crop, (max(1, crop.shape[1] // 2), max(1, crop.shape[0] // 2)),
                      interpolation=cv2.INTER_AREA).astype(np.float32)


def aligned(reference_half: np.ndarray, crop: np.ndarray) -> np.ndarray:
    """`crop` shifted onto the reference crop (given at half size) by phase correlation.

    At half size the correlation costs well under a millisecond on a region crop, and a
    hand's tremor (a few pixels) is found to a fraction of a pixel.
    """
    (dx, dy), _ = cv2.phaseCorrelate(reference_half, _half(crop))
    shift = np.array([[1, 0, -2 * dx], [0, 1, -2 * dy]], np.float32)
    return cv2.warpAffine(crop, shift, (crop.shape[1], crop.shape[0]),
                          borderMode=cv2.BORDER_REPLICATE)


_CLAHE = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(4, 4))

RegionStep = Callable[[np.ndarray, Sequence[np.ndarray], Any, int], list[Read]]
"""(this frame's crop, the region's aligned crops, zbar or None, how many times the step
ran on this region) -> reads in crop pixels."""

ADAPTIVE_FRACTIONS = (20, 10, 32)
"""The region's adaptive-threshold block, as a fraction of the crop's short side, in turn:
the still images' twentieth first, then a coarser and a finer one (glare and shadow edges
want a large block, small modules a small one)."""


def _zxing_enlarged(crop: np.ndarray, _stack: Sequence[np.ndarray], _zbar: Any,
                    _turn: int) -> list[Read]:
    big, scale = _enlarged(crop)
    return _scaled(zxing_reads(big, "zxing-region"), scale, "zxing-region")


def _zbar_region(crop: np.ndarray, _stack: Sequence[np.ndarray], zbar: Any,
                 turn: int) -> list[Read]:
    if zbar is None:
        return []
    fraction = ADAPTIVE_FRACTIONS[turn % len(ADAPTIVE_FRACTIONS)]
    return zbar_reads(adaptive(crop, fraction=fraction), zbar, "zbar-region")


def _zxing_equalised(crop: np.ndarray, _stack: Sequence[np.ndarray], _zbar: Any,
                     _turn: int) -> list[Read]:
    big, scale = _enlarged(_CLAHE.apply(crop))
    return _scaled(zxing_reads(big, "zxing-equalised"), scale, "zxing-equalised")


def _both_on(image: np.ndarray, zbar: Any, name: str) -> list[Read]:
    big, scale = _enlarged(image)
    reads = _scaled(zxing_reads(big, name), scale, name)
    if not reads and zbar is not None:
        reads = zbar_reads(adaptive(image), zbar, name + "-zbar")
    return reads


def _sharpened(crop: np.ndarray, _stack: Sequence[np.ndarray], zbar: Any,
               _turn: int) -> list[Read]:
    # An unsharp mask: a defocused or tilted card's modules get their edges back.
    soft = cv2.GaussianBlur(crop, (0, 0), 2.0)
    return _both_on(cv2.addWeighted(crop, 2.5, soft, -1.5, 0), zbar, "sharpened")


def _stack_minimum(crop: np.ndarray, stack: Sequence[np.ndarray], zbar: Any,
                   turn: int) -> list[Read]:
    if len(stack) < 3:
        return _zbar_region(crop, stack, zbar, turn + 1)
    return _both_on(np.minimum.reduce(list(stack)), zbar, "stack-minimum")


def _stack_mean(crop: np.ndarray, stack: Sequence[np.ndarray], zbar: Any,
                turn: int) -> list[Read]:
    if len(stack) < 3:
        return _zxing_equalised(crop, stack, zbar, turn)
    mean = np.mean(np.stack(stack), axis=0)
    stretched = cv2.normalize(mean, None, 0, 255, cv2.NORM_MINMAX)  # type: ignore[call-overload]
    return _both_on(stretched.astype(np.uint8), zbar, "stack-mean")


REGION_STEPS: tuple[RegionStep, ...] = (_zxing_enlarged, _zbar_region, _stack_mean,
                                        _stack_minimum, _sharpened, _zxing_equalised)
"""The slow steps on a region crop, in turn (each new region starts at the first)."""

FULL_FRAME_STEPS: tuple[Stage, ...] = (ZBAR_ADAPTIVE, ZBAR_GREY)
"""The slow steps while no region is known, in turn: zbar on the whole frame."""


class CameraDecoder:
    """Decodes a stream of frames from one camera; keeps state between frames (one per worker).

    budget: rations the slow steps (default `FallbackBudget()`); the fast path always runs.
    use_pyzbar, load_zbar: as for `QrDecoder`.
    clock: times the slow steps for the budget (default: the decode thread's CPU time).
    region_steps: the slow steps on a region, in turn (default `REGION_STEPS`).
    """

    def __init__(self, *, budget: FallbackBudget | None = None, clock: Clock = thread_cpu,
                 use_pyzbar: bool = True, load_zbar: Callable[[], ModuleType] = load_pyzbar,
                 region_frames: int = REGION_FRAMES,
                 region_steps: Sequence[RegionStep] = REGION_STEPS) -> None:
        self.budget = budget if budget is not None else FallbackBudget()
        self._steps = tuple(region_steps)
        self._clock = clock
        self._pyzbar = _load_zbar(load_zbar) if use_pyzbar else None
        self._region_frames = region_frames
        self._region: Box | None = None
        self._region_left = 0
        self._reference: np.ndarray | None = None  # the region's first crop, at half size
        self._stack: deque[np.ndarray] = deque(maxlen=STACK_FRAMES)
        self._full_turn = 0
        self._region_turn = 0
        self._locate_turn = 0
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
        reads = zxing_reads(grey)
        if reads:
            self._forget_region()  # read: the next card starts from scratch
            return reads
        if not self.budget.allows_run() and self._region is None:
            return []
        started = self._clock()
        try:
            if not self.budget.allows_run():
                # No slow step, but the region's stack still gets this frame (about 1 ms):
                # when the budget is back, the minimum and the mean are ready.
                self._stack_crop(grey)
                self._age_region()
                return []
            reads = self._slow(grey, started)
            if reads:
                self._forget_region()
            return reads
        finally:
            self.budget.spend((self._clock() - started) * 1000.0)

    def _stack_crop(self, grey: np.ndarray) -> np.ndarray | None:
        """This frame's crop of the region, its aligned copy added to the stack."""
        if self._region is None:
            return None
        x0, y0, x1, y1 = self._region
        crop = grey[y0:y1, x0:x1].copy()
        if self._reference is None:
            self._reference = _half(crop)
            self._stack.append(crop)
        else:
            self._stack.append(aligned(self._reference, crop))
        return crop

    def _slow(self, grey: np.ndarray, started: float) -> list[Read]:
        seen = self._locate(grey)
        crop = self._stack_crop(grey)
        if crop is None:
            return self._full_frame_step(grey)
        if not seen:
            # Finder patterns hidden on this frame (glare, blur), or the card has gone:
            # one step on the region, then zbar on the whole frame while the budget lasts.
            found = self._region_step(crop)
            if found or self._over(started):
                return found
            return self._full_frame_step(grey)
        new_region = len(self._stack) == 1
        found = []
        for _ in self._steps:
            found = self._region_step(crop)
            if found or self._over(started):
                break
            if new_region:
                # A card just found: zbar on the whole frame once, as the old per-frame
                # fallback did (it reads a few codes no step on the crop reads).
                new_region = False
                found = self._full_frame_step(grey, ZBAR_ADAPTIVE)
                if found or self._over(started):
                    break
        return found

    def _over(self, started: float) -> bool:
        spent = (self._clock() - started) * 1000.0
        return spent >= FRAME_SLOW_MS or spent >= self.budget.balance_ms

    def _locate(self, grey: np.ndarray) -> bool:
        """Look for finder patterns; keep, move or start the region. True when seen."""
        self._locate_turn += 1
        box = finder_region(grey, half=self._locate_turn % 2 == 1 or self._region is not None)
        if box is None:
            self._age_region()
            return False
        if self._region is None or _overlap(box, self._region) < REGION_KEEP_OVERLAP:
            self._region, self._region_turn, self._reference = box, 0, None
            self._stack.clear()
        self._region_left = self._region_frames
        return True

    def _age_region(self) -> None:
        if self._region is not None:
            self._region_left -= 1
            if self._region_left <= 0:
                self._forget_region()

    def _forget_region(self) -> None:
        self._region, self._reference = None, None
        self._stack.clear()

    def _region_step(self, crop: np.ndarray) -> list[Read]:
        assert self._region is not None
        turn = self._region_turn
        step = self._steps[turn % len(self._steps)]
        self._region_turn += 1
        self.slow_steps += 1
        x0, y0 = self._region[:2]
        return [Read(r.text, r.decoder, (r.box[0] + x0, r.box[1] + y0, r.box[2] + x0,
                                         r.box[3] + y0))
                for r in step(crop, self._stack, self._pyzbar, turn // len(self._steps))]

    def _full_frame_step(self, grey: np.ndarray, stage: Stage | None = None) -> list[Read]:
        if stage is None:
            stage = FULL_FRAME_STEPS[self._full_turn % len(FULL_FRAME_STEPS)]
            self._full_turn += 1
        if stage.needs_zbar and self._pyzbar is None:
            return []
        self.slow_steps += 1
        return stage(grey, self._pyzbar)
