"""Typed serials: the look-up the screen shows before a scan counts, and the pause after
too many missed numbers (a pure limiter on a hand-moved clock)."""
from __future__ import annotations

import pytest

from kiosk.model import CardKind
from kiosk.serial import check_char, format_serial
from kiosk.typed import TypedCard, TypedLimiter, look_up


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_typed_serial_shows_the_holders_initial_flat_and_kind(world):
    typed = look_up(world.store, world.work.card.serial.lower().replace("-", ""))
    assert (typed.outcome, typed.serial, typed.initial, typed.flat, typed.kind) == (
        "found", world.work.card.serial, "李", "3-2-301", CardKind.WORK)


def unknown_serial() -> str:
    body = "ZZZZZZ"
    return format_serial(body + check_char(body))


@pytest.mark.parametrize(("typed", "outcome"), [
    ("7K3Q-9AX", "not_a_card"),       # a wrong check character
    ("hello", "not_a_card"),
    (unknown_serial(), "unknown_card"),
])
def test_numbers_that_name_no_card_are_misses(world, typed, outcome):
    found = look_up(world.store, typed)
    assert found.outcome == outcome and found.is_miss and found.flat == ""


def test_a_lost_cards_serial_is_a_revoked_miss_with_its_flat(world):
    world.office.reissue(world.life.card.serial)
    found = look_up(world.store, world.life.card.serial)
    assert (found.outcome, found.flat, found.is_miss) == ("revoked", "3-2-301", True)


MISS, HIT = TypedCard("x", "unknown_card"), TypedCard("y", "found")


def test_five_misses_within_two_minutes_pause_typed_entry_for_a_minute():
    clock = Clock()
    limiter = TypedLimiter(clock)
    for _ in range(4):
        limiter.record(MISS)
        clock.now += 20
    assert limiter.remaining() == 0
    limiter.record(MISS)
    assert limiter.remaining() == 60
    clock.now += 45
    assert limiter.remaining() == 15
    clock.now += 15
    assert limiter.remaining() == 0


def test_misses_spread_over_more_than_two_minutes_never_pause():
    clock = Clock()
    limiter = TypedLimiter(clock)
    for _ in range(20):
        limiter.record(MISS)
        clock.now += 31
    assert limiter.remaining() == 0


def test_found_cards_do_not_count():
    clock = Clock()
    limiter = TypedLimiter(clock)
    for _ in range(10):
        limiter.record(HIT)
    assert limiter.remaining() == 0


def test_each_pause_soon_after_another_is_twice_as_long_and_calm_resets_it():
    clock = Clock()
    limiter = TypedLimiter(clock)
    lengths = []
    for _ in range(6):
        for _ in range(5):
            limiter.record(MISS)
        lengths.append(limiter.remaining())
        clock.now += limiter.remaining()
    assert lengths == [60, 120, 240, 480, 960, 960]
    clock.now += 600
    for _ in range(5):
        limiter.record(MISS)
    assert limiter.remaining() == 60
