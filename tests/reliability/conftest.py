"""The reliability tests' community, and the figures they report.

Every test that tries many inputs adds its counts to FIGURES (`figures.add(...)`); the
terminal summary prints them at the end of the run, and $GATEPOST_FIGURES (a path) gets
them as JSON for scripts/reliability.sh and docs/reliability.md.

$GATEPOST_RELIABILITY_SCALE (default 1) multiplies the kills and inputs: CI runs the
default, scripts/reliability.sh a bigger run for the published figures.
"""
from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import json
import os
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.app import Gate
from kiosk.clock import Clock, FixedClock
from kiosk.model import CardKind, Household
from kiosk.office import IssuedCard
from tests.community import on_disk

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.date(2026, 2, 10)
SCALE = max(1, int(os.environ.get("GATEPOST_RELIABILITY_SCALE", "1")))

# Personal data the tests plant in the roster, and then look for where it must not be.
HEADS = ("张秀英", "王建国", "李桂兰", "刘德明")
PHONES = ("13911112222", "13822223333", "13733334444", "13644445555")

FIGURES: collections.Counter[str] = collections.Counter()


class Figures:
    def add(self, name: str, count: int = 1) -> None:
        FIGURES[name] += count


@pytest.fixture(scope="session")
def figures() -> Figures:
    return Figures()


def local(day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 2, day, hour, minute, tzinfo=SHANGHAI)


@dataclasses.dataclass
class Community:
    gate: Gate
    clock: FixedClock
    households: list[Household]
    life: list[IssuedCard]
    work: IssuedCard

    @property
    def path(self) -> Path:
        return self.gate.path


def build_community(path: Path, clock: Clock) -> Community:
    """Four households (names and phones planted), a life card each, one work card."""
    households = [Household(f"H00010{i}", "1", "1", f"10{i}", HEADS[i], PHONES[i], 2) for i in range(4)]
    built = on_disk(path, clock, households=households)
    life = [built.issue(h, CardKind.LIFE, HEADS[i]) for i, h in enumerate(households)]
    return Community(built.gate, clock, households, life, built.issue(households[0], CardKind.WORK, "王小明"))


@pytest.fixture
def community(tmp_path) -> Community:
    clock = FixedClock(local(10, 8))
    built = build_community(tmp_path / "gate.db", clock)
    yield built
    built.gate.close()


def tamper(path: Path, sql: str, params=()) -> None:
    """What an attacker with the file does: drop the append-only triggers, edit, put them back."""
    conn = sqlite3.connect(str(path))
    try:
        triggers = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'"
                                " AND tbl_name = 'events'").fetchall()
        conn.execute("DROP TRIGGER events_append_only")
        conn.execute("DROP TRIGGER events_no_delete")
        conn.execute(sql, params)
        for (create,) in triggers:
            conn.execute(create)
        conn.commit()
    finally:
        conn.close()


def pytest_terminal_summary(terminalreporter) -> None:
    if not FIGURES:
        return
    terminalreporter.section("reliability figures")
    for name, count in sorted(FIGURES.items()):
        terminalreporter.write_line(f"{name:<58} {count:>9,}")
    out = os.environ.get("GATEPOST_FIGURES")
    if out:
        Path(out).write_text(json.dumps(dict(sorted(FIGURES.items())), ensure_ascii=False, indent=1))
