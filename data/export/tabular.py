"""The daily log as CSV (UTF-8 with a BOM, for Excel on Windows) and as XLSX (openpyxl)."""
from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterable
from pathlib import Path

from data.export.daylog import WIDTHS, Summary, safe_text
from kiosk.messages import log_text

# openpyxl is imported inside the XLSX functions: it takes a third of a second to load,
# which a CSV export (the fast path, measured against sqlite3 -csv) should not pay.


def write_csv(path: Path, headers: list[str], rows: Iterable[list]) -> None:
    # The BOM is what makes Excel on Windows read UTF-8 rather than the ANSI code page,
    # without which every Chinese header turns into mojibake.
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(rows)


def write_xlsx(path: Path, headers: list[str], columns: tuple[str, ...], rows: Iterable[list],
               summary: Summary, title: str, lang: str) -> None:
    """Write-only mode: rows stream to disk, so a month's log does not sit in memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    _summary_sheet(book, summary, title, lang)
    sheet = book.create_sheet(log_text("log", lang))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[column] + 2
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE4EE")
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font, cell.fill = bold, fill
        header_cells.append(cell)
    sheet.append(header_cells)
    try:
        for row in rows:
            sheet.append(row)
    except BaseException:
        _discard(book)
        raise
    book.save(path)


def _discard(book) -> None:
    """A cancelled or failed export: close each sheet's stream and remove its temp file."""
    for sheet in book.worksheets:
        with contextlib.suppress(Exception):  # already closed, or nothing written yet
            sheet.close()
            sheet._writer.cleanup()


def _summary_sheet(book, summary: Summary, title: str, lang: str) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = book.create_sheet(log_text("summary", lang))
    sheet.column_dimensions["A"].width = 24
    for letter in "BCDE":
        sheet.column_dimensions[letter].width = 14
    bold = Font(bold=True)
    sheet = _CountedRows(sheet)

    def heading(text: str) -> None:
        cell = WriteOnlyCell(sheet.sheet, value=text)
        cell.font = bold
        sheet.append([cell])

    heading(title)
    sheet.append([])
    for key, value in (("scans", summary.scans), ("exits", summary.exits), ("entries", summary.entries)):
        sheet.append([log_text(key, lang), value])
    sheet.append([])
    heading(log_text("denials", lang))
    for reason, count in summary.denials or [(None, None)]:
        sheet.append([log_text(reason, lang) if reason else log_text("none", lang), count])
    sheet.append([])
    heading(f"{log_text('fevers', lang)} ({summary.fever_count})")
    for date, time, flat, first, second in summary.fevers:
        sheet.append([f"{date} {time}", flat, first, second])
    sheet.append([])
    heading(f"{log_text('overrides', lang)} ({summary.override_count})")
    for date, time, flat, operator, reason in summary.overrides:
        sheet.append([f"{date} {time}", flat, safe_text(operator), safe_text(reason)])
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
        self.sheet.append(row)
        self.rows += 1
