"""The community's merged log, every gate's events from the office database (issue 15).

`kiosk office export` writes it as CSV, XLSX or PDF with the same writers, words and
print setup as a gate's export (data/export/tabular.py, pdf.py), one row per event with
the gate's name. The office database is read only through data.office.OfficeDB's log
methods (SQLite or PostgreSQL). Here each row is formatted in Python (two dialects, one
formatter), as the gate's export does in SQL.

What the office cannot tell: who is out now and which households stayed in need each gate's
passages, which the office does not hold (a person may leave by one gate and come back by
another, but the gates' anti-passback is each gate's own). Those two lists are the gate's
sheet; the office's summary shows the rest (counts, denials, fevers with their outcome,
overrides, per hour, per unit).
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from data.export import FORMATS, ExportCancelled, ExportResult, Progress, _scope_line
from data.export.daylog import (
    CONTACT_COLUMNS,
    Fever,
    LogScope,
    ReportLine,
    Summary,
    UnitTotal,
    hour_table,
    split_slips,
    with_mask,
)
from data.office import OfficeDB
from data.outputs import writing
from kiosk.messages import log_text
from kiosk.model import is_slip

log = logging.getLogger("export")

OFFICE_COLUMNS = ("date", "time", "gate", "direction", "flat", "kind", "serial", "decision", "reason",
                  "temp_first", "temp_second", "operator", "note") + CONTACT_COLUMNS


def export_office_log(office: OfficeDB, fmt: str, out: Path, first: dt.date, last: dt.date | None = None,
                      building: str | None = None, lang: str = "zh", now: dt.datetime | None = None,
                      guarded: Iterable[Path] = (), force: bool = False, progress: Progress | None = None,
                      cancelled: Callable[[], bool] | None = None) -> ExportResult:
    """Write the merged log of first..last (one day by default), all buildings or one.

    The office acts as an admin (whoever holds its database has it all): head and phone
    columns are in. ValueError for an unknown format, FontMissing (PDF), OutputRefused,
    OSError, SyncError (the office unreachable)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    started = time.perf_counter()
    last = last or first
    buildings = (building,) if building is not None else None
    mask = office.log_has_mask(first, last, buildings)  # the column only where a gate checks masks
    scope = LogScope(first, last, buildings, contacts=True, mask=mask)
    columns = with_mask(OFFICE_COLUMNS) if mask else OFFICE_COLUMNS
    total = office.log_count(first, last, buildings)
    numbers = fmt == "xlsx"
    done = 0

    def rows() -> Iterator[list]:
        nonlocal done
        for row in office.log_rows(first, last, buildings):
            if done % 1000 == 0:
                if cancelled is not None and cancelled():
                    raise ExportCancelled()
                if progress is not None:
                    progress(done, total)
            yield office_line(row, lang, numbers, mask)
            done += 1

    community = office.community()
    name = community.name if community is not None else ""
    title = (log_text("title", lang, community=name) if first == last else
             log_text("title_range", lang, community=name, first=first, last=last))
    headers = [log_text(f"col_{c}", lang) for c in columns]
    summary = office_summary(office, first, last, buildings)
    with writing(out, list(guarded), force) as pending:
        if fmt == "csv":
            from data.export.tabular import write_csv

            write_csv(pending.part, headers, rows())
        elif fmt == "xlsx":
            from data.export.tabular import write_xlsx

            write_xlsx(pending.part, headers, columns, rows(), summary,
                       f"{title}    {_scope_line(scope, lang)}", lang)
        else:
            from zoneinfo import ZoneInfo

            from data.export.pdf import write_pdf

            zone = ZoneInfo(office.settings().get("timezone") or "Asia/Shanghai")
            at = (now or dt.datetime.now(dt.UTC)).astimezone(zone).strftime("%Y-%m-%d %H:%M")
            write_pdf(pending.part, headers, columns, rows(), summary, title, _scope_line(scope, lang),
                      log_text("exported_by", lang, operator=log_text("office", lang), at=at), lang)
    if progress is not None:
        progress(done, total)
    seconds = time.perf_counter() - started
    log.info("exported the office's %d rows as %s to %s in %.2f s", done, fmt, out, seconds)
    return ExportResult(Path(out), done, seconds)


