"""The domain's plain values: households, cards, verdicts and events.

Nothing here does I/O. A verdict is what the volunteer is shown; an event is what is
kept. Both are immutable; the UI only displays them.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import types
from collections.abc import Mapping
from typing import Any

# 复姓: the two-character surnames a holder's initial keeps whole (欧阳明 → 欧阳, not 欧), so
# the delivery volunteer knocking at 3-2-101 asks for the right family.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 轩辕 端木 西门 独孤 南宫"
    " 百里 呼延 钟离 闻人 万俟 澹台 公羊 太史 申屠 濮阳 赫连 东郭 第五 左丘 淳于 单于 仲孙 叔孙"
    " 拓跋 谷梁 宰父 夹谷 巫马 公西 漆雕 乐正 壤驷 公良 司空 亓官 司寇 段干 闾丘 子车 颛孙 羊舌".split())


def holder_initial(name: str | None) -> str:
    """A holder's surname as screens and lists show it: the first character, or a compound
    surname whole (the one definition: the gate screen, the admin screens, the lead's sheet)."""
    name = (name or "").strip()
    return name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]


class CardKind(enum.StrEnum):
    LIFE = "life"        # 生活卡: one per household
    WORK = "work"        # 工作卡: one per commuter
    SPECIAL = "special"  # 特殊卡: medical and other needs


class Direction(enum.StrEnum):
    OUT = "out"
    IN = "in"


class Decision(enum.StrEnum):
    ALLOW = "allow"
    DENY = "deny"
    RETEST = "retest"


