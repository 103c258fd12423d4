"""Card serials and ids: short, typeable, with a check character.

The alphabet is Crockford's base 32 (no I, L, O, U), so a volunteer reading a worn card
cannot confuse 1/I/L or 0/O: on input those are folded to the digits. The check character
is Damm's algorithm over the same alphabet: it catches every single wrong character and
every swap of two neighbours, the two mistakes people make when they type a code. (Luhn
mod 32, the first choice, misses a swap of the first and last symbols, 0 and Z: found by
a property test.)
"""
from __future__ import annotations

import secrets

from kiosk.text import clean_scanned

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_LOOK_ALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})

SERIAL_BODY = 6  # 32**6 ≈ 1e9 serials: random, so one community's are not guessable


def _times_x(value: int) -> int:
    """Multiplication by x in GF(32), modulo the primitive polynomial x^5 + x^2 + 1."""
    value <<= 1
    return value ^ 0b100101 if value & 0b100000 else value


def _damm(text: str) -> int:
    """Damm's check over the quasigroup a∘b = x·a + b of GF(32).

    It is totally anti-symmetric ((c∘a)∘b = (c∘b)∘a only when a = b), which is what
    catches every adjacent swap, and b ↦ c∘b is a bijection, which catches every single
    wrong character.
    """
    interim = 0
    for ch in text:
        interim = _times_x(interim) ^ _VALUE[ch]
    return interim


def check_char(body: str) -> str:
    """The character that brings `body`'s Damm check to zero."""
    return ALPHABET[_times_x(_damm(body))]


def new_serial() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(SERIAL_BODY))
    return format_serial(body + check_char(body))


def format_serial(compact: str) -> str:
    """'7K3Q9AD' → '7K3Q-9AD', as printed under the QR code."""
    return f"{compact[:4]}-{compact[4:]}"


def normalize_serial(typed: str) -> str | None:
    """The canonical printed serial for what a person typed, or None if it is not one.

    Accepts lower case, full-width digits, spaces, a missing or misplaced hyphen, and
    I/L/O for 1/1/0. Returns None when the length or the check character is wrong.
    """
    compact = clean_scanned(typed).replace("-", "").translate(_LOOK_ALIKES)
    if len(compact) != SERIAL_BODY + 1 or any(ch not in _VALUE for ch in compact):
        return None
    if _damm(compact) != 0:
        return None
    return format_serial(compact)


def looks_like_serial(typed: str) -> bool:
    """True for something shaped like a typed serial (right length), valid or not."""
    compact = clean_scanned(typed).replace("-", "")
    return len(compact) == SERIAL_BODY + 1 and compact.isalnum()


# 'H' and 10 random characters: 50 bits, so a 200,000-flat roster draws a clash about once
# in 56,000 imports (and the import draws again when it does). Ids of 6 characters, made
# before issue 13, stay valid wherever an id is typed.
HOUSEHOLD_BODY = 10
HOUSEHOLD_BODIES = (6, HOUSEHOLD_BODY)


def new_household_id() -> str:
    """'H' and 10 random characters: printed by `household add`, typed into `card issue`."""
    return "H" + "".join(secrets.choice(ALPHABET) for _ in range(HOUSEHOLD_BODY))


def normalize_household_id(typed: str) -> str | None:
    """The household id for what a person typed (lower case, spaces, full-width, I/L/O for
    1/1/0 folded), old short ids included; None if it is not shaped like one."""
    compact = clean_scanned(typed).replace("-", "").replace(" ", "")
    if not compact.startswith("H"):
        return None
    body = compact[1:].translate(_LOOK_ALIKES)
    if len(body) not in HOUSEHOLD_BODIES or any(ch not in _VALUE for ch in body):
        return None
    return "H" + body


def new_community_id() -> str:
    """64 random bits in 13 base-32 characters (DESIGN.md section 4)."""
    value = secrets.randbits(64)
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(13))
