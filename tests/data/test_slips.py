"""Slips and sources on the real store and across gates (issue 11): the SQL form of
is_slip agrees with it, the source travels to the office and to the other gates, and an
already_out names the gate the card went out through as the office knows it."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from data.office import open_office
from data.store_log import slip_sql
from data.sync import enroll, sync_once
from kiosk.app import init_community, open_gate
from kiosk.clock import FixedClock
from kiosk.messages import verdict_text
from kiosk.model import REASONS, SOURCES, CardKind, Household, is_slip

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_sql_of_a_slip_is_is_slip(world):
    conn = world.store.db.conn
    for reason in REASONS:
        for source in (*SOURCES, None):
            row = conn.execute(f"SELECT {slip_sql()} FROM (SELECT ? AS reason, ? AS source) e",
                               [reason, source]).fetchone()
            assert bool(row[0]) == is_slip(reason, source or ""), (reason, source)


def test_status_counts_slips_apart_from_denials(world):
    world.scan(world.life, "in", source="camera")                 # no reading: a slip
    world.scan("7K3Q-9AE", "out", source="typed")                  # a typo: a slip
    world.scan("NOT A CARD AT ALL", "out", source="wedge")         # a code that is no card
    status = world.status()
    assert status["slips_today"] == 2 and status["denials_today"] == 1
    assert status["scans_today"] == 3 and status["exits_today"] == 0


def test_the_admin_log_shows_a_slip_as_action_needed(world):
    from data.admin_queries import AdminQueries
    from kiosk.model import LogFilter

    world.scan(world.life, "in", source="camera")
    world.scan("NOT A CARD AT ALL", "out", source="wedge")
    day = world.clock.now().astimezone(SHANGHAI).date()
    queries = AdminQueries(world.store, "zh")
    slips = queries.log_ids(LogFilter(day, decision="slip"))
    denials = queries.log_ids(LogFilter(day, decision="deny"))
    assert len(slips) == 1 and len(denials) == 1
    rows = queries.log_rows([*slips, *denials])
    assert rows[slips[0]][5] == "需处理" and rows[denials[0]][5] == "拒绝"
    assert queries.day_counts(day, None) == {"scans": 2, "exits": 0, "entries": 0, "denials": 1,
                                             "slips": 1, "retests": 0}


@pytest.fixture
def two_gates(tmp_path, office_url):
    clock = FixedClock(dt.datetime(2026, 2, 10, 8, tzinfo=SHANGHAI))
    north = init_community(tmp_path / "north.db", "幸福里", start_date=dt.date(2026, 2, 10), clock=clock)
    household = Household("H000301", "3", "2", "301", "张三", "13800000000", 3)
    north.store.add_households([household], clock.now())
    card = north.office().issue(household.id, CardKind.LIFE, holder="张三")
    sync_once(north, office_url, clock)
    enroll(tmp_path / "south.db", office_url, "南门", clock)
    south = open_gate(tmp_path / "south.db", clock=clock)
    yield north, south, card, clock, office_url
    south.close()
    north.close()


def test_an_exit_through_another_gate_is_named_by_the_office(two_gates):
    north, south, card, clock, url = two_gates
    clock.advance(minutes=12)
    south.scan(card.payload, "out", "36.5", source="camera")
    sync_once(south, url, clock)
    sync_once(north, url, clock)
    clock.advance(hours=1)
    denied = north.scan(card.payload, "out", "36.5", source="wedge")
    assert denied.reason == "already_out" and denied.fields["gate"] == "南门"
    assert verdict_text(denied, "zh") == "已于08:12从南门外出，尚未返回，不能再次外出"
    # the same card at its own gate: the gate knows its own name from its enrolment
    assert south.scan(card.payload, "out", "36.5").fields["gate"] == "南门"


def test_the_source_travels_to_the_office_and_the_other_gates(two_gates):
    north, south, card, clock, url = two_gates
    typo = south.scan("7K3Q-9AE", "out", source="typed")
    sync_once(south, url, clock)
    sync_once(north, url, clock)
    office = open_office(url)
    try:
        rows = office.query("SELECT source FROM events WHERE id = ?", [typo.event_id])
    finally:
        office.close()
    assert rows == [{"source": "typed"}]
    assert north.store.event(typo.event_id).source == "typed"
    assert north.status()["slips_today"] == 1  # a slip at any gate is a slip here too
    assert north.store.verify_log().intact and south.store.verify_log().intact
