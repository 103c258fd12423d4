"""A font that has Chinese in it, for the PDFs (exports and card sheets).

Without one, fpdf2 draws Chinese as nothing at all, with no error: so we look for a
known CJK font at run time and refuse clearly when there is none.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

# Debian's packages first (scripts/setup.sh installs fonts-wqy-microhei), then others.
KNOWN_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)


class FontMissing(RuntimeError):
    """No CJK font on this machine (install fonts-wqy-microhei)."""


def cjk_font() -> Path:
    """$GATEPOST_CJK_FONT, a known path, or what fontconfig lists for Chinese."""
    override = os.environ.get("GATEPOST_CJK_FONT")
    candidates = [override] if override else []
    candidates += list(KNOWN_FONTS)
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    found = _fontconfig_chinese()
    if found is None:
        raise FontMissing("no CJK font: install fonts-wqy-microhei")
    return found


def _fontconfig_chinese() -> Path | None:
    # `fc-list :lang=zh` lists only fonts that cover Chinese; `fc-match` would answer
    # DejaVu Sans, which has no Chinese glyphs at all.
    if shutil.which("fc-list") is None:
        return None
    listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True,
                            check=False, timeout=10).stdout
    for line in sorted(listed.splitlines()):
        path = Path(line.rstrip(": "))
        if path.suffix.lower() in (".ttf", ".ttc", ".otf") and path.is_file():
            return path
    return None
