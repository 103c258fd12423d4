"""The daily log as a lead reads it: the rows, their columns, and the day's summary.

One SQL query gives the rows (streamed, never all in memory); one function turns a row
into the cells a lead reads, in the chosen language. What a role may see is decided here:
a building lead's rows are those of their buildings only, and carry no head-of-household
names or phone numbers; an admin's export adds those two columns (the office calls a
fever case's family).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Iterator

from kiosk.messages import log_text
from kiosk.operators import Operator, Role

COLUMNS = ("time", "direction", "flat", "kind", "serial", "decision", "reason", "temp_first",
           "temp_second", "operator", "note")
CONTACT_COLUMNS = ("head", "phone")  # admins only
WIDTHS = {"date": 11, "time": 9, "direction": 6, "flat": 12, "kind": 8, "serial": 10, "decision": 7,
          "reason": 14, "temp_first": 8, "temp_second": 9, "operator": 10, "note": 24, "head": 10,
          "phone": 13}

_SELECT = """
SELECT e.local_date, substr(e.at_local, 12, 8), e.direction, h.building, h.unit, h.room, e.kind,
       e.serial, e.decision, e.reason, e.temp_first, e.temp_second, e.operator, e.exit_reason,
       e.override_reason{contacts}
FROM events e LEFT JOIN households h ON h.id = e.household_id
WHERE {where}
ORDER BY e.at_utc, e.seq
"""


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

    def sql(self) -> tuple[str, list]:
        where, params = self.where()
        contacts = ", h.head, h.phone" if self.contacts else ""
        return _SELECT.format(contacts=contacts, where=where), params


def count_rows(conn: sqlite3.Connection, scope: LogScope) -> int:
    where, params = scope.where()
    return conn.execute("SELECT COUNT(*) FROM events e LEFT JOIN households h ON h.id = e.household_id"
                        f" WHERE {where}", params).fetchone()[0]


def raw_rows(conn: sqlite3.Connection, scope: LogScope) -> Iterator[tuple]:
    sql, params = scope.sql()
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: the store's connection hands out sqlite3.Row
    cursor.execute(sql, params)
    while batch := cursor.fetchmany(2000):
        yield from batch


class RowFormatter:
    """A raw row → the cells of one log line (temperatures stay numbers for XLSX)."""

    def __init__(self, scope: LogScope, lang: str):
        self.one_day = scope.one_day
        self.contacts = scope.contacts
        self.lang = lang
        # The labels are looked up once: a month is 600,000 rows.
        self._label: dict[str | None, str] = {None: ""}
        self._note_override = log_text("override_note", lang, reason="{reason}")
        self._note_exit = log_text("exit_note", lang, reason="{reason}")

    def label(self, code: str | None) -> str:
        text = self._label.get(code)
        if text is None:
            text = self._label[code] = log_text(code, self.lang)
        return text

    def cells(self, row: tuple) -> list:
        (date, time, direction, building, unit, room, kind, serial, decision, reason, t1, t2,
         operator, exit_reason, override_reason, *contacts) = row
        flat = f"{building}-{unit}-{room}" if building is not None else ""
        if override_reason:
            note = self._note_override.format(reason=safe_text(override_reason))
        elif exit_reason:
            note = self._note_exit.format(reason=self.label(exit_reason))
        else:
            note = ""
        label = self.label
        out = [time, label(direction), flat, label(kind), serial or "", label(decision), label(reason),
               t1, t2, safe_text(operator), note]
        if not self.one_day:
            out.insert(0, date)
        if self.contacts:
            out += [safe_text(contacts[0]), safe_text(contacts[1])]
        return out


def safe_text(text: str | None) -> str:
    """Free text (names, reasons typed at the gate) never starts a spreadsheet formula."""
    if not text:
        return ""
    return "'" + text if text[0] in "=+-@\t\r" else text


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


LIST_LIMIT = 12  # lines per list on the one-page summary


def summarise(conn: sqlite3.Connection, scope: LogScope) -> Summary:
    where, params = scope.where()
    base = f"FROM events e LEFT JOIN households h ON h.id = e.household_id WHERE {where}"

    def one(sql: str) -> int:
        return conn.execute(sql, params).fetchone()[0]

    def rows(sql: str) -> list[tuple]:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]

    flat = "CASE WHEN h.building IS NULL THEN '' ELSE h.building || '-' || h.unit || '-' || h.room END"
    fever_where = f"{base} AND e.reason IN ('fever_retest', 'fever_confirmed') AND e.override_of IS NULL"
    override_where = f"{base} AND e.override_of IS NOT NULL"
    return Summary(
        scans=one(f"SELECT COUNT(*) {base}"),
        exits=one(f"SELECT COUNT(*) {base} AND e.decision = 'allow' AND e.direction = 'out'"),
        entries=one(f"SELECT COUNT(*) {base} AND e.decision = 'allow' AND e.direction = 'in'"),
        denials=rows(f"SELECT e.reason, COUNT(*) AS n {base} AND e.decision != 'allow'"
                     " GROUP BY e.reason ORDER BY n DESC, e.reason"),
        fevers=rows(f"SELECT e.local_date, substr(e.at_local, 12, 5), {flat}, e.temp_first, e.temp_second"
                    f" {fever_where} ORDER BY e.at_utc LIMIT {LIST_LIMIT}"),
        fever_count=one(f"SELECT COUNT(*) {fever_where}"),
        overrides=rows(f"SELECT e.local_date, substr(e.at_local, 12, 5), {flat}, e.operator,"
                       f" e.override_reason {override_where} ORDER BY e.at_utc LIMIT {LIST_LIMIT}"),
        override_count=one(f"SELECT COUNT(*) {override_where}"),
    )
