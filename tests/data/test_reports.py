"""The gate's own reports (issue 17) on a real database file: recorded with the operator and
the time, outsiders counted in the status, parcels waiting and collected (with an audit
line, scoped to a lead's buildings), pushed to the office with the events; the mask answer
on the event."""
from __future__ import annotations

import sqlite3

import pytest

from data.office import open_office
from data.sync import sync_once
from kiosk.errors import BadInput, Refused
from kiosk.model import Household
from kiosk.operators import OperatorError
from tests.community import local, on_disk, resident_world


@pytest.fixture
def world(tmp_path):
    built = resident_world(on_disk(tmp_path / "gate.db"))
    built.add(Household("H000501", "5", "1", "101"))
    yield built
    built.close()


def test_an_outsider_refused_is_counted_in_the_status_with_the_operator_and_time(world):
    world.at(local(10, 9, 30))
    report = world.gate.report("outsider_refused", "小王", count=2, note="无出入证")
    world.gate.report("outsider_refused", "小王")
    world.gate.report("crowding", "小王", note="门口排队")
    assert world.gate.status()["outsiders_today"] == 3
    row = world.gate.store.reports_on(local(10).date())[0]
    assert (row["kind"], row["count"], row["operator"], row["note"]) == (
        "outsider_refused", 2, "小王", "无出入证")
    assert row["at_local"] == "2026-02-10T09:30:00+08:00" and report.flat is None
    assert world.gate.status(local(11).date())["outsiders_today"] == 0  # another day


def test_an_outsiders_report_keeps_no_flat_even_if_one_is_given(world):
    world.gate.report("outsider_refused", "小王", flat="3-2-301")
    row = world.gate.store.reports_on(local(10).date())[0]
    assert (row["building"], row["unit"], row["room"], row["household_id"]) == (None, None, None, None)


@pytest.mark.parametrize(("kind", "kw", "key"), [
    ("picnic", {}, "bad_report_kind"),
    ("outsider_refused", {"count": 0}, "bad_report_count"),
    ("outsider_refused", {"count": 51}, "bad_report_count"),
    ("delivery", {}, "delivery_needs_flat"),
    ("delivery", {"flat": "3-2"}, "bad_flat"),
    ("delivery", {"flat": "9-9-909"}, "unknown_flat"),
    ("other", {"note": "字" * 121}, "report_note_long"),
])
def test_a_bad_report_is_refused_and_nothing_is_written(world, kind, kw, key):
    with pytest.raises(BadInput) as refused:
        world.gate.report(kind, "小王", **kw)
    assert refused.value.key == key
    assert world.gate.store.reports_on(local(10).date()) == []


def test_a_delivery_waits_until_a_lead_collects_it_with_an_audit_line(world):
    gate = world.gate
    gate.operators().add("张楼长", "lead", "222222", ("3",))
    lead = gate.authenticate("222222", "lead")
    world.at(local(10, 10))
    parcel = gate.report("delivery", "小王", flat="3-2-301", note="一箱蔬菜")
    gate.report("delivery", "小王", flat="5-1-101")
    waiting = gate.waiting_parcels(("3",))
    assert [(p.flat, p.note, p.at_local.strftime("%H:%M")) for p in waiting] == [
        ("3-2-301", "一箱蔬菜", "10:00")]
    assert len(gate.waiting_parcels(None)) == 2
    world.at(local(10, 11))
    gate.collect_parcel(parcel.id, lead)
    assert gate.waiting_parcels(("3",)) == []
    line = gate.audit_entries(limit=1)[0]
    assert (line.operator, line.action, line.target, line.details["flat"]) == (
        "张楼长", "parcel_collected", parcel.id, "3-2-301")
    with pytest.raises(Refused):  # a second tap, here or on another screen
        gate.collect_parcel(parcel.id, lead)


