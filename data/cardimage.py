"""A card's QR code as an image file (segno).

Always `segno.make_qr`: `segno.make` may choose a Micro QR, which phone apps and pyzbar
cannot read. Error correction M, as the card format is sized for (version <= 7).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import segno

from data.outputs import writing


def write_qr_png(payload: str, path: Path, scale: int = 8, databases: Iterable[Path] = (),
                 force: bool = False) -> None:
    """Through data.outputs: never onto `databases`' files, an existing file only with `force`."""
    qr = segno.make_qr(payload, error="m", boost_error=False)
    with writing(path, databases, force) as pending:
        qr.save(str(pending.part), kind="png", scale=scale, border=4)
