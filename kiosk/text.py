"""Cleaning what a scanner or a person typed, before anything is parsed.

A keyboard-wedge scanner types into whatever the operating system thinks the keyboard
is: with Caps Lock on the case is inverted, under a Chinese input method the characters
come full-width (Ｇ，Ｐ，１，：) and the IME may add spaces. NFKC folds full-width forms to
ASCII; we then drop every kind of white space and upper-case the rest.
"""
from __future__ import annotations

import unicodedata

# Punctuation an IME commonly substitutes that NFKC leaves alone.
_IME_PUNCTUATION = str.maketrans({"：": ":", "。": ".", "－": "-", "—": "-", "、": "/"})


def clean_scanned(text: str) -> str:
    """Full-width to ASCII, white space removed, upper case."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_IME_PUNCTUATION)
    return "".join(text.split()).upper()  # split() with no argument: every Unicode space
