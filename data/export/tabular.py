"""The daily log as CSV (UTF-8 with a BOM, for Excel on Windows) and as XLSX.

Every cell of both goes through daylog.neutral (formula injection), headers, titles and
the summary sheets included. The XLSX is written by rustpy-xlsxwriter (pinned): picked by
measurement for a month's log (600,000 rows in seconds, flat memory; docs/performance.md).
It streams each sheet into an anonymous temporary file (O_TMPFILE: no name, gone with the
process) which we place beside the output rather than in /tmp, like every file we write.
"""
from __future__ import annotations

import contextlib
import csv
import errno
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from data.export.daylog import (
    WIDTHS,
    Summary,
    building_label,
    neutral,
    neutral_row,
    report_cells,
    report_heads,
)
from kiosk.messages import log_text


def write_csv(path: Path, headers: list[str], rows: Iterable[Sequence[Any]],
              neutralised: bool = False) -> None:
    """`neutralised`: the rows' cells have been through daylog.neutral (in SQL) already."""
    # The BOM is what makes Excel on Windows read UTF-8 rather than the ANSI code page,
    # without which every Chinese header turns into mojibake.
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(neutral_row(headers))
        writer.writerows(rows if neutralised else map(neutral_row, rows))

def write_xlsx(path: Path, headers: list[str], columns: tuple[str, ...], rows: Iterable[Sequence[Any]],
               summary: Summary, title: str, lang: str, neutralised: bool = False) -> None:
    """The workbook a lead prints: 汇总 (the day's figures, the per-hour table and its chart),
    出入记录 (the log, streamed), then 外出未归 and 未外出住户 (a gate's only), 各单元, 发热, 特批放行.

    Every sheet: a bold header row, frozen, repeated on each printed page; A4, fit to the
    page's width, landscape when it is wide."""
    import rustpy_xlsxwriter as writer

    log_name = log_text("log", lang)
    sheets: list[tuple[str, Any]] = []
    widths: dict[str, Any] = {}
    number_formats: dict[str, Any] = {}
    temperature = writer.Format().set_num_format("0.0")
    plain = writer.Format()

    def add(name: str, heads: list[str], records: Iterable[Sequence[Any]], sizes: list[float],
            done: bool = False) -> None:
        keys = [str(neutral(h)) for h in heads]
        sheets.append((name, _records(keys, records, lang, done)))
        widths[name] = sizes

    summary_name = log_text("summary", lang)
    add(summary_name, _summary_heads(lang), _summary_rows(summary, lang), [34, 10, 3, 8, 8, 8])
    add(log_name, headers, rows, [WIDTHS[c] + 2 for c in columns], done=neutralised)
    number_formats[log_name] = [temperature if c.startswith("temp_") else plain for c in columns]
    for name, heads, records, sizes in _lead_sheets(summary, lang):
        add(name, heads, records, sizes)
        if name == log_text("fevers_sheet", lang):
            number_formats[name] = [plain, plain, plain, temperature, temperature, plain]

    header = writer.Format().set_bold().set_background_color("#DDE4EE")
    names = [name for name, _ in sheets]
    wide = {name: sum(widths[name]) > 80 for name in names}
    hourly = log_text("col_hour", lang), log_text("exits", lang), log_text("entries", lang)
    try:
        with _temporary_files_beside(path):
            writer.write_worksheets(
                sheets, str(path),
                freeze_panes={name: {"row": 1 if name != summary_name else 3, "col": 0} for name in names},
                header_format=dict.fromkeys(names, header),
                column_widths=widths,
                column_formats=number_formats,
                header_row={summary_name: 2},
                merge_ranges={summary_name: [(0, 0, 0, 5, neutral(title))]},
                page_setup={name: {"paper_size": 9, "landscape": wide[name], "fit_to_pages": (1, 0),
                                   "repeat_rows": 2 if name == summary_name else 0,
                                   "margins": {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.6},
                                   "footer": "&C" + log_text("page", lang, page="&P", pages="&N")}
                            for name in names},
                charts={summary_name: [{
                    "type": "column", "series": [hourly[1], hourly[2]], "categories": hourly[0],
                    "title": log_text("per_hour", lang), "row": 1, "col": 7, "width": 760, "height": 340,
                    "x_axis": log_text("hour_axis", lang), "y_axis": log_text("people", lang)}]},
            )
    except (RuntimeError, OSError) as failure:
        # the writer's own errors carry the OS error in their text only ("... (os error 28)")
        if getattr(failure, "errno", None) is None and ("os error 28" in str(failure)
                                                        or "No space" in str(failure)):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path)) from None
        raise


def _records(keys: list[str], rows: Iterable[Sequence[Any]], lang: str,
             neutralised: bool = False) -> Iterator[dict[str, Any]]:
    """The writer takes a dict a row, keyed by the header it writes; an empty list still
    gets its header row (and one "none" line), so a lead sees the sheet was looked at.
    `neutralised`: the cells have been through daylog.neutral already (the log, in SQL)."""
    empty = True
    for row in rows:
        empty = False
        yield dict(zip(keys, row if neutralised else neutral_row(row), strict=True))
    if empty:
        yield dict(zip(keys, [log_text("none", lang)] + [None] * (len(keys) - 1), strict=True))


def _summary_heads(lang: str) -> list[str]:
    # the third column is a narrow gap between the figures and the per-hour table
    return [log_text("col_item", lang), log_text("col_count", lang), " ",
            log_text("col_hour", lang), log_text("exits", lang), log_text("entries", lang)]


