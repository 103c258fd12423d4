"""Quota windows (calendar and rolling), work cards, anti-passback, the repeat guard,
the fever retest protocol, overrides: the rules over time, with a hand-moved clock."""
from __future__ import annotations

import datetime as dt

import pytest

from kiosk.checkpoint import BadInput
from kiosk.messages import verdict_text
from kiosk.model import CardKind, Decision
from tests.community import local


def go_out_and_back(w, out_at, in_at, card=None):
    card = card or w.life
    assert w.at(out_at).scan(card, "out").allowed
    assert w.at(in_at).scan(card, "in", temp="36.5").allowed


# -- calendar windows: blocks of 2 local days counted from the start date (10 Feb) -------

@pytest.mark.parametrize(("second_exit", "allowed"), [
    (local(10, 20), False),   # same day
    (local(11, 23, 59), False),  # last minute of the window 10-11 Feb
    (local(12, 0, 0), True),  # first minute of the next window
    (local(13, 18), True),
])
def test_calendar_window_allows_one_exit_per_two_days(world, second_exit, allowed):
    go_out_and_back(world, local(10, 8), local(10, 10))
    verdict = world.at(second_exit).scan(world.life, "out")
    assert verdict.allowed is allowed
    if not allowed:
        assert verdict.reason == "quota_used"
        assert verdict.quota.next_exit == "2026-02-12"
        assert "2月12日起可再外出" in verdict_text(verdict, "zh")


def test_allowed_exit_reports_the_window_including_itself(world):
    verdict = world.at(local(11, 9)).scan(world.life, "out")
    quota = verdict.to_json()["quota"]
    assert quota == {"used": 1, "limit": 1, "window_start": "2026-02-10",
                     "window_end": "2026-02-11", "next_exit": "2026-02-12"}


def test_window_counts_local_days_not_utc(world):
    # 00:30 on 12 Feb in Shanghai is still 11 Feb in UTC: it is a new window locally.
    go_out_and_back(world, local(11, 20), local(11, 22))
    assert world.at(local(12, 0, 30)).scan(world.life, "out").allowed


def test_two_exits_per_window_when_the_policy_says_so(world):
    world.set("life.exits_per_window", "2")
    go_out_and_back(world, local(10, 8), local(10, 9))
    second = world.at(local(10, 10)).scan(world.life, "out")
    assert second.allowed and second.quota.used == 2 and second.quota.limit == 2
    world.at(local(10, 11)).scan(world.life, "in", temp="36.5")
    assert world.at(local(10, 12)).scan(world.life, "out").reason == "quota_used"


def test_entries_never_consume_quota(world):
    for hour in (8, 9, 10):
        world.at(local(10, hour)).scan(world.life, "in", temp="36.5")
    verdict = world.at(local(10, 11)).scan(world.life, "out")
    assert verdict.allowed and verdict.quota.used == 1


def test_quota_is_per_household_not_per_card(world):
    """A household's life card re-issued (lost) does not reopen the window."""
    go_out_and_back(world, local(10, 8), local(10, 10))
    renewed = world.office.reissue(world.life.card.serial)
    assert world.at(local(10, 12)).scan(renewed.payload, "out").reason == "quota_used"


# -- rolling windows -------------------------------------------------------------------

@pytest.mark.parametrize(("second_exit", "allowed"), [
    (local(12, 7, 59), False),  # 47h59m after the first exit
    (local(12, 8, 0), True),    # exactly 48 h
])
def test_rolling_window_counts_48_hours(world, second_exit, allowed):
    world.set("quota.mode", "rolling")
    go_out_and_back(world, local(10, 8), local(10, 10))
    verdict = world.at(second_exit).scan(world.life, "out")
    assert verdict.allowed is allowed
    if not allowed:
        assert dt.datetime.fromisoformat(verdict.quota.next_exit) == local(12, 8)
        assert "2月12日 08:00" in verdict_text(verdict, "zh")


# -- work and special cards ------------------------------------------------------------

def test_work_card_does_not_touch_the_life_quota(world):
    go_out_and_back(world, local(10, 7), local(10, 18), card=world.work)
    assert world.at(local(10, 19)).scan(world.life, "out").allowed


def test_work_card_may_go_out_again_the_next_day(world):
    go_out_and_back(world, local(10, 7), local(10, 18), card=world.work)
    assert world.at(local(11, 7)).scan(world.work, "out").allowed


@pytest.mark.parametrize(("when", "allowed"), [
    (local(10, 4, 59), False), (local(10, 5, 0), True), (local(10, 21, 59), True),
    (local(10, 22, 0), False),
])
def test_work_hours_are_05_to_22(world, when, allowed):
    assert world.at(when).scan(world.work, "out").allowed is allowed


