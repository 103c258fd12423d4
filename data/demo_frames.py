"""Camera frames for `kiosk demo`: each card as a 1280x720 photo-like frame (a card on a
desk, slightly turned), and empty frames between them, so a simulated camera shows the
cards one after another and each verdict stays long enough to read.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import segno

WIDTH, HEIGHT = 1280, 720
KIND_LABELS = {"life": "LIFE CARD", "work": "WORK CARD", "special": "SPECIAL CARD"}
KIND_COLOURS = {"life": (60, 140, 40), "work": (170, 90, 20), "special": (40, 60, 200)}  # BGR


def desk(seed: int) -> np.ndarray:
    """A dim, slightly noisy background, like a gate table under a lamp."""
    rng = np.random.default_rng(seed)
    y = np.linspace(0, 1, HEIGHT, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, WIDTH, dtype=np.float32)[None, :]
    base = 70 + 50 * (1 - (x - 0.5) ** 2 - (y - 0.4) ** 2)
    noise = rng.normal(0, 4, (HEIGHT, WIDTH)).astype(np.float32)
    grey = np.clip(base + noise, 0, 255).astype(np.uint8)
    frame = cv2.merge([grey, (grey * 0.95).astype(np.uint8), (grey * 0.9).astype(np.uint8)])
    return frame


def qr_image(payload: str, module_px: int = 5) -> np.ndarray:
    """The QR code as a grey image with its quiet zone (error correction M, as printed)."""
    qr = segno.make_qr(payload, error="m", boost_error=False)
    matrix = np.array([[0 if dark else 255 for dark in row] for row in qr.matrix_iter(border=4)],
                      dtype=np.uint8)
    return cv2.resize(matrix, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)


def card_frame(payload: str, kind: str, serial: str, flat: str, seed: int, angle: float = 4.0) -> np.ndarray:
    """A pass card held up to the camera: white card, its QR code, kind, serial and flat."""
    card = np.full((380, 640, 3), 250, dtype=np.uint8)
    cv2.rectangle(card, (0, 0), (639, 56), KIND_COLOURS.get(kind, (90, 90, 90)), -1)
    cv2.putText(card, KIND_LABELS.get(kind, kind.upper()), (20, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.2,
                (255, 255, 255), 3, cv2.LINE_AA)
    code = cv2.cvtColor(qr_image(payload), cv2.COLOR_GRAY2BGR)
    size = min(code.shape[0], 300)
    code = cv2.resize(code, (size, size), interpolation=cv2.INTER_NEAREST)
    card[68:68 + size, 16:16 + size] = code
    for i, line in enumerate((serial, flat)):
        cv2.putText(card, line, (340, 170 + 70 * i), cv2.FONT_HERSHEY_SIMPLEX, 1.3, (30, 30, 30), 3,
                    cv2.LINE_AA)
    frame = desk(seed)
    top, left = (HEIGHT - card.shape[0]) // 2, (WIDTH - card.shape[1]) // 2
    canvas = np.zeros_like(frame)
    mask = np.zeros((HEIGHT, WIDTH), dtype=np.uint8)
    canvas[top:top + card.shape[0], left:left + card.shape[1]] = card
    mask[top:top + card.shape[0], left:left + card.shape[1]] = 255
    turn = cv2.getRotationMatrix2D((WIDTH / 2, HEIGHT / 2), angle, 1.0)
    turned = cv2.warpAffine(canvas, turn, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR)
    inside = cv2.warpAffine(mask, turn, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR) > 127
    frame[inside] = turned[inside]
    return frame


def write_frames(cards: list[tuple[str, str, str, str]], folder: Path) -> list[Path]:
    """One frame per card (payload, kind, serial, flat), each followed by an empty desk.

    Named so that a folder source in name order alternates card, desk, card, desk...
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i, (payload, kind, serial, flat) in enumerate(cards):
        angle = 4.0 - 2 * (i % 4)
        for name, frame in ((f"{i:02d}a-card.png", card_frame(payload, kind, serial, flat, i, angle)),
                            (f"{i:02d}b-desk.png", desk(100 + i))):
            path = folder / name
            cv2.imwrite(str(path), frame)
            written.append(path)
    return written
