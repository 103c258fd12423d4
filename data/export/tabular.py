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

    def heading(text: str) -> None:
        cell = WriteOnlyCell(sheet, value=text)
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
