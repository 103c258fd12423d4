"""The repeat guard: a card held up to the camera is one scan."""
from __future__ import annotations

import pytest

from scanners.repeat import RepeatGuard, normalise_payload
from tests.scanners.scanner_helpers import FakeClock


def test_same_payload_within_the_window_is_one_scan(clock: FakeClock) -> None:
    guard = RepeatGuard(window_s=3.0, clock=clock)
    assert guard.accept("GP1:AAA111") is True
    clock.advance(2.9)
    assert guard.accept("GP1:AAA111") is False


def test_same_payload_after_the_window_is_a_new_scan(clock: FakeClock) -> None:
    guard = RepeatGuard(window_s=3.0, clock=clock)
    assert guard.accept("GP1:AAA111") is True
    clock.advance(3.01)
    assert guard.accept("GP1:AAA111") is True


def test_a_card_held_still_for_ten_seconds_is_still_one_scan(clock: FakeClock) -> None:
    guard = RepeatGuard(window_s=3.0, clock=clock)
    accepted = []
    for _ in range(300):  # 30 fps for 10 s, decoded in every frame
        accepted.append(guard.accept("GP1:AAA111"))
        clock.advance(1 / 30)
    assert accepted.count(True) == 1


def test_the_card_counts_again_once_it_was_out_of_sight_for_the_window(
        clock: FakeClock) -> None:
    guard = RepeatGuard(window_s=3.0, clock=clock)
    assert guard.accept("GP1:AAA111")
    clock.advance(2.0)
    assert not guard.accept("GP1:AAA111")  # still in front of the camera
    clock.advance(3.5)  # taken away and shown again
    assert guard.accept("GP1:AAA111")


def test_different_cards_are_different_scans(clock: FakeClock) -> None:
    guard = RepeatGuard(clock=clock)
    assert guard.accept("GP1:AAA111")
    assert guard.accept("GP1:BBB222")
    assert not guard.accept("GP1:AAA111")


@pytest.mark.parametrize("repeat", [
    "gp1:aaa111",  # Caps Lock on the wedge scanner
    "  GP1:AAA111\r\n",  # stray whitespace
    "ＧＰ１：ＡＡＡ１１１",  # full-width, from a Chinese input method
    "\u3000GP1:AAA111",  # an ideographic space in front
])
def test_payloads_are_compared_after_normalisation(clock: FakeClock, repeat: str) -> None:
    guard = RepeatGuard(clock=clock)
    assert guard.accept("GP1:AAA111")
    assert not guard.accept(repeat)


@pytest.mark.parametrize(("text", "normalised"), [
    ("gp1:abc", "GP1:ABC"),
    (" GP1:ABC \n", "GP1:ABC"),
    ("ＧＰ１：ａｂｃ", "GP1:ABC"),
    ("\u3000GP1 ABC\u3000", "GP1 ABC"),
])
def test_normalise_payload(text: str, normalised: str) -> None:
    assert normalise_payload(text) == normalised


def test_the_window_is_configurable(clock: FakeClock) -> None:
    guard = RepeatGuard(window_s=10.0, clock=clock)
    assert guard.accept("GP1:AAA111")
    clock.advance(5.0)
    assert not guard.accept("GP1:AAA111")


def test_an_empty_payload_is_never_a_scan(clock: FakeClock) -> None:
    guard = RepeatGuard(clock=clock)
    assert not guard.accept("")
    assert not guard.accept(" \r\n")


def test_an_explicit_time_is_used_instead_of_the_clock() -> None:
    guard = RepeatGuard(window_s=3.0, clock=FakeClock(start=0.0))
    assert guard.accept("GP1:AAA111", now=100.0)
    assert not guard.accept("GP1:AAA111", now=102.0)
    assert guard.accept("GP1:AAA111", now=106.0)


def test_clear_forgets_every_payload(clock: FakeClock) -> None:
    guard = RepeatGuard(clock=clock)
    guard.accept("GP1:AAA111")
    guard.clear()
    assert guard.accept("GP1:AAA111")


def test_a_negative_window_is_refused() -> None:
    with pytest.raises(ValueError):
        RepeatGuard(window_s=-1)
