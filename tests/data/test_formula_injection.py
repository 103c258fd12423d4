"""Formula injection (OWASP "CSV Injection"): every text cell of the CSV and the XLSX that
starts with = + - @ tab or carriage return is neutralised by one function
(data.export.daylog.neutral), read back as a lead's spreadsheet would."""
from __future__ import annotations

import csv
import datetime as dt
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from data.export import export_log
from kiosk.app import init_community
from kiosk.clock import FixedClock
from kiosk.model import CardKind, Household
from kiosk.operators import Operator, Role

INJECTIONS = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']
FIELDS = ["community", "building", "head", "phone", "operator", "override_operator", "override_reason"]
STARTS = tuple("=+-@\t\r")
DAY = dt.date(2026, 2, 12)
AT = dt.datetime(2026, 2, 12, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def gate_with(tmp_path, field: str, text: str):
    value = lambda name, default: text if field == name else default  # noqa: E731 (a table)
    gate = init_community(tmp_path / "gate.db", value("community", "幸福里"), start_date=DAY,
                          clock=FixedClock(AT))
    home = Household("H0000A1", value("building", "3"), "2", "301", value("head", "张三"),
                     value("phone", "13800000001"), 3)
    gate.store.add_households([home], AT)
    card = gate.office().issue(home.id, CardKind.LIFE, "张三").payload
    gate.service.scan(card, "out", "36.5", operator=value("operator", "小王"), at=AT)
    denied = gate.service.scan(card, "out", "36.5", operator="小王", at=AT.replace(hour=9))
    gate.override(denied.event_id, Operator(value("override_operator", "李楼长"), Role.ADMIN),
                  value("override_reason", "hospital"))
    return gate


def as_excel_shows(value: str) -> str:
    """A carriage return is stored as OOXML's escape _x000D_ (ST_Xstring), which Excel turns
    back into the character and openpyxl leaves as it is."""
    return value.replace("_x000D_", "\r")


def cells_of_xlsx(path):
    book = openpyxl.load_workbook(path)
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
            if cell.value is not None]


@pytest.mark.parametrize("text", INJECTIONS, ids=repr)
@pytest.mark.parametrize("field", FIELDS)
def test_no_export_cell_is_ever_a_formula(tmp_path, field, text):
    gate = gate_with(tmp_path, field, text)
    admin = Operator("admin", Role.ADMIN)  # an admin's export: head and phone columns too
    try:
        for fmt in ("csv", "xlsx"):
            export_log(gate.store, gate.clock, admin, fmt, tmp_path / f"log.{fmt}", DAY)
    finally:
        gate.close()
    with open(tmp_path / "log.csv", encoding="utf-8-sig", newline="") as f:
        csv_cells = [c for row in csv.reader(f) for c in row]
    xlsx = cells_of_xlsx(tmp_path / "log.xlsx")
    assert not [c for c in csv_cells if c.startswith(STARTS)]
    assert not [c.coordinate for c in xlsx if c.data_type == "f"]
    assert not [c.value for c in xlsx if isinstance(c.value, str) and c.value.startswith(STARTS)]
    typed = text.replace("\r", "\n")  # XML reads a carriage return back as a newline
    shown = ("'" + typed, "'" + typed.strip())  # a reason is stored stripped of blanks
    if field != "community":  # the CSV has no title line; a reason is inside the note cell
        assert any(text.strip() in c for c in csv_cells), csv_cells
    assert any(isinstance(c.value, str) and as_excel_shows(c.value).replace("\r", "\n").startswith(shown)
               for c in xlsx if c.data_type == "s")


def test_a_flat_like_minus_one_is_text_in_both_formats(tmp_path):
    gate = gate_with(tmp_path, "building", "-1")
    gate.store.add_households([Household("H0000B1", "-1", "-1", "-101", "", "", 1)], AT)
    try:
        for fmt in ("csv", "xlsx"):
            export_log(gate.store, gate.clock, Operator("a", Role.ADMIN), fmt, tmp_path / f"log.{fmt}", DAY)
    finally:
        gate.close()
    with open(tmp_path / "log.csv", encoding="utf-8-sig", newline="") as f:
        flats = {row[3] for row in csv.reader(f)}
    assert "'-1-2-301" in flats
    assert "'-1-2-301" in {c.value for c in cells_of_xlsx(tmp_path / "log.xlsx")}
