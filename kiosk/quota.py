"""The life-card quota's window arithmetic, once (DESIGN.md section 3).

The checkpoint asks "may this household go out now?" and the sync, after merging every
gate's exits, asks "which exits went beyond the quota?". Both answers come from the same
two functions here, so the two can never disagree (tests/kiosk/test_quota_windows.py
proves it on random histories).

Pure: no clock, no storage. Times are aware datetimes; local dates are counted in the
rule's time zone.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import zoneinfo
from collections.abc import Iterable, Sequence

from kiosk.policy import Policy


@dataclasses.dataclass(frozen=True)
class QuotaRule:
    mode: str               # "calendar" or "rolling"
    window_days: int
    limit: int              # allowed exits per window
    start_date: dt.date     # calendar windows are counted from this local day
    tz: zoneinfo.ZoneInfo

    @classmethod
    def life(cls, policy: Policy) -> QuotaRule:
        """The life-card rule of a kiosk.policy.Policy."""
        return cls(policy.quota_mode, policy.window_days, policy.life_exits, policy.quota_start,
                   policy.timezone)


@dataclasses.dataclass(frozen=True)
class Window:
    """The window an exit at one moment falls in: [start_utc, end_utc) bounds the exits
    that may count; `first_day`/`last_day` name a calendar window, `since`/`until` a
    rolling one (local, with offset)."""

    start_utc: dt.datetime
    end_utc: dt.datetime
    first_day: dt.date | None = None
    last_day: dt.date | None = None


@functools.lru_cache(maxsize=256)  # a scan asks for its own moment's window four times
def window_at(rule: QuotaRule, at: dt.datetime) -> Window:
    """The window that an exit at `at` is counted in."""
    if rule.mode == "rolling":
        return Window(at.astimezone(dt.UTC) - dt.timedelta(days=rule.window_days), at.astimezone(dt.UTC))
    day = at.astimezone(rule.tz).date()
    index = (day - rule.start_date).days // rule.window_days
    first = rule.start_date + dt.timedelta(days=index * rule.window_days)
    last = first + dt.timedelta(days=rule.window_days - 1)
    start = dt.datetime.combine(first, dt.time(), rule.tz).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), rule.tz).astimezone(dt.UTC)
    return Window(start, end, first, last)


def counted(rule: QuotaRule, exits: Iterable[dt.datetime], at: dt.datetime) -> list[dt.datetime]:
    """The exits, among `exits`, that count against one more exit at `at`, oldest first.

    Calendar: every exit in the same window (a later one too: a backdated scan must not
    slip in under a window that is already full). Rolling: the exits strictly inside the
    `window_days` × 24 h before `at`, up to `at` itself; at 48 h to the second an exit has
    lapsed, which is the moment `next_exit` promised.
    """
    window = window_at(rule, at)
    at_utc = at.astimezone(dt.UTC)
    if rule.mode == "rolling":
        return sorted(e for e in exits if window.start_utc < e.astimezone(dt.UTC) <= at_utc)
    return sorted(e for e in exits if window.start_utc <= e.astimezone(dt.UTC) < window.end_utc)


def allows(rule: QuotaRule, exits: Iterable[dt.datetime], at: dt.datetime) -> bool:
    """May one more exit happen at `at`, given these earlier allowed exits?"""
    return len(counted(rule, exits, at)) < rule.limit


def next_exit(rule: QuotaRule, used: Sequence[dt.datetime], at: dt.datetime) -> str | None:
    """When the next exit is possible (a local ISO date, or a date-time with offset in
    rolling mode), given the exits `used` that count at `at` (this one included when it
    was just allowed); None while the quota has room."""
    if len(used) < rule.limit:
        return None
    if rule.mode == "rolling":
        lapse = used[len(used) - rule.limit] + dt.timedelta(days=rule.window_days)
        return lapse.astimezone(rule.tz).isoformat(timespec="seconds")
    last_day = window_at(rule, at).last_day
    assert last_day is not None, "a calendar window names its last day"
    return (last_day + dt.timedelta(days=1)).isoformat()


def beyond_quota(rule: QuotaRule, exits: Sequence[tuple[str, dt.datetime, bool]]) -> list[str]:
    """The ids of the exits that went beyond the quota, oldest first.

    `exits` are (event id, time, overridden) of one household from any gate. Walking them
    in time order, an exit is beyond the quota exactly when `allows` would have refused it
    given the exits before it: what a single gate that had seen them all would have
    decided. An override is counted but is no breach: a lead decided it.
    """
    ordered = sorted(exits, key=lambda e: (e[1].astimezone(dt.UTC), e[0]))
    over = []
    for i, (event_id, at, overridden) in enumerate(ordered):
        if not overridden and not allows(rule, [e[1] for e in ordered[:i]], at):
            over.append(event_id)
    return over
