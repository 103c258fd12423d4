"""Reading a household roster from CSV or XLSX: all rows or none.

The office's roster usually comes out of Excel on a Chinese Windows machine: a CSV in
GBK or UTF-8 with a BOM, or an XLSX, with Chinese or English headers. Every bad row is
reported with its line number and why; one bad row and nothing is imported.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.errors import BadInput
from kiosk.model import Household
from kiosk.serial import new_household_id

if TYPE_CHECKING:
    import datetime as dt

    from data.store import SqliteStore

# Header names accepted for each field (case and spaces ignored).
HEADERS = {
    "building": ("building", "楼栋", "楼号", "楼"),
    "unit": ("unit", "单元"),
    "room": ("room", "房号", "房间", "门牌"),
    "head": ("head", "户主", "户主姓名"),
    "phone": ("phone", "电话", "联系电话", "手机"),
    "members": ("members", "人数", "户内人数", "人口"),
}
REQUIRED = ("building", "unit", "room")
MAX_ROWS = 200_000
# Bounds no real roster reaches (200,000 flats, a dozen columns, short names), checked
# BEFORE parsing: a crafted file must not take gigabytes and minutes (issue 13: a 333 KB
# XLSX with 3M cells in one row took 2.8 GB and 87 s). docs/leads-and-office.md.
MAX_FILE_BYTES = 64 * 1024 * 1024       # the file as given (CSV, or the XLSX zip)
MAX_COLUMNS = 64                        # cells in one row
MAX_CELLS = MAX_ROWS * 16               # cells in the whole sheet
MAX_FIELD_CHARS = 256                   # one cell's text
MAX_ZIP_ENTRIES = 256                   # an XLSX from Excel has about a dozen
MAX_SHEET_XML_BYTES = 512 * 1024 * 1024  # one worksheet's XML, uncompressed
MAX_XML_BYTES = 1024 * 1024 * 1024       # every entry, uncompressed
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_PHONE = re.compile(r"[0-9+\- ]{3,20}")
_FLAT_PART = re.compile(r"[0-9A-Za-z\u4e00-\u9fff#\-]{1,16}")


@dataclasses.dataclass(frozen=True)
class RowError:
    line: int  # as the spreadsheet numbers it: the header is line 1
    key: str   # message key in kiosk.messages.ROSTER
    value: str = ""


class RosterFileError(BadInput):
    """The file as a whole cannot be read (format, encoding, no header)."""

    table = "roster"

    def __init__(self, key: str, value: str = ""):
        super().__init__(key, value=value)
        self.value = value


def read_rows(path: Path) -> Iterator[list[str]]:
    """The file's rows as lists of text cells, header first; a file beyond the bounds
    above is refused before it is parsed (RosterFileError "roster_too_big")."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt"):
        raise RosterFileError("roster_format", path.suffix)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise RosterFileError("roster_too_big", f"{size // 1024 // 1024} MB > "
                                                f"{MAX_FILE_BYTES // 1024 // 1024} MB")
    if suffix in (".xlsx", ".xlsm"):
        _check_xlsx_bounds(path)
        rows = _xlsx_rows(path)
    else:
        try:  # newline="": a lone carriage return (an old Mac export) ends a line too
            rows = csv.reader(io.StringIO(_decode(path.read_bytes()), newline=""))
        except csv.Error as failure:  # a field past the csv module's size limit, and the like
            raise RosterFileError("roster_format", str(failure)) from None
    try:
        for line, row in enumerate(rows, start=1):
            _check_row_bounds(line, row)
            yield row
    except csv.Error as failure:
        raise RosterFileError("roster_format", str(failure)) from None


def _check_row_bounds(line: int, row: list[str]) -> None:
    if line > MAX_ROWS + 1:
        raise RosterFileError("roster_too_large", str(MAX_ROWS))
    if len(row) > MAX_COLUMNS:
        raise RosterFileError("roster_too_big", f"line {line}: {len(row)} cells > {MAX_COLUMNS}")
    longest = max((len(cell) for cell in row), default=0)
    if longest > MAX_FIELD_CHARS:
        raise RosterFileError("roster_too_big", f"line {line}: a cell of {longest} characters > "
                                                f"{MAX_FIELD_CHARS}")


def _decode(raw: bytes) -> str:
    """The file's one encoding: UTF-8 if all of it is UTF-8, else GB18030 (a superset of
    GBK), and then no line may be UTF-8 text: a file pasted together from two sources would
    import one half as garbled names, so it is refused, naming the first line that is not
    in the encoding of most lines."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    utf8_lines, other_lines = [], []  # the numbers of the lines with non-ASCII text
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.isascii():
            try:
                line.decode("utf-8")
                utf8_lines.append(number)
            except UnicodeDecodeError:
                other_lines.append(number)
    if utf8_lines:  # mixed: the file's encoding is that of most lines; name the first other one
        odd = utf8_lines if len(utf8_lines) <= len(other_lines) else other_lines
        raise RosterFileError("roster_mixed_encoding", str(odd[0]))
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise RosterFileError("roster_encoding") from None


def _check_xlsx_bounds(path: Path) -> None:
    """Look inside the zip before openpyxl does: entries, their uncompressed sizes (from
    the central directory), each worksheet's <dimension>, then its cells counted in one
    streamed pass (1 MiB at a time: nothing expanded in memory, a lying dimension caught)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as book:
            entries = book.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise RosterFileError("roster_too_big", f"{len(entries)} zip entries > {MAX_ZIP_ENTRIES}")
            total = sum(e.file_size for e in entries)
            if total > MAX_XML_BYTES:
                raise RosterFileError("roster_too_big", f"{total // 1024 // 1024} MB uncompressed")
            for entry in entries:
                if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml"):
                    if entry.file_size > MAX_SHEET_XML_BYTES:
                        raise RosterFileError("roster_too_big", f"{entry.filename}: "
                                              f"{entry.file_size // 1024 // 1024} MB uncompressed")
                    with book.open(entry) as sheet:
                        _count_cells(entry.filename, sheet)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as failure:
        raise RosterFileError("roster_format", str(failure)) from None