def test_work_card_may_come_home_after_hours(world):
    world.at(local(10, 7)).scan(world.work, "out")
    assert world.at(local(10, 23, 30)).scan(world.work, "in", temp="36.6").allowed


def test_special_card_has_no_quota_and_records_the_reason(world):
    for hour in (8, 10, 12):
        verdict = world.at(local(10, hour)).scan(world.special, "out", reason="medical")
        assert verdict.allowed and verdict.quota is None
        assert world.store.event(verdict.event_id).exit_reason == "medical"
        world.at(local(10, hour, 30)).scan(world.special, "in", temp="36.5")


# -- anti-passback ---------------------------------------------------------------------

def test_photocopied_card_is_caught_going_out_twice(world):
    world.at(local(10, 8)).scan(world.life, "out")
    assert world.at(local(10, 8, 5)).scan(world.life, "out").reason == "already_out"


def test_daily_reset_sets_every_card_in(world):
    world.set("antipassback.daily_reset", "03:00")
    world.set("life.exits_per_window", "5")
    world.at(local(10, 20)).scan(world.life, "out")
    assert world.at(local(11, 2, 59)).scan(world.life, "out").reason == "already_out"
    assert world.at(local(11, 3, 1)).scan(world.life, "out").allowed


# -- the repeat guard ------------------------------------------------------------------

def test_a_double_fired_scan_is_one_passage(world):
    first = world.at(local(10, 8)).scan(world.life, "out")
    again = world.at(local(10, 8, 0, 9)).scan(world.life, "out")
    assert again.duplicate and again.allowed and again.event_id == first.event_id
    assert verdict_text(again, "en") == verdict_text(first, "en")
    assert world.status(dt.date(2026, 2, 10))["scans_today"] == 1


def test_after_the_guard_the_same_scan_is_decided_again(world):
    world.at(local(10, 8)).scan(world.life, "out")
    later = world.at(local(10, 8, 0, 11)).scan(world.life, "out")
    assert not later.duplicate and later.reason == "already_out"


def test_out_in_and_out_again_within_the_guard_is_decided_not_repeated(world):
    # The card's last passage is the way back in: an exit now is a new exit, with the
    # quota it uses, and not the first exit's green shown again (a free second exit).
    assert world.at(local(10, 8)).scan(world.life, "out").allowed
    assert world.at(local(10, 8, 0, 3)).scan(world.life, "in", temp="36.5").allowed
    again = world.at(local(10, 8, 0, 6)).scan(world.life, "out")
    assert not again.duplicate and again.reason == "quota_used"
    assert world.status(dt.date(2026, 2, 10))["scans_today"] == 3


def test_the_guard_does_not_repeat_a_denial(world):
    first = world.scan(world.life, "in")  # no reading: denied
    again = world.scan(world.life, "in", temp="36.5")
    assert first.reason == "temperature_required" and again.allowed and not again.duplicate


# -- the fever retest ------------------------------------------------------------------

def test_fever_then_normal_retest_lets_the_person_in_with_both_readings(world):
    first = world.at(local(10, 8)).scan(world.life, "in", temp="37.6")
    assert first.decision is Decision.RETEST and first.temperature.first == 37.6
    assert "休息5分钟" in verdict_text(first, "zh")
    second = world.at(local(10, 8, 5)).scan(world.life, "in", temp="36.9")
    assert second.allowed
    assert second.to_json()["temperature"] == {"first": 37.6, "second": 36.9}
    assert world.service.retest_queue(local(10, 8, 6)) == []


def test_fever_confirmed_is_an_incident(world):
    world.at(local(10, 8)).scan(world.life, "in", temp="38.1")
    verdict = world.at(local(10, 8, 10)).scan(world.life, "in", temp="38.0")
    assert verdict.reason == "fever_confirmed"
    assert world.status(dt.date(2026, 2, 10))["fevers_today"] == 1


def test_retest_queue_lists_who_is_waiting(world):
    world.at(local(10, 8)).scan(world.life, "in", temp="37.8")
    queue = world.service.retest_queue(local(10, 8, 2))
    assert [e.serial for e in queue] == [world.life.card.serial]
    assert world.service.retest_queue(local(10, 8, 31)) == []  # the window lapsed


def test_retest_pending_requires_a_reading_even_on_exit(world):
    world.at(local(10, 8)).scan(world.life, "in", temp="37.8")
    assert world.at(local(10, 8, 6)).scan(world.life, "out").reason == "temperature_required"


def test_a_reading_after_the_window_is_a_first_reading_again(world):
    world.at(local(10, 8)).scan(world.life, "in", temp="37.8")
    verdict = world.at(local(10, 8, 31)).scan(world.life, "in", temp="37.5")
    assert verdict.reason == "fever_retest"


