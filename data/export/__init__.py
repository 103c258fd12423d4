"""Exports of the daily log: CSV, XLSX and PDF, for a lead's buildings or the whole gate.

`export_log` is the one entry point (the CLI and the admin screen call it). It streams
the rows, reports progress, can be cancelled between rows, writes through data.outputs
(an owner-only temporary file beside the target that replaces it only when complete: a
cancelled or failed export leaves no half file; never onto the database, its key or its
backups, and onto an existing file only with `force`), and writes one audit line saying
who exported what.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from data.export.daylog import LogScope, building_label
from data.export.fonts import FontMissing
from data.outputs import writing
from data.store import SqliteStore
from kiosk.clock import Clock
from kiosk.messages import log_text
from kiosk.operators import Operator
from kiosk.policy import Policy
from kiosk.ports import Cancelled

log = logging.getLogger("export")

FORMATS = ("csv", "xlsx", "pdf")
PROGRESS_EVERY = 1000

Progress = Callable[[int, int], None]  # rows done, rows in all


class ExportCancelled(Cancelled):
    """The operator cancelled; no file was written."""


@dataclasses.dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    seconds: float


def export_log(store: SqliteStore, clock: Clock, operator: Operator, fmt: str, out: Path,
               first: dt.date, last: dt.date | None = None, building: str | None = None,
               lang: str = "zh", progress: Progress | None = None,
               cancelled: Callable[[], bool] | None = None, force: bool = False) -> ExportResult:
    """Write the log of `first`..`last` (one day by default) for what `operator` may see.

    OperatorError for a building that is not the operator's, ValueError for an unknown
    format, ExportCancelled, FontMissing (PDF), OutputRefused (data.outputs: a guarded
    path, or an existing file without `force`), OSError for the output file.
    """
    if fmt not in FORMATS:
        raise ValueError(fmt)
    started = time.perf_counter()
    scope = LogScope.for_operator(operator, first, last, building)
    # the mask column only where the mask check was used (docs/leads-and-office.md)
    scope = dataclasses.replace(scope, mask=store.log_has_mask(scope))
    total = store.log_count(scope)
    done = 0

    def rows() -> Iterator[tuple]:
        nonlocal done
        # the spreadsheets' cells come neutralised from SQL (daylog.neutral's rule, in C)
        for row in store.log_lines(scope, lang, numbers=fmt == "xlsx", neutralised=fmt != "pdf"):
            if done % PROGRESS_EVERY == 0:  # the first row too: a cancel before any work
                if cancelled is not None and cancelled():
                    raise ExportCancelled()
                if progress is not None:
                    progress(done, total)
            yield row
            done += 1

    community = store.community().name
    title = (log_text("title", lang, community=community) if scope.one_day else
             log_text("title_range", lang, community=community, first=first, last=scope.last))
    with writing(out, [store.path], force) as pending:
        part = pending.part
        if fmt == "csv":
            from data.export.tabular import write_csv

            write_csv(part, scope.headers(lang), rows(), neutralised=True)
        elif fmt == "xlsx":
            from data.export.tabular import write_xlsx

            write_xlsx(part, scope.headers(lang), scope.columns(), rows(), store.log_summary(scope),
                       _title_with_scope(title, scope, lang), lang, neutralised=True)
        else:
            from data.export.pdf import write_pdf

            zone = Policy(store.settings()).timezone
            now_local = clock.now().astimezone(zone).strftime("%Y-%m-%d %H:%M")
            write_pdf(part, scope.headers(lang), scope.columns(), rows(), store.log_summary(scope),
                      title, _scope_line(scope, lang),
                      log_text("exported_by", lang, operator=operator.name, at=now_local), lang)
    out = Path(out)
    if progress is not None:
        progress(done, total)
    store.audit(operator.name, "export", str(out), {
        "format": fmt, "first": first.isoformat(), "last": scope.last.isoformat(),
        "buildings": list(scope.buildings) if scope.buildings is not None else "all",
        "rows": done, "contacts": scope.contacts}, clock.now())
    seconds = time.perf_counter() - started
    log.info("exported %d rows as %s to %s in %.2f s", done, fmt, out, seconds)
    return ExportResult(out, done, seconds)


def _scope_line(scope: LogScope, lang: str) -> str:
    dates = scope.first.isoformat() if scope.one_day else f"{scope.first} – {scope.last}"
    if scope.buildings is None:
        return f"{dates}    {log_text('buildings_all', lang)}"
    names = ("、" if lang == "zh" else ", ").join(building_label(b, lang) for b in scope.buildings)
    return f"{dates}    {log_text('buildings', lang, buildings=names)}"


def _title_with_scope(title: str, scope: LogScope, lang: str) -> str:
    return f"{title}    {_scope_line(scope, lang)}"


__all__ = ["FORMATS", "ExportCancelled", "ExportResult", "FontMissing", "export_log"]
