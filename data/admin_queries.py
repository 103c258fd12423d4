"""What the admin screens read: the day's log by pages, incidents, who is out now, the roster.

The screens never run SQL; they hold one of these (from `Gate.admin()`). The log is read
the way Anki's browser reads its cards: one query for the matching row ids (an indexed
filter), then the rows of a page by their ids, only when the view shows them.
"""
from __future__ import annotations

import array
import datetime as dt

from data.export.daylog import LogScope, fever_hours, hourly, rows_by_seq
from data.store import SqliteStore, parse_utc
from kiosk.model import Household, LogFilter


class AdminQueries:
    def __init__(self, store: SqliteStore, lang: str = "zh"):
        self.store = store
        self.lang = lang

    @property
    def db(self):
        return self.store.db  # never kept: the store reopens its connection after a lost WAL

    # -- the log, lazily ------------------------------------------------------------------

    def log_ids(self, f: LogFilter) -> array.array:
        """The seqs of the matching events, in time order: 8 bytes a row, fetched in one go."""
        sql = "SELECT e.seq FROM events e"
        where, params = ["e.local_date = ?"], [f.day.isoformat()]
        if f.buildings is not None:
            sql += " JOIN households h ON h.id = e.household_id"
            where.append(f"h.building IN ({', '.join('?' * len(f.buildings))})")
            params += list(f.buildings)
        if f.direction:
            where.append("e.direction = ?")
            params.append(f.direction)
        if f.decision:
            where.append("e.decision = ?")
            params.append(f.decision)
        cursor = self.db.conn.cursor()
        cursor.row_factory = None
        cursor.execute(f"{sql} WHERE {' AND '.join(where)} ORDER BY e.at_utc, e.seq", params)
        ids = array.array("q")
        while batch := cursor.fetchmany(10000):
            ids.extend(r[0] for r in batch)
        return ids

    def log_rows(self, seqs: list[int]) -> dict[int, tuple]:
        """seq → the cells of the lead's log (the export's columns, without contacts)."""
        return rows_by_seq(self.db.conn, seqs, self.lang) if seqs else {}

    def log_headers(self) -> list[str]:
        return LogScope(dt.date.min, dt.date.min, None, False).headers(self.lang)

    def buildings(self) -> list[str]:
        rows = self.db.execute("SELECT DISTINCT building FROM households").fetchall()
        return sorted((r[0] for r in rows), key=lambda b: (len(b), b))

    def hourly(self, day: dt.date, buildings: tuple[str, ...] | None
               ) -> tuple[list[tuple[int, int]], list[float]]:
        """The log tab's chart: 24 (allowed exits, allowed entries) by local hour, and the fever
        readings' times (hour + minute / 60), the same numbers as the export's summary page.

        Two GROUP BY queries over the day's rows (the events_day_household index); measured in
        docs/leads-and-office.md. The log tab runs it, and log_ids, on its lane (its own
        connection), never on the GUI thread.
        """
        scope = LogScope(day, day, buildings, False)
        return hourly(self.db.conn, scope), fever_hours(self.db.conn, scope)

    # -- incidents and who is out --------------------------------------------------------

    def incidents(self, day: dt.date, buildings: tuple[str, ...] | None) -> list[tuple]:
        """(time, kind, flat, serial, readings or reason, operator) for fevers, forged and
        revoked cards, and overrides of the day."""
        sql = """
        SELECT substr(e.at_local, 12, 8), e.reason, e.override_of IS NOT NULL, h.building, h.unit,
               h.room, e.serial, e.temp_first, e.temp_second, e.override_reason, e.operator
        FROM events e LEFT JOIN households h ON h.id = e.household_id
        WHERE e.local_date = ? AND (e.override_of IS NOT NULL OR e.reason IN
              ('fever_retest', 'fever_confirmed', 'bad_signature', 'revoked', 'wrong_community'))
        """
        params: list = [day.isoformat()]
        if buildings is not None:
            sql += f" AND h.building IN ({', '.join('?' * len(buildings))})"
            params += list(buildings)
        out = []
        for r in self.db.execute(sql + " ORDER BY e.at_utc", params).fetchall():
            flat = f"{r[3]}-{r[4]}-{r[5]}" if r[3] is not None else ""
            readings = " / ".join(f"{t:.1f}" for t in (r[7], r[8]) if t is not None)
            kind = "override" if r[2] else r[1]
            detail = r[9] if r[2] else readings
            out.append((r[0], kind, flat, r[6] or "", detail or "", r[10]))
        return out

    def out_now(self, buildings: tuple[str, ...] | None) -> list[tuple[str, str, str, str, dt.datetime]]:
        """(flat, kind, serial, holder initial, out since UTC) of every card that is out."""
        sql = """
        SELECT h.building, h.unit, h.room, c.kind, c.serial, c.holder, p.at_utc
        FROM passages p JOIN cards c ON c.serial = p.serial JOIN households h ON h.id = c.household_id
        WHERE p.direction = 'out'
        """
        params: list = []
        if buildings is not None:
            sql += f" AND h.building IN ({', '.join('?' * len(buildings))})"
            params += list(buildings)
        rows = self.db.execute(sql + " ORDER BY p.at_utc", params).fetchall()
        return [(f"{r[0]}-{r[1]}-{r[2]}", r[3], r[4], (r[5] or "")[:1], parse_utc(r[6])) for r in rows]

    # -- the roster ----------------------------------------------------------------------

    def find_households(self, text: str, limit: int = 200) -> list[Household]:
        """By flat ("3-2-301", "3-2", "3") or by a card's serial."""
        text = text.strip().upper()
        if not text:
            return self.store.households()[:limit]
        serial = text if "-" in text and len(text) == 8 else None
        if serial is not None or (len(text.replace("-", "")) == 7 and text.replace("-", "").isalnum()):
            compact = text.replace("-", "")
            card = self.store.card(f"{compact[:4]}-{compact[4:]}")
            if card is not None:
                household = self.store.household(card.household_id)
                return [household] if household is not None else []
        parts = text.split("-")
        sql, params = "SELECT id FROM households WHERE building = ?", [parts[0]]
        for column, value in zip(("unit", "room"), parts[1:3], strict=False):
            sql += f" AND {column} = ?"
            params.append(value)
        ids = [r[0] for r in self.db.execute(sql + " ORDER BY unit, room LIMIT ?", [*params, limit])]
        found = [self.store.household(i) for i in ids]
        return [h for h in found if h is not None]
