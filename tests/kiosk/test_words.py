"""One catalogue of words (kiosk/messages.py): every key in zh and en, the same fields in
both, and every verdict told without a field left unfilled."""
from __future__ import annotations

import dataclasses
import datetime as dt
import string

import pytest

from kiosk import messages
from kiosk.messages import VERDICT_FIELDS, verdict_key, verdict_text
from kiosk.model import REASONS, Decision, Direction, Quota, Verdict
from tests.kiosk.conftest import local

TABLES = {"VERDICT": messages.VERDICT, "CLI": messages.CLI, "ROSTER": messages.ROSTER,
          "LOG": messages.LOG, "STARTUP": messages.STARTUP}


def fields_of(sentence: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(sentence) if name}


@pytest.mark.parametrize("table", TABLES)
def test_every_key_has_zh_and_en(table):
    words = TABLES[table]
    assert set(words) == set(messages.LANGS)
    assert set(words["zh"]) == set(words["en"]), set(words["zh"]) ^ set(words["en"])
    assert all(words[lang][key].strip() for lang in messages.LANGS for key in words[lang])


@pytest.mark.parametrize(("table", "key"), [(t, k) for t, w in TABLES.items() for k in w["zh"]])
def test_zh_and_en_use_the_same_fields(table, key):
    words = TABLES[table]
    assert fields_of(words["zh"][key]) == fields_of(words["en"][key])


def test_every_verdict_field_is_declared():
    used = set().union(*(fields_of(s) for s in messages.VERDICT["zh"].values()))
    assert used <= set(VERDICT_FIELDS)


SAMPLE = {"valid_from": "2026-03-01", "valid_to": "2026-02-09", "next_exit": "2026-02-12T08:00:00+08:00",
          "reading": 37.6, "first": 37.8, "wait_min": 5, "remaining_min": 3, "used": 1, "limit": 1,
          "hours": "05:00-22:00", "operator": "楼长王"}


def every_verdict():
    """A verdict of every reason code, and of every allowed kind of sentence."""
    quota = Quota(1, 1, "2026-02-10", "2026-02-11", None)
    for reason in REASONS:
        decision = Decision.ALLOW if reason == "ok" else Decision.DENY
        needed = fields_of(messages.VERDICT["zh"].get(reason, ""))
        yield Verdict(decision, reason, {k: SAMPLE[k] for k in needed}, direction=Direction.OUT)
    yield Verdict(Decision.ALLOW, "ok", {"used": 1, "limit": 1}, direction=Direction.OUT, quota=quota)
    yield Verdict(Decision.ALLOW, "ok", direction=Direction.IN)
    yield Verdict(Decision.ALLOW, "ok", direction=Direction.IN, warnings=("entry_without_exit",))
    yield Verdict(Decision.ALLOW, "quota_used", {"operator": "楼长王"}, direction=Direction.OUT,
                  override_of="e1")
    out = {"out_at": "2026-02-10T08:12:00+08:00", "gate": "北门", "gate_id": "3F2A9C1B"}
    yield Verdict(Decision.DENY, "already_out", out, direction=Direction.OUT, at=local(10, 9))
    yield Verdict(Decision.DENY, "already_out", out, direction=Direction.OUT, at=local(11, 9))


@pytest.mark.parametrize("lang", messages.LANGS)
def test_every_reason_code_is_told_with_its_fields_filled(lang):
    keys = set()
    for verdict in every_verdict():
        text = verdict_text(verdict, lang)
        keys.add(verdict_key(verdict))
        assert text and "{" not in text and "}" not in text, (verdict.reason, text)
    # every sentence is reachable ("gate_unnamed" is a gate's name, not a sentence)
    assert keys == set(messages.VERDICT[lang]) - {"ok", "gate_unnamed"}


def test_fields_are_written_as_each_language_writes_them():
    verdict = Verdict(Decision.DENY, "expired", {"valid_to": "2026-02-09"})
    assert verdict_text(verdict, "zh") == "此卡已于2月9日过期"
    assert verdict_text(verdict, "en") == "This card expired on 9 Feb"
    fever = Verdict(Decision.RETEST, "fever_retest", {"reading": 37.6, "wait_min": 5})
    assert verdict_text(fever, "en") == "37.6 °C: rest 5 minutes, then retest"


