"""A small community for the admin screens' tests: real scans on a real SQLite file."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from zoneinfo import ZoneInfo

import pytest

from kiosk.app import Gate, open_gate
from kiosk.clock import FixedClock
from kiosk.model import CardKind, Household
from kiosk.operators import Operator
from tests.community import on_disk
from ui.admin import open_admin
from ui.adminclient import AdminClient
from ui.i18n import Language

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 2, 12)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 2, 12, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def new_york_machine():
    """The machine's own time zone is New York's (12 or 13 hours behind the community's):
    every time a screen shows must still be the community's (setting `timezone`)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.fixture(autouse=True)
def language(qapp):
    """The gate screen's language switch, in Chinese as the gate starts: the admin screens follow it."""
    language = Language(qapp)
    language.set("zh")
    yield language
    language.close()


def wait_loaded(qtbot, log_tab) -> None:
    """Until the log tab shows its filter's rows and every other answer is in (the queries
    run on the admin client's lane)."""
    qtbot.waitUntil(lambda: not log_tab.loading and log_tab.client.pending == 0, timeout=10000)


def settle(qtbot, client: AdminClient) -> None:
    """Until every question and change sent to the admin lane has had its answer shown."""
    qtbot.waitUntil(lambda: client.pending == 0, timeout=10000)


@dataclasses.dataclass
class Office:
    gate: Gate  # the test's own connection, on the test's thread: for setting up and checking
    admin: Operator
    lead: Operator  # building 3
    client: AdminClient  # what the screens get: its own Gate, on its lane


@pytest.fixture
def office(tmp_path, qapp) -> Office:
    """Buildings 3 and 5; a day with exits, entries, a fever and a forged code."""
    clock = FixedClock(at(7))
    a = Household("H0000A1", "3", "2", "301", "张三", "13800000001")
    b = Household("H0000B1", "3", "1", "102", "赵六", "13800000002")
    c = Household("H0000C1", "5", "1", "101", "李四", "13800000003")
    built = on_disk(tmp_path / "gate.db", clock, households=[a, b, c])
    gate = built.gate
    life_a, life_b, life_c = (built.issue(h, CardKind.LIFE, "张三").payload for h in (a, b, c))
    scan = gate.service.scan
    scan(life_a, "out", "36.5", operator="小王", at=at(8))
    scan(life_c, "out", operator="小王", at=at(9))
    scan(life_b, "in", "37.8", operator="小王", at=at(11))
    scan(life_b, "in", "37.9", operator="小王", at=at(11, 6))
    scan("HELLO", "in", operator="小王", at=at(12))
    gate.operators().add("张楼长", "lead", "222222", ("3",))
    gate.operators().add("社区办", "admin", "333333")
    clock.set(at(18))
    client = AdminClient(lambda: open_gate(gate.path, clock=clock, checks=False), lambda: DAY, gate.path)
    yield Office(gate, gate.authenticate("333333", "admin"), gate.authenticate("222222", "lead"), client)
    client.close()
    gate.close()


def copy_events(gate: Gate, count: int) -> None:
    """`count` more events of the day, copies of the first: enough rows to need paging.

    Plain SQL in one transaction (test data only: the copies are not hash-chained).
    """
    with gate.store._write() as db:
        db.execute("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
            INSERT INTO events (id, device_id, device_seq, at_utc, at_local, local_date, direction,
                decision, reason, warnings, serial, generation, household_id, kind, temp_first,
                operator, prev_hash, chain_hash)
            SELECT 'copy-' || i, 'bulk', i, e.at_utc, e.at_local, e.local_date, e.direction,
                e.decision, e.reason, e.warnings, e.serial, e.generation, e.household_id, e.kind,
                e.temp_first, 'copy' || i, e.prev_hash, e.chain_hash
            FROM n, (SELECT * FROM events ORDER BY seq LIMIT 1) e
        """, [count])


def _opened(qtbot, office: Office, operator: Operator):
    """The admin window as `operator` opens it, on the day's log, its first answers in."""
    window = open_admin(office.client, operator)
    qtbot.addWidget(window)
    window.log_tab.date.setDate(DAY)
    wait_loaded(qtbot, window.log_tab)
    yield window
    window.close()


@pytest.fixture
def admin_window(qtbot, office):
    yield from _opened(qtbot, office, office.admin)


@pytest.fixture
def lead_window(qtbot, office):
    yield from _opened(qtbot, office, office.lead)


def before_each_audit_line(qtbot, client: AdminClient, function) -> None:
    """`function()` runs inside SQLite before every audit line the admin lane writes (a
    temporary trigger on the lane's own connection): to fail a change, or to hold it."""
    def install(services) -> None:
        conn = services.store.db.conn
        conn.create_function("before_audit", 0, function)
        conn.execute("CREATE TEMP TRIGGER before_audit BEFORE INSERT ON audit"
                     " BEGIN SELECT before_audit(); END")

    client.call(install)
    settle(qtbot, client)
