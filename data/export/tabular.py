"""The daily log as CSV (UTF-8 with a BOM, for Excel on Windows) and as XLSX (openpyxl).

Every cell of both goes through daylog.neutral (formula injection), headers, titles and
the summary sheet included. The XLSX is written without openpyxl's own temporary files
(which land in /tmp, holding the log): each sheet streams into a scratch file beside the
output (data.outputs), and the archive is closed here so a full disk raises once, cleanly.
"""
from __future__ import annotations

import contextlib
import csv
import errno
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from data.export.daylog import WIDTHS, Summary, neutral, neutral_row
from kiosk.messages import log_text

# openpyxl is imported inside the XLSX functions: it takes a third of a second to load,
# which a CSV export (the fast path, measured against sqlite3 -csv) should not pay.


def write_csv(path: Path, headers: list[str], rows: Iterable[Sequence[Any]]) -> None:
    # The BOM is what makes Excel on Windows read UTF-8 rather than the ANSI code page,
    # without which every Chinese header turns into mojibake.
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(neutral_row(headers))
        writer.writerows(map(neutral_row, rows))


def write_xlsx(path: Path, headers: list[str], columns: tuple[str, ...], rows: Iterable[Sequence[Any]],
               summary: Summary, title: str, lang: str, scratch: Callable[[str], Path]) -> None:
    """Write-only mode: rows stream to disk, so a month's log does not sit in memory.

    `scratch(suffix)` gives an owner-only temporary file beside the output for each sheet's
    stream (data.outputs.PendingOutput.scratch); the caller removes them."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    try:
        _summary_sheet(book, summary, title, lang, scratch)
        sheet = book.create_sheet(log_text("log", lang))
        sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[column] + 2
        bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE4EE")
        _stream_into_scratch(sheet, scratch)
        header_cells = []
        for text in headers:
            cell = WriteOnlyCell(sheet, value=neutral(text))
            cell.font, cell.fill = bold, fill
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append(neutral_row(row))
        _save(book, path)
    except BaseException as failure:
        _close_streams(book)
        if _lxml_disk_full(failure):  # lxml's own error for a full disk: an OSError like the others
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path)) from None
        raise


def _lxml_disk_full(failure: BaseException) -> bool:
    return type(failure).__name__ == "SerialisationError" and "ENOSPC" in str(failure)


def _stream_into_scratch(sheet, scratch: Callable[[str], Path]) -> None:
    """A write-only sheet's stream goes to a scratch file of ours, not openpyxl's temp file.
    Call it once the sheet's columns and panes are set: they are written first."""
    from openpyxl.worksheet._writer import WorksheetWriter

    class ScratchWriter(WorksheetWriter):
        def cleanup(self) -> None:
            """openpyxl removes its own temp files here; ours are data.outputs' to remove."""

    # openpyxl 3.1 (pinned) creates the writer lazily with a temp file in /tmp; giving the
    # sheet one first, with the constructor's own `out` argument, keeps the stream beside
    # the output, owner-only.
    sheet._writer = ScratchWriter(sheet, out=str(scratch("sheet.xml")))
    sheet._writer.write_top()


def _save(book, path: Path) -> None:
    """book.save, with the archive closed here on failure: otherwise a full disk raises
    once here and again from ZipFile.__del__, a traceback after the message."""
    from zipfile import ZIP_DEFLATED, ZipFile

    from openpyxl.writer.excel import ExcelWriter

    archive = ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True)
    try:
        ExcelWriter(book, archive).save()  # writes every part, then closes the archive
    except BaseException:
        with contextlib.suppress(Exception):  # the same full disk again: already reported
            archive.close()
        raise


def _close_streams(book) -> None:
    """A cancelled or failed export: close each sheet's stream (the files are the caller's)."""
    for sheet in book.worksheets:
        for close in (sheet.close, getattr(sheet._rows, "close", None), sheet._writer.xf.close):
            with contextlib.suppress(Exception):  # already closed, or the disk is full
                if close is not None:
                    close()


def _summary_sheet(book, summary: Summary, title: str, lang: str, scratch: Callable[[str], Path]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = book.create_sheet(log_text("summary", lang))
    sheet.column_dimensions["A"].width = 24
    for letter in "BCDE":
        sheet.column_dimensions[letter].width = 14
    _stream_into_scratch(sheet, scratch)
    bold = Font(bold=True)
    sheet = _CountedRows(sheet)

    def heading(text: str) -> None:
        cell = WriteOnlyCell(sheet.sheet, value=neutral(text))
        cell.font = bold
        sheet.append([cell])

    heading(title)
    sheet.append([])
    for key, value in (("scans", summary.scans), ("exits", summary.exits), ("entries", summary.entries)):
        sheet.append([log_text(key, lang), value])
    sheet.append([])
    heading(log_text("denials", lang))
    denials: list[tuple[str, int | None]] = [*summary.denials] or [("", None)]
    for reason, count in denials:
        sheet.append([log_text(reason, lang) if reason else log_text("none", lang), count])
    sheet.append([])
    heading(f"{log_text('fevers', lang)} ({summary.fever_count})")
    for date, time, flat, first, second in summary.fevers:
        sheet.append([f"{date} {time}", flat, first, second])
    sheet.append([])
    heading(f"{log_text('overrides', lang)} ({summary.override_count})")
    for date, time, flat, operator, reason in summary.overrides:
        sheet.append([f"{date} {time}", flat, operator, reason])
    sheet.append([])
    _hour_table_and_chart(sheet, summary, lang, heading)


def _hour_table_and_chart(sheet, summary: Summary, lang: str, heading) -> None:
    """The per-hour table (hour, exits, entries) at the end of the summary sheet and a bar
    chart of it beside the summary's first lines, where a lead looks first.

    The chart's references need the table's row numbers: _CountedRows counts them.
    """
    from openpyxl.chart import BarChart, Reference

    heading(log_text("per_hour", lang))
    sheet.append([log_text("col_hour", lang), log_text("exits", lang), log_text("entries", lang)])
    header_row = sheet.rows
    for hour, (exits, entries) in enumerate(summary.hourly):
        sheet.append([hour, exits, entries])
    last_row = header_row + len(summary.hourly)
    chart = BarChart()
    chart.type, chart.grouping = "col", "clustered"
    chart.title = log_text("per_hour", lang)
    chart.x_axis.title = log_text("hour_axis", lang)
    chart.y_axis.title = log_text("people", lang)
    chart.x_axis.delete = chart.y_axis.delete = False  # Excel hides the axes otherwise
    chart.add_data(Reference(sheet.sheet, min_col=2, max_col=3, min_row=header_row, max_row=last_row),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet.sheet, min_col=1, min_row=header_row + 1, max_row=last_row))
    exits, entries = chart.series
    exits.graphicalProperties.solidFill = "1F4E8C"  # the PDF's colours: dark and light apart
    entries.graphicalProperties.solidFill = "F6B26B"
    entries.graphicalProperties.line.solidFill = "404040"
    chart.width, chart.height = 22, 9  # cm
    sheet.sheet.add_chart(chart, "G2")


class _CountedRows:
    """A write-only sheet that counts the rows appended (it cannot be read back)."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.rows = 0

    def append(self, row: list) -> None:
        self.sheet.append(neutral_row(row))
        self.rows += 1
