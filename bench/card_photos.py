"""Seeded renders of a printed pass card as the gate's camera sees it, for bench/decode.py.

The card is laid out as data/cardsheet.py prints it (ISO ID-1, 85.6 x 54 mm; the QR code
40 mm with its quiet zone, error correction M raised when it fits, so a 170-character
card payload is version 7, about 0.75 mm a module), then photographed under one hardship
per category:

    clean, glare, shadow, crease, sleeve (a plastic sleeve: haze, a reflection band),
    phone (the code on a phone screen: bezel, pixel grid, a glare stripe), perspective
    (45-60 degrees out of plane), blur (motion or defocus), bright_spot (a dark gate with
    one lamp on the card: mean grey far below 40), mixed (two or three of them)

and a webcam's finish (sensor noise, MJPG-like JPEG). `sequence(kind, seed)` gives frame
lists at 30 fps for the camera's time-to-first-read: a card moving in, held with moving
glare, held tilted, in a sleeve; and harder: at night (dim, grainy), in a sleeve whose
bright reflection band sweeps over the code, brought in slowly with motion blur.
Everything comes from `numpy.random.default_rng(seed)`: the same seed gives the same pixels.

    .venv/bin/python bench/card_photos.py --out DIR [--per-category 30] [--seed 16]

writes DIR/<category>/NNN.jpg with NNN.txt beside it (the expected payload).
"""
from __future__ import annotations

import argparse
import string
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import segno

CATEGORIES = ("clean", "glare", "shadow", "crease", "sleeve", "phone", "perspective", "blur",
              "bright_spot", "mixed")
SEQUENCES = ("moving_in", "held_glare", "tilted", "sleeve", "low_light", "sleeve_glare",
             "blur_in")
"""The harder three (issue 16): a dark gate at night (a camera's gain: dim and grainy), a
sleeve whose reflection band sweeps over the code, and a card brought in slowly with
motion blur all the way. New kinds go at the end: a kind's index seeds its renders."""
FRAME = (1280, 720)
PX_PER_MM = 8.0
CARD_MM = (85.6, 54.0)
QR_AT_MM, QR_MM = (1.5, 11.0), 40.0  # data/cardsheet.py: draw_qr(pdf, payload, x + 1.5, y + 11.0, 40)
KIND_COLOURS = ((50, 125, 46), (192, 101, 21), (21, 67, 216))  # BGR of life, work, special
B32 = string.ascii_uppercase + "234567"
ALNUM = string.digits + string.ascii_uppercase

Rng = np.random.Generator


def card_payload(rng: Rng) -> str:
    """A payload shaped like kiosk/codec.py's (fields of the right alphabets and lengths)."""
    def pick(alphabet: str, n: int) -> str:
        return "".join(rng.choice(list(alphabet), n))
    return ":".join(["GP1", pick(B32, 8), pick(ALNUM, 13), pick(ALNUM, 7), "1",
                     "H" + pick(ALNUM, 6), str(rng.choice(list("LWS"))), "20260210", "20260310",
                     pick(B32, 103)])


def render_card(payload: str, rng: Rng) -> np.ndarray:
    """The printed card, BGR, at PX_PER_MM."""
    width, height = (round(mm * PX_PER_MM) for mm in CARD_MM)
    paper = rng.integers(232, 252)
    card = np.full((height, width, 3), paper, np.uint8)
    colour = KIND_COLOURS[int(rng.integers(0, 3))]
    card[: round(8 * PX_PER_MM)] = colour
    cv2.putText(card, "GATE PASS", (round(4 * PX_PER_MM), round(6 * PX_PER_MM)),
                cv2.FONT_HERSHEY_DUPLEX, 1.4, (255, 255, 255), 2, cv2.LINE_AA)
    qr = segno.make_qr(payload, error="m", boost_error=True)
    matrix = np.pad(np.array(qr.matrix, dtype=bool), 4, constant_values=False)
    side = round(QR_MM * PX_PER_MM)
    code = cv2.resize(np.where(matrix, 20, 250).astype(np.uint8), (side, side),
                      interpolation=cv2.INTER_NEAREST)
    x, y = (round(mm * PX_PER_MM) for mm in QR_AT_MM)
    card[y:y + side, x:x + side] = code[:, :, None]
    for line, text in enumerate(("B3-U2-1104  L.", "2026-02-10 / 2026-03-10", "7F3K-2Q8M-X")):
        cv2.putText(card, text, (x + side + 12, y + 40 + 55 * line), cv2.FONT_HERSHEY_SIMPLEX,
                    0.75, (40, 40, 40), 2, cv2.LINE_AA)
    return card


