"""Key timings of real kinds of typing, in milliseconds as key events carry them
(`QKeyEvent.timestamp()`), built from what the devices were measured to do:

- a slow Bluetooth or 2.4 GHz scanner: 5-15 ms between keys, and 2-4 pauses of 150-350 ms
  in mid-payload (radio retries, its buffer refilling), never before its fourth character;
- a fast USB scanner: 1-3 ms between keys;
- a person: 80-250 ms between keys, however fast they type a file name or a serial.

Scanners press Shift around every capital letter, as HID keyboards do. Each trace is a list
of (key, ms): a character or a key name ("Shift", "Enter").
"""
from __future__ import annotations

import random

Trace = list[tuple[str, int]]

SCANNER_KEY_MS = (5, 15)
SCANNER_PAUSE_MS = (150, 350)
SCANNER_PAUSES = (2, 4)
FIRST_PAUSE_AFTER = 4  # characters that come before a pause can (see docs/scanning.md)
USB_KEY_MS = (1, 3)
PERSON_KEY_MS = (80, 250)


def _keys(text: str, gaps: list[int], start_ms: int, terminator: str | None) -> Trace:
    """`text` typed with gaps[i] ms before character i (gaps[0] is ignored), then the
    terminator one more gap later; Shift pressed 1 ms before each capital."""
    keys, t = [], start_ms
    for i, char in enumerate(text):
        t += gaps[i] if i else 0
        if char.isupper():
            keys.append(("Shift", t - 1))
        keys.append((char, t))
    if terminator is not None:
        keys.append((terminator, t + gaps[-1]))
    return keys


def slow_bursty_scanner(payload: str, seed: int, start_ms: int = 10_000,
                        terminator: str | None = "Enter") -> Trace:
    rng = random.Random(seed)
    gaps = [rng.randint(*SCANNER_KEY_MS) for _ in payload] + [rng.randint(*SCANNER_KEY_MS)]
    for position in rng.sample(range(FIRST_PAUSE_AFTER, len(payload)), rng.randint(*SCANNER_PAUSES)):
        gaps[position] = rng.randint(*SCANNER_PAUSE_MS)
    return _keys(payload, gaps, start_ms, terminator)


def fast_usb_scanner(payload: str, seed: int, start_ms: int = 10_000) -> Trace:
    rng = random.Random(seed)
    return _keys(payload, [rng.randint(*USB_KEY_MS) for _ in range(len(payload) + 1)], start_ms, "Enter")


def person(text: str, seed: int, start_ms: int = 10_000, then: str | None = "Enter") -> Trace:
    rng = random.Random(seed)
    return _keys(text, [rng.randint(*PERSON_KEY_MS) for _ in range(len(text) + 1)], start_ms, then)


def gaps_ms(trace: Trace) -> list[int]:
    """The gaps between the characters of a trace (modifiers and terminators left out)."""
    times = [t for key, t in trace if len(key) == 1]
    return [b - a for a, b in zip(times, times[1:], strict=False)]
