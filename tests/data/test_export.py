"""Exports of the daily log, opened with the library that reads each format."""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import zipfile
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from pypdf import PdfReader

from data.export import ExportCancelled, export_log
from data.export.daylog import LogScope, holder_initial, hour_table
from data.store_log import EXPORT_CACHE_KIB
from kiosk import cli
from kiosk.app import Gate
from kiosk.clock import FixedClock
from kiosk.model import CardKind, Household
from kiosk.operators import Operator, OperatorError, Role
from tests.community import on_disk

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 2, 12)
INJECTION = "=HYPERLINK(\"http://x\")"


def at(hour: int, minute: int = 0, day: int = 12) -> dt.datetime:
    return dt.datetime(2026, 2, day, hour, minute, tzinfo=SHANGHAI)


@dataclasses.dataclass
class Day:
    gate: Gate
    admin: Operator
    lead: Operator  # building 3


@pytest.fixture
def day(tmp_path) -> Day:
    """Buildings 3 and 5; one day of scans with a fever, a forged code and an override."""
    clock = FixedClock(at(7))
    a = Household("H0000A1", "3", "2", "301", "张三", "13800000001", 3)
    b = Household("H0000B1", "3", "1", "102", "赵六", "13800000002", 2)
    c = Household("H0000C1", "5", "1", "101", "李四", "13800000003", 1)
    built = on_disk(tmp_path / "gate.db", clock, households=[a, b, c])
    gate = built.gate
    life_a = built.issue(a, CardKind.LIFE, "张三").payload
    life_b = built.issue(b, CardKind.LIFE, "赵六").payload
    life_c = built.issue(c, CardKind.LIFE, "李四").payload
    work_c = built.issue(c, CardKind.WORK, "李小四").payload
    scan = gate.service.scan
    scan(life_a, "out", "36.5", operator="小王", at=at(8))
    scan(life_c, "out", operator="小王", at=at(9))
    scan(work_c, "out", "36.4", operator=INJECTION, at=at(9, 5))
    scan(life_a, "in", "36.6", operator="小王", at=at(10))
    scan(life_b, "in", "37.8", operator="小王", at=at(11))
    scan(life_b, "in", "37.9", operator="小王", at=at(11, 6))
    scan("HELLO WORLD", "in", operator="小王", at=at(12))
    denied = scan(life_a, "out", "36.4", operator="小王", at=at(14))
    assert denied.reason == "quota_used"
    gate.operators().add("张楼长", "lead", "222222", ("3",))
    lead = gate.authenticate("222222", "lead")
    clock.set(at(14, 1))
    gate.override(denied.event_id, lead, "送医就诊")
    scan(life_c, "in", "36.5", operator="小李", at=at(8, day=13))  # the next day
    clock.set(at(18))
    yield Day(gate, Operator("社区办", Role.ADMIN), lead)
    gate.close()


def export(day: Day, operator: Operator, fmt: str, path, **kw):
    return export_log(day.gate.store, day.gate.clock, operator, fmt, path, DAY, **kw)


def read_csv(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel on Windows reads UTF-8"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_has_chinese_headers_and_every_row_of_the_day(day, tmp_path):
    out = tmp_path / "log.csv"
    result = export(day, day.admin, "csv", out)
    rows = read_csv(out)
    assert rows[0] == ["日期", "时间", "方向", "房号", "卡类", "卡号", "结果", "原因", "体温", "复测体温",
                       "值守人员", "备注", "户主", "电话"]
    assert {r[0] for r in rows[1:]} == {"2026-02-12"}  # a single day has its date column too
    assert result.rows == len(rows) - 1 == 9  # the next day's scan is not in it
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["时间"], first["方向"], first["房号"], first["卡类"], first["结果"], first["体温"]) == (
        "08:00:00", "出", "3-2-301", "生活卡", "放行", "36.5")
    fever = [r for r in rows if "复测仍发热" in r]
    assert len(fever) == 1 and fever[0][8:10] == ["37.8", "37.9"]
    assert any(r[7] == "非出入证" and r[3] == "" for r in rows)  # the forged code: no flat
    [override] = [dict(zip(rows[0], r, strict=True)) for r in rows if r[6].startswith("放行（")]
    assert override["结果"] == "放行（负责人放行：送医就诊）" and override["原因"] == "原为：本期已外出"
    assert override["值守人员"] == "张楼长"


