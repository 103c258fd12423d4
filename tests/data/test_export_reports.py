"""The lead's sheet with what the gate itself recorded (issues 17 and 11): the gate's own
reports and the outsiders refused, the mask answers, and slips that read "action needed".

Each format is read back with what a lead's machine would use: openpyxl for the XLSX,
poppler's pdftotext for the PDF, csv for the CSV."""
from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess

import openpyxl
import pytest

from data.export import export_log
from kiosk.clock import FixedClock
from kiosk.model import CardKind, Household
from kiosk.operators import Operator, Role
from tests.community import on_disk
from tests.data.test_export import DAY, Day, at


@pytest.fixture
def day(tmp_path) -> Day:
    """Buildings 3 and 5, the mask check on; a day of passages with every mask answer, and the
    volunteers' reports: outsiders, a crowd, symptoms, two deliveries (one collected)."""
    clock = FixedClock(at(7))
    a = Household("H0000A1", "3", "2", "301", "张三", "13800000001", 3)
    b = Household("H0000B1", "5", "1", "101", "李四", "13800000003", 1)
    built = on_disk(tmp_path / "gate.db", clock, households=[a, b])
    gate = built.gate
    gate.store.set_setting("mask.check", "on")
    life_a = built.issue(a, CardKind.LIFE, "张三").payload
    life_b = built.issue(b, CardKind.LIFE, "李四").payload
    scan = gate.service.scan
    assert scan(life_a, "out", "36.5", operator="小王", at=at(8), mask="yes").decision == "allow"
    assert scan(life_b, "out", "36.4", operator="小王", at=at(9)).reason == "mask_unconfirmed"
    assert scan(life_b, "out", "36.4", operator="小王", at=at(9, 1), mask="no").reason == "mask_missing"
    assert scan(life_b, "out", "36.4", operator="小王", at=at(9, 2), mask="exempt").decision == "allow"
    gate.store.set_setting("mask.rule", "deny")
    assert scan(life_a, "in", "36.6", operator="小王", at=at(10), mask="no").reason == "mask_required"
    assert scan(life_a, "in", "36.6", operator="小王", at=at(10, 1), mask="yes").decision == "allow"

    def report(hour: int, minute: int, kind: str, **kw):
        clock.set(at(hour, minute))
        return gate.report(kind, "小王", **kw)

    report(8, 30, "outsider_refused", count=3, note="外卖骑手")
    report(9, 30, "outsider_refused")
    parcel = report(10, 30, "delivery", flat="3-2-301", note="蔬菜")
    report(11, 0, "delivery", flat="5-1-101", note="药品")
    report(11, 30, "symptoms", flat="5-1-101", note="咳嗽")
    report(12, 0, "crowding", note="排队")
    gate.operators().add("张楼长", "lead", "222222", ("3",))
    lead = gate.authenticate("222222", "lead")
    clock.set(at(15))
    gate.collect_parcel(parcel.id, lead)
    clock.set(at(8, day=13))
    gate.report("outsider_refused", "小李", count=5)  # the next day: not in the 12th's sheet
    clock.set(at(18, day=13))
    yield Day(gate, Operator("社区办", Role.ADMIN), lead)
    gate.close()


def export(day: Day, operator: Operator, fmt: str, path, first: dt.date = DAY, **kw):
    return export_log(day.gate.store, day.gate.clock, operator, fmt, path, first, **kw)


