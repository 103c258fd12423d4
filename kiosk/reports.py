"""The gate's own reports (issue 17): what the volunteer sees that no card tells.

An outsider without a card refused at the gate, a resident with symptoms but no fever,
someone refusing a reading, a crowd, a parcel left at the gate for a flat, anything else.
A report is a plain value: its kind, the operator on duty, the time, an optional flat and
a few words. Nothing personal about an outsider is asked or kept: a count, the time, a
free-text note at most. A "collected" report closes a delivery; reports are never changed.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
import uuid

from kiosk.errors import BadInput

# The categories, in the order the report dialog shows them (the first one has its own
# one-tap button).
OUTSIDER, DELIVERY, COLLECTED = "outsider_refused", "delivery", "collected"
REPORT_KINDS = (OUTSIDER, "symptoms", "refused_reading", "crowding", DELIVERY, "other")
NOTE_MAX = 120   # a few words, not a statement: a note never holds a whole record of someone
COUNT_MAX = 50   # outsiders turned away at once (a family, a van): more is a crowd report

# The mask answers a passage may carry (setting mask.check): worn, not worn, exempt
# (a small child, a medical reason).
MASK_ANSWERS = ("yes", "no", "exempt")


@dataclasses.dataclass(frozen=True)
class Flat:
    building: str
    unit: str
    room: str

    @property
    def text(self) -> str:
        return f"{self.building}-{self.unit}-{self.room}"


@dataclasses.dataclass(frozen=True)
class GateReport:
    """One report, as kept (data/store_reports.py) and synced to the office."""

    id: str
    at_utc: dt.datetime
    at_local: dt.datetime
    kind: str
    operator: str
    count: int = 1
    flat: Flat | None = None
    household_id: str | None = None  # the flat's household, where it is registered
    note: str = ""
    closes: str | None = None  # a "collected" report: the delivery it closes


@dataclasses.dataclass(frozen=True)
class WaitingParcel:
    """A delivery still at the gate, as the lead's list shows it."""

    id: str
    at_local: dt.datetime
    flat: str
    note: str
    operator: str


def parse_flat(text: str | None) -> Flat | None:
    """'3-2-301' (full-width dashes and spaces too) → Flat; None for empty; BadInput else."""
    if text is None or not text.strip():
        return None
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    parts = cleaned.split("-")
    if len(parts) != 3 or not all(parts) or any(len(p) > 16 for p in parts):
        raise BadInput("bad_flat", value=text)
    return Flat(*parts)


def clean_note(text: str | None) -> str:
    """The note as kept: one line, trimmed; BadInput when it is longer than a few words."""
    note = " ".join((text or "").split())
    if len(note) > NOTE_MAX:
        raise BadInput("report_note_long", limit=NOTE_MAX)
    return note


def parse_mask(text: str | None) -> str | None:
    if text is None or text == "":
        return None
    answer = text.strip().lower()
    if answer not in MASK_ANSWERS:
        raise BadInput("bad_mask", value=text, choices=", ".join(MASK_ANSWERS))
    return answer


def new_report(kind: str, operator: str, now: dt.datetime, tz: dt.tzinfo, count: int = 1,
               flat: str | Flat | None = None, note: str | None = None) -> GateReport:
    """A checked report (BadInput for an unknown kind, a bad count, flat or note).

    A delivery needs its flat (the lead's list is by flat); an outsider never has one.
    """
    if kind not in REPORT_KINDS:
        raise BadInput("bad_report_kind", value=kind, choices=", ".join(REPORT_KINDS))
    if not 1 <= count <= COUNT_MAX:
        raise BadInput("bad_report_count", value=count, limit=COUNT_MAX)
    place = flat if isinstance(flat, Flat) or flat is None else parse_flat(flat)
    if kind == DELIVERY and place is None:
        raise BadInput("delivery_needs_flat")
    if kind == OUTSIDER:
        place = None  # an outsider has no flat here: nothing that could point at a person
    if kind != OUTSIDER:
        count = 1
    return GateReport(id=str(uuid.uuid4()), at_utc=now.astimezone(dt.UTC),
                      at_local=now.astimezone(tz), kind=kind, operator=operator, count=count,
                      flat=place, note=clean_note(note))


def collected(delivery_id: str, operator: str, now: dt.datetime, tz: dt.tzinfo) -> GateReport:
    """The report that closes a waiting delivery: who handed it over, and when."""
    return GateReport(id=str(uuid.uuid4()), at_utc=now.astimezone(dt.UTC),
                      at_local=now.astimezone(tz), kind=COLLECTED, operator=operator,
                      closes=delivery_id)
