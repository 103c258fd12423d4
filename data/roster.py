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

from kiosk.model import Household
from kiosk.serial import new_household_id

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
_PHONE = re.compile(r"[0-9+\- ]{3,20}")
_FLAT_PART = re.compile(r"[0-9A-Za-z\u4e00-\u9fff#\-]{1,16}")


@dataclasses.dataclass(frozen=True)
class RowError:
    line: int  # as the spreadsheet numbers it: the header is line 1
    key: str   # message key in kiosk.messages.ROSTER
    value: str = ""


class RosterFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, no header)."""

    def __init__(self, key: str, value: str = ""):
        super().__init__(key)
        self.key = key
        self.value = value


def read_rows(path: Path) -> Iterator[list[str]]:
    """The file's rows as lists of text cells, header first."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        yield from _xlsx_rows(path)
    elif suffix in (".csv", ".txt"):
        try:  # newline="": a lone carriage return (an old Mac export) ends a line too
            yield from csv.reader(io.StringIO(_decode(path.read_bytes()), newline=""))
        except csv.Error as failure:  # a field past the csv module's size limit, and the like
            raise RosterFileError("roster_format", str(failure)) from None
    else:
        raise RosterFileError("roster_format", path.suffix)


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # gb18030 is a superset of GBK
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterFileError("roster_encoding")


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
        if line > MAX_ROWS + 1:
            raise RosterFileError("roster_too_large", str(MAX_ROWS))
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