def read_csv(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def pdf_text(path) -> list[str]:
    """The PDF's pages as poppler reads them (-layout keeps a row's cells on one line)."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return text.split("\f")


def summary_of(book) -> dict:
    return {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=4, values_only=True) if r and r[0]}


# -- the mask column and the slips ------------------------------------------------------

def test_the_csv_has_the_mask_answer_after_the_readings_and_slips_read_action_needed(day, tmp_path):
    out = tmp_path / "day.csv"
    export(day, day.admin, "csv", out)
    rows = read_csv(out)
    assert list(rows[0])[8:12] == ["体温", "复测体温", "口罩", "值守人员"]
    assert [(r["时间"], r["口罩"], r["结果"], r["原因"]) for r in rows] == [
        ("08:00:00", "戴口罩", "放行", "正常"),
        ("09:00:00", "", "需处理", "未确认口罩"),        # no answer tapped: the volunteer's slip
        ("09:01:00", "未戴", "需处理", "未戴口罩"),      # no mask, mask.rule slip: hand one out
        ("09:02:00", "免戴", "放行", "正常"),
        ("10:00:00", "未戴", "拒绝", "未戴口罩（禁止）"),  # mask.rule deny: the rule's denial
        ("10:01:00", "戴口罩", "放行", "正常")]
    assert len(rows) == 6  # the reports are not log rows: the CSV stays one row per scan


def test_an_export_with_no_mask_answer_has_no_mask_column(day, tmp_path):
    [card] = day.gate.store.cards("H0000A1")
    day.gate.store.set_setting("mask.check", "off")
    day.gate.service.scan(card.serial, "in", "36.5", operator="小李", at=at(9, day=13))
    out = tmp_path / "13.csv"
    export(day, day.admin, "csv", out, first=dt.date(2026, 2, 13))
    [row] = read_csv(out)
    assert "口罩" not in row and row["结果"] == "放行"
    book_path = tmp_path / "13.xlsx"
    export(day, day.admin, "xlsx", book_path, first=dt.date(2026, 2, 13))
    log = openpyxl.load_workbook(book_path)["出入记录"]
    assert "口罩" not in [c.value for c in log[1]]


def test_the_summary_counts_the_mask_slips_apart_from_the_rules_denials(day, tmp_path):
    out = tmp_path / "day.xlsx"
    export(day, day.admin, "xlsx", out)
    book = openpyxl.load_workbook(out)
    summary = summary_of(book)
    assert summary["需重新操作"] == 2
    assert summary["需重新操作: 未确认口罩"] == 1 and summary["需重新操作: 未戴口罩"] == 1
    assert summary["拒绝与复测（按规则）"] == 1 and summary["拒绝与复测（按规则）: 未戴口罩（禁止）"] == 1
    log = book["出入记录"]
    heads = [c.value for c in log[1]]
    rows = [dict(zip(heads, r, strict=True)) for r in log.iter_rows(min_row=2, values_only=True)]
    assert [r["结果"] for r in rows].count("需处理") == 2 and "拒绝" in [r["结果"] for r in rows]
    assert rows[0]["口罩"] == "戴口罩" and rows[0]["体温"] == 36.5


# -- the gate's reports -----------------------------------------------------------------

def test_an_admins_xlsx_lists_every_report_and_says_which_delivery_was_collected(day, tmp_path):
    out = tmp_path / "day.xlsx"
    export(day, day.admin, "xlsx", out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[-1] == "门岗报告"
    summary = summary_of(book)
    assert summary["外来人员劝返（人次）"] == 4 and summary["门岗报告"] == 6
    sheet = book["门岗报告"]
    assert [c.value for c in sheet[1]] == ["日期", "时间", "类别", "房号", "人数", "备注", "值守人员",
                                           "领取情况"]
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [
        ("2026-02-12", "08:30", "外来人员劝返", None, 3, "外卖骑手", "小王", None),
        ("2026-02-12", "09:30", "外来人员劝返", None, 1, None, "小王", None),
        ("2026-02-12", "10:30", "物资送达", "3-2-301", None, "蔬菜", "小王", "已领取 02-12 15:00（张楼长）"),
        ("2026-02-12", "11:00", "物资送达", "5-1-101", None, "药品", "小王", "未领取（仍在门口）"),
        ("2026-02-12", "11:30", "有症状", "5-1-101", None, "咳嗽", "小王", None),
        ("2026-02-12", "12:00", "门口聚集", None, None, "排队", "小王", None)]
    assert sheet.freeze_panes == "A2" and sheet.page_setup.paperSize == 9


def test_a_leads_sheet_has_their_buildings_reports_and_the_gates_outsider_count(day, tmp_path):
    out = tmp_path / "lead.xlsx"
    export(day, day.lead, "xlsx", out)
    book = openpyxl.load_workbook(out)
    summary = summary_of(book)
    # outsiders belong to no building: the gate's count, on every sheet; their rows are not here
    assert summary["外来人员劝返（人次）"] == 4 and summary["门岗报告"] == 1
    assert list(book["门岗报告"].iter_rows(min_row=2, values_only=True)) == [
        ("2026-02-12", "10:30", "物资送达", "3-2-301", None, "蔬菜", "小王", "已领取 02-12 15:00（张楼长）")]


def test_a_range_sums_the_outsiders_of_its_days(day, tmp_path):
    out = tmp_path / "range.xlsx"
    export(day, day.admin, "xlsx", out, last=dt.date(2026, 2, 13))
    book = openpyxl.load_workbook(out)
    assert summary_of(book)["外来人员劝返（人次）"] == 9
    assert [r[0] for r in book["门岗报告"].iter_rows(min_row=2, values_only=True)][-1] == "2026-02-13"


def test_the_pdf_shows_the_outsiders_and_the_leads_reports(day, tmp_path):
    out = tmp_path / "lead.pdf"
    export(day, day.lead, "pdf", out)
    pages = pdf_text(out)
    assert "外来人员劝返（人次）: 4" in pages[0]
    lists = pages[1]
    assert "门岗报告 (1)" in lists
    [line] = [ln for ln in lists.splitlines() if "3-2-301" in ln and "蔬菜" in ln]
    assert "10:30" in line and "物资送达" in line and "已领取 02-12 15:00（张楼长）" in line
    assert "5-1-101" not in "".join(pages) and "门口聚集" not in lists and "外卖骑手" not in lists
    log = "\n".join(pages[2:])
    assert "需处理" not in log  # the lead's buildings had no slip; building 5's are not theirs
    assert "口罩" in log and "戴口罩" in log


def test_an_admins_pdf_lists_outsiders_crowds_and_the_waiting_parcel(day, tmp_path):
    out = tmp_path / "admin.pdf"
    export(day, day.admin, "pdf", out)
    pages = pdf_text(out)
    lists = pages[1]
    assert "门岗报告 (6)" in lists
    [outsiders] = [ln for ln in lists.splitlines() if "外卖骑手" in ln]
    assert "08:30" in outsiders and "外来人员劝返" in outsiders and " 3 " in outsiders
    assert any("药品" in ln and "未领取（仍在门口）" in ln for ln in lists.splitlines())
    assert "门口聚集" in lists
    assert "需处理" in "\n".join(pages[2:])


def test_the_reports_in_english(day, tmp_path):
    out = tmp_path / "en.xlsx"
    export(day, day.lead, "xlsx", out, lang="en")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[-1] == "Gate reports"
    figures = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=4, values_only=True) if r and r[0]}
    assert figures["Outsiders refused (people)"] == 4
    [row] = list(book["Gate reports"].iter_rows(min_row=2, values_only=True))
    assert row[2] == "delivery for a flat" and row[7] == "collected 02-12 15:00 by 张楼长"


def test_a_report_note_never_becomes_a_formula(day, tmp_path):
    clock = day.gate.clock
    clock.set(at(13))
    day.gate.report("other", "小王", flat="3-2-301", note="=HYPERLINK(\"http://x\")")
    out = tmp_path / "lead.xlsx"
    export(day, day.lead, "xlsx", out)
    notes = [r[5] for r in openpyxl.load_workbook(out)["门岗报告"].iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in notes


def test_a_parcel_collected_the_next_day_says_so_on_the_day_it_came(day, tmp_path):
    [waiting] = day.gate.store.waiting_parcels(None)
    assert waiting.flat == "5-1-101"
    day.gate.clock.set(at(9, 15, day=13))
    day.gate.collect_parcel(waiting.id, Operator("王楼长", Role.LEAD, ("5",)))
    out = tmp_path / "day.xlsx"
    export(day, day.admin, "xlsx", out)
    rows = list(openpyxl.load_workbook(out)["门岗报告"].iter_rows(min_row=2, values_only=True))
    assert [r[7] for r in rows if r[2] == "物资送达"] == [
        "已领取 02-12 15:00（张楼长）", "已领取 02-13 09:15（王楼长）"]
