"""Typed serials: the weak path into the gate, so it is looked at before it counts.

A typed serial carries no signature: anyone who read (or photographed) a card's number
can type it. So the gate screen first shows who the number belongs to (the holder's
initial, the flat, the card kind) for the volunteer to compare with the card in hand, and
only the volunteer's 确认 submits the scan. Typing numbers that are unknown, revoked or
not a card at all, again and again, pauses typed entry for a while (`TypedLimiter`); QR
codes, signed by the office, are never paused.

`look_up` is a read through the storage port; `TypedLimiter` is pure, with an injected
clock (monotonic seconds).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

from kiosk.model import CardKind, CardStatus
from kiosk.ports import Store
from kiosk.serial import normalize_serial

# Outcomes of a look-up that count towards the pause: what guessing produces.
MISSES = frozenset({"not_a_card", "unknown_card", "revoked"})


@dataclasses.dataclass(frozen=True)
class TypedCard:
    """What a typed number names. `outcome` is "found" (an active card: confirm it first)
    or the reason the scan would give: not_a_card, unknown_card, revoked, suspended."""

    typed: str
    outcome: str
    serial: str | None = None
    initial: str = ""
    flat: str = ""
    kind: CardKind | None = None

    @property
    def is_miss(self) -> bool:
        return self.outcome in MISSES


def look_up(store: Store, typed: str) -> TypedCard:
    """The card a typed serial names, with what the volunteer compares: initial, flat, kind."""
    serial = normalize_serial(typed)
    if serial is None:
        return TypedCard(typed, "not_a_card")
    card = store.card(serial)
    if card is None:
        return TypedCard(typed, "unknown_card", serial)
    household = store.household(card.household_id)
    outcome = "found" if card.status is CardStatus.ACTIVE else card.status.value
    return TypedCard(typed, outcome, serial, card.holder_initial,
                     household.flat if household else "", card.kind)


class TypedLimiter:
    """After `misses` missed numbers within `window_s`, typed entry pauses for `pause_s`;
    each pause that follows another within `calm_s` lasts twice as long (up to `max_pause_s`).

    Kept in the gate screen's memory: a restart (which in kiosk mode needs a lead's PIN)
    starts afresh.
    """

    def __init__(self, clock: Callable[[], float], misses: int = 5, window_s: float = 120,
                 pause_s: float = 60, max_pause_s: float = 960, calm_s: float = 600):
        self.clock = clock
        self.misses, self.window_s = misses, window_s
        self.pause_s, self.max_pause_s, self.calm_s = pause_s, max_pause_s, calm_s
        self._missed: list[float] = []
        self._paused_until = 0.0
        self._last_pause = 0.0  # its length, for the next one to double

    def remaining(self) -> float:
        """Seconds until typed entry opens again; 0 while it is open."""
        return max(0.0, self._paused_until - self.clock())

    def record(self, typed: TypedCard) -> None:
        """One looked-up number; a miss may start a pause."""
        if not typed.is_miss:
            return
        now = self.clock()
        self._missed = [t for t in self._missed if t > now - self.window_s] + [now]
        if len(self._missed) < self.misses:
            return
        recent = self._paused_until and now - self._paused_until < self.calm_s
        length = min(self._last_pause * 2, self.max_pause_s) if recent else self.pause_s
        self._paused_until, self._last_pause = now + length, length
        self._missed = []