def test_a_building_filter_keeps_only_that_buildings_rows(day, tmp_path):
    out = tmp_path / "b5.csv"
    export(day, day.admin, "csv", out, building="5")
    rows = read_csv(out)[1:]
    assert [r[3] for r in rows] == ["5-1-101", "5-1-101"]


def test_a_leads_export_has_only_their_buildings_and_no_contacts(day, tmp_path):
    out = tmp_path / "lead.csv"
    export(day, day.lead, "csv", out)
    rows = read_csv(out)
    assert "户主" not in rows[0] and "电话" not in rows[0]
    assert {r[3].split("-")[0] for r in rows[1:]} == {"3"}
    text = out.read_text(encoding="utf-8-sig")
    assert "1380000" not in text and "张三" not in text and "HELLO" not in text
    with pytest.raises(OperatorError):
        export(day, day.lead, "csv", tmp_path / "b5.csv", building="5")
    assert not (tmp_path / "b5.csv").exists()


def test_english_headers_and_labels(day, tmp_path):
    out = tmp_path / "en.csv"
    export(day, day.lead, "csv", out, lang="en")
    rows = read_csv(out)
    assert rows[0][:8] == ["Date", "Time", "Direction", "Flat", "Card", "Serial", "Decision", "Reason"]
    assert ["2026-02-12", "08:00:00", "out", "3-2-301", "life"] == rows[1][:5]


def test_free_text_never_becomes_a_spreadsheet_formula(day, tmp_path):
    out = tmp_path / "b5.csv"
    export(day, day.admin, "csv", out, building="5")
    operators = [r[10] for r in read_csv(out)[1:]]
    assert "'" + INJECTION in operators


def test_xlsx_has_a_summary_sheet_a_frozen_header_and_numbers(day, tmp_path):
    out = tmp_path / "log.xlsx"
    export(day, day.admin, "xlsx", out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["汇总", "出入记录", "外出未归", "未外出住户", "各单元", "发热", "特批放行",
                               "门岗报告"]
    log = book["出入记录"]
    assert log.freeze_panes == "A2"
    assert log["A1"].value == "日期" and log["B1"].value == "时间" and log["A1"].font.b
    assert log.column_dimensions["L"].width > log.column_dimensions["C"].width  # the note is wide
    rows = list(log.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 9 and {r[0] for r in rows} == {"2026-02-12"}
    fever = next(r for r in rows if r[7] == "复测仍发热")
    assert fever[8] == 37.8 and fever[9] == 37.9  # numbers, not text
    assert log.cell(row=2, column=9).number_format == "0.0"
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=4, values_only=True) if r and r[0]}
    assert summary["外出（人次）"] == 4 and summary["外出（户数）"] == 2 and summary["进入"] == 1
    assert summary["拒绝与复测（按规则）: 复测仍发热"] == 1
    assert summary["拒绝与复测（按规则）: 本期已外出"] == 1
    assert summary["特批放行"] == 1 and summary["发热记录"] == 1
    assert book["汇总"]["A1"].value.startswith("幸福里 出入登记日报")
    assert log.cell(row=4, column=11).value == "'" + INJECTION


def test_xlsx_is_set_up_for_a4_printing_with_the_header_on_every_page(day, tmp_path):
    out = tmp_path / "log.xlsx"
    export(day, day.admin, "xlsx", out)
    book = openpyxl.load_workbook(out)
    for sheet in book.worksheets:
        assert sheet.page_setup.paperSize == 9, sheet.title  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
    log = book["出入记录"]
    assert log.page_setup.orientation == "landscape" and log.print_title_rows == "$1:$1"
    assert book["未外出住户"].page_setup.orientation != "landscape"  # three narrow columns
    assert book["汇总"].print_title_rows == "$3:$3"
    assert "第 &P / &N 页" in log.oddFooter.center.text


