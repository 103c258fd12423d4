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

from data.store_log import slip_sql
from kiosk.messages import log_text
from kiosk.model import REASONS, CardKind, Decision, Direction, ExitReason, is_slip
from kiosk.model import holder_initial as holder_initial  # the one definition, for the lists here
from kiosk.operators import Operator, Role
from kiosk.reports import MASK_ANSWERS, OUTSIDER

COLUMNS = ("time", "direction", "flat", "kind", "serial", "decision", "reason", "temp_first",
           "temp_second", "operator", "note")
CONTACT_COLUMNS = ("head", "phone")  # admins only
# The mask answer (戴口罩 / 未戴 / 免戴) comes after the readings, and only in an export where
# some row has one: a community without the mask check sees no empty column.
MASK_AFTER = "temp_second"
WIDTHS = {"gate": 9, "mask": 7,
          "date": 11, "time": 9, "direction": 6, "flat": 12, "kind": 8, "serial": 10, "decision": 20,
          "reason": 14, "temp_first": 8, "temp_second": 9, "operator": 10, "note": 13, "head": 10,
          "phone": 13}
FORMULA_STARTS = "=+-@\t\r"

_FROM = "FROM events e LEFT JOIN households h ON h.id = e.household_id"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _label(column: str, codes, lang: str, prefix: str = "") -> str:
    """SQL that shows a code as its label in `lang` (an unknown code as itself); `prefix`: the
    labels' keys are the codes with it (mask_yes for the mask answer yes)."""
    whens = " ".join(f"WHEN {_quoted(c.removeprefix(prefix))} THEN {_quoted(log_text(c, lang))}"
                     for c in codes)
    return f"CASE {column} {whens} ELSE coalesce({column}, '') END"


def _text(column: str) -> str:
    """Free text as typed: the spreadsheet writers neutralise formulas (`neutral`), the
    PDF and the admin screen show it as it is."""
    return f"coalesce({column}, '')"


def _temperature(column: str, numbers: bool) -> str:
    if numbers:
        return f"round({column}, 1)"
    return f"CASE WHEN {column} IS NULL THEN '' ELSE printf('%.1f', {column}) END"


def with_mask(columns: tuple[str, ...]) -> tuple[str, ...]:
    """The columns with "mask" after the readings."""
    at = columns.index(MASK_AFTER) + 1
    return columns[:at] + ("mask",) + columns[at:]


def display_columns(lang: str, with_date: bool, contacts: bool, numbers: bool,
                    neutralised: bool = False, mask: bool = False, source: bool = True) -> str:
    """The SELECT list of the log's cells. `numbers` keeps temperatures as numbers (XLSX);
    otherwise they are text with one decimal. `with_date` puts the local date first (every
    export has it, a single day too: a sheet copied into another keeps its day; the admin
    screen's day view has no need of it).

    An override row says so in its decision cell ("放行（负责人放行：送医就诊）") and names the
    denial it lifted in its reason cell, so nobody reads it as an ordinary allow. A slip's
    decision reads 需处理 / "action needed" (kiosk.model.is_slip), not 拒绝: it is recorded as a
    deny, but it is the volunteer's to put right (`source`: the events have their input's
    source, so a typed number that is no card is a slip too). `mask`: the mask answer's cell
    after the readings."""
    override = _quoted(log_text("override_note", lang, reason="{reason}"))
    overridden = _quoted(log_text("override_decision", lang, reason="{reason}"))
    lifted = _quoted(log_text("override_lifted", lang, reason="{reason}"))
    exit_note = _quoted(log_text("exit_note", lang, reason="{reason}"))
    exit_reason = _label("e.exit_reason", [r.value for r in ExitReason], lang)
    note = (f"CASE WHEN e.override_of IS NOT NULL THEN ''"
            f" WHEN e.override_reason IS NOT NULL"
            f" THEN replace({override}, '{{reason}}', {_text('e.override_reason')})"
            f" WHEN e.exit_reason IS NOT NULL THEN replace({exit_note}, '{{reason}}', {exit_reason})"
            f" ELSE '' END")
    slip = slip_sql("e", with_source=source)
    decision = (f"CASE WHEN e.override_of IS NOT NULL"
                f" THEN replace({overridden}, '{{reason}}', {_text('e.override_reason')})"
                f" WHEN e.decision = 'deny' AND {slip} THEN {_quoted(log_text('slip', lang))}"
                f" ELSE {_label('e.decision', [d.value for d in Decision], lang)} END")
    reason = (f"CASE WHEN e.override_of IS NOT NULL"
              f" THEN replace({lifted}, '{{reason}}', {_label('e.reason', REASONS, lang)})"
              f" ELSE {_label('e.reason', REASONS, lang)} END")
    safe = _neutral_sql if neutralised else (lambda cell: cell)
    cells = [
        "substr(e.at_local, 12, 8)",
        safe(_label("e.direction", [d.value for d in Direction], lang)),
        safe("CASE WHEN h.building IS NULL THEN '' ELSE h.building || '-' || h.unit || '-' || h.room END"),
        safe(_label("e.kind", [k.value for k in CardKind], lang)),
        safe("coalesce(e.serial, '')"),
        safe(decision),
        safe(reason),
        _temperature("e.temp_first", numbers),
        _temperature("e.temp_second", numbers),
        *([safe(_label("e.mask", [f"mask_{a}" for a in MASK_ANSWERS], lang, "mask_"))] if mask else []),
        safe(_text("e.operator")),
        safe(note),
    ]
    if with_date:
        cells.insert(0, "e.local_date")
    if contacts:
        cells += [safe(_text("h.head")), safe(_text("h.phone"))]
    return ",\n       ".join(cells)


