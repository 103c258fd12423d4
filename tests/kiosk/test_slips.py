"""Slips are not denials (issue 11): a missing or implausible reading, a special card's
missing reason and a mistyped card number are recorded as deny with their reason, but
counted apart from the rules' denials; every event keeps where its payload came from."""
from __future__ import annotations

import pytest

from kiosk.model import REASONS, SLIP_REASONS, SOURCES, Decision, is_slip
from tests.community import local

SLIPS = [
    pytest.param("life", "in", None, None, "camera", "temperature_required", id="no reading on entry"),
    pytest.param("life", "in", "3.65", None, "wedge", "temperature_implausible", id="implausible"),
    pytest.param("life", "in", "98.6", None, "camera", "temperature_unit", id="fahrenheit"),
    pytest.param("life", "in", "35.2", None, "camera", "temperature_low", id="low reading"),
    pytest.param("special", "out", None, None, "camera", "reason_required", id="special without reason"),
    pytest.param("7K3Q-9AE", "out", None, None, "typed", "not_a_card", id="mistyped serial"),
]


@pytest.mark.parametrize(("card", "direction", "temp", "reason", "source", "code"), SLIPS)
def test_a_slip_is_recorded_as_deny_but_counted_apart(world, card, direction, temp, reason, source, code):
    payload = getattr(world, card) if card in ("life", "special") else card
    verdict = world.at(local(10, 9)).scan(payload, direction, temp, reason, source=source)
    assert verdict.decision is Decision.DENY and verdict.reason == code
    assert verdict.slip
    status = world.status()
    assert status["slips_today"] == 1 and status["denials_today"] == 0
    assert status["scans_today"] == 1  # still a scan recorded, as DESIGN.md section 5 says


def test_a_rule_denial_is_not_a_slip(world):
    world.at(local(10, 8)).scan(world.life, "out", source="camera")
    verdict = world.at(local(10, 8, 30)).scan(world.life, "out", source="camera")
    assert verdict.reason == "already_out" and not verdict.slip
    assert world.status()["denials_today"] == 1 and world.status()["slips_today"] == 0


def test_a_scanned_code_that_is_no_card_is_a_denial_not_a_slip(world):
    verdict = world.scan("HELLO WORLD", "out", source="camera")
    assert verdict.reason == "not_a_card" and not verdict.slip
    assert world.status()["denials_today"] == 1


@pytest.mark.parametrize("source", SOURCES)
def test_every_event_keeps_its_source(world, source):
    verdict = world.scan(world.life, "out", source=source)
    assert world.store.event(verdict.event_id).source == source


def test_an_unknown_source_is_a_callers_bug(world):
    with pytest.raises(ValueError):
        world.scan(world.life, "out", source="telepathy")
    assert world.status()["scans_today"] == 0


def test_slip_reasons_are_reasons_and_the_typed_rule_needs_typing():
    assert all(is_slip(r, s) == (r in SLIP_REASONS) for r in REASONS for s in ("camera", "wedge", "cli"))
    assert {r for r in REASONS if is_slip(r, "typed")} == SLIP_REASONS | {"not_a_card"}
