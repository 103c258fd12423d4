"""The gate store's log side: the day log as the exports and the admin screens read it.

Part of the store (data.store.SqliteStore inherits `LogSide`): every query that
data/export/ and data/admin_queries.py run on the gate database is here. What the rows
look like (the columns a role sees, each cell's SQL, the scope's WHERE) is decided in
data/export/daylog.py; the store runs it. The log is read the way Anki's browser reads
its cards: one query for the matching row ids (an indexed filter), then the rows of a page
by their ids, only when the view shows them.
"""
from __future__ import annotations

import array
import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kiosk.model import SLIP_REASONS, TYPED_SLIP_REASONS, LogFilter

if TYPE_CHECKING:
    from data.export.daylog import LogScope, Summary


def _daylog():
    """data.export.daylog, imported when first used: data.export imports the store."""
    from data.export import daylog

    return daylog


def _codes(codes: frozenset[str]) -> str:
    return ", ".join(f"'{c}'" for c in sorted(codes))  # reason codes: [a-z_] only


def slip_sql(alias: str = "e", with_source: bool = True) -> str:
    """kiosk.model.is_slip as SQL over an events row (decision deny assumed by the caller).
    Plain SQL both SQLite and PostgreSQL read (the office's merged log uses it too);
    `with_source=False` for a log without the events' source (no typed slips known there)."""
    if not with_source:
        return f"({alias}.reason IN ({_codes(SLIP_REASONS)}))"
    # COALESCE: a NULL source (older events) must give false, never NULL (NOT NULL is NULL)
    return (f"({alias}.reason IN ({_codes(SLIP_REASONS)}) OR (COALESCE({alias}.source, '') = 'typed'"
            f" AND {alias}.reason IN ({_codes(TYPED_SLIP_REASONS)})))")


EXPORT_CACHE_KIB = 4096  # the export's page cache (and so its sorter): see _export_cache


@contextlib.contextmanager
def _export_cache(conn: Any) -> Iterator[None]:
    """The export's queries on a small page cache, the connection's own size back afterwards
    (or when the export is cancelled). Each of them reads the whole range once: through the
    gate's 64 MiB cache (the scan path's) a month's mask check filled it with pages no scan
    asks for again (+65 MB), and the summary's GROUP BY and COUNT(DISTINCT), whose sorter
    SQLite sizes by the cache, held another 49 MB: the XLSX of a month took 114 MB of its
    own, all of it before the writer's first row (docs/performance.md). With 4 MiB the sorters merge
    sorted runs from temporary files instead, at about the same speed. Nested uses restore
    what they found."""
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{EXPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(before)}")


def _figures(grouped: list[tuple], households_out: list[tuple]) -> dict:
    """The summary's counts from the grouped pass: (building, unit, hour, direction, decision,
    reason, source, is an override, count) rows, and (building, unit, households out) rows."""
    from kiosk.model import is_slip

    daylog = _daylog()
    units: dict[tuple[str, str], list[int]] = {}  # exits, entries, denials, fever readings
    hours, denied = [], []
    scans = exits = entries = fevers = overrides = 0
    for building, unit, hour, direction, decision, reason, source, override, count in grouped:
        scans += count
        totals = units.setdefault((building, unit), [0, 0, 0, 0]) if building is not None else [0] * 4
        if decision == "allow":
            hours.append((hour, direction, count))
            if direction == "out":
                exits += count
                totals[0] += count
            elif direction == "in":
                entries += count
                totals[1] += count
        else:
            denied.append((reason, source, count))
            if decision == "deny" and not is_slip(reason, source or ""):
                totals[2] += count
        if reason == "fever_retest":
            fevers += count
            totals[3] += count
        overrides += count if override else 0
    out = {(b, u): n for b, u, n in households_out if b is not None}
    order = sorted(units, key=lambda k: (_number(k[0]), k[0], _number(k[1]), k[1]))
    return {
        "scans": scans, "exits": exits, "entries": entries, "fever_count": fevers,
        "override_count": overrides, "exit_households": sum(out.values()),
        "hourly": daylog.hour_table(hours), "denied": denied,
        "units": [daylog.UnitTotal(b, u, units[b, u][0], out.get((b, u), 0), units[b, u][1],
                                   units[b, u][2], units[b, u][3]) for b, u in order][:daylog.LEAD_LIMIT],
    }


def _number(text: str) -> float:
    """2 before 10: a building or unit that is a number sorts by its value, others after."""
    return int(text) if text.isdigit() else float("inf")


