"""Every reason code and warning of DESIGN.md section 3, each as a table of cases."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kiosk import codec
from kiosk.checkpoint import BadInput
from kiosk.messages import verdict_text
from kiosk.model import REASONS, CardKind, CardStatus, Decision
from kiosk.serial import new_community_id, new_serial
from tests.community import local


def test_every_reason_code_is_covered_by_a_case_below():
    covered = {case.values[1] for case in CASES} | {"ok"}
    assert covered == set(REASONS)


# Each case: a function that brings the world to the point of the deciding scan, and
# returns that scan's verdict; then the expected decision and reason.

def _not_a_card(w):
    return w.scan("HELLO WORLD", "out")


def _typed_serial_with_wrong_check_character(w):
    serial = w.life.card.serial
    wrong = serial[:-1] + ("0" if serial[-1] != "0" else "1")
    return w.scan(wrong, "out")


def _wrong_community(w):
    other = dataclasses.replace(codec.parse(w.life.payload)[0], community=new_community_id())
    return w.scan(codec.encode(other, w.office.signing_key), "out")


def _bad_signature(w):
    payload = w.life.payload
    flipped = payload[:-5] + ("A" if payload[-5] != "A" else "B") + payload[-4:]
    return w.scan(flipped, "out")


def _forged_with_another_key(w):
    forger = codec.new_signing_key()
    code = dataclasses.replace(codec.parse(w.life.payload)[0], key_id=codec.key_id(forger.public_key()))
    return w.scan(codec.encode(code, forger), "out")


def _unknown_card(w):
    code = dataclasses.replace(codec.parse(w.life.payload)[0], serial=_valid_serial_not_in_roster(w))
    return w.scan(codec.encode(code, w.office.signing_key), "out")


def _valid_serial_not_in_roster(w):
    serial = new_serial()
    while w.store.card(serial):
        serial = new_serial()
    return serial


def _revoked(w):
    w.office.revoke(w.life.card.serial)
    return w.scan(w.life, "out")


def _old_generation_after_reissue(w):
    w.office.reissue(w.life.card.serial)
    return w.scan(w.life, "out")


def _suspended(w):
    w.office.set_status(w.life.card.serial, CardStatus.SUSPENDED)
    return w.scan(w.life, "out")


def _expired(w):
    return w.at(local(17, 9)).scan(w.special, "out", reason="medical")


def _not_yet_valid(w):
    card = w.issue(w.household, CardKind.SPECIAL, valid_from=dt.date(2026, 2, 20),
                   valid_to=dt.date(2026, 2, 21))
    return w.scan(card, "out", reason="medical")


def _entry_without_reading(w):
    return w.scan(w.life, "in")


def _exit_without_reading_when_required(w):
    w.set("temperature.on_exit", "required")
    return w.scan(w.life, "out")


def _implausible(w):
    return w.scan(w.life, "in", temp="45.2")


def _fahrenheit(w):
    return w.scan(w.life, "in", temp="98.6")


def _low(w):
    return w.scan(w.life, "in", temp="35.2")


def _fever_first_reading(w):
    return w.scan(w.life, "in", temp="37.3")


def _retest_too_soon(w):
    w.scan(w.life, "in", temp="38.0")
    return w.at(local(10, 8, 4)).scan(w.life, "in", temp="37.0")


def _fever_confirmed(w):
    w.scan(w.life, "in", temp="38.0")
    return w.at(local(10, 8, 6)).scan(w.life, "in", temp="37.9")


def _mask_not_tapped(w):
    w.set("mask.check", "on")
    return w.scan(w.life, "out", temp="36.5")


def _no_mask_a_slip(w):
    w.set("mask.check", "on")
    return w.scan(w.life, "out", temp="36.5", mask="no")


def _no_mask_the_rule(w):
    w.set("mask.check", "on")
    w.set("mask.rule", "deny")
    return w.scan(w.life, "out", temp="36.5", mask="no")


def _no_reading_comes_before_the_mask(w):
    w.set("mask.check", "on")
    return w.scan(w.life, "in")


def _already_out(w):
    w.scan(w.life, "out")
    return w.at(local(10, 9)).scan(w.life, "out")


def _quota_used(w):
    w.scan(w.life, "out")
    w.at(local(10, 12)).scan(w.life, "in", temp="36.5")
    return w.at(local(11, 9)).scan(w.life, "out")


def _work_quota_used(w):
    w.scan(w.work, "out")
    w.at(local(10, 18)).scan(w.work, "in", temp="36.5")
    return w.at(local(10, 19)).scan(w.work, "out")


def _outside_hours(w):
    return w.at(local(10, 4, 59)).scan(w.work, "out")


def _reason_required(w):
    return w.scan(w.special, "out")


CASES = [
    pytest.param(_not_a_card, "not_a_card", Decision.DENY, id="random text"),
    pytest.param(_typed_serial_with_wrong_check_character, "not_a_card", Decision.DENY,
                 id="typed serial, wrong check character"),
    pytest.param(_wrong_community, "wrong_community", Decision.DENY, id="another community"),
    pytest.param(_bad_signature, "bad_signature", Decision.DENY, id="one character changed"),
    pytest.param(_forged_with_another_key, "wrong_community", Decision.DENY,
                 id="signed with an unknown key"),
    pytest.param(_unknown_card, "unknown_card", Decision.DENY, id="serial not in the roster"),
    pytest.param(_revoked, "revoked", Decision.DENY, id="revoked card"),
    pytest.param(_old_generation_after_reissue, "revoked", Decision.DENY, id="old generation"),
    pytest.param(_suspended, "suspended", Decision.DENY, id="suspended card"),
    pytest.param(_expired, "expired", Decision.DENY, id="past valid-to"),
    pytest.param(_not_yet_valid, "not_yet_valid", Decision.DENY, id="before valid-from"),
    pytest.param(_entry_without_reading, "temperature_required", Decision.DENY, id="entry, no reading"),
    pytest.param(_exit_without_reading_when_required, "temperature_required", Decision.DENY,
                 id="exit, reading required by policy"),
    pytest.param(_implausible, "temperature_implausible", Decision.DENY, id="45.2"),
    pytest.param(_fahrenheit, "temperature_unit", Decision.DENY, id="98.6 looks like F"),
    pytest.param(_low, "temperature_low", Decision.DENY, id="35.2 low"),
    pytest.param(_fever_first_reading, "fever_retest", Decision.RETEST, id="37.3 first reading"),
    pytest.param(_retest_too_soon, "retest_too_soon", Decision.RETEST, id="retest after 4 min"),
    pytest.param(_fever_confirmed, "fever_confirmed", Decision.DENY, id="retest still fever"),
    pytest.param(_mask_not_tapped, "mask_unconfirmed", Decision.DENY, id="mask check on, no answer"),
    pytest.param(_no_mask_a_slip, "mask_missing", Decision.DENY, id="no mask, mask.rule slip"),
    pytest.param(_no_mask_the_rule, "mask_required", Decision.DENY, id="no mask, mask.rule deny"),
    pytest.param(_no_reading_comes_before_the_mask, "temperature_required", Decision.DENY,
                 id="the reading is checked before the mask"),
    pytest.param(_already_out, "already_out", Decision.DENY, id="out twice"),
    pytest.param(_quota_used, "quota_used", Decision.DENY, id="second life exit in window"),
    pytest.param(_work_quota_used, "work_quota_used", Decision.DENY, id="second work exit today"),
    pytest.param(_outside_hours, "outside_hours", Decision.DENY, id="work card at 04:59"),
    pytest.param(_reason_required, "reason_required", Decision.DENY, id="special card, no reason"),
]


@pytest.mark.parametrize(("scenario", "reason", "decision"), CASES)
def test_the_first_failing_check_decides(world, scenario, reason, decision):
    events_before = _event_count(world)
    verdict = scenario(world)
    assert (verdict.decision, verdict.reason) == (decision, reason)
    for lang in ("zh", "en"):  # the volunteer always reads a sentence, in either language
        assert verdict_text(verdict, lang)
    assert not verdict.duplicate
    stored = world.store.event(verdict.event_id)
    assert (stored.decision, stored.reason) == (decision, reason)
    assert _event_count(world) > events_before


def _event_count(w) -> int:
    return len(w.store.events())


@pytest.mark.parametrize(("kind", "direction", "temp", "reason", "warnings"), [
    (CardKind.LIFE, "out", None, None, ()),
    (CardKind.LIFE, "out", "36.4", None, ()),
    (CardKind.WORK, "out", None, None, ()),
    (CardKind.SPECIAL, "out", None, "medical", ()),
    (CardKind.SPECIAL, "out", None, " Funeral ", ()),
    (CardKind.LIFE, "in", "36.5", None, ("entry_without_exit",)),
    (CardKind.LIFE, "in", "37.2", None, ("entry_without_exit",)),
    (CardKind.LIFE, "in", "36,0", None, ("entry_without_exit",)),
])
def test_allowed_scans(world, kind, direction, temp, reason, warnings):
    card = {CardKind.LIFE: world.life, CardKind.WORK: world.work, CardKind.SPECIAL: world.special}[kind]
    verdict = world.scan(card, direction, temp, reason)
    assert verdict.decision is Decision.ALLOW and verdict.reason == "ok"
    assert verdict.warnings == warnings


def test_entry_after_an_exit_has_no_warning(world):
    world.scan(world.life, "out")
    verdict = world.at(local(10, 11)).scan(world.life, "in", temp="36.5")
    assert verdict.allowed and verdict.warnings == ()


@pytest.mark.parametrize(("text", "key"), [
    ("abc", "bad_temperature"), ("nan", "bad_temperature"), ("inf", "bad_temperature"),
    ("", None),
])
def test_a_reading_that_is_not_a_number_is_bad_input_and_records_nothing(world, text, key):
    before = _event_count(world)
    if key is None:
        world.scan(world.life, "out", temp=text)  # empty: no reading given
        assert _event_count(world) == before + 1
        return
    with pytest.raises(BadInput) as refused:
        world.scan(world.life, "in", temp=text)
    assert refused.value.key == key
    assert _event_count(world) == before


@pytest.mark.parametrize(("direction", "reason", "key"), [
    ("sideways", None, "bad_direction"),
    ("out", "picnic", "bad_reason"),
])
def test_bad_usage_records_nothing(world, direction, reason, key):
    before = _event_count(world)
    with pytest.raises(BadInput) as refused:
        world.scan(world.special, direction, reason=reason)
    assert refused.value.key == key
    assert _event_count(world) == before


@pytest.mark.parametrize(("reading", "decision", "reason"), [
    ("89.9", Decision.DENY, "temperature_implausible"),
    ("90.0", Decision.DENY, "temperature_unit"),
    ("110.0", Decision.DENY, "temperature_unit"),
    ("110.1", Decision.DENY, "temperature_implausible"),
    ("33.9", Decision.DENY, "temperature_implausible"),
    ("34.0", Decision.DENY, "temperature_low"),
    ("35.9", Decision.DENY, "temperature_low"),
    ("36.0", Decision.ALLOW, "ok"),
    ("37.2", Decision.ALLOW, "ok"),
    ("37.3", Decision.RETEST, "fever_retest"),
    ("43.0", Decision.RETEST, "fever_retest"),
    ("43.1", Decision.DENY, "temperature_implausible"),
    ("-5", Decision.DENY, "temperature_implausible"),
])
def test_temperature_boundaries(world, reading, decision, reason):
    verdict = world.scan(world.life, "in", temp=reading)
    assert (verdict.decision, verdict.reason) == (decision, reason)


def test_denied_temperature_consumes_nothing(world):
    world.scan(world.life, "out", temp="98.6")
    assert world.at(local(10, 8, 1)).scan(world.life, "out", temp="36.5").allowed


def test_an_old_generation_is_recorded_with_its_flat_and_generation(world):
    world.office.reissue(world.life.card.serial)
    verdict = world.scan(world.life, "out")
    assert verdict.reason == "revoked" and verdict.household.flat == "3-2-301"
    event = world.store.event(verdict.event_id)
    assert (event.serial, event.generation) == (world.life.card.serial, 1)


def test_a_mask_slip_consumes_no_quota_and_the_mask_on_passes(world):
    """Issue 17: "no mask" (mask.rule slip) is action needed; a mask handed out, scan again."""
    world.set("mask.check", "on")
    slip = world.scan(world.life, "out", temp="36.5", mask="no")
    assert slip.slip and slip.quota.used == 0
    allowed = world.at(local(10, 8, 1)).scan(world.life, "out", temp="36.5", mask="yes")
    assert allowed.allowed and allowed.quota.used == 1 and allowed.to_json()["mask"] == "yes"


def test_a_mask_answer_that_is_not_one_is_bad_input_and_nothing_is_written(world):
    before = _event_count(world)
    with pytest.raises(BadInput):
        world.scan(world.life, "out", temp="36.5", mask="maybe")
    assert _event_count(world) == before