def background(rng: Rng, size: tuple[int, int] = FRAME, level: float | None = None) -> np.ndarray:
    """A gate scene: a lit gradient, a few blocks of clutter, texture."""
    width, height = size
    level = float(rng.uniform(70, 170)) if level is None else level
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    gradient = level + 40 * (xx / width - 0.5) * rng.uniform(-1, 1) + 30 * (yy / height - 0.5)
    scene = np.repeat(gradient[:, :, None], 3, axis=2)
    for _ in range(int(rng.integers(2, 6))):
        x0, y0 = int(rng.integers(0, width - 50)), int(rng.integers(0, height - 50))
        cv2.rectangle(scene, (x0, y0), (x0 + int(rng.integers(40, 300)), y0 + int(rng.integers(40, 300))),
                      tuple(float(v) for v in rng.uniform(level * 0.4, level * 1.3, 3)), -1)
    scene += rng.normal(0, 4, scene.shape)
    return scene


def corners_in_frame(card_size: tuple[int, int], rng: Rng, *, width_frac: tuple[float, float],
                     tilt_deg: tuple[float, float], size: tuple[int, int] = FRAME,
                     centre: tuple[float, float] | None = None, roll: float | None = None
                     ) -> np.ndarray:
    """Where the card's corners land: scaled, rolled in-plane, tilted out of plane."""
    width, height = size
    cw, ch = card_size
    target_w = rng.uniform(*width_frac) * width
    scale = target_w / cw
    tilt = np.radians(rng.uniform(*tilt_deg)) * rng.choice([-1, 1])
    axis = rng.uniform(0, np.pi)
    roll = rng.uniform(-25, 25) if roll is None else roll
    pts = np.array([[-cw / 2, -ch / 2], [cw / 2, -ch / 2], [cw / 2, ch / 2], [-cw / 2, ch / 2]])
    pts = pts * scale
    # Out-of-plane tilt about an axis in the card's plane, seen by a pinhole camera.
    direction = np.array([np.cos(axis), np.sin(axis)])
    along = pts @ direction
    depth = 1.0 + along * np.sin(tilt) / (2.2 * target_w)
    pts = (pts - np.outer(along, direction) * (1 - np.cos(tilt))) / depth[:, None]
    r = np.radians(roll)
    pts = pts @ np.array([[np.cos(r), -np.sin(r)], [np.sin(r), np.cos(r)]]).T
    if centre is None:
        half = pts.max(axis=0) - pts.min(axis=0)
        cx = rng.uniform(half[0] / 2 + 10, max(half[0] / 2 + 11, width - half[0] / 2 - 10))
        cy = rng.uniform(half[1] / 2 + 10, max(half[1] / 2 + 11, height - half[1] / 2 - 10))
        centre = (cx, cy)
    return (pts + np.array(centre)).astype(np.float32)


def place(scene: np.ndarray, card: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """Warp the card onto the scene (float BGR) at `corners`."""
    ch, cw = card.shape[:2]
    source = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], np.float32)
    matrix = cv2.getPerspectiveTransform(source, corners)
    height, width = scene.shape[:2]
    warped = cv2.warpPerspective(card.astype(np.float32), matrix, (width, height),
                                 flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.ones((ch, cw), np.float32), matrix, (width, height),
                               flags=cv2.INTER_LINEAR)[:, :, None]
    return scene * (1 - mask) + warped * mask


