"""What the admin screens read: the day's log by pages, incidents, who is out now, the roster.

The screens never run SQL; they hold one of these (from `Gate.admin()`). The queries are
the store's (data/store_log.py); this shapes their answers for the screens.
"""
from __future__ import annotations

import array
import datetime as dt

from data.export.daylog import COLUMNS, LogScope
from data.store import SqliteStore, parse_utc
from kiosk.messages import log_text
from kiosk.model import Household, LogFilter, holder_initial

_DECISION = COLUMNS.index("decision")  # the one-day log's cells have no date column


class AdminQueries:
    def __init__(self, store: SqliteStore, lang: str = "zh"):
        self.store = store
        self.lang = lang

    # -- the log, lazily ------------------------------------------------------------------

    def log_ids(self, f: LogFilter) -> array.array:
        """The seqs of the matching events, in time order: 8 bytes a row, fetched in one go."""
        return self.store.log_seqs(f)

    def log_rows(self, seqs: list[int]) -> dict[int, tuple]:
        """seq → the cells of the lead's log (the export's columns, without contacts); a slip's
        decision reads "action needed", not "deny" (kiosk.model.is_slip)."""
        if not seqs:
            return {}
        rows = self.store.log_lines_by_seq(seqs, self.lang)
        slip = log_text("slip", self.lang)
        for seq in self.store.slip_seqs(seqs):
            if seq in rows:
                cells = list(rows[seq])
                cells[_DECISION] = slip
                rows[seq] = tuple(cells)
        return rows

    def day_counts(self, day: dt.date, buildings: tuple[str, ...] | None) -> dict[str, int]:
        """scans, exits, entries, denials (the rules'), slips (action needed), retests."""
        return self.store.day_counts(day, buildings)

    def log_headers(self) -> list[str]:
        return LogScope(dt.date.min, dt.date.min, None, False).headers(self.lang, with_date=False)

    def buildings(self) -> list[str]:
        return sorted(self.store.building_names(), key=lambda b: (len(b), b))

    def hourly(self, day: dt.date, buildings: tuple[str, ...] | None
               ) -> tuple[list[tuple[int, int]], list[float]]:
        """The log tab's chart: 24 (allowed exits, allowed entries) by local hour, and the fever
        readings' times (hour + minute / 60), the same numbers as the export's summary page.

        Two GROUP BY queries over the day's rows (the events_day_household index); measured in
        docs/leads-and-office.md. The log tab runs it, and log_ids, on its lane (its own
        connection), never on the GUI thread.
        """
        scope = LogScope(day, day, buildings, False)
        return self.store.log_hourly(scope), self.store.log_fever_hours(scope)

    # -- incidents and who is out --------------------------------------------------------

    def incidents(self, day: dt.date, buildings: tuple[str, ...] | None) -> list[tuple]:
        """(time, kind, flat, serial, readings or reason, operator) for fevers, forged and
        revoked cards, and overrides of the day."""
        out = []
        for r in self.store.day_incidents(day, buildings):
            flat = f"{r[3]}-{r[4]}-{r[5]}" if r[3] is not None else ""
            readings = " / ".join(f"{t:.1f}" for t in (r[7], r[8]) if t is not None)
            kind = "override" if r[2] else r[1]
            detail = r[9] if r[2] else readings
            out.append((r[0], kind, flat, r[6] or "", detail or "", r[10]))
        # The gate's own reports (issue 17): an outsider's count goes with its note.
        for t, kind, building, unit, room, count, note, operator in self.store.day_reports(day, buildings):
            flat = f"{building}-{unit}-{room}" if building is not None else ""
            detail = f"×{count} {note}".strip() if count > 1 else note
            out.append((t, kind, flat, "", detail, operator))
        return sorted(out, key=lambda row: row[0])

    def out_now(self, buildings: tuple[str, ...] | None) -> list[tuple[str, str, str, str, dt.datetime]]:
        """(flat, kind, serial, holder initial, out since UTC) of every card that is out."""
        rows = self.store.cards_out(buildings)
        return [(f"{r[0]}-{r[1]}-{r[2]}", r[3], r[4], holder_initial(r[5]), parse_utc(r[6])) for r in rows]

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
        ids = self.store.household_ids_at(parts[0], parts[1:3], limit)
        found = [self.store.household(i) for i in ids]
        return [h for h in found if h is not None]
