"""Helpers for the scanner tests: card frames drawn with segno, empty frames, MJPG videos
written with OpenCV, and a clock the test moves by hand.

Cards are drawn with `segno.make_qr`, never `segno.make`: for short payloads the latter
may choose a Micro QR code, which the gate does not read.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import segno

SAMPLES = Path(__file__).parent / "samples"

class FakeClock:
    """Monotonic seconds that move only when told to (or when `sleep` is called)."""

    def __init__(self, start: float = 1000.0, step: float = 0.0) -> None:
        self.now = start
        self.step = step  # added after every reading: "each call takes this long"
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        now = self.now
        self.now += self.step
        return now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def draw_card_frame(payload: str, *, size: tuple[int, int] = (1280, 720), module_px: int = 6,
                    at: tuple[int, int] = (120, 90), background: int = 140,
                    rotate_90: bool = False) -> np.ndarray:
    """A BGR frame (width, height = size) showing a white card with the QR code of `payload`."""
    # Drawn once per argument set (the noise is the slow part); each caller gets its own copy.
    return _card_frame(payload, size, module_px, at, background, rotate_90).copy()


@functools.lru_cache(maxsize=32)
def _card_frame(payload: str, size: tuple[int, int], module_px: int, at: tuple[int, int],
                background: int, rotate_90: bool) -> np.ndarray:
    code = segno.make_qr(payload, error="m")
    dark = np.array(code.matrix, dtype=bool)
    dark = np.pad(dark, 4, constant_values=False)  # the quiet zone a printed card has
    modules = np.where(dark, 25, 240).astype(np.uint8)
    qr = cv2.resize(modules, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)
    if rotate_90:
        qr = cv2.rotate(qr, cv2.ROTATE_90_CLOCKWISE)
    width, height = size
    frame = np.full((height, width, 3), background, dtype=np.uint8)
    card = np.full((qr.shape[0] + 40, qr.shape[1] + 200, 3), 235, dtype=np.uint8)
    card[20:20 + qr.shape[0], 20:20 + qr.shape[1]] = qr[:, :, None]
    cv2.putText(card, "PASS", (qr.shape[1] + 40, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.2,
                (40, 40, 40), 2)
    x, y = at
    frame[y:y + card.shape[0], x:x + card.shape[1]] = card
    # A webcam's lens and sensor: slightly soft, slightly noisy.
    frame = cv2.GaussianBlur(frame, (0, 0), 0.8)
    noise = np.random.default_rng(len(payload)).normal(0, 3, frame.shape)
    return np.clip(frame + noise, 0, 255).astype(np.uint8)


def empty_frame(size: tuple[int, int] = (1280, 720), *, level: int = 120,
                seed: int = 0) -> np.ndarray:
    """A BGR frame of a plain, slightly noisy scene: nothing to decode."""
    return _empty_frame(size, level, seed).copy()


@functools.lru_cache(maxsize=8)
def _empty_frame(size: tuple[int, int], level: int, seed: int) -> np.ndarray:
    width, height = size
    rng = np.random.default_rng(seed)
    frame = rng.normal(level, 6, (height, width, 3))
    return np.clip(frame, 0, 255).astype(np.uint8)


def write_video(path: Path, frames: Sequence[np.ndarray], fps: float = 30.0) -> Path:
    """Write `frames` (BGR, all the same size) as an MJPG .avi, as a webcam recording is."""
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (width, height))
    assert writer.isOpened(), "OpenCV cannot write MJPG here"
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path