def qr_centre(corners: np.ndarray) -> tuple[float, float]:
    """Roughly where the code sits in the frame (the card's left third)."""
    left = (corners[0] + corners[3]) / 2
    right = (corners[1] + corners[2]) / 2
    down = (corners[3] + corners[2]) / 2 - (corners[0] + corners[1]) / 2
    point = left + (right - left) * 0.26 + down * 0.07
    return float(point[0]), float(point[1])


# Hardships on the card itself (before it is placed).

def crease(card: np.ndarray, rng: Rng) -> np.ndarray:
    """A fold across the card: one side lit differently, a dark line, a 1-3 px step."""
    height, width = card.shape[:2]
    out = card.astype(np.float32)
    vertical = rng.random() < 0.5
    at = int(rng.uniform(0.15, 0.45) * (width if vertical else height))
    shift = int(rng.integers(1, 4))
    if vertical:
        out[:, at:] = np.roll(out[:, at:], shift, axis=0) * rng.uniform(0.75, 0.9)
        cv2.line(out, (at, 0), (at + int(rng.integers(-20, 20)), height), (90, 90, 90), 2)
    else:
        out[at:, :] = np.roll(out[at:, :], shift, axis=1) * rng.uniform(0.75, 0.9)
        cv2.line(out, (0, at), (width, at + int(rng.integers(-20, 20))), (90, 90, 90), 2)
    return np.clip(out, 0, 255).astype(np.uint8)


def sleeve(card: np.ndarray, rng: Rng, band_at: float | None = None,
           band_strength: float = 120.0) -> np.ndarray:
    """Through a plastic sleeve: lower contrast, haze, a tint, a broad reflection band."""
    height, width = card.shape[:2]
    out = card.astype(np.float32) * rng.uniform(0.4, 0.6) + rng.uniform(70, 100)
    out *= rng.uniform(0.9, 1.05, 3)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    band_at = rng.uniform(0.1, 0.6) if band_at is None else band_at
    angle = rng.uniform(0.3, 1.2)
    distance = (xx * np.cos(angle) + yy * np.sin(angle)) / width - band_at
    out += band_strength * np.exp(-(distance / 0.06) ** 2)[:, :, None]
    return np.clip(cv2.GaussianBlur(out, (0, 0), 1.0), 0, 255).astype(np.uint8)


def phone_screen(payload: str, rng: Rng) -> np.ndarray:
    """The card's code shown on a phone: black bezel, pixel grid, a little blue."""
    qr = segno.make_qr(payload, error="m", boost_error=True)
    matrix = np.pad(np.array(qr.matrix, dtype=bool), 4, constant_values=False)
    side = 540
    code = cv2.resize(np.where(matrix, 10, 235).astype(np.uint8), (side, side),
                      interpolation=cv2.INTER_NEAREST).astype(np.float32)
    code[::3, :] *= 0.8  # the pixel grid: moire once the camera resamples it
    code[:, ::3] *= 0.8
    phone = np.full((1000, 600, 3), 15, np.float32)
    screen = np.full((880, 560, 3), 235, np.float32)
    screen[170:170 + side, 10:10 + side] = code[:, :, None]
    screen[:, :, 0] *= 1.05
    phone[60:940, 20:580] = screen
    return np.clip(phone, 0, 255).astype(np.uint8)


# Hardships on the photographed frame.

def glare(frame: np.ndarray, rng: Rng, at: tuple[float, float], strength: float | None = None,
          size: float = 1.0) -> np.ndarray:
    """A specular blob near `at`, saturating its middle."""
    height, width = frame.shape[:2]
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    cx, cy = at[0] + rng.normal(0, 30), at[1] + rng.normal(0, 30)
    sx, sy = size * rng.uniform(35, 90), size * rng.uniform(20, 60)
    strength = rng.uniform(200, 320) if strength is None else strength
    blob = strength * np.exp(-(((xx - cx) / sx) ** 2 + ((yy - cy) / sy) ** 2))
    return frame + blob[:, :, None]