def test_pdf_summary_log_page_numbers_and_signature_line(day, tmp_path):
    out = tmp_path / "log.pdf"
    export(day, day.lead, "pdf", out)
    reader = PdfReader(out)
    pages = [p.extract_text() for p in reader.pages]
    summary = pages[0]
    assert "幸福里 出入登记日报" in summary and "3号楼" in summary and "楼栋：" not in summary
    assert "导出：张楼长" in summary
    assert "发热记录 (1)" in summary and "37.8 → 37.9  复测仍发热，送观察点" in summary
    assert "外出（人次）: 2    外出（户数）: 1" in summary
    assert "特批放行 (1)" in summary and "送医就诊" in summary
    assert "楼栋长签字" in summary
    log_text = "\n".join(pages[2:])  # page 2 is the lead's lists
    assert "3-2-301" in log_text and "3-1-102" in log_text and "5-1-101" not in log_text
    assert "电话" not in log_text and "13800000001" not in "".join(pages)
    assert all(f"第{n}/{len(pages)}页" in page.replace(" ", "") for n, page in enumerate(pages, start=1))


def test_the_leads_sheet_has_units_who_is_out_who_stayed_in_and_fever_outcomes(day, tmp_path):
    """What a lead hands in (issue 15), read from the PDF's second page and the XLSX's sheets."""
    day.gate.store.set_setting("lead.not_out_days", "2")
    out = tmp_path / "lead.pdf"
    export(day, day.admin, "pdf", out)
    lists = PdfReader(out).pages[1].extract_text()
    assert "3号楼 1 0 0 0 1 1" in lists  # building, unit, exits, households, entries, denials, fevers
    assert "3号楼 2 2 1 1 1 0" in lists and "5号楼 1 2 1 0 0 0" in lists
    # out now: 李四's life card and 李小四's work card went out on the 12th and came back the 13th
    # (the fixture's last scan); 张三 went out again at 14:01 by the override: out since then
    assert "外出未归（截至导出时）" in lists and "3-2-301 生活卡" in lists and "02-12 14:01" in lists
    assert "连续 2 天未外出的住户（送菜上门）" in lists and "3-1-102 赵 无记录" in lists
    assert "2026-02-12 11:00 3-1-102 37.8 37.9 复测仍发热，送观察点" in lists
    xlsx = tmp_path / "lead.xlsx"
    export(day, day.lead, "xlsx", xlsx)
    book = openpyxl.load_workbook(xlsx)
    assert [r for r in book["未外出住户"].iter_rows(values_only=True)] == [
        ("房号", "持卡人", "最近外出"), ("3-1-102", "赵", "无记录")]
    assert [r[0] for r in book["各单元"].iter_rows(min_row=2, values_only=True)] == ["3号楼", "3号楼"]
    [fever] = list(book["发热"].iter_rows(min_row=2, values_only=True))
    assert fever[3:] == (37.8, 37.9, "复测仍发热，送观察点")


def test_slips_are_counted_apart_from_rule_denials(day, tmp_path):
    [card] = day.gate.store.cards("H0000B1")
    day.gate.service.scan(card.serial, "in", operator="小王", at=at(15))  # an entry without a reading
    out = tmp_path / "slips.xlsx"
    export(day, day.admin, "xlsx", out)
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(out)["汇总"].iter_rows(min_row=4, values_only=True)
               if r and r[0]}
    assert summary["需重新操作"] == 1 and summary["需重新操作: 未测体温"] == 1
    assert summary["拒绝与复测（按规则）"] == 4 and "拒绝与复测（按规则）: 未测体温" not in summary


@pytest.mark.parametrize(("name", "shown"), [("欧阳明", "欧阳"), ("诸葛亮", "诸葛"), ("上官云", "上官"),
                                            ("张三", "张"), ("欧明", "欧"), ("", "")])
def test_the_lists_keep_a_compound_surname_whole(name, shown):
    assert holder_initial(name) == shown


def test_every_export_is_in_the_audit_log(day, tmp_path):
    export(day, day.lead, "csv", tmp_path / "a.csv")
    row = day.gate.store.db.execute(
        "SELECT operator, action, target, details FROM audit ORDER BY id DESC").fetchone()
    assert (row[0], row[1], row[2]) == ("张楼长", "export", str(tmp_path / "a.csv"))
    details = json.loads(row[3])
    assert details["buildings"] == ["3"] and details["rows"] == 6 and details["format"] == "csv"
    assert details["contacts"] is False


