"""The quota's window arithmetic (kiosk/quota.py): the checkpoint that decides an exit and
the breach check that the sync runs over every gate's exits can never disagree."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk import quota
from kiosk.quota import QuotaRule
from tests.community import START, local

SHANGHAI = ZoneInfo("Asia/Shanghai")
BASE = dt.datetime(2026, 2, 10, 0, 0, tzinfo=SHANGHAI)

rules = st.builds(QuotaRule, mode=st.sampled_from(["calendar", "rolling"]),
                  window_days=st.integers(1, 4), limit=st.integers(1, 3),
                  start_date=st.just(START), tz=st.just(SHANGHAI))
# Attempts over ten days, to the minute: windows, their edges and busy days all occur.
moments = st.lists(st.integers(0, 10 * 24 * 60), min_size=1, max_size=25).map(
    lambda minutes: sorted(BASE + dt.timedelta(minutes=m) for m in minutes))


def one_gate(rule: QuotaRule, attempts: list[dt.datetime]) -> list[dt.datetime]:
    """The exits a single gate allows, deciding each attempt with `allows`."""
    allowed: list[dt.datetime] = []
    for at in attempts:
        if quota.allows(rule, allowed, at):
            allowed.append(at)
    return allowed


@given(rule=rules, attempts=moments)
def test_what_one_gate_allows_is_never_a_breach(rule, attempts):
    allowed = one_gate(rule, attempts)
    assert quota.beyond_quota(rule, [(str(i), at, False) for i, at in enumerate(allowed)]) == []


@given(rule=rules, north=moments, south=moments)
def test_a_breach_is_exactly_an_exit_one_gate_that_saw_all_would_have_refused(rule, north, south):
    merged = sorted([(f"n{i}", at) for i, at in enumerate(one_gate(rule, north))]
                    + [(f"s{i}", at) for i, at in enumerate(one_gate(rule, south))],
                    key=lambda e: (e[1], e[0]))
    over = quota.beyond_quota(rule, [(i, at, False) for i, at in merged])
    expected = [i for n, (i, at) in enumerate(merged)
                if not quota.allows(rule, [a for _, a in merged[:n]], at)]
    assert over == expected
    assert len(merged) - len(over) >= min(len(one_gate(rule, north)), 1)


def test_an_override_is_counted_but_is_no_breach():
    rule = QuotaRule("calendar", 2, 1, START, SHANGHAI)
    exits = [("a", local(10, 8), False), ("b", local(10, 12), True), ("c", local(11, 9), False)]
    assert quota.beyond_quota(rule, exits) == ["c"]


@pytest.mark.parametrize(("mode", "at", "first_day", "last_day"), [
    ("calendar", local(10, 0, 0), "2026-02-10", "2026-02-11"),
    ("calendar", local(11, 23, 59), "2026-02-10", "2026-02-11"),
    ("calendar", local(12, 0, 0), "2026-02-12", "2026-02-13"),
])
def test_calendar_windows_are_blocks_of_local_days_from_the_start_date(mode, at, first_day, last_day):
    window = quota.window_at(QuotaRule(mode, 2, 1, START, SHANGHAI), at)
    assert (window.first_day.isoformat(), window.last_day.isoformat()) == (first_day, last_day)


def test_a_rolling_exit_lapses_at_the_window_to_the_second():
    rule = QuotaRule("rolling", 2, 1, START, SHANGHAI)
    first = local(10, 8)
    assert not quota.allows(rule, [first], first + dt.timedelta(days=2, seconds=-1))
    assert quota.allows(rule, [first], first + dt.timedelta(days=2))
    assert quota.next_exit(rule, [first], first) == "2026-02-12T08:00:00+08:00"

# The checkpoint against the store's breach check, on both stores:
# tests/data/test_store_contract.py::test_the_checkpoint_and_the_breach_check_agree_on_both_stores
