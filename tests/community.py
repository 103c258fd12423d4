"""The one community factory of the tests: a gate, its households and cards, a hand-moved clock.

`in_memory()` builds it on tests/memory_store.py (the domain tests: no file, no fsync);
`on_disk(path)` through the real composition root (kiosk.app.init_community: a SQLite
file, the signing key, the device key), for the storage, sync, reliability and screen
tests. Both give the same `Community`, so a scenario runs unchanged on either
(tests/data/test_store_contract.py does exactly that).

PIN hashes are made at CHEAP_PIN_COST here, injected through the composition root
(kiosk.operators.PinCost): the rules about PINs do not need 0.4 s of scrypt per PIN. The
real cost keeps its own tests (tests/kiosk/test_operators.py, the CLI's).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk import codec
from kiosk.app import Gate, init_community
from kiosk.checkpoint import CheckpointService
from kiosk.clock import FixedClock
from kiosk.model import CardKind, Household, Verdict
from kiosk.office import CardOffice, IssuedCard
from kiosk.operators import PinCost
from kiosk.policy import Policy
from kiosk.serial import new_community_id
from tests.memory_store import MemoryStore

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.date(2026, 2, 10)  # the community's first day: quota windows count from here
NAME = "幸福里"
CHEAP_PIN_COST = PinCost(n=2**4, r=1, p=1)  # microseconds, where a gate pays 0.4 s


def local(day: int, hour: int = 9, minute: int = 0, second: int = 0, month: int = 2) -> dt.datetime:
    """A moment of February 2026 in the community's time zone."""
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=SHANGHAI)


@dataclasses.dataclass
class Community:
    store: Any                   # tests.memory_store.MemoryStore or data.store.SqliteStore
    clock: FixedClock
    service: CheckpointService
    office: CardOffice
    gate: Gate | None = None     # the real composition, for a community on disk
    households: list[Household] = dataclasses.field(default_factory=list)
    cards: dict[str, IssuedCard] = dataclasses.field(default_factory=dict)  # by the test's name

    # -- building it -------------------------------------------------------------------

    def add(self, *households: Household) -> Community:
        self.store.add_households(households, self.clock.now())
        self.households.extend(households)
        return self

    def issue(self, household: Household | str, kind: CardKind, holder: str = "",
              name: str | None = None, **kw) -> IssuedCard:
        """A new card (kw: valid_from, valid_to, by); kept in `cards` under `name`, if given."""
        household_id = household if isinstance(household, str) else household.id
        issued = self.office.issue(household_id, kind, holder, **kw)
        if name is not None:
            self.cards[name] = issued
        return issued

    def new_household(self, room: str) -> Household:
        household = Household(f"H{room:0>6}", "1", "1", room)
        self.add(household)
        return household

    # -- using it ----------------------------------------------------------------------

    @property
    def household(self) -> Household:
        return self.households[0]

    @property
    def life(self) -> IssuedCard:
        return self.cards["life"]

    @property
    def work(self) -> IssuedCard:
        return self.cards["work"]

    @property
    def special(self) -> IssuedCard:
        return self.cards["special"]

    @property
    def path(self) -> Path:
        return self.gate.path

    def at(self, when: dt.datetime) -> Community:
        self.clock.set(when)
        return self

    def scan(self, card: IssuedCard | str, direction: str, temp=None, reason=None, **kw) -> Verdict:
        payload = card if isinstance(card, str) else card.payload
        return self.service.scan(payload, direction, temp, reason, **kw)

    def set(self, key: str, value: str) -> None:
        self.store.set_setting(key, value)

    def policy(self) -> Policy:
        return Policy(self.store.settings())

    def status(self, date: dt.date | None = None) -> dict[str, int]:
        today = self.clock.now().astimezone(self.policy().timezone).date()
        return self.store.status(date or today)

    def close(self) -> None:
        if self.gate is not None:
            self.gate.close()


def in_memory(clock: FixedClock | None = None, name: str = NAME, start: dt.date = START,
              households: Iterable[Household] = ()) -> Community:
    """A community on the in-memory store, with its own signing key."""
    clock = clock or FixedClock(local(10, 8))
    key = codec.new_signing_key()
    public = key.public_key()
    store = MemoryStore(name, new_community_id(), codec.key_id(public), codec.public_key_text(public),
                        {"timezone": "Asia/Shanghai", "quota.start_date": start.isoformat()})
    built = Community(store, clock, CheckpointService(store, clock), CardOffice(store, clock, key))
    return built.add(*households)


def on_disk(path: str | Path, clock: FixedClock | None = None, name: str = NAME,
            start: dt.date | None = START, households: Iterable[Household] = (),
            pin_cost: PinCost = CHEAP_PIN_COST, lang: str = "zh") -> Community:
    """A community on a real database file, through kiosk.app.init_community."""
    clock = clock or FixedClock(local(10, 8))
    gate = init_community(path, name, start_date=start, clock=clock, pin_cost=pin_cost, lang=lang)
    built = Community(gate.store, clock, gate.service, gate.office(), gate)
    return built.add(*households)


def resident_world(built: Community) -> Community:
    """The domain tests' community: flat 3-2-301 (张三, 3 people) with a life card (张三), a
    work card (李四) and a special card (王五) valid for the first week."""
    built.add(Household("H000301", "3", "2", "301", "张三", "13800000000", 3))
    built.issue(built.household, CardKind.LIFE, "张三", name="life")
    built.issue(built.household, CardKind.WORK, "李四", name="work")
    built.issue(built.household, CardKind.SPECIAL, "王五", name="special",
                valid_to=START + dt.timedelta(days=6))
    return built