def shadow(frame: np.ndarray, rng: Rng, at: tuple[float, float]) -> np.ndarray:
    """A hand's or the booth's shadow: a soft-edged polygon through `at`, 35-65% of the light."""
    height, width = frame.shape[:2]
    angle = rng.uniform(0, np.pi)
    normal = np.array([np.cos(angle), np.sin(angle)])
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    distance = (xx - at[0]) * normal[0] + (yy - at[1]) * normal[1] + rng.normal(0, 25)
    soft = rng.uniform(3, 25)
    dark = rng.uniform(0.35, 0.65)
    factor = dark + (1 - dark) / (1 + np.exp(-distance / soft))
    return frame * factor[:, :, None]


def bright_spot(frame: np.ndarray, rng: Rng, at: tuple[float, float]) -> np.ndarray:
    """Night at the gate: everything dark but one lamp's pool of light on the card."""
    height, width = frame.shape[:2]
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    radius = rng.uniform(110, 200)
    light = 0.04 + 1.1 * np.exp(-(((xx - at[0]) ** 2 + (yy - at[1]) ** 2) / radius ** 2) ** 1.5)
    return frame * light[:, :, None] * rng.uniform(0.7, 1.0)


def motion_blur(frame: np.ndarray, rng: Rng, length: int | None = None,
                angle: float | None = None) -> np.ndarray:
    length = int(rng.integers(7, 16)) if length is None else max(1, length)
    angle = rng.uniform(0, 180) if angle is None else angle
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0
    rotation = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2), angle, 1.0)
    kernel = cv2.warpAffine(kernel, rotation, (length, length))
    return cv2.filter2D(frame, -1, kernel / max(kernel.sum(), 1e-6))


def defocus(frame: np.ndarray, rng: Rng) -> np.ndarray:
    radius = int(rng.integers(2, 5))
    kernel = np.zeros((2 * radius + 1, 2 * radius + 1), np.float32)
    cv2.circle(kernel, (radius, radius), radius, 1.0, -1)
    return cv2.filter2D(frame, -1, kernel / kernel.sum())


def webcam(frame: np.ndarray, rng: Rng, quality: int | None = None) -> np.ndarray:
    """Sensor noise and the camera's MJPG compression."""
    noisy = frame + rng.normal(0, rng.uniform(2, 6), frame.shape)
    image = np.clip(noisy, 0, 255).astype(np.uint8)
    quality = int(rng.integers(60, 86)) if quality is None else quality
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


# One photo per category.

def photo(category: str, seed: int) -> tuple[np.ndarray, str]:
    """(BGR frame, payload) for one seeded render of `category`."""
    rng = np.random.default_rng([16, CATEGORIES.index(category), seed])
    payload = card_payload(rng)
    kinds = ([category] if category != "mixed" else
             list(rng.choice([c for c in CATEGORIES if c not in ("clean", "mixed", "phone")],
                             int(rng.integers(2, 4)), replace=False)))
    if "phone" in kinds:
        card = phone_screen(payload, rng)
        scene = background(rng, level=float(rng.uniform(40, 90)))
        corners = corners_in_frame((card.shape[1], card.shape[0]), rng, width_frac=(0.16, 0.24),
                                   tilt_deg=(0, 25))
    else:
        card = render_card(payload, rng)
        if "crease" in kinds:
            card = crease(card, rng)
        if "sleeve" in kinds:
            card = sleeve(card, rng)
        tilt = (45, 60) if "perspective" in kinds else (0, 20)
        corners = corners_in_frame((card.shape[1], card.shape[0]), rng, width_frac=(0.3, 0.5),
                                   tilt_deg=tilt)
        scene = background(rng)
    frame = place(scene, card, corners)
    centre = qr_centre(corners) if "phone" not in kinds else tuple(corners.mean(axis=0))
    if "phone" in kinds:
        frame = glare(frame, rng, centre, strength=rng.uniform(60, 140))
    if "shadow" in kinds:
        frame = shadow(frame, rng, centre)
    if "bright_spot" in kinds:
        frame = bright_spot(frame, rng, centre)
    if "glare" in kinds:
        frame = glare(frame, rng, centre)
    if "blur" in kinds:
        frame = motion_blur(frame, rng) if rng.random() < 0.6 else defocus(frame, rng)
    else:
        frame = cv2.GaussianBlur(frame, (0, 0), 0.7)  # a webcam lens is never sharp
    return webcam(frame, rng), payload


