"""The gate's settings, declared once (DESIGN.md section 3).

Each setting has a type, a default, a range or a set of choices, and a description in
both languages. The CLI (`kiosk policy show/set`), the settings screen and the docs read
this one table; the values themselves live in the database.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Callable, Mapping
from typing import Any

from kiosk.errors import BadInput


class SettingError(BadInput):
    """A setting name or value was refused; `str()` says which range it must be in."""

    def __init__(self, detail: str):
        super().__init__("bad_setting", error=detail)
        self.args = (detail,)


def _time_range(text: str) -> tuple[dt.time, dt.time]:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})", text.strip())
    if not m:
        raise ValueError(text)
    h1, m1, h2, m2 = map(int, m.groups())
    start, end = dt.time(h1, m1), dt.time(h2, m2)
    if start >= end:
        raise ValueError(text)
    return start, end


def _clock_time_or_off(text: str) -> str:
    text = text.strip().lower()
    if text == "off":
        return text
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not m:
        raise ValueError(text)
    return dt.time(int(m.group(1)), int(m.group(2))).strftime("%H:%M")


def _timezone(text: str) -> str:
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(text) from None
    return text


def _date(text: str) -> str:
    return dt.date.fromisoformat(text.strip()).isoformat()


def _sync_url(text: str) -> str:
    """An office URL, or empty for none; never a password (settings are shown by policy show)."""
    text = text.strip()
    if text and not text.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise ValueError(text)
    if "@" in text and ":" in text.split("@", 1)[0].split("//", 1)[-1]:
        raise ValueError(text.split("//", 1)[0] + "//…")  # the refusal never echoes the password
    if "password=" in text.lower():
        raise ValueError(text.split("?", 1)[0] + "?…")
    return text


def _time_range_text(text: str) -> str:
    start, end = _time_range(text)
    return f"{start:%H:%M}-{end:%H:%M}"


@dataclasses.dataclass(frozen=True)
class Setting:
    key: str
    kind: str  # int, float, choice, text: what the settings screen draws
    default: str
    help_zh: str
    help_en: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    parse_text: Callable[[str], str] | None = None  # for free-form kinds: validate, canonicalise

    def help(self, lang: str) -> str:
        """The setting's meaning in `lang`: declared with it, in both languages (STYLE.md 8)."""
        return self.help_zh if lang == "zh" else self.help_en

    def canonical(self, text: str) -> str:
        """The stored form of `text`, or SettingError with a message naming the range."""
        text = str(text).strip()
        try:
            if self.kind == "int":
                value: float = int(text)
            elif self.kind == "float":
                value = round(float(text), 1)
            elif self.kind == "choice":
                if text.lower() not in self.choices:
                    raise ValueError(text)
                return text.lower()
            else:
                return self.parse_text(text) if self.parse_text else text
        except ValueError:
            raise SettingError(self.describe_range()) from None
        if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum):
            raise SettingError(self.describe_range())
        return str(value)

    def describe_range(self) -> str:
        if self.choices:
            return f"{self.key}: one of {', '.join(self.choices)}"
        if self.minimum is not None:
            return f"{self.key}: a number from {self.minimum:g} to {self.maximum:g}"
        return f"{self.key}: for example {self.default}"


