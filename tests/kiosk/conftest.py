"""A small community on a real database file, with a clock the tests move by hand."""
from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kiosk.app import Gate, init_community
from kiosk.clock import FixedClock
from kiosk.model import CardKind, Household
from kiosk.office import IssuedCard

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.date(2026, 2, 10)  # the community's first day: quota windows count from here


def local(day: int, hour: int = 9, minute: int = 0, second: int = 0, month: int = 2) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=SHANGHAI)


@dataclasses.dataclass
class World:
    gate: Gate
    clock: FixedClock
    household: Household
    life: IssuedCard
    work: IssuedCard
    special: IssuedCard

    def at(self, when: dt.datetime) -> World:
        self.clock.set(when)
        return self

    def scan(self, card: IssuedCard | str, direction: str, temp=None, reason=None, **kw):
        payload = card if isinstance(card, str) else card.payload
        return self.gate.service.scan(payload, direction, temp, reason, **kw)

    def new_household(self, room: str) -> Household:
        household = Household(f"H{room:0>6}", "1", "1", room)
        self.gate.store.add_households([household], self.clock.now())
        return household

    def issue(self, household: Household, kind: CardKind, **kw) -> IssuedCard:
        return self.gate.office().issue(household.id, kind, **kw)

    def set(self, key: str, value: str) -> None:
        self.gate.store.set_setting(key, value)


@pytest.fixture
def world(tmp_path) -> World:
    clock = FixedClock(local(10, 8))
    gate = init_community(tmp_path / "gate.db", "幸福里", start_date=START, clock=clock)
    household = Household("H000301", "3", "2", "301", "张三", "13800000000", 3)
    gate.store.add_households([household], clock.now())
    office = gate.office()
    w = World(
        gate, clock, household,
        life=office.issue(household.id, CardKind.LIFE, holder="张三"),
        work=office.issue(household.id, CardKind.WORK, holder="李四"),
        special=office.issue(household.id, CardKind.SPECIAL, holder="王五",
                             valid_to=START + dt.timedelta(days=6)),
    )
    yield w
    gate.close()