def _count_cells(name: str, sheet) -> None:
    head = sheet.read(64 * 1024)
    dimension = _DIMENSION.search(head)
    if dimension and dimension.group(4):
        first, last = _column_number(dimension.group(1) or b"A"), _column_number(dimension.group(3))
        columns, rows = last - first + 1, int(dimension.group(4)) - int(dimension.group(2) or 1) + 1
        if columns > MAX_COLUMNS or rows > MAX_ROWS + 1 or columns * rows > MAX_CELLS:
            raise RosterFileError("roster_too_big", f"{name}: {dimension.group(0).decode()}")
    cells, in_row, carry, chunk = 0, 0, b"", head
    while chunk:
        data = carry + chunk
        cut = max(data.rfind(b"<"), 0)  # a tag cut at the chunk's end is counted next time
        data, carry = data[:cut], data[cut:]
        pieces = _ROW.split(data)
        for index, piece in enumerate(pieces):
            if index > 0:
                in_row = 0  # a new row began
            found = len(_CELL.findall(piece))
            in_row += found
            cells += found
            if in_row > MAX_COLUMNS:
                raise RosterFileError("roster_too_big", f"{name}: a row of more than {MAX_COLUMNS} cells")
        if cells > MAX_CELLS:
            raise RosterFileError("roster_too_big", f"{name}: more than {MAX_CELLS:,} cells")
        chunk = sheet.read(1024 * 1024)


def _column_number(letters: bytes) -> int:
    """b"A" → 1, b"AB" → 28: the column letters of a cell reference."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    import openpyxl  # imported here: only an XLSX import pays for it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as failure:  # openpyxl raises many kinds for a damaged file
        raise RosterFileError("roster_format", str(failure)) from None
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield ["" if v is None else _cell_text(v) for v in row]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores room 301 as 301.0
    return str(value)


def parse_roster(path: Path, existing_flats: set[tuple[str, str, str]]
                 ) -> tuple[list[Household], list[RowError]]:
    """Households to add, and every error found; callers import only when errors is empty."""
    rows = read_rows(path)
    header = next(rows, None)
    if header is None:
        raise RosterFileError("roster_empty")
    columns = _columns(header)
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise RosterFileError("roster_missing_column", ", ".join(missing))
    households: list[Household] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in enumerate(rows, start=2):
        cells = {f: (row[i].strip() if i < len(row) else "") for f, i in columns.items()}
        if not any(cells.values()):
            continue  # blank lines are common at the end of a sheet
        household, row_errors = household_from_cells(line, cells)
        errors.extend(row_errors)
        if household is None:
            continue
        flat = (household.building, household.unit, household.room)
        if flat in seen:
            errors.append(RowError(line, "roster_duplicate", f"{household.flat} / {seen[flat]}"))
        elif flat in existing_flats:
            errors.append(RowError(line, "roster_exists", household.flat))
        else:
            seen[flat] = line
            households.append(household)
    if not households and not errors:
        raise RosterFileError("roster_empty")
    return households, errors


def _columns(header: list[str]) -> dict[str, int]:
    names = {alias.lower(): field for field, aliases in HEADERS.items() for alias in aliases}
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        field = names.get(cell.strip().lower().replace(" ", ""))
        if field and field not in columns:
            columns[field] = index
    return columns


def household_from_cells(line: int, cells: dict[str, str]
                         ) -> tuple[Household | None, list[RowError]]:
    """One household from its text fields, or the errors that refuse it."""
    errors = []
    for field in ("building", "unit", "room", "head", "phone"):
        if cells.get(field, "").startswith(("=", "+", "@")) and field != "phone":
            errors.append(RowError(line, "roster_formula", cells[field]))  # spreadsheet injection
    for field in REQUIRED:
        if not cells[field]:
            errors.append(RowError(line, f"roster_no_{field}"))
        elif not _FLAT_PART.fullmatch(cells[field]):
            errors.append(RowError(line, f"roster_bad_{field}", cells[field]))
    phone = cells.get("phone", "")
    if phone and not _PHONE.fullmatch(phone):
        errors.append(RowError(line, "roster_bad_phone", phone))
    members_text = cells.get("members", "") or "1"
    try:
        members = int(members_text)
        if not 1 <= members <= 30:
            raise ValueError
    except ValueError:
        errors.append(RowError(line, "roster_bad_members", members_text))
        members = 1
    head = cells.get("head", "")
    if len(head) > 40:
        errors.append(RowError(line, "roster_bad_head", head[:40]))
    if errors:
        return None, errors
    return Household(new_household_id(), cells["building"], cells["unit"], cells["room"],
                     head, phone, members), []


def import_households(store: SqliteStore, households: list[Household], now: dt.datetime
                      ) -> list[Household]:
    """All or none, in one write transaction; returns the households as stored.

    An id that clashes with one in the database or earlier in the batch is drawn again,
    inside the transaction, so no other writer can take it in between. A flat that another
    program registered meanwhile refuses the batch (store.Conflict).
    """
    return store.import_households(households, now, new_household_id)
