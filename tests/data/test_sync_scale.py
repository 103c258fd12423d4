"""Issue 14: what a sync reads grows with what it sends and receives, not with the log.

Costs are SQLite's virtual-machine instructions (in tens), on the office file's
connection or on the gate's: no timing."""
from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

import data.office
from data.office import open_office
from data.sync import enroll, sync_once
from kiosk.app import open_gate
from kiosk.clock import FixedClock
from kiosk.model import CardKind, Household
from tests.community import on_disk

START = dt.date(2026, 2, 10)
MORNING = dt.datetime(2026, 2, 11, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def north(tmp_path):
    clock = FixedClock(MORNING)
    household = Household("H000301", "3", "2", "301", "张三", "13800000000", 3)
    built = on_disk(tmp_path / "north.db", clock, start=START, households=[household])
    built.issue(household, CardKind.LIFE, "张三", name="life")
    built.set("life.exits_per_window", "1000")  # every exit here is allowed: each is checked
    yield built
    built.close()


@pytest.fixture
def office_url(tmp_path) -> str:
    (tmp_path / "office").mkdir()
    return f"sqlite:///{tmp_path}/office/office.db"


class Ticks:
    """Counts the instructions of every office connection opened while `counting`."""

    def __init__(self, monkeypatch):
        self.count = 0
        self.counting = False
        connect = data.office.OfficeDB._connect_sqlite

        def counted(path: Path) -> sqlite3.Connection:
            conn = connect(path)
            conn.set_progress_handler(self._tick, 10)
            return conn

        monkeypatch.setattr(data.office.OfficeDB, "_connect_sqlite", staticmethod(counted))

    def _tick(self) -> int:
        self.count += self.counting
        return 0  # go on

    def of(self, run) -> int:
        self.count, self.counting = 0, True
        try:
            run()
        finally:
            self.counting = False
        return self.count


def copies_of_the_last_event(url: str, count: int, **changes) -> None:
    """`count` more events at the office like its newest one (other ids and numbers)."""
    office = open_office(url)
    try:
        template = office.query("SELECT * FROM events ORDER BY office_seq DESC LIMIT 1")[0]
        del template["office_seq"]
        columns = list(template)
        with office.transaction():
            office.executemany(
                f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [tuple({**template, "id": f"bulk-{n}", "device_seq": template["device_seq"] + 1 + n,
                        **changes}[c] for c in columns) for n in range(count)])
    finally:
        office.close()


def test_a_sync_with_nothing_new_costs_the_office_the_same_with_thousands_more_events_there(
        north, office_url, monkeypatch):
    ticks = Ticks(monkeypatch)
    north.scan(north.life, "out")
    sync_once(north.gate, office_url, north.clock)
    before = ticks.of(lambda: sync_once(north.gate, office_url, north.clock))
    # 5000 more of this gate's events at the office, as if pushed by an earlier sync: no
    # other gate's events after them, so nothing for the pull to stop at
    copies_of_the_last_event(office_url, 5000)
    sync_once(north.gate, office_url, north.clock)  # the pull walks past them once

    after = ticks.of(lambda: sync_once(north.gate, office_url, north.clock))

    assert after <= before + 20  # walking the 5000 rows again would be thousands more


def test_a_push_costs_the_same_with_thousands_of_other_gates_events_after_this_gates_last(
        north, office_url):
    gate_work = GateWork(north.store)
    north.scan(north.life, "out")
    sync_once(north.gate, office_url, north.clock)
    before = gate_work.of(lambda: sync_once(north.gate, office_url, north.clock))
    # another gate's 2000 events pulled since (written here directly: the pull's own cost
    # is not what is compared), and nothing of this gate's after them
    gate_work.add_events(north.store, 2000, direction="in", decision="allow", kind="life")

    after = gate_work.of(lambda: sync_once(north.gate, office_url, north.clock))

    assert after <= before + 20  # walking the 2000 rows would be hundreds more
    north.clock.advance(hours=1)
    north.scan(north.life, "in")  # and what it records after them is sent
    assert sync_once(north.gate, office_url, north.clock).pushed == 1


def test_the_quota_check_after_a_pull_reads_the_window_not_the_households_history(
        north, office_url, tmp_path):
    gate_work = GateWork(north.store)
    sync_once(north.gate, office_url, north.clock)
    enroll(tmp_path / "south.db", office_url, "南门", north.clock)
    south = open_gate(tmp_path / "south.db", clock=north.clock)
    try:
        def south_exit_and_back() -> None:
            north.clock.advance(hours=3)
            south.service.scan(north.life.payload, "out", None)
            north.clock.advance(minutes=30)
            south.service.scan(north.life.payload, "in", "36.5")
            sync_once(south, office_url, north.clock)

        south_exit_and_back()
        before = gate_work.of(lambda: sync_once(north.gate, office_url, north.clock))
        gate_work.add_old_exits(north.store, 2000)  # a long past, from a gate gone since
        south_exit_and_back()
        after = gate_work.of(lambda: sync_once(north.gate, office_url, north.clock))
    finally:
        south.close()

    assert after <= before + 50  # reading the 2000 old exits costs over a thousand more


class GateWork:
    """Instructions on the gate store's own connection."""

    def __init__(self, store):
        self.conn = store.db.conn

    def of(self, run) -> int:
        ticks = [0]

        def tick() -> int:
            ticks[0] += 1
            return 0

        self.conn.set_progress_handler(tick, 10)
        try:
            run()
        finally:
            self.conn.set_progress_handler(None, 0)
        return ticks[0]

    def add_old_exits(self, store, count: int) -> None:
        """`count` allowed life exits of the card's household, a day apart long before the
        quota's start, of another device."""
        self.add_events(store, count, direction="out", decision="allow", kind="life",
                        first=dt.datetime(2020, 1, 1, 1, tzinfo=dt.UTC))

    def add_events(self, store, count: int, first: dt.datetime | None = None, **fields) -> None:
        """`count` events of another device like this gate's newest event, a day apart from
        `first` (default: a year before it), with `fields` changed."""
        conn = self.conn
        columns = [r[1] for r in conn.execute("PRAGMA table_info(events)") if r[1] != "seq"]
        template = dict(conn.execute("SELECT * FROM events ORDER BY seq DESC LIMIT 1").fetchone())
        first = first or dt.datetime.fromisoformat(template["at_utc"]) - dt.timedelta(days=365)
        with store._write():
            conn.executemany(
                f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [tuple({**template, **fields, "id": f"other-{n}", "device_id": "other-gate",
                        "device_seq": n + 1,
                        "at_utc": (first + dt.timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                        "local_date": (first + dt.timedelta(days=n)).date().isoformat()}[c]
                       for c in columns) for n in range(count)])
