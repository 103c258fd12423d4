"""A card's QR code as an image file (segno).

Always `segno.make_qr`: `segno.make` may choose a Micro QR, which phone apps and pyzbar
cannot read. Error correction M, as the card format is sized for (version <= 7).
"""
from __future__ import annotations

from pathlib import Path

import segno


def write_qr_png(payload: str, path: Path, scale: int = 8) -> None:
    qr = segno.make_qr(payload, error="m", boost_error=False)
    qr.save(str(path), kind="png", scale=scale, border=4)