def _natural(column: str) -> str:
    """Buildings, units and rooms in the order a lead counts them: 2 before 10."""
    return f"CAST({column} AS INTEGER), {column}"


_HOUR = "CAST(substr(e.at_local, 12, 2) AS INTEGER)"  # at_local is local ISO-8601: the hour is chars 12-13


class LogSide:
    """The day log's rows, summary and per-hour counts; the admin screens' look-ups.
    Mixed into SqliteStore: `self` is the store."""

    if TYPE_CHECKING:  # the store's own, used here
        db: Any

    # -- the export's rows (data/export/__init__.py) ---------------------------------------

    def log_count(self, scope: LogScope) -> int:
        where, params = scope.where()
        with _export_cache(self.db.conn):
            return self.db.conn.execute(f"SELECT COUNT(*) {_daylog()._FROM} WHERE {where}",
                                        params).fetchone()[0]

    def log_lines(self, scope: LogScope, lang: str, numbers: bool = False,
                  neutralised: bool = False) -> Iterator[tuple]:
        """The export's rows, streamed in batches, on the export's small page cache
        (_export_cache: with the gate's 64 MiB a month's ORDER BY held 64 MiB of rows)."""
        import sqlite3

        from data.store import StoredTextDamaged

        sql, params = scope.sql(lang, numbers, neutralised, source=self._events_have_source())
        conn = self.db.conn
        # sqlite3's own UTF-8 decoder, in C, for the export's millions of cells: the store's
        # strict Python one cost a month's export 8 s. A cell that is not UTF-8 is the same
        # StoredTextDamaged (sqlite3's message would quote the garbled text); the admin lane
        # runs nothing else on this connection while an export streams.
        with _export_cache(conn):
            text_factory, conn.text_factory = conn.text_factory, str
            try:
                cursor = conn.cursor()
                cursor.row_factory = None  # plain tuples: the store's connection hands out sqlite3.Row
                try:
                    cursor.execute(sql, params)
                    while batch := cursor.fetchmany(2000):
                        yield from batch
                except sqlite3.OperationalError as failure:
                    if "decode" in str(failure):
                        raise StoredTextDamaged() from None
                    raise
                cursor.close()
            finally:
                conn.text_factory = text_factory

    def log_has_mask(self, scope: LogScope) -> bool:
        """Does any event of the scope carry a mask answer (the mask check was used)?"""
        where, params = scope.where()
        with _export_cache(self.db.conn):  # a range with no mask answer is read whole
            return bool(self.db.conn.execute(
                f"SELECT EXISTS (SELECT 1 {_daylog()._FROM} WHERE {where} AND e.mask IS NOT NULL)",
                params).fetchone()[0])

    def log_reports(self, scope: LogScope) -> tuple[int, list]:
        """The gate's own reports of the scope (issue 17) for the lead's sheet: how many, and
        the first LEAD_LIMIT as daylog.ReportLine, oldest first. A delivery carries its
        "collected" (when, by whom), whatever day it was collected on; a report with no flat
        (an outsider, a crowd) belongs to no building: only an all-buildings scope has it,
        as the admin screens show them (SqliteStore.day_reports). One query: day_reports
        has no date, no id and no hand-over."""
        from kiosk.reports import COLLECTED

        daylog = _daylog()
        sql = ("FROM reports r LEFT JOIN reports c ON c.closes = r.id"
               " WHERE r.local_date BETWEEN ? AND ? AND r.kind != ?")
        params: list = [scope.first.isoformat(), scope.last.isoformat(), COLLECTED]
        if scope.buildings is not None:
            sql += f" AND r.building IN ({', '.join('?' * len(scope.buildings))})"
            params += list(scope.buildings)
        count = self.db.conn.execute(f"SELECT COUNT(*) {sql}", params).fetchone()[0]
        rows = self.db.conn.execute(
            "SELECT r.local_date, substr(r.at_local, 12, 5), r.kind, r.building, r.unit, r.room, r.count,"
            " r.note, r.operator, c.at_local, c.operator"
            f" {sql} ORDER BY r.at_utc, r.seq LIMIT {daylog.LEAD_LIMIT}", params).fetchall()
        return count, [daylog.ReportLine(d, t, kind, daylog.flat_label(b, u, room), n, note or "", op or "",
                                         collected_at=at[5:16].replace("T", " ") if at else None,
                                         collected_by=by)
                       for d, t, kind, b, u, room, n, note, op, at, by in rows]

    def log_lines_by_seq(self, seqs: list[int], lang: str) -> dict[int, tuple]:
        """seq → the cells of a lead's log line (no contacts): the admin screen's pages."""
        daylog = _daylog()
        cells = daylog.display_columns(lang, with_date=False, contacts=False, numbers=False)
        cursor = self.db.conn.cursor()
        cursor.row_factory = None
        cursor.execute(f"SELECT e.seq, {cells} {daylog._FROM} WHERE e.seq IN ({', '.join('?' * len(seqs))})",
                       seqs)
        return {row[0]: row[1:] for row in cursor.fetchall()}

    def slip_seqs(self, seqs: list[int]) -> set[int]:
        """Which of these events are slips ("action needed", not a rule's denial)."""
        rows = self.db.conn.execute(
            f"SELECT e.seq FROM events e WHERE e.seq IN ({', '.join('?' * len(seqs))})"
            f" AND e.decision = 'deny' AND {slip_sql()}", seqs).fetchall()
        return {r[0] for r in rows}

    def day_counts(self, day: dt.date, buildings: tuple[str, ...] | None) -> dict[str, int]:
        """The day's scans, allowed exits and entries, rule denials, slips and retests (in the
        buildings, None: all): the admin log's counts line. One pass over the day's rows."""
        sql = (f"SELECT COUNT(*),"
               " SUM(e.decision = 'allow' AND e.direction = 'out'),"
               " SUM(e.decision = 'allow' AND e.direction = 'in'),"
               f" SUM(e.decision = 'deny' AND NOT {slip_sql()}),"
               f" SUM(e.decision = 'deny' AND {slip_sql()}),"
               " SUM(e.decision = 'retest')"
               " FROM events e")
        params: list = [day.isoformat()]
        where = "e.local_date = ?"
        if buildings is not None:
            sql += " JOIN households h ON h.id = e.household_id"
            where += f" AND h.building IN ({', '.join('?' * len(buildings))})"
            params += list(buildings)
        row = self.db.conn.execute(f"{sql} WHERE {where}", params).fetchone()
        keys = ("scans", "exits", "entries", "denials", "slips", "retests")
        return {k: int(v or 0) for k, v in zip(keys, row, strict=True)}

    # -- the summary --------------------------------------------------------------------

    def log_summary(self, scope: LogScope) -> Summary:
        """The summary page and the lead's sheet: counts, denials and slips apart, fevers with
        their retest and outcome, overrides, per-unit totals, who is out now, and the
        households not out for `lead.not_out_days` days (docs/leads-and-office.md). On the
        export's small cache: its GROUP BY and COUNT(DISTINCT) read the whole range."""
        with _export_cache(self.db.conn):
            return self._summary(scope)

    def _summary(self, scope: LogScope) -> Summary:
        from kiosk.policy import Policy

        daylog, conn = _daylog(), self.db.conn
        where, params = scope.where()
        base = f"FROM events e LEFT JOIN households h ON h.id = e.household_id WHERE {where}"
        policy = Policy(self.settings())  # type: ignore[attr-defined]  # the store's own

        def rows(sql: str) -> list[tuple]:
            return [tuple(r) for r in conn.execute(sql, params).fetchall()]

        flat = "CASE WHEN h.building IS NULL THEN '' ELSE h.building || '-' || h.unit || '-' || h.room END"
        override_where = f"{base} AND e.override_of IS NOT NULL"
        source = "e.source" if self._events_have_source() else "''"
        exits = "e.decision = 'allow' AND e.direction = 'out'"
        # Two passes over the range give the counts, the per-hour table, the denials and slips
        # and the per-unit totals (a month is 600,000 rows: a pass each cost seconds).
        grouped = conn.execute(
            f"SELECT h.building, h.unit, {_HOUR}, e.direction, e.decision, e.reason, {source},"
            f" e.override_of IS NOT NULL, COUNT(*) {base} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8", params).fetchall()
        households_out = conn.execute(
            f"SELECT h.building, h.unit, COUNT(DISTINCT e.household_id) {base} AND {exits} GROUP BY 1, 2",
            params).fetchall()
        figures = _figures([tuple(r) for r in grouped], [tuple(r) for r in households_out])
        denials, slips = daylog.split_slips(figures.pop("denied"))
        report_count, reports = self.log_reports(scope)
        days = (scope.last - scope.first).days + 1
        outsiders = sum(self.outsiders_on(scope.first + dt.timedelta(days=n))  # type: ignore[attr-defined]
                        for n in range(days))  # the store's (store_reports): a gate's count, every building
        return daylog.Summary(
            **figures,
            denials=denials,
            slips=slips,
            fevers=self._fevers(base, flat, params, daylog.LEAD_LIMIT),
            overrides=rows(f"SELECT e.local_date, substr(e.at_local, 12, 5), {flat}, e.operator,"
                           f" e.override_reason {override_where}"
                           f" ORDER BY e.at_utc LIMIT {daylog.LEAD_LIMIT}"),
            fever_hours=self.log_fever_hours(scope),
            out_now=self._out_now(scope.buildings, policy.timezone),
            not_out=self._not_out(scope, policy.not_out_days),
            not_out_days=policy.not_out_days,
            outsiders=outsiders, reports=reports, report_count=report_count,
        )

    def _events_have_source(self) -> bool:
        """Does the log keep events.source (camera, wedge, typed, cli)? One made before it did not."""
        return any(r[1] == "source" for r in self.db.conn.execute("PRAGMA table_info(events)"))

    def _fevers(self, base: str, flat: str, params: list, limit: int) -> list:
        """Each first fever reading with the retest that followed it (the card's next reading
        that has a second one, as the checkpoint pairs them) and its outcome."""
        daylog = _daylog()
        from kiosk.policy import Policy

        window = Policy(self.settings()).retest_window_s  # type: ignore[attr-defined]  # the store's
        # the card's next reading with a second one, within the retest window (the checkpoint
        # pairs no later one): one seek of the events_card index each, for the first `limit`
        retest = ("(SELECT r.seq FROM events r WHERE r.serial = e.serial AND r.at_utc > e.at_utc"
                  f" AND r.at_utc <= strftime('%Y-%m-%dT%H:%M:%SZ', e.at_utc, '+{int(window)} seconds')"
                  " AND r.temp_second IS NOT NULL AND r.reason != 'retest_too_soon'"
                  " ORDER BY r.at_utc LIMIT 1)")
        found = self.db.conn.execute(
            f"SELECT e.local_date, substr(e.at_local, 12, 5), e.flat, e.temp_first, r.temp_second, r.reason"
            f" FROM (SELECT e.*, {flat} AS flat {base} AND e.reason = 'fever_retest'"
            f"       ORDER BY e.at_utc LIMIT {limit}) e"
            f" LEFT JOIN events r ON r.seq = {retest}"
            " ORDER BY e.at_utc", params).fetchall()
        return [daylog.Fever(d, t, f, first, second,
                             "fever_no_retest" if reason is None else
                             "fever_confirmed" if reason == "fever_confirmed" else "fever_cleared")
                for d, t, f, first, second, reason in found]

    def _out_now(self, buildings: tuple[str, ...] | None, zone) -> list[tuple[str, str, str, str, str]]:
        """Who is out and not back, longest out first, with since when in the community's zone."""
        found = []
        out = self.cards_out(buildings)[:_daylog().LEAD_LIMIT]
        for building, unit, room, kind, serial, holder, at_utc in out:
            since = dt.datetime.fromisoformat(at_utc).astimezone(zone).strftime("%m-%d %H:%M")
            found.append((f"{building}-{unit}-{room}", kind, serial, _daylog().holder_initial(holder), since))
        return found

    def _not_out(self, scope: LogScope, days: int) -> list[tuple[str, str, str]]:
        """Households with no allowed exit in the `days` local days up to the scope's last day:
        the ones the delivery volunteers look in on. The holder's initial is the life card's
        (the gate screen shows the same), the head's when there is none."""
        cutoff = (scope.last - dt.timedelta(days=days - 1)).isoformat()
        # who went out in the window: one range of the events_day_household index, once; the
        # last exit before it only for the (few) households that did not
        sql = """
        SELECT h.building, h.unit, h.room,
               coalesce((SELECT c.holder FROM cards c WHERE c.household_id = h.id AND c.kind = 'life'
                         AND c.status = 'active' LIMIT 1), h.head, ''),
               (SELECT MAX(e.local_date) FROM events e WHERE e.household_id = h.id AND e.direction = 'out'
                AND e.decision = 'allow' AND e.local_date < ?)
        FROM households h
        WHERE h.id NOT IN (SELECT e.household_id FROM events e WHERE e.local_date BETWEEN ? AND ?
                           AND e.direction = 'out' AND e.decision = 'allow' AND e.household_id IS NOT NULL)
        """
        params: list = [cutoff, cutoff, scope.last.isoformat()]
        if scope.buildings is not None:
            sql += f" AND h.building IN ({', '.join('?' * len(scope.buildings))})"
            params += list(scope.buildings)
        sql += (f" ORDER BY {_natural('h.building')}, {_natural('h.unit')}, {_natural('h.room')}"
                f" LIMIT {_daylog().LEAD_LIMIT}")
        return [(f"{b}-{u}-{r}", _daylog().holder_initial(holder), last or "")
                for b, u, r, holder, last in self.db.conn.execute(sql, params).fetchall()]

    # -- per hour: the charts of the summary page, the XLSX summary sheet and the admin screen

    def log_hourly(self, scope: LogScope) -> list[tuple[int, int]]:
        """Allowed exits and entries in each local hour 0-23 of the scope's days (summed over the
        days of a range): the same passages the summary's "exits" and "entries" count.

        One GROUP BY over the day's rows found by the events_day_household index; the hour is the local
        one stored with the event, so a passage at 00:30 in Shanghai is hour 0 of its own day
        (16:30 UTC of the day before).
        """
        daylog = _daylog()
        where, params = scope.where()
        rows = self.db.conn.execute(
            f"SELECT {_HOUR} AS hour, e.direction, COUNT(*) {daylog._FROM} WHERE {where}"
            " AND e.decision = 'allow' GROUP BY hour, e.direction", params).fetchall()
        return daylog.hour_table([tuple(r) for r in rows])

    def log_fever_hours(self, scope: LogScope, limit: int = 200) -> list[float]:
        """When fevers were read (first readings and confirmed retests), as local hour + minute / 60."""
        where, params = scope.where()
        rows = self.db.conn.execute(
            f"SELECT {_HOUR}, CAST(substr(e.at_local, 15, 2) AS INTEGER) {_daylog()._FROM} WHERE {where}"
            " AND e.reason IN ('fever_retest', 'fever_confirmed') AND e.override_of IS NULL"
            f" ORDER BY e.at_utc LIMIT {limit}", params).fetchall()
        return [hour + minute / 60 for hour, minute in rows]

    # -- the admin screens (data/admin_queries.py) -----------------------------------------

    def log_seqs(self, f: LogFilter) -> array.array:
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
        if f.decision == "slip":  # "action needed": recorded as deny, shown and counted apart
            where.append(f"e.decision = 'deny' AND {slip_sql()}")
        elif f.decision == "deny":  # the rules' denials only
            where.append(f"e.decision = 'deny' AND NOT {slip_sql()}")
        elif f.decision:
            where.append("e.decision = ?")
            params.append(f.decision)
        cursor = self.db.conn.cursor()
        cursor.row_factory = None
        cursor.execute(f"{sql} WHERE {' AND '.join(where)} ORDER BY e.at_utc, e.seq", params)
        ids = array.array("q")
        while batch := cursor.fetchmany(10000):
            ids.extend(r[0] for r in batch)
        return ids

    def building_names(self) -> list[str]:
        """Every building with a registered household, unordered."""
        return [r[0] for r in self.db.execute("SELECT DISTINCT building FROM households").fetchall()]

    def day_incidents(self, day: dt.date, buildings: tuple[str, ...] | None) -> list[tuple]:
        """The day's fevers, forged and revoked cards and overrides, in time order: (local time,
        reason, is an override, building, unit, room, serial, first and second reading,
        override reason, operator)."""
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
        return [tuple(r) for r in self.db.execute(sql + " ORDER BY e.at_utc", params).fetchall()]

    def cards_out(self, buildings: tuple[str, ...] | None) -> list[tuple]:
        """(building, unit, room, kind, serial, holder, out since as stored UTC text) of every
        card that is out, longest out first."""
        sql = """
        SELECT h.building, h.unit, h.room, c.kind, c.serial, c.holder, p.at_utc
        FROM passages p JOIN cards c ON c.serial = p.serial JOIN households h ON h.id = c.household_id
        WHERE p.direction = 'out'
        """
        params: list = []
        if buildings is not None:
            sql += f" AND h.building IN ({', '.join('?' * len(buildings))})"
            params += list(buildings)
        return [tuple(r) for r in self.db.execute(sql + " ORDER BY p.at_utc", params).fetchall()]

    def household_ids_at(self, building: str, unit_and_room: list[str], limit: int) -> list[str]:
        """The ids of the households of a building, or of a unit, or of one flat."""
        sql, params = "SELECT id FROM households WHERE building = ?", [building]
        for column, value in zip(("unit", "room"), unit_and_room, strict=False):
            sql += f" AND {column} = ?"
            params.append(value)
        return [r[0] for r in self.db.execute(sql + " ORDER BY unit, room LIMIT ?", [*params, limit])]
