"""Roster import: CSV (UTF-8 or GBK) and XLSX, all rows or none, every bad row by line."""
from __future__ import annotations

import openpyxl
import pytest

from data.roster import RosterFileError, parse_roster

HEADER_ZH = "楼栋,单元,房号,户主,电话,人数\n"


def write(tmp_path, text, encoding="utf-8-sig", name="roster.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_chinese_csv_in_any_common_encoding(tmp_path, encoding):
    path = write(tmp_path, HEADER_ZH + "3,2,301,张三,13800000000,3\n3,2,302,李四,,1\n", encoding)
    households, errors = parse_roster(path, set())
    assert errors == []
    assert [(h.flat, h.head, h.members) for h in households] == [
        ("3-2-301", "张三", 3), ("3-2-302", "李四", 1)]


def test_english_headers_and_blank_lines(tmp_path):
    path = write(tmp_path, "Building,Unit,Room\n1,1,101\n\n,,\n1,1,102\n")
    households, errors = parse_roster(path, set())
    assert not errors and [h.room for h in households] == ["101", "102"]


def test_every_bad_row_is_reported_with_its_line(tmp_path):
    path = write(tmp_path, HEADER_ZH + "3,2,301,张三,,3\n"  # line 2: fine
                 "3,,303,,,\n"                   # line 3: no unit
                 "3,2,304,王五,phone?,2\n"       # line 4: bad phone
                 "3,2,305,赵六,,99\n"            # line 5: members out of range
                 "3,2,301,重复,,1\n"             # line 6: same flat as line 2
                 "=HYPERLINK(\"x\"),2,306,,,1\n"  # line 7: a formula
                 "3,2,307,,,1\n")                # line 8: already registered
    _, errors = parse_roster(path, {("3", "2", "307")})
    assert [(e.line, e.key) for e in errors] == [
        (3, "roster_no_unit"), (4, "roster_bad_phone"), (5, "roster_bad_members"),
        (6, "roster_duplicate"), (7, "roster_formula"), (7, "roster_bad_building"),
        (8, "roster_exists")]


def test_xlsx_with_numbers_as_cells(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["楼栋", "单元", "房号", "户主", "人数"])
    sheet.append([3, 2, 301, "张三", 4])
    sheet.append([3.0, 2, 302.0, None, None])
    book.save(tmp_path / "roster.xlsx")
    households, errors = parse_roster(tmp_path / "roster.xlsx", set())
    assert not errors and [h.flat for h in households] == ["3-2-301", "3-2-302"]
    assert households[0].members == 4


@pytest.mark.parametrize(("content", "name", "key"), [
    ("", "roster.csv", "roster_empty"),
    ("楼栋,房号\n3,301\n", "roster.csv", "roster_missing_column"),
    ("楼栋,单元,房号\n", "roster.csv", "roster_empty"),
    ("not a spreadsheet", "roster.xlsx", "roster_format"),
    ("a", "roster.pdf", "roster_format"),
])
def test_unreadable_files_are_refused_as_a_whole(tmp_path, content, name, key):
    with pytest.raises(RosterFileError) as refused:
        parse_roster(write(tmp_path, content, name=name), set())
    assert refused.value.key == key


def test_bytes_in_no_known_encoding_are_refused(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"\xff\xfe\x00\x81\x30\x81\x30\xff" * 3)
    with pytest.raises(RosterFileError):
        parse_roster(path, set())
