"""The gate store's side of the gate's own reports (issue 17, kiosk/reports.py).

Part of the store (data.store.SqliteStore inherits `ReportSide`): a report and, for a
collected parcel, its audit line, each in one write transaction; the count of outsiders
for `kiosk status`; the parcels waiting at the gate; the outbox of reports for the sync.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from typing import TYPE_CHECKING, Any

from kiosk.errors import Refused
from kiosk.reports import COLLECTED, DELIVERY, OUTSIDER, GateReport, WaitingParcel

# The columns a report is kept and pushed with (the office's gate_reports has them too).
REPORT_COLUMNS = ("id", "device_id", "at_utc", "at_local", "local_date", "kind", "count",
                  "building", "unit", "room", "household_id", "note", "operator", "closes")


class ReportSide:
    """Mixed into SqliteStore: `self` is the store."""

    if TYPE_CHECKING:  # the store's own, used here
        from kiosk.ports import Community

        db: Any

        def _write(self) -> Any: ...
        def community(self) -> Community: ...
        def write_audit(self, operator: str, action: str, target: str, details: dict | None,
                        now: dt.datetime) -> None: ...

    def record_report(self, report: GateReport) -> None:
        """Append one report durably (its own transaction, or the caller's)."""
        from data.store import utc_text

        flat = report.flat
        row = (report.id, self.community().device_id, utc_text(report.at_utc),
               report.at_local.isoformat(timespec="seconds"), report.at_local.date().isoformat(),
               report.kind, report.count, flat.building if flat else None,
               flat.unit if flat else None, flat.room if flat else None, report.household_id,
               report.note, report.operator, report.closes)
        with self._write():
            self.db.conn.execute(f"INSERT INTO reports ({', '.join(REPORT_COLUMNS)})"
                                 f" VALUES ({', '.join('?' * len(REPORT_COLUMNS))})", row)

    def outsiders_on(self, local_date: dt.date) -> int:
        """Outsiders refused at this gate that local day (a report may count several)."""
        return self.db.execute(
            "SELECT COALESCE(SUM(count), 0) FROM reports WHERE local_date = ? AND kind = ?",
            [local_date.isoformat(), OUTSIDER]).fetchone()[0]

    def reports_on(self, local_date: dt.date) -> list[dict]:
        """The day's reports, oldest first, as rows (REPORT_COLUMNS)."""
        cursor = self.db.execute(f"SELECT {', '.join(REPORT_COLUMNS)} FROM reports"
                                 " WHERE local_date = ? ORDER BY at_utc, seq", [local_date.isoformat()])
        return [dict(r) for r in cursor.fetchall()]

    def day_reports(self, day: dt.date, buildings: tuple[str, ...] | None) -> list[tuple]:
        """The day's reports but the closings, for the incidents tab: (local time, kind, building,
        unit, room, count, note, operator). One with no flat (an outsider, a crowd) belongs
        to no building: only an all-buildings view shows it, as a forged code's event."""
        sql = ("SELECT substr(at_local, 12, 8), kind, building, unit, room, count, note, operator"
               " FROM reports WHERE local_date = ? AND kind != ?")
        params: list[Any] = [day.isoformat(), COLLECTED]
        if buildings is not None:
            sql += f" AND building IN ({', '.join('?' * len(buildings))})"
            params += list(buildings)
        return [tuple(r) for r in self.db.execute(sql + " ORDER BY at_utc, seq", params).fetchall()]

    def waiting_parcels(self, buildings: tuple[str, ...] | None) -> list[WaitingParcel]:
        """Deliveries not collected yet, oldest first; only `buildings` (None: all)."""
        sql = ("SELECT d.id, d.at_local, d.building, d.unit, d.room, d.note, d.operator"
               " FROM reports AS d WHERE d.kind = 'delivery'"
               " AND NOT EXISTS (SELECT 1 FROM reports AS c WHERE c.closes = d.id)")
        params: list[Any] = []
        if buildings is not None:
            sql += f" AND d.building IN ({', '.join('?' * len(buildings))})"
            params = list(buildings)
        rows = self.db.execute(sql + " ORDER BY d.at_utc, d.seq", params).fetchall()
        return [WaitingParcel(r[0], dt.datetime.fromisoformat(r[1]), f"{r[2]}-{r[3]}-{r[4]}",
                              r[5], r[6]) for r in rows]

    def delivery_building(self, report_id: str) -> str | None:
        """The building of a delivery report; None when there is no such delivery."""
        row = self.db.execute("SELECT building FROM reports WHERE id = ? AND kind = ?",
                              [report_id, DELIVERY]).fetchone()
        return row[0] if row else None

    def close_delivery(self, closing: GateReport, now: dt.datetime) -> None:
        """The "collected" report and its audit line, together; Refused when the parcel
        is not waiting (never reported, or collected already: a second tap elsewhere)."""
        assert closing.kind == COLLECTED and closing.closes is not None
        with self._write():
            flat = self.db.execute("SELECT building || '-' || unit || '-' || room FROM reports"
                                   " WHERE id = ? AND kind = ?", [closing.closes, DELIVERY]).fetchone()
            if flat is None:
                raise Refused("parcel_not_waiting")
            try:
                self.record_report(closing)
            except sqlite3.IntegrityError:  # reports_closes: collected already
                raise Refused("parcel_not_waiting") from None
            self.write_audit(closing.operator, "parcel_collected", closing.closes,
                             {"flat": flat[0], "report": closing.id}, now)

    # -- the outbox (data/sync.py pushes reports after the events) ------------------------

    def own_reports_after(self, target: str, limit: int) -> list[tuple]:
        """This gate's reports `target` has not acknowledged: (seq, *REPORT_COLUMNS) each."""
        acked = self.reports_acked(target)
        cursor = self.db.execute(
            f"SELECT seq, {', '.join(REPORT_COLUMNS)} FROM reports WHERE seq > ? ORDER BY seq LIMIT ?",
            [acked, limit])
        return [tuple(r) for r in cursor.fetchall()]

    def reports_acked(self, target: str) -> int:
        row = self.db.execute("SELECT reports_acked FROM sync_targets WHERE target = ?",
                              [target]).fetchone()
        return row[0] if row else 0

    def ack_reports(self, target: str, seq: int) -> None:
        with self._write():
            self.db.conn.execute("UPDATE sync_targets SET reports_acked = ? WHERE target = ?",
                                 [seq, target])