class CardStatus(enum.StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"
    SUSPENDED = "suspended"


class ExitReason(enum.StrEnum):
    """Why a special card goes out (DESIGN.md section 3)."""

    MEDICAL = "medical"
    FUNERAL = "funeral"
    VOLUNTEER = "volunteer"
    OTHER = "other"


# Reason codes, in the order of the checks of DESIGN.md section 3.
REASONS = (
    "not_a_card",
    "wrong_community",
    "bad_signature",
    "unknown_card",
    "revoked",
    "suspended",
    "expired",
    "not_yet_valid",
    "temperature_required",
    "temperature_implausible",
    "temperature_unit",
    "temperature_low",
    "fever_retest",
    "retest_too_soon",
    "fever_confirmed",
    "mask_unconfirmed",
    "mask_missing",
    "mask_required",
    "already_out",
    "quota_used",
    "work_quota_used",
    "outside_hours",
    "reason_required",
    "ok",
)
WARNINGS = ("entry_without_exit",)

# Denials a building lead may override with a written reason: the rules about *when* a
# known, valid card may pass. Never who the card is (forged, revoked, unknown), nor a
# temperature (measure again), nor a confirmed fever (the observation point decides).
OVERRIDABLE = frozenset({"already_out", "quota_used", "work_quota_used", "outside_hours",
                         "expired", "not_yet_valid"})

# Volunteer slips (DESIGN.md "Slips are not denials"): a reading to take again or a reason
# to pick. They are recorded as `deny` with their reason (the CLI contract), but the gate
# shows them as "action needed" and reports count them apart from the rules' denials. A
# mistyped serial (a typed `not_a_card`) is a slip too: see `is_slip`.
SLIP_REASONS = frozenset({"temperature_required", "temperature_implausible", "temperature_unit",
                          "temperature_low", "reason_required",
                          # the mask check's answer not tapped, or "no" where the
                          # community keeps it a slip (mask.rule = slip): a mask is handed out
                          "mask_unconfirmed", "mask_missing"})


# Where a scan's payload comes from (DESIGN.md section 7, and the CLI).
SOURCES = ("camera", "wedge", "typed", "cli")


# Slips of a typed card number only: a scanned code that is no card is not a typo.
TYPED_SLIP_REASONS = frozenset({"not_a_card"})


def is_slip(reason: str, source: str = "") -> bool:
    """Is a denial with this reason, from this input (camera, wedge, typed, cli), a slip?

    The one rule: data.store_log.slip_sql is its SQL form, built from the same two sets."""
    return reason in SLIP_REASONS or (source == "typed" and reason in TYPED_SLIP_REASONS)


@dataclasses.dataclass(frozen=True)
class Household:
    id: str
    building: str
    unit: str
    room: str
    head: str = ""
    phone: str = ""
    members: int = 1

    @property
    def flat(self) -> str:
        """Building-unit-room, as written on a door and on the gate screen."""
        return f"{self.building}-{self.unit}-{self.room}"


@dataclasses.dataclass(frozen=True)
class Card:
    serial: str          # the human serial with its check character, e.g. "7K3Q-9AD"
    household_id: str
    kind: CardKind
    generation: int
    valid_from: dt.date
    valid_to: dt.date
    status: CardStatus = CardStatus.ACTIVE
    holder: str = ""
    # A re-issued card is a new card: the lost one is revoked and names its replacement;
    # both share the lineage (the first card's serial), which a work card's daily exits
    # are counted by.
    replaced_by: str | None = None
    lineage: str = ""

    @property
    def line(self) -> str:
        """The lineage: the serial of the first card of this holder's line of re-issues."""
        return self.lineage or self.serial

    @property
    def holder_initial(self) -> str:
        """Privacy (DESIGN.md section 8): the gate screen shows only the surname's first
        character, or a compound surname whole (holder_initial)."""
        return holder_initial(self.holder)


@dataclasses.dataclass(frozen=True)
class Quota:
    used: int
    limit: int
    window_start: str  # local ISO date, or date-time with offset (rolling mode)
    window_end: str
    next_exit: str | None  # when the next exit is possible; None if it is possible now


@dataclasses.dataclass(frozen=True)
class Readings:
    first: float | None = None
    second: float | None = None


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The answer to one scan, as the volunteer sees it and `kiosk scan` prints it.

    Language-free: `reason` and `fields` (plain values: ISO dates, numbers, "HH:MM-HH:MM"
    hours, a name) are what its sentence needs; kiosk.messages.verdict_text renders it in
    the language of whoever reads it (the CLI's --lang, the gate screen's language now).
    """

    decision: Decision
    reason: str
    fields: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    duplicate: bool = False
    event_id: str | None = None
    card: Card | None = None
    household: Household | None = None
    quota: Quota | None = None
    temperature: Readings | None = None
    direction: Direction | None = None
    at: dt.datetime | None = None  # local time of the scan, with offset
    override_of: str | None = None  # the denied event a lead's override let through
    mask: str | None = None  # the mask answer given with the scan, if any
    source: str = ""  # where the payload came from: camera, wedge, typed, cli ("" unknown)

    def __post_init__(self) -> None:
        # Immutable like the rest of the verdict: a screen cannot change what was decided.
        object.__setattr__(self, "fields", types.MappingProxyType(dict(self.fields)))

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOW

    @property
    def slip(self) -> bool:
        """A volunteer's slip to put right, not a rule's denial (see SLIP_REASONS)."""
        return self.decision is Decision.DENY and is_slip(self.reason, self.source)

    @property
    def overridable(self) -> bool:
        """May a lead let this person through (the gate screen offers the button)?"""
        return (self.decision is Decision.DENY and self.reason in OVERRIDABLE
                and self.event_id is not None)

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        """The verdict JSON of DESIGN.md section 5, its `message` rendered in `lang`."""
        from kiosk.messages import verdict_text  # the words depend on the model, not back

        out = self.record()
        del out["fields"]
        return {"decision": out.pop("decision"), "reason": out.pop("reason"),
                "message": verdict_text(self, lang), **out}

    def record(self) -> dict[str, Any]:
        """What an event keeps to show this verdict again: the JSON without a sentence,
        with the sentence's `fields` (rendered again in the language of the screen then)."""
        out: dict[str, Any] = {
            "decision": self.decision.value,
            "reason": self.reason,
            "fields": dict(self.fields),
            "warnings": list(self.warnings),
            "duplicate": self.duplicate,
            "event_id": self.event_id,
            "card": None,
            "household": None,
        }
        if self.card:
            out["card"] = {
                "serial": self.card.serial,
                "kind": self.card.kind.value,
                "generation": self.card.generation,
            }
        if self.household:
            h = self.household
            out["household"] = {"id": h.id, "building": h.building, "unit": h.unit,
                                "room": h.room}
        if self.quota:
            q = self.quota
            out["quota"] = {"used": q.used, "limit": q.limit, "window_start": q.window_start,
                            "window_end": q.window_end, "next_exit": q.next_exit}
        if self.temperature:
            out["temperature"] = {"first": self.temperature.first, "second": self.temperature.second}
        if self.mask is not None:  # only when one was given: the JSON stays as it was without
            out["mask"] = self.mask
        return out


@dataclasses.dataclass(frozen=True)
class Event:
    """One recorded scan: immutable once written. Corrections are new events."""

    id: str
    device_id: str
    at_utc: dt.datetime
    at_local: dt.datetime
    direction: Direction
    decision: Decision
    reason: str
    warnings: tuple[str, ...]
    serial: str | None
    generation: int | None
    household_id: str | None
    kind: CardKind | None
    temp_first: float | None
    temp_second: float | None
    exit_reason: str | None
    operator: str
    override_of: str | None = None   # the denied event an override lets through
    override_reason: str | None = None
    payload_digest: str | None = None  # sha256 of what was scanned (never the raw text of a non-card)
    # The verdict as recorded (Verdict.record(); events before h-words hold a "message"
    # instead of "fields"): the repeat guard shows it again.
    verdict: dict[str, Any] | None = None
    device_seq: int = 0  # assigned by the store when the event is appended
    # The mask answer (yes / no / exempt, kiosk.reports.MASK_ANSWERS), where one was given
    #. Kept in the verdict's JSON too, which the chain and the signature cover.
    mask: str | None = None
    # Where the payload came from (SOURCES; "" for events recorded before the source was kept): a typed
    # not_a_card is a slip, a scanned one is not (is_slip). Not part of the signed content.
    source: str = ""


@dataclasses.dataclass(frozen=True)
class LogFilter:
    """Which events of the day's log a screen or an export shows."""

    day: dt.date
    buildings: tuple[str, ...] | None = None  # None: every building (admins)
    direction: str | None = None               # "in" / "out"
    decision: str | None = None                # "allow" / "deny" (the rules' only) / "slip" / "retest"