def office_line(row: tuple, lang: str, numbers: bool, mask: bool = False) -> list:
    """One event's cells, as the gate's export shows them (daylog.display_columns): a slip's
    decision reads 需处理 (action needed); `mask`: the mask answer's cell after the readings."""
    (date, time_of_day, gate, direction, building, unit, room, kind, serial, decision, reason,
     first, second, operator, override_of, override_reason, exit_reason, head, phone, answer, source) = row
    label = lambda code: "" if code is None else log_text(code, lang)  # noqa: E731 (as _label in SQL)
    if override_of is not None:
        shown_decision = log_text("override_decision", lang, reason=override_reason or "")
        shown_reason = log_text("override_lifted", lang, reason=label(reason))
        note = ""
    else:
        slip = decision == "deny" and is_slip(reason or "", source or "")
        shown_decision, shown_reason = log_text("slip", lang) if slip else label(decision), label(reason)
        note = (log_text("override_note", lang, reason=override_reason) if override_reason else
                log_text("exit_note", lang, reason=label(exit_reason)) if exit_reason else "")
    cells = [date, time_of_day, gate, label(direction), _flat(building, unit, room), label(kind),
             serial or "", shown_decision, shown_reason, _temperature(first, numbers),
             _temperature(second, numbers)]
    if mask:
        cells.append("" if answer is None else log_text(f"mask_{answer}", lang))
    return [*cells, operator or "", note, head or "", phone or ""]


def office_summary(office: OfficeDB, first: dt.date, last: dt.date,
                   buildings: tuple[str, ...] | None) -> Summary:
    figures = office.log_figures(first, last, buildings)
    denials, slips = split_slips([(reason, source or "", int(count))
                                  for reason, source, count in figures["denials"]])
    report_count, reports = office.log_reports(first, last, buildings)
    by_gate = [(d, gate, int(n)) for d, gate, n in office.log_outsiders(first, last)]
    return Summary(
        scans=figures["scans"], exits=figures["exits"], entries=figures["entries"],
        denials=denials, slips=slips, exit_households=figures["exit_households"],
        fevers=[Fever(d, t, _flat(b, u, r), _number(a), _number(s),
                      "fever_no_retest" if outcome is None else
                      "fever_confirmed" if outcome == "fever_confirmed" else "fever_cleared")
                for d, t, b, u, r, a, s, outcome in figures["fevers"]],
        fever_count=figures["fever_count"],
        overrides=[(d, t, _flat(b, u, r), op or "", reason or "")
                   for d, t, b, u, r, op, reason in figures["overrides"]],
        override_count=figures["override_count"],
        hourly=hour_table([(int(h), d, int(n)) for h, d, n in figures["hourly"]]),
        fever_hours=[int(hm[:2]) + int(hm[3:5]) / 60 for (hm,) in figures["fever_hours"]],
        units=[UnitTotal(b, u, int(e or 0), int(h or 0), int(i or 0), int(n or 0), int(f or 0))
               for b, u, e, h, i, n, f in figures["units"]],
        out_now=None, not_out=None,
        outsiders=sum(n for _, _, n in by_gate), outsiders_by_gate=by_gate, report_count=report_count,
        reports=[ReportLine(d, t, kind, _flat(b, u, r), int(n), note or "", op or "", gate=gate,
                            collected_at=at[5:16].replace("T", " ") if at else None, collected_by=by)
                 for d, t, gate, kind, b, u, r, n, note, op, at, by in reports],
    )


def _flat(building: str | None, unit: str | None, room: str | None) -> str:
    return "" if building is None else f"{building}-{unit}-{room}"


def _number(value) -> float | None:
    return None if value is None else round(float(value), 1)  # PostgreSQL's REAL: a Decimal-free float


def _temperature(value, numbers: bool):
    if value is None:
        return None if numbers else ""
    return round(float(value), 1) if numbers else f"{float(value):.1f}"