def test_a_verdict_cannot_be_changed_by_its_reader():
    verdict = Verdict(Decision.DENY, "expired", {"valid_to": "2026-02-09"})
    with pytest.raises(TypeError):
        verdict.fields["valid_to"] = "2030-01-01"  # type: ignore[index]


def test_the_repeat_guard_tells_the_first_verdict_in_the_language_of_now(world):
    first = world.at(local(10, 8)).scan(world.life, "out")
    assert verdict_text(first, "zh") == "放行，本期已用1/1次"
    again = world.at(local(10, 8, 0, 5)).scan(world.life, "out")
    assert again.duplicate and verdict_text(again, "en") == "Go ahead: 1 of 1 exits used"
    assert again.to_json("en")["message"] == "Go ahead: 1 of 1 exits used"


def test_an_event_recorded_with_its_sentence_is_still_shown(world):
    """Events recorded before verdicts kept their fields hold a "message" instead."""
    first = world.at(local(10, 8)).scan(world.life, "out")
    stored = world.store.event(first.event_id)
    old_json = {k: v for k, v in stored.verdict.items() if k != "fields"}
    old_json["message"] = "放行，本期已用1/1次"
    old = dataclasses.replace(stored, id="018f0000-0000-7000-8000-000000000001", verdict=old_json,
                              at_utc=stored.at_utc + dt.timedelta(seconds=1),
                              at_local=stored.at_local + dt.timedelta(seconds=1))
    world.store.record(old)
    again = world.at(local(10, 8, 0, 4)).scan(world.life, "out")
    assert again.duplicate and again.event_id == old.id
    assert verdict_text(again, "zh") == "放行，本期已用1/1次"
    assert verdict_text(again, "en") == "Go ahead: 1 of 1 exits used"


def test_slips_are_denials_of_the_volunteers_making_not_the_rules():
    from kiosk.model import OVERRIDABLE, REASONS, SLIP_REASONS, Decision, Verdict, is_slip

    assert SLIP_REASONS <= set(REASONS) and not SLIP_REASONS & OVERRIDABLE
    assert Verdict(Decision.DENY, "temperature_required").slip
    assert not Verdict(Decision.DENY, "quota_used").slip
    assert is_slip("not_a_card", "typed") and not is_slip("not_a_card", "camera")


# -- already_out says since when and through which gate (issue 11) ----------------------

ALREADY_OUT = [
    ("zh", local(10, 9), "北门", "已于08:12从北门外出，尚未返回，不能再次外出"),
    ("en", local(10, 9), "北门", "Went out at 08:12 through 北门 and is not back: cannot go out again"),
    ("zh", local(11, 9), "北门", "已于2月10日 08:12从北门外出，尚未返回，不能再次外出"),
    ("en", local(11, 9), "", "Went out 10 Feb 08:12 through gate 3F2A9C1B and is not back: "
                             "cannot go out again"),
    ("zh", local(10, 9), "", "已于08:12从3F2A9C1B号闸口外出，尚未返回，不能再次外出"),
]


@pytest.mark.parametrize(("lang", "at", "gate", "sentence"), ALREADY_OUT)
def test_already_out_says_when_and_through_which_gate(lang, at, gate, sentence):
    fields = {"out_at": "2026-02-10T08:12:00+08:00", "gate": gate, "gate_id": "3F2A9C1B"}
    verdict = Verdict(Decision.DENY, "already_out", fields, direction=Direction.OUT, at=at)
    assert verdict_text(verdict, lang) == sentence


def test_an_already_out_recorded_without_its_fields_keeps_the_old_sentence():
    verdict = Verdict(Decision.DENY, "already_out", direction=Direction.OUT, at=local(10, 9))
    assert verdict_text(verdict, "zh") == "此卡已外出未返回，不能再次外出"