def _neutral_sql(cell: str) -> str:
    """`neutral` in SQL, for the export's own query (a month's 8 million cells cost Python
    seconds): the same rule from the same FORMULA_STARTS, tested by the same tests
    (tests/data/test_formula_injection.py)."""
    starts = ", ".join(f"char({ord(c)})" for c in FORMULA_STARTS)
    # the cell's expression is written three times: SQLite evaluates a label's CASE in nanoseconds
    return f"CASE WHEN substr({cell}, 1, 1) IN ({starts}) THEN char(39) || ({cell}) ELSE ({cell}) END"


@dataclasses.dataclass(frozen=True)
class LogScope:
    """Which rows: local dates first..last (inclusive), and buildings (None: all, admins only)."""

    first: dt.date
    last: dt.date
    buildings: tuple[str, ...] | None
    contacts: bool  # head and phone columns
    mask: bool = False  # the mask answer's column: some row of the scope has one

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

    def columns(self, with_date: bool = True) -> tuple[str, ...]:
        """The export's columns (`with_date`: every export; the admin screen's day view has none)."""
        columns = with_mask(COLUMNS) if self.mask else COLUMNS
        return ("date",) * with_date + columns + (CONTACT_COLUMNS if self.contacts else ())

    def headers(self, lang: str, with_date: bool = True) -> list[str]:
        return [log_text(f"col_{c}", lang) for c in self.columns(with_date)]

    def sql(self, lang: str, numbers: bool = False, neutralised: bool = False,
            source: bool = True) -> tuple[str, list]:
        """The export's query: display-ready cells, in time order (`neutralised`: every text
        cell already through `neutral`, for the spreadsheets; `source`: the events have one)."""
        where, params = self.where()
        cells = display_columns(lang, True, self.contacts, numbers, neutralised, self.mask, source)
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


