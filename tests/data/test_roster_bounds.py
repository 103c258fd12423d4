"""Roster files beyond what a real roster reaches are refused before they are parsed, a
CSV that mixes two encodings is refused with its line, and a 100,000-flat import gets an
id for every household (issue 13). Real crafted files, the real CLI."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from data import roster
from kiosk.app import init_community
from kiosk.serial import normalize_household_id

KIOSK = str(Path(sys.executable).with_name("kiosk"))
HEADER = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/' \
         'spreadsheetml/2006/main">'


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "gate.db"
    init_community(path, "幸福里").close()
    return path


def kiosk(db: Path, *argv) -> subprocess.CompletedProcess:
    env = dict(os.environ, KIOSK_BACKUP_DIR=str(db.parent / "backups"))
    return subprocess.run([KIOSK, "--db", str(db), "--lang", "en", *argv], capture_output=True, text=True,
                          env=env, timeout=600)


def households(db: Path) -> list[str]:
    conn = sqlite3.connect(str(db))
    try:
        return [row[0] for row in conn.execute("SELECT id FROM households")]
    finally:
        conn.close()


def crafted_xlsx(path: Path, sheet_xml: str, extra_entries: int = 0) -> Path:
    """A genuine workbook from openpyxl whose first sheet is replaced by `sheet_xml`."""
    book = openpyxl.Workbook()
    book.active.append(["楼栋", "单元", "房号"])
    book.save(path)
    with zipfile.ZipFile(path) as original:
        items = {info.filename: original.read(info) for info in original.infolist()}
    items["xl/worksheets/sheet1.xml"] = sheet_xml.encode()
    items.update({f"customXml/item{i}.xml": b"<a/>" for i in range(extra_entries)})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as crafted:
        for name, data in items.items():
            crafted.writestr(name, data)
    return path


def one_row(cells: int, dimension: str = "") -> str:
    head = ('<row r="1"><c r="A1" t="inlineStr"><is><t>building</t></is></c><c r="B1" t="inlineStr"><is>'
            '<t>unit</t></is></c><c r="C1" t="inlineStr"><is><t>room</t></is></c></row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return HEADER + dim + "<sheetData>" + head + '<row r="2">' + '<c t="n"><v>1</v></c>' * cells + \
        "</row></sheetData></worksheet>"


@pytest.mark.parametrize("case", ["3M cells, a lying dimension", "3M cells, no dimension",
                                  "an honest dimension of 200,000 columns", "too many zip entries"])
def test_a_spreadsheet_no_roster_reaches_is_refused_before_parsing(db, tmp_path, case):
    path = tmp_path / "bomb.xlsx"
    if case == "3M cells, a lying dimension":
        crafted_xlsx(path, one_row(3_000_000, "A1:C2"))
    elif case == "3M cells, no dimension":
        crafted_xlsx(path, one_row(3_000_000))
    elif case == "an honest dimension of 200,000 columns":
        crafted_xlsx(path, one_row(3, "A1:KHHH2"))
    else:
        crafted_xlsx(path, one_row(3), extra_entries=roster.MAX_ZIP_ENTRIES)
    assert path.stat().st_size < 1_000_000  # small on disk: that is the trick

    result = kiosk(db, "roster", "import", str(path))

    assert result.returncode == 2, result.stderr
    assert "larger than any roster" in result.stderr and "Traceback" not in result.stderr
    assert households(db) == []


def test_a_real_spreadsheet_within_the_bounds_still_imports(db, tmp_path):
    path = tmp_path / "roster.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["楼栋", "单元", "房号", "户主"])
    for room in range(101, 121):
        book.active.append(["1", "1", room, "张三"])
    book.save(path)
    assert kiosk(db, "roster", "import", str(path)).returncode == 0
    assert len(households(db)) == 20


@pytest.mark.parametrize("case", ["a row of 100 fields", "a field of 1,000 characters", "a 65 MB file"])
def test_a_csv_no_roster_reaches_is_refused(db, tmp_path, case):
    path = tmp_path / "roster.csv"
    if case == "a row of 100 fields":
        path.write_text("building,unit,room\n1,1,101\n" + ",".join(["1"] * 100) + "\n")
    elif case == "a field of 1,000 characters":
        path.write_text("building,unit,room,head\n1,1,101," + "张" * 1000 + "\n")
    else:
        with open(path, "wb") as sparse:  # the size alone refuses it: nothing is read
            sparse.write(b"building,unit,room\n")
            sparse.truncate(65 * 1024 * 1024)

    result = kiosk(db, "roster", "import", str(path))

    assert result.returncode == 2 and "larger than any roster" in result.stderr
    assert households(db) == []


def test_a_csv_mixing_gbk_and_utf8_is_refused_naming_the_line(db, tmp_path):
    path = tmp_path / "roster.csv"
    lines = ["楼栋,单元,房号,户主", "1,1,101,张秀英", "1,1,102,王建国", "1,1,103,李桂兰"]
    raw = b"".join(line.encode("gbk") + b"\r\n" for line in lines[:3]) + lines[3].encode() + b"\r\n"
    path.write_bytes(raw)

    result = kiosk(db, "roster", "import", str(path))

    assert result.returncode == 2, result.stderr
    assert "line 4 is not in the encoding of the rest" in result.stderr
    assert households(db) == []


@pytest.mark.parametrize("typed, expected", [
    ("H7K3Q9ADX2M", "H7K3Q9ADX2M"),   # a new id: 'H' and 10 characters
    ("h7k3q9adx2m", "H7K3Q9ADX2M"),
    ("H000101", "H000101"),           # an old short id stays valid
    ("HOOO1O1", "H000101"),           # O for 0, as on a worn printout
    ("H7K3Q", None), ("X000101", None), ("H00010U", None),
])
def test_household_ids_old_and_new_are_accepted_where_typed(typed, expected):
    assert normalize_household_id(typed) == expected


def test_an_old_short_household_id_still_takes_a_card(db):
    gate = init_community(db.parent / "old.db", "老小区")
    from kiosk.model import Household

    gate.store.add_households([Household("H000101", "1", "1", "101")], gate.clock.now())
    gate.close()
    result = kiosk(db.parent / "old.db", "card", "issue", "--household", "h000101", "--kind", "life")
    assert result.returncode == 0, result.stderr
    assert '"household": "H000101"' in result.stdout


@pytest.mark.slow
def test_a_roster_of_100000_households_imports_every_one(db, tmp_path):
    path = tmp_path / "roster.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("building,unit,room,head,phone,members\r\n")
        for n in range(100_000):
            out.write(f"{n // 400 + 1},{n // 100 % 4 + 1},{n % 100 + 101},张{n},139{n:08d},3\r\n")

    started = time.perf_counter()
    result = kiosk(db, "roster", "import", str(path))
    seconds = time.perf_counter() - started

    assert result.returncode == 0, result.stderr
    ids = households(db)
    assert len(ids) == len(set(ids)) == 100_000
    assert all(normalize_household_id(i) == i and len(i) == 11 for i in ids)
    print(f"\n100,000-household roster imported through the CLI in {seconds:.1f} s")


def test_a_mostly_utf8_csv_with_one_gbk_line_names_that_line(db, tmp_path):
    path = tmp_path / "roster.csv"
    lines = ["楼栋,单元,房号,户主", "1,1,101,张秀英", "1,1,102,王建国", "1,1,103,李桂兰"]
    raw = b"".join(line.encode() + b"\n" for line in lines[:2]) + lines[2].encode("gbk") + b"\n" + \
        lines[3].encode() + b"\n"
    path.write_bytes(raw)
    result = kiosk(db, "roster", "import", str(path))
    assert result.returncode == 2 and "line 3 is not in the encoding of the rest" in result.stderr
