"""A card re-issued at the office reaches a gate by the roster pull and works the same as
one re-issued at the gate: old code and old serial refused, passage and lineage kept."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from data.office import OfficeStore, open_office
from data.sync import enroll, sync_once
from kiosk.app import init_community, open_gate
from kiosk.clock import FixedClock
from kiosk.model import CardKind, CardStatus, Household
from kiosk.office import CardOffice, RosterError

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 2, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def sites(tmp_path, office_url):
    """North (founded the office, holds the key), south (enrolled), the office's card desk."""
    clock = FixedClock(local(10, 8))
    north = init_community(tmp_path / "north.db", "幸福里", start_date=dt.date(2026, 2, 10), clock=clock)
    household = Household("H000301", "3", "2", "301", "张三")
    north.store.add_households([household], clock.now())
    life = north.office().issue(household.id, CardKind.LIFE, holder="张三")
    work = north.office().issue(household.id, CardKind.WORK, holder="李四")
    sync_once(north, office_url, clock)
    enroll(tmp_path / "south.db", office_url, "南门", clock)
    south = open_gate(tmp_path / "south.db", clock=clock)
    desk = CardOffice(OfficeStore(open_office(office_url)), clock, north.office().signing_key)
    yield north, south, desk, clock, life, work
    desk.store.close()
    south.close()
    north.close()


def test_a_reissue_at_the_office_reaches_the_gate_and_refuses_the_lost_card(sites, office_url):
    north, south, desk, clock, life, _work = sites
    clock.set(local(10, 9))
    assert south.service.scan(life.payload, "out").reason == "ok"
    sync_once(south, office_url, clock)  # the exit reaches the office and north

    renewed = desk.reissue(life.card.serial)
    report = sync_once(south, office_url, clock)

    assert report.roster_changes == 2  # the lost card, revoked, and its replacement
    assert south.store.card(life.card.serial).replaced_by == renewed.card.serial
    clock.set(local(10, 11))
    for lost in (life.payload, life.card.serial):
        verdict = south.service.scan(lost, "in", "36.5")
        assert verdict.reason == "revoked" and verdict.household.flat == "3-2-301"
    assert south.service.scan(renewed.payload, "out").reason == "already_out"  # still out
    back = south.service.scan(renewed.payload, "in", "36.5")
    assert back.reason == "ok" and back.warnings == ()


def test_an_exit_of_the_lost_card_pulled_after_the_reissue_counts_for_the_new_one(sites, office_url):
    north, south, desk, clock, _life, work = sites
    renewed = desk.reissue(work.card.serial)
    sync_once(south, office_url, clock)
    clock.set(local(10, 9))
    assert north.service.scan(work.payload, "out").reason == "ok"  # north has not synced yet
    sync_once(north, office_url, clock)

    sync_once(south, office_url, clock)

    clock.set(local(10, 12))
    assert south.service.scan(renewed.payload, "out").reason == "already_out"
    assert south.service.scan(renewed.payload, "in", "36.5").reason == "ok"
    assert south.service.scan(renewed.payload, "out").reason == "work_quota_used"


def test_the_office_refuses_a_second_life_card_and_a_second_reissue(sites):
    _north, _south, desk, _clock, life, _work = sites
    with pytest.raises(RosterError) as refused:
        desk.issue(life.card.household_id, CardKind.LIFE)
    assert refused.value.key == "second_life_card" and refused.value.fields["serial"] == life.card.serial
    desk.reissue(life.card.serial)
    with pytest.raises(RosterError) as refused:
        desk.reissue(life.card.serial)
    assert refused.value.key == "already_replaced"
    active = [c for c in desk.store.cards(life.card.household_id)
              if c.kind is CardKind.LIFE and c.status is not CardStatus.REVOKED]
    assert len(active) == 1