def write_photos(out: Path, per_category: int, seed: int = 16) -> list[Path]:
    """Write every category's photos (JPEG, as a phone or webcam saves them) with their .txt."""
    written = []
    for category in CATEGORIES:
        folder = out / category
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(per_category):
            image, payload = photo(category, seed * 1000 + n)
            path = folder / f"{n:03d}.jpg"
            cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 92])
            path.with_suffix(".txt").write_text(payload, encoding="ascii")
            written.append(path)
    return written


# Frame sequences for the camera (30 fps).

def sequence(kind: str, seed: int, frames: int = 30) -> tuple[list[np.ndarray], str]:
    """(frames, payload): half a second or more of one card in front of the camera."""
    rng = np.random.default_rng([61, SEQUENCES.index(kind), seed])
    payload = card_payload(rng)
    card = render_card(payload, rng)
    band = rng.uniform(0.0, 0.3)
    scene = background(rng)
    tilt = (48, 55) if kind == "tilted" else (5, 20)
    base_rng = np.random.default_rng([62, seed])
    corners = corners_in_frame((card.shape[1], card.shape[0]), base_rng,
                               width_frac=(0.36, 0.42) if kind == "tilted" else (0.42, 0.5),
                               tilt_deg=tilt, centre=(640, 380), roll=float(rng.uniform(-15, 15)))
    glare_path = rng.uniform(-1, 1, 2)
    darkness = rng.uniform(0.1, 0.16)  # low_light: mean grey 10-25 before the camera's gain
    out = []
    for i in range(frames):
        offset = rng.normal(0, 1.5, 2)  # a hand is never still
        blur = 0
        if kind == "moving_in":
            travel = max(0, 12 - i)  # slides in from the right over 12 frames, then held
            offset = offset + np.array([55.0 * travel, 0.0])
            blur = 5 + 3 * min(travel, 4) if travel else int(rng.integers(4, 8))
        if kind == "blur_in":
            travel = max(0, 20 - i)  # slowly, over two thirds of a second, then a shaky hold
            offset = offset + np.array([18.0 * travel, 6.0 * travel])
            blur = 7 + min(travel, 5) if travel else int(rng.integers(5, 9))
        frame_corners = (corners + offset).astype(np.float32)
        if kind == "sleeve":
            shown = sleeve(card, np.random.default_rng([63, seed]), band_at=band + 0.02 * i)
        elif kind == "sleeve_glare":
            shown = sleeve(card, np.random.default_rng([63, seed]), band_at=band + 0.03 * i,
                           band_strength=230.0)
        else:
            shown = card
        frame = place(scene, shown, frame_corners)
        centre = np.array(qr_centre(frame_corners))
        if kind in ("held_glare", "moving_in"):
            spot = centre + glare_path * 60 * np.sin(i / 5.0)
            frame = glare(frame, np.random.default_rng([64, seed]), tuple(spot),
                          strength=300 if kind == "held_glare" else 150,
                          size=1.8 if kind == "held_glare" else 1.0)
        if kind == "tilted":
            frame = defocus(frame, np.random.default_rng([65, seed]))
        if blur:
            angle = float(rng.uniform(0, 30)) if kind == "blur_in" else 0.0
            frame = motion_blur(frame, rng, blur, angle=angle)
        else:
            frame = cv2.GaussianBlur(frame, (0, 0), 0.8)
        if kind == "low_light":
            # The camera's gain lifts a dark scene and its sensor noise with it.
            frame = frame * darkness * 1.6 + rng.normal(0, 34, frame.shape)
        out.append(webcam(frame, rng, quality=70))
    return out, payload


PhotoMaker = Callable[[str, int], tuple[np.ndarray, str]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-category", type=int, default=30)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args(argv)
    written = write_photos(args.out, args.per_category, args.seed)
    print(f"{len(written)} photos in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
