"""The daily log as a lead reads it: the rows, their columns, and the day's summary.

One SQL query gives the rows (built here, run by the store: data/store_log.py), formatted
by SQLite itself in the chosen language (the C side does the per-row work, so a month's
CSV costs little more than `sqlite3 -csv` on the same rows) and streamed, never all in
memory. What a role may see is decided here: a building lead's rows are those of their
buildings only, and carry no head-of-household names or phone numbers; an admin's export
adds those two columns (the office calls a fever case's family).
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from kiosk.messages import log_text
from kiosk.model import REASONS, CardKind, Decision, Direction, ExitReason
from kiosk.operators import Operator, Role

COLUMNS = ("time", "direction", "flat", "kind", "serial", "decision", "reason", "temp_first",
           "temp_second", "operator", "note")
CONTACT_COLUMNS = ("head", "phone")  # admins only
WIDTHS = {"date": 11, "time": 9, "direction": 6, "flat": 12, "kind": 8, "serial": 10, "decision": 7,
          "reason": 14, "temp_first": 8, "temp_second": 9, "operator": 10, "note": 24, "head": 10,
          "phone": 13}
FORMULA_STARTS = "=+-@\t\r"

_FROM = "FROM events e LEFT JOIN households h ON h.id = e.household_id"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _label(column: str, codes, lang: str) -> str:
    """SQL that shows a code as its label in `lang` (an unknown code as itself)."""
    whens = " ".join(f"WHEN {_quoted(c)} THEN {_quoted(log_text(c, lang))}" for c in codes)
    return f"CASE {column} {whens} ELSE coalesce({column}, '') END"


def _text(column: str) -> str:
    """Free text as typed: the spreadsheet writers neutralise formulas (`neutral`), the
    PDF and the admin screen show it as it is."""
    return f"coalesce({column}, '')"


def _temperature(column: str, numbers: bool) -> str:
    if numbers:
        return f"round({column}, 1)"
    return f"CASE WHEN {column} IS NULL THEN '' ELSE printf('%.1f', {column}) END"


def display_columns(lang: str, one_day: bool, contacts: bool, numbers: bool) -> str:
    """The SELECT list of the log's cells. `numbers` keeps temperatures as numbers (XLSX);
    otherwise they are text with one decimal."""
    override = _quoted(log_text("override_note", lang, reason="{reason}"))
    exit_note = _quoted(log_text("exit_note", lang, reason="{reason}"))
    exit_reason = _label("e.exit_reason", [r.value for r in ExitReason], lang)
    note = (f"CASE WHEN e.override_reason IS NOT NULL"
            f" THEN replace({override}, '{{reason}}', {_text('e.override_reason')})"
            f" WHEN e.exit_reason IS NOT NULL THEN replace({exit_note}, '{{reason}}', {exit_reason})"
            f" ELSE '' END")
    cells = [
        "substr(e.at_local, 12, 8)",
        _label("e.direction", [d.value for d in Direction], lang),
        "CASE WHEN h.building IS NULL THEN '' ELSE h.building || '-' || h.unit || '-' || h.room END",
        _label("e.kind", [k.value for k in CardKind], lang),
        "coalesce(e.serial, '')",
        _label("e.decision", [d.value for d in Decision], lang),
        _label("e.reason", REASONS, lang),
        _temperature("e.temp_first", numbers),
        _temperature("e.temp_second", numbers),
        _text("e.operator"),
        note,
    ]
    if not one_day:
        cells.insert(0, "e.local_date")
    if contacts:
        cells += [_text("h.head"), _text("h.phone")]
    return ",\n       ".join(cells)


@dataclasses.dataclass(frozen=True)
class LogScope:
    """Which rows: local dates first..last (inclusive), and buildings (None: all, admins only)."""

    first: dt.date
    last: dt.date
    buildings: tuple[str, ...] | None
    contacts: bool  # head and phone columns

    @classmethod
    def for_operator(cls, operator: Operator, first: dt.date, last: dt.date | None = None,
                     building: str | None = None) -> LogScope:
        """OperatorError if a lead asks for a building that is not theirs."""
        return cls(first, last or first, operator.visible_buildings(building),
                   contacts=operator.role is Role.ADMIN)

    @property
    def one_day(self) -> bool:
        return self.first == self.last

    def where(self) -> tuple[str, list]:
        sql, params = "e.local_date BETWEEN ? AND ?", [self.first.isoformat(), self.last.isoformat()]
        if self.buildings is not None:
            sql += f" AND h.building IN ({', '.join('?' * len(self.buildings))})"
            params += list(self.buildings)
        return sql, params

    def columns(self) -> tuple[str, ...]:
        date = () if self.one_day else ("date",)
        return date + COLUMNS + (CONTACT_COLUMNS if self.contacts else ())

    def headers(self, lang: str) -> list[str]:
        return [log_text(f"col_{c}", lang) for c in self.columns()]

    def sql(self, lang: str, numbers: bool = False) -> tuple[str, list]:
        """The export's query: display-ready cells, in time order."""
        where, params = self.where()
        cells = display_columns(lang, self.one_day, self.contacts, numbers)
        return f"SELECT {cells}\n{_FROM}\nWHERE {where}\nORDER BY e.at_utc, e.seq", params


def neutral(value: object) -> object:
    """The one guard against formula injection, for every cell of the CSV and the XLSX
    (OWASP "CSV Injection"): a text starting with = + - @ tab or carriage return gets a
    leading single quote, so a spreadsheet shows it as typed and never runs it (a flat
    like -1--1--101 too). Numbers and other values pass as they are."""
    if value.__class__ is str and value and value[0] in FORMULA_STARTS:
        return "'" + value
    return value


def neutral_row(row) -> list:
    return [neutral(value) for value in row]

# -- the summary ------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Summary:
    scans: int
    exits: int
    entries: int
    denials: list[tuple[str, int]]   # (reason code, count), most first
    fevers: list[tuple[str, str, str, float | None, float | None]]  # date, time, flat, first, second
    fever_count: int
    overrides: list[tuple[str, str, str, str, str]]  # date, time, flat, operator, reason
    override_count: int
    hourly: list[tuple[int, int]] = dataclasses.field(default_factory=lambda: [(0, 0)] * 24)
    fever_hours: list[float] = dataclasses.field(default_factory=list)  # local hour + minute / 60


LIST_LIMIT = 12  # lines per list on the one-page summary (the store's log_summary)


# -- per hour: the charts of the summary page, the XLSX summary sheet and the admin screen --

HOURS = 24


def hour_table(grouped: list[tuple[int, str, int]]) -> list[tuple[int, int]]:
    """(hour, direction, count) rows → 24 (exits, entries) pairs, hours with nothing as (0, 0)."""
    table = [[0, 0] for _ in range(HOURS)]
    for hour, direction, count in grouped:
        if 0 <= hour < HOURS and direction in ("out", "in"):
            table[hour][0 if direction == "out" else 1] += count
    return [(exits, entries) for exits, entries in table]