SUMMARY_LINES = 24  # the per-hour table's rows: the figures beside it stop there too


def summary_items(summary: Summary, lang: str) -> list[tuple[str, int]]:
    """The day's figures as a lead reads them, top to bottom (the XLSX summary, the PDF's page)."""
    items = [
        (log_text("scans", lang), summary.scans),
        (log_text("exits_passages", lang), summary.exits),
        (log_text("exits_households", lang), summary.exit_households),
        (log_text("entries", lang), summary.entries),
        (log_text("rule_denials", lang), summary.denial_count),
        (log_text("slips_short", lang), summary.slip_count),
        (log_text("fevers", lang), summary.fever_count),
        (log_text("overrides", lang), summary.override_count),
        (log_text("outsiders", lang), summary.outsiders),
        (log_text("reports", lang), summary.report_count),
    ]
    if summary.out_now is not None:
        items.append((log_text("out_now_sheet", lang), len(summary.out_now)))
    if summary.not_out is not None:
        items.append((log_text("not_out", lang, days=summary.not_out_days), len(summary.not_out)))
    return items


def _summary_rows(summary: Summary, lang: str) -> Iterator[list[Any]]:
    lines: list[tuple[str, int | None]] = [*summary_items(summary, lang), ("", None)]
    lines += [(f"{log_text('rule_denials', lang)}: {log_text(r, lang)}", n) for r, n in summary.denials]
    lines += [(f"{log_text('slips_short', lang)}: {log_text(r, lang)}", n) for r, n in summary.slips]
    if len(lines) > SUMMARY_LINES:
        hidden = sum(n or 0 for _, n in lines[SUMMARY_LINES - 1:])
        lines = lines[:SUMMARY_LINES - 1] + [(log_text("more", lang, count=hidden), None)]
    lines += [("", None)] * (SUMMARY_LINES - len(lines))
    for (label, count), (hour, (exits, entries)) in zip(lines, enumerate(summary.hourly), strict=True):
        yield [label or None, count, None, hour, exits, entries]


def _lead_sheets(summary: Summary, lang: str) -> list[tuple[str, list[str], list, list[float]]]:
    """The lead's lists, each its own sheet with its own header (name, headers, rows, widths)."""
    t = lambda key: log_text(key, lang)  # noqa: E731 (a short alias for the table below)
    fever_rows = [(f.date, f.time, f.flat, f.first, f.second, t(_outcome_key(f.outcome)))
                  for f in summary.fevers]
    unit_rows = [(building_label(u.building, lang), u.unit, u.exits, u.exit_households, u.entries,
                  u.denials, u.fevers) for u in summary.units]
    sheets: list[tuple[str, list[str], list, list[float]]] = []
    if summary.out_now is not None:
        sheets.append((t("out_now_sheet"),
                       [t("col_flat"), t("col_kind"), t("col_serial"), t("col_holder"), t("col_since")],
                       [(flat, t(kind), serial, initial, since)
                        for flat, kind, serial, initial, since in summary.out_now], [12, 8, 12, 8, 14]))
    if summary.not_out is not None:
        sheets.append((t("not_out_sheet"), [t("col_flat"), t("col_holder"), t("col_last_exit")],
                       [(flat, initial, last or t("never")) for flat, initial, last in summary.not_out],
                       [12, 8, 14]))
    sheets += [
        (t("units_sheet"), [t("col_building"), t("col_unit"), t("col_exits"), t("col_exit_households"),
                            t("col_entries"), t("col_denials"), t("col_fevers")], unit_rows,
         [10, 8, 10, 10, 10, 8, 8]),
        (t("fevers_sheet"), [t("col_date"), t("col_time"), t("col_flat"), t("col_temp_first"),
                             t("col_temp_second"), t("col_outcome")], fever_rows, [11, 7, 12, 8, 9, 24]),
        (t("overrides"), [t("col_date"), t("col_time"), t("col_flat"), t("col_operator"), t("col_note")],
         summary.overrides, [11, 7, 12, 10, 30]),
        (t("reports"), report_heads(lang, summary.merged),
         [report_cells(line, lang, summary.merged) for line in summary.reports],
         [11, 7, *([9] if summary.merged else []), 12, 12, 6, 30, 10, 24]),
    ]
    if summary.outsiders_by_gate is not None:
        sheets.append((t("outsiders_sheet"), [t("col_date"), t("col_gate"), t("col_people")],
                       summary.outsiders_by_gate, [11, 12, 8]))
    return sheets


def _outcome_key(outcome: str) -> str:
    return "fever_confirmed_outcome" if outcome == "fever_confirmed" else outcome


_TMPDIR = threading.Lock()


@contextlib.contextmanager
def _temporary_files_beside(path: Path) -> Iterator[None]:
    """The writer's sheet streams (anonymous O_TMPFILE files, in $TMPDIR) go to the output's
    folder: the log never touches /tmp, and a full disk there is the output's full disk.
    The variable is the process's: one export at a time sets it (the admin lane runs one).
    Afterwards it names what it named before, or the folder it stood for when unset (the
    same folder for every program): it is never removed again, so later exports replace a
    value and never grow the environment while another thread may be reading it."""
    import tempfile

    with _TMPDIR:
        before = os.environ.get("TMPDIR") or tempfile.gettempdir()
        os.environ["TMPDIR"] = str(Path(path).resolve().parent)
        try:
            yield
        finally:
            os.environ["TMPDIR"] = before
