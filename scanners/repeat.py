"""The repeat guard: one card held in front of the camera is one scan, not thirty a second.

The camera decodes the same code in frame after frame, and a keyboard-wedge scanner may
"double-fire" (send the same code twice in a row). The guard collapses these: a payload
seen again within `window_s` of the last time it was seen is the same scan.

The window slides: it restarts every time the payload is seen, so a card held still in
front of the camera for ten seconds is still one scan. Only after the card has been out
of sight for `window_s` does it count again. (The checkpoint service has its own, longer,
per-card guard that returns the previous verdict; this one only stops the flood.)
"""
from __future__ import annotations

import threading
import unicodedata

from scanners.timing import Clock, monotonic


def normalise_payload(text: str) -> str:
    """The form two payloads are compared in: NFKC, outer whitespace stripped, upper case.

    NFKC folds the full-width characters a Chinese input method produces ("ＧＰ１") into
    ASCII and the ideographic space into a plain one, so it runs before the strip. Upper
    case because a wedge scanner with Caps Lock on types the payload with inverted case,
    and the card codec reads it case-insensitively anyway.
    """
    return unicodedata.normalize("NFKC", text).strip().upper()


class RepeatGuard:
    """Decides whether a payload is a new scan or a repeat of a recent one.

    Thread-safe, so the camera worker and the GUI thread (wedge scanner) may share one.
    """

    def __init__(self, window_s: float = 3.0, clock: Clock = monotonic) -> None:
        if window_s < 0:
            raise ValueError("window_s must not be negative")
        self.window_s = window_s
        self._clock = clock
        self._last_seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def accept(self, payload: str, now: float | None = None) -> bool:
        """True when `payload` is a new scan; False when it repeats one seen within the window.

        Either way the payload's window restarts at `now` (the clock's time when omitted).
        A payload that is empty after normalisation is never a scan.
        """
        key = normalise_payload(payload)
        if not key:
            return False
        now = self._clock() if now is None else now
        with self._lock:
            self._forget_older_than(now - self.window_s)
            last = self._last_seen.get(key)
            self._last_seen[key] = now
        return last is None or now - last > self.window_s

    def clear(self) -> None:
        """Forget every payload (e.g. when the volunteer switches direction)."""
        with self._lock:
            self._last_seen.clear()

    def _forget_older_than(self, cutoff: float) -> None:
        # Keeps the memory bounded by the number of cards seen within one window.
        for key in [k for k, seen in self._last_seen.items() if seen < cutoff]:
            del self._last_seen[key]
