"""Card serials and ids: short, typeable, with a check character.

The alphabet is Crockford's base 32 (no I, L, O, U), so a volunteer reading a worn card
cannot confuse 1/I/L or 0/O: on input those are folded to the digits. The check character
is Luhn mod 32 over the same alphabet: it catches every single wrong character and every
swap of two neighbours, the two mistakes people make when they type a code.
"""
from __future__ import annotations

import secrets

from kiosk.text import clean_scanned

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_LOOK_ALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})

SERIAL_BODY = 6  # 32**6 ≈ 1e9 serials: random, so one community's are not guessable


def check_char(body: str) -> str:
    """Luhn mod N (N = 32) over `body`, which must be in ALPHABET."""
    factor, total = 2, 0
    for ch in reversed(body):
        addend = factor * _VALUE[ch]
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


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
    if check_char(compact[:-1]) != compact[-1]:
        return None
    return format_serial(compact)


def looks_like_serial(typed: str) -> bool:
    """True for something shaped like a typed serial (right length), valid or not."""
    compact = clean_scanned(typed).replace("-", "")
    return len(compact) == SERIAL_BODY + 1 and compact.isalnum()


def new_household_id() -> str:
    """'H' and 6 random characters: printed by `household add`, typed into `card issue`."""
    return "H" + "".join(secrets.choice(ALPHABET) for _ in range(6))


def new_community_id() -> str:
    """64 random bits in 13 base-32 characters (DESIGN.md section 4)."""
    value = secrets.randbits(64)
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(13))