def test_a_cancelled_export_leaves_no_file(day, tmp_path):
    out = tmp_path / "log.xlsx"
    with pytest.raises(ExportCancelled):
        export(day, day.admin, "xlsx", out, cancelled=lambda: True)
    assert list(tmp_path.glob("*.xlsx*")) == [] and list(tmp_path.glob(".*part")) == []


def test_progress_reaches_the_total(day, tmp_path):
    seen = []
    export(day, day.admin, "csv", tmp_path / "a.csv", progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (9, 9)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_every_read_of_the_log_runs_on_the_exports_small_cache_and_the_gates_comes_back(day, tmp_path, fmt):
    """Each of the export's queries reads the whole range once: through the gate's 64 MiB page
    cache (and the sorters SQLite sizes by it) a month's XLSX took 114 MB (docs/performance.md).
    The statements the connection runs say which cache each read had."""
    conn = day.gate.store.db.conn
    gate_size = conn.execute("PRAGMA cache_size").fetchone()[0]
    size, reads, on_the_gates_cache = gate_size, 0, []

    def traced(sql: str) -> None:
        nonlocal size, reads
        if set_to := re.match(r"PRAGMA cache_size\s*=\s*(-?\d+)", sql):
            size = int(set_to[1])
        elif re.search(r"\bFROM events e\b", sql):
            reads += 1
            if size != -EXPORT_CACHE_KIB:
                on_the_gates_cache.append(sql)

    conn.set_trace_callback(traced)
    try:
        export(day, day.admin, fmt, tmp_path / f"log.{fmt}")
    finally:
        conn.set_trace_callback(None)
    # the mask check, the count and the rows; the summary's too (XLSX, PDF)
    assert reads >= (3 if fmt == "csv" else 8) and on_the_gates_cache == []
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == gate_size


def test_a_cancelled_export_gives_the_gate_its_cache_back(day, tmp_path):
    conn = day.gate.store.db.conn
    gate_size = conn.execute("PRAGMA cache_size").fetchone()[0]
    with pytest.raises(ExportCancelled):
        export(day, day.admin, "xlsx", tmp_path / "log.xlsx", cancelled=lambda: True)
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == gate_size == -65536


def test_cli_export_as_a_lead_by_pin(day, tmp_path, monkeypatch, capsys):
    out = tmp_path / "lead.csv"
    monkeypatch.setattr("sys.stdin", io.StringIO("222222\n"))
    code = cli.main(["--db", str(day.gate.path), "export", "--date", "2026-02-12", "--format", "csv",
                     "--out", str(out), "--pin-stdin"])
    assert code == 0 and "已导出 6 条记录" in capsys.readouterr().out
    assert "电话" not in read_csv(out)[0]


def test_cli_export_refuses_a_wrong_pin_and_another_building(day, tmp_path, monkeypatch, capsys):
    out = tmp_path / "x.csv"
    monkeypatch.setattr("sys.stdin", io.StringIO("9999\n"))
    args = ["--db", str(day.gate.path), "--lang", "en", "export", "--date", "2026-02-12", "--format",
            "csv", "--out", str(out), "--pin-stdin"]
    assert cli.main(args) == 2
    assert "Wrong PIN" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("222222\n"))
    assert cli.main([*args, "--building", "5"]) == 2
    assert "building 5" in capsys.readouterr().err
    assert not out.exists()


def test_cli_export_as_the_database_owner_covers_a_date_range(day, tmp_path, capsys):
    out = tmp_path / "range.csv"
    code = cli.main(["--db", str(day.gate.path), "export", "--date", "2026-02-12", "--to", "2026-02-13",
                     "--format", "csv", "--out", str(out)])
    assert code == 0
    rows = read_csv(out)
    assert rows[0][0] == "日期" and len(rows) == 11
    assert rows[-1][0] == "2026-02-13"


# -- per-hour counts and the charts (issue 5 follow-up) ----------------------------------