def split_slips(grouped: list[tuple[str, str, int]]) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(reason, source, count) of the denials → (rule denials, slips), each (reason, count) most
    first: a slip (kiosk.model.is_slip) is the volunteer's to put right, not the rules' refusal."""
    denials: dict[str, int] = {}
    slips: dict[str, int] = {}
    for reason, source, count in grouped:
        into = slips if is_slip(reason, source or "") else denials
        into[reason] = into.get(reason, 0) + count
    order = lambda d: sorted(d.items(), key=lambda item: (-item[1], item[0]))  # noqa: E731 (a key)
    return order(denials), order(slips)


def flat_label(building: str | None, unit: str | None, room: str | None) -> str:
    return "" if building is None else f"{building}-{unit}-{room}"


def building_label(building: str, lang: str) -> str:
    """1号楼 in Chinese, "Building 1" in English: how a lead names a building."""
    return log_text("building_name", lang, building=building)

# -- the summary ------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Fever:
    """A fever's first reading and what followed: the retest's reading and its outcome."""

    date: str
    time: str
    flat: str
    first: float | None
    second: float | None
    outcome: str  # fever_cleared, fever_confirmed (taken to the observation point), fever_no_retest


@dataclasses.dataclass(frozen=True)
class ReportLine:
    """One of the gate's own reports (issue 17) as the sheet lists it; a delivery says when it
    was collected and by whom (None: still waiting at the gate)."""

    date: str
    time: str
    kind: str       # kiosk.reports.REPORT_KINDS
    flat: str       # "" for none (an outsider, a crowd)
    count: int      # people, for an outsider refused; 1 otherwise
    note: str
    operator: str
    gate: str = ""  # the office's merged log: the gate's name
    collected_at: str | None = None  # local "MM-DD HH:MM"
    collected_by: str | None = None


def report_cells(line: ReportLine, lang: str, gate: bool = False) -> list:
    """The cells of a report's row: date, time, (gate), kind in words, flat, people (an
    outsider's count; blank for the kinds that are not about people), note, operator, and
    for a delivery whether it was collected (when, by whom)."""
    if line.kind != "delivery":
        collected = ""
    elif line.collected_at is None:
        collected = log_text("not_collected", lang)
    else:
        collected = log_text("collected_at", lang, at=line.collected_at, operator=line.collected_by or "")
    cells = [line.date, line.time, log_text(line.kind, lang), line.flat,
             line.count if line.kind == OUTSIDER else None, line.note, line.operator, collected]
    if gate:
        cells.insert(2, line.gate)
    return cells


def report_heads(lang: str, gate: bool = False) -> list[str]:
    heads = [log_text(k, lang) for k in ("col_date", "col_time", "col_category", "col_flat",
                                         "col_people", "col_note", "col_operator", "col_collected")]
    if gate:
        heads.insert(2, log_text("col_gate", lang))
    return heads


@dataclasses.dataclass(frozen=True)
class UnitTotal:
    building: str
    unit: str
    exits: int            # allowed exits (passages)
    exit_households: int  # households that went out
    entries: int
    denials: int          # rule denials (slips apart)
    fevers: int


@dataclasses.dataclass(frozen=True)
class Summary:
    scans: int
    exits: int
    entries: int
    denials: list[tuple[str, int]]   # (reason code, count) of rule denials and retests, most first
    fevers: list[Fever]
    fever_count: int
    overrides: list[tuple[str, str, str, str, str]]  # date, time, flat, operator, reason
    override_count: int
    hourly: list[tuple[int, int]] = dataclasses.field(default_factory=lambda: [(0, 0)] * 24)
    fever_hours: list[float] = dataclasses.field(default_factory=list)  # local hour + minute / 60
    exit_households: int = 0  # households with an allowed exit ("外出 5" counts passages)
    slips: list[tuple[str, int]] = dataclasses.field(default_factory=list)  # volunteers' slips
    units: list[UnitTotal] = dataclasses.field(default_factory=list)
    # who is out now and not back: flat, card kind code, serial, holder's initial, out since (local)
    # (None: not known here, the office's merged log: each gate keeps its own passages)
    out_now: list[tuple[str, str, str, str, str]] | None = dataclasses.field(default_factory=list)
    # households with no allowed exit in the last `not_out_days` days up to the scope's last
    # day: flat, holder's initial, last exit date ("" for none on record); None as out_now
    not_out: list[tuple[str, str, str]] | None = dataclasses.field(default_factory=list)
    not_out_days: int = 4
    # the gate's own reports (issue 17): outsiders refused (people, every building: they have
    # no flat), and the reports of the scope's buildings (none without a flat unless all)
    outsiders: int = 0
    reports: list[ReportLine] = dataclasses.field(default_factory=list)
    report_count: int = 0
    # the office's merged log: (date, gate, people) of the outsiders refused; None at a gate
    outsiders_by_gate: list[tuple[str, str, int]] | None = None

    @property
    def merged(self) -> bool:
        """The office's merged log of every gate (its report rows name their gate)."""
        return self.outsiders_by_gate is not None

    @property
    def slip_count(self) -> int:
        return sum(count for _, count in self.slips)

    @property
    def denial_count(self) -> int:
        return sum(count for _, count in self.denials)


LEAD_LIMIT = 2000  # lines of the lead's lists (out now, not out, units): a building has fewer


# -- per hour: the charts of the summary page, the XLSX summary sheet and the admin screen --

HOURS = 24


def hour_table(grouped: list[tuple[int, str, int]]) -> list[tuple[int, int]]:
    """(hour, direction, count) rows → 24 (exits, entries) pairs, hours with nothing as (0, 0)."""
    table = [[0, 0] for _ in range(HOURS)]
    for hour, direction, count in grouped:
        if 0 <= hour < HOURS and direction in ("out", "in"):
            table[hour][0 if direction == "out" else 1] += count
    return [(exits, entries) for exits, entries in table]