# -- overrides -------------------------------------------------------------------------

def test_a_lead_lets_a_denied_person_through(world):
    go_out_and_back(world, local(10, 8), local(10, 10))
    denied = world.at(local(10, 12)).scan(world.life, "out")
    verdict = world.service.override(denied.event_id, "楼栋长王", "就医")
    assert verdict.allowed and "王" in verdict_text(verdict, "zh")
    event = world.store.event(verdict.event_id)
    assert event.override_of == denied.event_id and event.override_reason == "就医"
    assert world.store.last_passage(world.life.card.serial).direction.value == "out"


# -- what the scanner typed ------------------------------------------------------------

@pytest.mark.parametrize("mangle", [
    str.lower,
    str.swapcase,
    lambda p: "  " + p[:40] + " " + p[40:] + "\n",
    lambda p: p.translate({i: i + 0xFEE0 for i in range(0x21, 0x7F)}),  # full-width
])
def test_what_a_keyboard_wedge_does_to_the_text_is_forgiven(world, mangle):
    assert world.scan(mangle(world.life.payload), "out").allowed


@pytest.mark.parametrize("mangle", [str.lower, lambda s: s.replace("-", ""),
                                    lambda s: s.replace("-", " "), lambda s: s.replace("0", "O")])
def test_typed_serial_is_accepted(world, mangle):
    verdict = world.scan(mangle(world.life.card.serial), "out")
    assert verdict.allowed and verdict.card.serial == world.life.card.serial


def test_a_verdict_is_told_in_the_language_of_its_reader(world):
    verdict = world.scan("nonsense", "out")
    assert verdict_text(verdict, "en").startswith("Not a pass card")
    assert verdict_text(verdict, "zh").startswith("不是本社区的出入证")
    assert verdict.to_json("en")["message"].startswith("Not a pass card")


def test_verdict_json_has_the_contract_fields(world):
    out = world.scan(world.life, "out").to_json()
    assert set(out) >= {"decision", "reason", "message", "warnings", "duplicate", "event_id",
                        "card", "household", "quota"}
    assert out["card"] == {"serial": world.life.card.serial, "kind": "life", "generation": 1}
    assert out["household"] == {"id": "H000301", "building": "3", "unit": "2", "room": "301"}


def test_a_backdated_scan_does_not_see_later_events(world):
    world.at(local(10, 9)).scan(world.life, "out")
    earlier = world.scan(world.life, "out", at=local(10, 8, 59, 55))
    assert not earlier.duplicate


def test_events_are_recorded_with_local_and_utc_time(world):
    verdict = world.at(local(10, 7, 30)).scan(world.work, "out")
    event = world.store.event(verdict.event_id)
    assert event.at_local == local(10, 7, 30)
    assert event.at_utc == dt.datetime(2026, 2, 9, 23, 30, tzinfo=dt.UTC)
    assert event.kind is CardKind.WORK and event.device_seq == 1


@pytest.mark.parametrize(("make_denial", "overridable"), [
    (lambda w: (w.scan(w.life, "out"), w.at(local(10, 9)).scan(w.life, "out"))[1], True),
    (lambda w: w.at(local(10, 4)).scan(w.work, "out"), True),
    (lambda w: w.scan(w.life, "in", temp="98.6"), False),
    (lambda w: w.scan("nonsense", "out"), False),
    (lambda w: (w.office.revoke(w.life.card.serial), w.scan(w.life, "out"))[1], False),
    (lambda w: (w.scan(w.life, "in", temp="38.2"),
                w.at(local(10, 8, 6)).scan(w.life, "in", temp="38.0"))[1], False),
])
def test_only_rules_about_when_a_valid_card_passes_can_be_overridden(world, make_denial, overridable):
    denied = make_denial(world)
    assert denied.overridable is overridable
    if overridable:
        assert world.service.override(denied.event_id, "王", "就医").allowed
        with pytest.raises(BadInput) as twice:  # one denial, one passage
            world.service.override(denied.event_id, "王", "就医")
        assert twice.value.key == "already_overridden"
    else:
        with pytest.raises(BadInput) as refused:
            world.service.override(denied.event_id, "王", "就医")
        assert refused.value.key == "not_overridable"


def test_already_out_names_the_exit_time_and_this_gates_id(world):
    world.at(local(10, 8, 12)).scan(world.life, "out")
    denied = world.at(local(10, 9, 30)).scan(world.life, "out")
    gate_id = world.store.community().device_id[:8].upper()
    assert denied.reason == "already_out"
    assert denied.fields == {"out_at": "2026-02-10T08:12:00+08:00", "gate": "", "gate_id": gate_id}
    assert verdict_text(denied, "zh") == f"已于08:12从{gate_id}号闸口外出，尚未返回，不能再次外出"