def test_a_lead_cannot_collect_another_buildings_parcel(world):
    gate = world.gate
    gate.operators().add("张楼长", "lead", "222222", ("3",))
    other = gate.report("delivery", "小王", flat="5-1-101")
    with pytest.raises(OperatorError):
        gate.collect_parcel(other.id, gate.authenticate("222222", "lead"))
    assert len(gate.waiting_parcels(("5",))) == 1


def test_reports_are_append_only(world):
    world.gate.report("symptoms", "小王", flat="3-2-301", note="咳嗽")
    with pytest.raises(sqlite3.IntegrityError), world.gate.store._write() as db:
        db.execute("UPDATE reports SET note = ''")


def test_reports_are_pushed_to_the_office_with_the_events_once(world, office_url):
    url = office_url
    world.at(local(10, 9))
    world.scan(world.life, "out", "36.5")
    parcel = world.gate.report("delivery", "小王", flat="3-2-301", note="药")
    world.gate.report("outsider_refused", "小王", count=3)
    sync_once(world.gate, url, world.clock)
    sync_once(world.gate, url, world.clock)  # a second push sends nothing again
    office = open_office(url)
    try:
        rows = office.gate_reports("2026-02-10", "2026-02-10")
        assert office.scalar("SELECT COUNT(*) FROM events") == 1
    finally:
        office.close()
    assert [(r["kind"], r["count"], r["building"], r["note"]) for r in rows] == [
        ("delivery", 1, "3", "药"), ("outsider_refused", 3, None, "")]
    world.gate.operators().add("社区办", "admin", "333333")
    world.gate.collect_parcel(parcel.id, world.gate.authenticate("333333", "admin"))
    sync_once(world.gate, url, world.clock)
    office = open_office(url)
    try:
        closing = office.gate_reports("2026-02-10", "2026-02-10")[-1]
    finally:
        office.close()
    assert (closing["kind"], closing["closes"], closing["operator"]) == ("collected", parcel.id, "社区办")


@pytest.mark.parametrize(("rule", "answer", "decision", "reason"), [
    ("slip", None, "deny", "mask_unconfirmed"),
    ("slip", "no", "deny", "mask_missing"),
    ("deny", "no", "deny", "mask_required"),
    ("slip", "yes", "allow", "ok"),
    ("deny", "exempt", "allow", "ok"),
])
def test_the_mask_check_decides_and_the_answer_is_on_the_event(world, rule, answer, decision, reason):
    world.set("mask.check", "on")
    world.set("mask.rule", rule)
    verdict = world.scan(world.life, "out", "36.5", mask=answer)
    assert (verdict.decision.value, verdict.reason) == (decision, reason)
    assert verdict.slip is (reason in ("mask_unconfirmed", "mask_missing"))
    event = world.gate.store.event(verdict.event_id)
    assert event.mask == answer and (event.verdict or {}).get("mask") == answer


def test_with_the_mask_check_off_an_answer_is_kept_and_none_is_needed(world):
    assert world.scan(world.life, "out", "36.5").reason == "ok"
    world.at(local(10, 12))
    verdict = world.scan(world.life, "in", "36.5", mask="exempt")
    assert verdict.allowed and world.gate.store.event(verdict.event_id).mask == "exempt"
    assert "mask" in verdict.to_json() and "mask" not in world.scan(world.work, "out", "36.5").to_json()


def test_the_incidents_list_shows_the_days_reports_a_lead_only_their_flats(world):
    world.at(local(10, 9))
    world.gate.report("symptoms", "小王", flat="3-2-301", note="咳嗽")
    world.at(local(10, 10))
    world.gate.report("outsider_refused", "小王", count=3, note="无出入证")
    world.gate.report("delivery", "小王", flat="5-1-101")
    queries = world.gate.admin("zh")
    day = local(10).date()
    assert queries.incidents(day, ("3",)) == [("09:00:00", "symptoms", "3-2-301", "", "咳嗽", "小王")]
    everything = queries.incidents(day, None)
    assert [row[1] for row in everything] == ["symptoms", "outsider_refused", "delivery"]
    assert everything[1][4] == "×3 无出入证"