def test_hour_table_fills_empty_hours_and_ignores_what_is_not_a_passage():
    table = hour_table([(8, "out", 2), (8, "in", 1), (23, "in", 4), (7, "sideways", 9), (24, "out", 1)])
    assert len(table) == 24
    assert table[8] == (2, 1) and table[23] == (0, 4)
    assert sum(e + i for e, i in table) == 7


def test_hourly_counts_allowed_passages_by_local_hour_across_midnight(day):
    scan = day.gate.service.scan
    life_a, life_b = (day.gate.office().payload(day.gate.store.cards(h)[0]) for h in ("H0000A1", "H0000B1"))
    # 23:50 and 00:10 in Shanghai are 15:50 and 16:10 UTC of the 12th: one each side of midnight
    assert scan(life_a, "in", "36.5", operator="小王", at=at(23, 50)).decision == "allow"
    assert scan(life_b, "in", "36.5", operator="小王", at=at(0, 10, day=13)).decision == "allow"
    store = day.gate.store
    twelfth = store.log_hourly( LogScope(DAY, DAY, None, False))
    assert twelfth[8] == (1, 0) and twelfth[9] == (2, 0) and twelfth[10] == (0, 1)
    assert twelfth[14] == (1, 0)  # the override let the denied exit through
    assert twelfth[11] == (0, 0)  # a fever's retest and its confirmation are not passages
    assert twelfth[23] == (0, 1) and twelfth[0] == (0, 0) and twelfth[15] == twelfth[16] == (0, 0)
    next_day = DAY + dt.timedelta(days=1)
    thirteenth = store.log_hourly(LogScope(next_day, next_day, None, False))
    assert thirteenth[0] == (0, 1) and thirteenth[8] == (0, 1)
    assert sum(e for e, _ in twelfth) == store.log_summary(LogScope(DAY, DAY, None, False)).exits
    building_5 = store.log_hourly(LogScope(DAY, DAY, ("5",), False))
    assert building_5[9] == (2, 0) and building_5[8] == (0, 0)
    assert store.log_fever_hours(LogScope(DAY, DAY, None, False)) == [11.0, 11.1]


def test_pdf_summary_page_has_the_hourly_chart_and_stays_one_page(day, tmp_path):
    out = tmp_path / "log.pdf"
    export(day, day.admin, "pdf", out)
    pages = [p.extract_text() for p in PdfReader(out).pages]
    summary = pages[0]
    assert "每小时外出与进入（放行人次）" in summary
    assert " ".join(str(h) for h in range(24)) in summary  # the hour axis, 0 to 23
    assert "人次" in summary and "发热时间" in summary and "楼栋长签字" in summary
    assert "08:00:00" not in summary + pages[1] and "08:00:00" in pages[2]  # the log starts on page 3
    assert "各单元合计" in pages[1] and len(pages) == 3


def test_pdf_chart_in_english(day, tmp_path):
    out = tmp_path / "en.pdf"
    export(day, day.lead, "pdf", out, lang="en")
    summary = PdfReader(out).pages[0].extract_text()
    assert "Exits and entries per hour (allowed)" in summary and "hour" in summary
    assert "Exits" in summary and "Entries" in summary and "fever readings" in summary


def test_xlsx_summary_has_the_hourly_table_and_a_bar_chart_of_it(day, tmp_path):
    out = tmp_path / "log.xlsx"
    export(day, day.admin, "xlsx", out)
    with zipfile.ZipFile(out) as package:
        chart_xml = package.read("xl/charts/chart1.xml").decode()
    assert "<c:barChart>" in chart_xml and "每小时外出与进入（放行人次）" in chart_xml
    sheet = openpyxl.load_workbook(out)["汇总"]
    rows = [r[3:6] for r in sheet.iter_rows(values_only=True)]
    header = rows.index(("时段", "外出", "进入")) + 1  # 1-based sheet row
    assert rows[header:header + 24][8] == (8, 1, 0) and rows[header + 9] == (9, 2, 0)
    [chart] = sheet._charts  # openpyxl 3.1 reads charts back
    assert [s.val.numRef.f for s in chart.series] == [
        f"汇总!$E${header + 1}:$E${header + 24}", f"汇总!$F${header + 1}:$F${header + 24}"]
    assert [s.tx.strRef.f for s in chart.series] == [f"汇总!$E${header}", f"汇总!$F${header}"]