SETTINGS: tuple[Setting, ...] = (
    Setting("timezone", "text", "Asia/Shanghai", "社区所在时区（本地日期按此计算）",
            "the community's time zone: local dates are counted in it", parse_text=_timezone),
    Setting("quota.mode", "choice", "calendar", "生活卡配额方式：calendar 按固定周期，rolling 按滚动时间",
            "life-card quota: calendar windows, or a rolling window", choices=("calendar", "rolling")),
    Setting("quota.window_days", "int", "2", "每个配额周期的天数", "days in one quota window",
            minimum=1, maximum=31),
    Setting("quota.start_date", "text", "", "配额周期起算日（社区初始化当天）",
            "the day quota windows are counted from (the day of init)", parse_text=_date),
    Setting("life.exits_per_window", "int", "1", "每户每个周期可外出次数",
            "allowed exits per household per window", minimum=1, maximum=20),
    Setting("work.exits_per_day", "int", "1", "工作卡每天可外出次数", "work-card exits per local day",
            minimum=1, maximum=10),
    Setting("work.hours", "text", "05:00-22:00", "工作卡可外出时段", "hours in which work cards may go out",
            parse_text=_time_range_text),
    Setting("special.reasons", "text", "medical,funeral,volunteer,other",
            "特殊卡外出事由（逗号分隔）", "reasons a special card may give for an exit",
            parse_text=lambda t: ",".join(p.strip().lower() for p in t.split(",") if p.strip())),
    Setting("scan.repeat_guard_s", "int", "10", "同一张卡同方向在此秒数内重复扫描只算一次",
            "seconds in which the same card, same direction, counts once", minimum=0, maximum=300),
    Setting("antipassback.daily_reset", "text", "off", "每天此时刻把所有卡置为“在内”（off 为不重置）",
            "time of day at which every card is set 'in' (off: never)", parse_text=_clock_time_or_off),
    Setting("temperature.fever_c", "float", "37.3", "发热阈值（℃），达到即复测",
            "fever threshold in °C: at or above, a retest", minimum=37.0, maximum=39.0),
    Setting("temperature.retest_wait_s", "int", "300", "发热后需休息多少秒才能复测",
            "seconds of rest before the retest", minimum=0, maximum=3600),
    Setting("temperature.retest_window_s", "int", "1800", "复测须在首测后多少秒内完成",
            "seconds after the first reading in which a retest counts", minimum=60, maximum=86400),
    Setting("temperature.on_exit", "choice", "optional", "外出时是否必须测温",
            "is a reading required on exit", choices=("optional", "required")),
    Setting("sync.url", "text", "",
            "社区办公室数据库地址：sqlite:///路径 或 postgresql://用户@主机/库"
            "（空为不同步；密码由 kiosk gate enroll 存入数据库旁的 .pgpass 文件）",
            "the community office to sync with: sqlite:///path or postgresql://user@host/db (empty: no "
            "sync; the password is kept by kiosk gate enroll in the .pgpass file beside the "
            "database)", parse_text=_sync_url),
    Setting("sync.interval_s", "int", "300", "后台同步间隔（秒）", "seconds between background syncs",
            minimum=60, maximum=86400),
    # issue 17: the mask check
    Setting("mask.check", "choice", "off", "每次通行是否确认佩戴口罩（on 为在门岗屏幕上点选 戴了/没戴/免戴）",
            "does each passage take a mask confirmation (on: yes / no / exempt on the gate screen)",
            choices=("off", "on")),
    Setting("mask.rule", "choice", "slip",
            "未戴口罩的处理：slip 为待处理（发放口罩后重新扫码），deny 为按规定禁止通行",
            "no mask: slip (action needed: hand out a mask, scan again), or deny (a rule's denial)",
            choices=("slip", "deny")),
    # issue 15: the lead's sheet lists the households not out for this many days
    Setting("lead.not_out_days", "int", "4", "楼栋长日报列出连续多少天未外出的住户（供送菜志愿者上门）",
            "the lead's sheet lists households not out for this many days (for the delivery volunteers)",
            minimum=1, maximum=60),
    # issue 11: a deny left on screen met the next residents; it clears by itself.
    Setting("gate.deny_clear_s", "int", "30",
            "拒绝（及需处理）的结果在闸机屏幕上保留多少秒（0 为点一下才清除）",
            "seconds a deny (or an action needed) stays on the gate screen (0: until tapped)",
            minimum=0, maximum=600),
)
BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}


_once = functools.cached_property  # a value parsed at its first use, then kept


class Policy:
    """Typed read access to the settings, from their stored text.

    A Policy does not change once made (the checkpoint makes a new one when a setting
    does), so each value is parsed once, at its first use: a scan reads a dozen of them."""

    def __init__(self, stored: Mapping[str, str]):
        self._values = {s.key: stored.get(s.key) or s.default for s in SETTINGS}

    def text(self, key: str) -> str:
        return self._values[key]

    def as_dict(self) -> dict[str, str]:
        return dict(self._values)

    def _int(self, key: str) -> int:
        return int(self._values[key])

    timezone = _once(lambda self: zoneinfo.ZoneInfo(self._values["timezone"]))
    quota_mode = _once(lambda self: self._values["quota.mode"])
    window_days = _once(lambda self: self._int("quota.window_days"))
    life_exits = _once(lambda self: self._int("life.exits_per_window"))
    work_exits = _once(lambda self: self._int("work.exits_per_day"))
    work_hours = _once(lambda self: _time_range(self._values["work.hours"]))
    special_reasons = _once(lambda self: tuple(self._values["special.reasons"].split(",")))
    repeat_guard_s = _once(lambda self: self._int("scan.repeat_guard_s"))
    fever_c = _once(lambda self: float(self._values["temperature.fever_c"]))
    retest_wait_s = _once(lambda self: self._int("temperature.retest_wait_s"))
    retest_window_s = _once(lambda self: self._int("temperature.retest_window_s"))
    not_out_days = _once(lambda self: self._int("lead.not_out_days"))
    deny_clear_s = _once(lambda self: self._int("gate.deny_clear_s"))
    exit_temperature_required = _once(lambda self: self._values["temperature.on_exit"] == "required")
    mask_check = _once(lambda self: self._values["mask.check"] == "on")
    mask_denies = _once(lambda self: self._values["mask.rule"] == "deny")

    @functools.cached_property
    def quota_start(self) -> dt.date:
        return dt.date.fromisoformat(self._values["quota.start_date"])

    @functools.cached_property
    def daily_reset(self) -> dt.time | None:
        value = self._values["antipassback.daily_reset"]
        return None if value == "off" else dt.time.fromisoformat(value)


def canonical(key: str, value: Any) -> str:
    """Validate one setting; SettingError for an unknown key or a value out of range."""
    setting = BY_KEY.get(key)
    if setting is None:
        raise SettingError(f"unknown setting {key!r}; known: {', '.join(BY_KEY)}")
    return setting.canonical(str(value))
