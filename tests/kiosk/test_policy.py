"""The settings' one declaration: defaults, ranges, refusals."""
from __future__ import annotations

import datetime as dt

import pytest

from kiosk.policy import BY_KEY, SETTINGS, Policy, SettingError, canonical


def test_defaults_are_those_of_the_design():
    p = Policy({"quota.start_date": "2026-02-10"})
    assert (p.quota_mode, p.window_days, p.life_exits) == ("calendar", 2, 1)
    assert (p.work_exits, p.work_hours) == (1, (dt.time(5), dt.time(22)))
    assert (p.repeat_guard_s, p.fever_c, p.retest_wait_s, p.retest_window_s) == (10, 37.3, 300, 1800)
    assert p.daily_reset is None and not p.exit_temperature_required
    assert str(p.timezone) == "Asia/Shanghai"


@pytest.mark.parametrize(("key", "typed", "stored"), [
    ("quota.window_days", " 3 ", "3"),
    ("quota.mode", "Rolling", "rolling"),
    ("temperature.fever_c", "37.25", "37.2"),
    ("work.hours", "6:00-21:30", "06:00-21:30"),
    ("antipassback.daily_reset", "3:00", "03:00"),
    ("antipassback.daily_reset", "OFF", "off"),
    ("timezone", "Europe/Berlin", "Europe/Berlin"),
    ("quota.start_date", "2026-02-10", "2026-02-10"),
])
def test_values_are_stored_in_canonical_form(key, typed, stored):
    assert canonical(key, typed) == stored


@pytest.mark.parametrize(("key", "typed"), [
    ("quota.window_days", "0"), ("quota.window_days", "two"), ("quota.mode", "weekly"),
    ("temperature.fever_c", "40"), ("work.hours", "22:00-05:00"), ("work.hours", "all day"),
    ("antipassback.daily_reset", "25:00"), ("timezone", "Mars/Olympus"),
    ("quota.start_date", "10/02/2026"), ("no.such.key", "1"),
])
def test_bad_values_are_refused_with_the_range(key, typed):
    with pytest.raises(SettingError) as refused:
        canonical(key, typed)
    assert key in str(refused.value) or "unknown setting" in str(refused.value)


def test_every_setting_is_described_in_both_languages():
    for s in SETTINGS:
        assert s.help_zh and s.help_en and BY_KEY[s.key] is s
        if s.default:  # an empty default means "set at init" (start date) or "none" (sync url)
            assert canonical(s.key, s.default) == s.default
