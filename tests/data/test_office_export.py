"""`kiosk office export`: the community's merged log of every gate, read from a real office
(a SQLite file and a real PostgreSQL) that two gates synced into."""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from pypdf import PdfReader

from data.sync import enroll, sync_once
from kiosk.app import Gate, open_gate
from kiosk.cli import main
from kiosk.clock import FixedClock
from kiosk.model import CardKind, Household
from kiosk.operators import Operator, Role
from tests.community import on_disk

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.date(2026, 2, 10)


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 2, day, hour, minute, tzinfo=SHANGHAI)


@dataclasses.dataclass
class Synced:
    url: str
    north: Gate
    south: Gate


@pytest.fixture
def synced(tmp_path, office_url):
    """Buildings 3 and 5; the north gate founds the office, the south gate (南门) enrols; a
    day of scans at both, a fever confirmed at the south gate, both synced."""
    clock = FixedClock(local(10, 7))
    a = Household("H000301", "3", "2", "301", "欧阳明", "13800000001", 3)
    b = Household("H000501", "5", "1", "101", "李四", "13800000002", 1)
    built = on_disk(tmp_path / "north.db", clock, start=START, households=[a, b])
    life_a = built.issue(a, CardKind.LIFE, "欧阳明").payload
    life_b = built.issue(b, CardKind.LIFE, "李四").payload
    north = built.gate
    sync_once(north, office_url, clock)
    enroll(tmp_path / "south.db", office_url, "南门", clock)
    south = open_gate(tmp_path / "south.db", clock=clock)
    north.service.scan(life_a, "out", "36.5", operator="小王", at=local(10, 8))
    south.service.scan(life_a, "in", "36.6", operator="老李", at=local(10, 10), mask="yes")
    south.service.scan(life_b, "in", "37.8", operator="老李", at=local(10, 11))
    south.service.scan(life_b, "in", "37.9", operator="老李", at=local(10, 11, 6))
    north.service.scan(life_b, "out", "36.4", operator="小王", at=local(11, 9))  # the next day
    # a mistyped card number on the next day: a slip ("action needed"), not a denial
    assert south.service.scan("3-2-301", "in", operator="老李", at=local(11, 9, 30),
                              source="typed").reason == "not_a_card"
    # the gates' own reports (issue 17): outsiders at both gates, a delivery collected at the
    # south gate, symptoms at the north gate
    for gate, minute, kind, extra in ((north, 20, "outsider_refused", {"count": 2}),
                                      (south, 30, "outsider_refused", {"count": 1, "note": "快递"}),
                                      (north, 40, "symptoms", {"flat": "5-1-101", "note": "咳嗽"}),
                                      (south, 50, "delivery", {"flat": "3-2-301", "note": "蔬菜"})):
        clock.set(local(10, 9, minute))
        report = gate.report(kind, "老李" if gate is south else "小王", **extra)
    clock.set(local(10, 16))
    south.collect_parcel(report.id, Operator("张楼长", Role.LEAD, ("3",)))
    clock.set(local(11, 8))
    north.report("outsider_refused", "小王", count=4)  # the next day
    clock.set(local(11, 12))
    sync_once(south, office_url, clock)
    sync_once(north, office_url, clock)
    yield Synced(office_url, north, south)
    south.close()
    built.close()


def office_export(synced: Synced, tmp_path, fmt: str, *extra: str, name: str = "office") -> tuple:
    out = tmp_path / f"{name}.{fmt}"
    code = main(["office", "export", "--office", synced.url, "--date", "2026-02-10", *extra,
                 "--format", fmt, "--out", str(out)])
    return code, out


def read_csv(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def test_the_merged_log_has_every_gates_events_in_time_order_with_the_gate(synced, tmp_path, capsys):
    code, out = office_export(synced, tmp_path, "csv")
    assert code == 0 and "已导出 4 条记录" in capsys.readouterr().out
    rows = read_csv(out)
    assert [(r["时间"], r["方向"], r["房号"], r["值守人员"]) for r in rows] == [
        ("08:00:00", "出", "3-2-301", "小王"), ("10:00:00", "进", "3-2-301", "老李"),
        ("11:00:00", "进", "5-1-101", "老李"), ("11:06:00", "进", "5-1-101", "老李")]
    assert [r["出入口"] for r in rows[1:]] == ["南门"] * 3
    assert rows[0]["出入口"] == synced.north.store.community().device_id  # the north gate has no name
    assert {r["日期"] for r in rows} == {"2026-02-10"}
    assert rows[3]["原因"] == "复测仍发热" and (rows[3]["体温"], rows[3]["复测体温"]) == ("37.8", "37.9")
    assert rows[0]["户主"] == "欧阳明" and rows[0]["电话"] == "13800000001"  # the office's own export


def test_a_building_and_a_range(synced, tmp_path):
    code, out = office_export(synced, tmp_path, "csv", "--to", "2026-02-11", "--building", "5")
    assert code == 0
    rows = read_csv(out)
    assert [(r["日期"], r["时间"], r["出入口"]) for r in rows] == [
        ("2026-02-10", "11:00:00", "南门"), ("2026-02-10", "11:06:00", "南门"),
        ("2026-02-11", "09:00:00", synced.north.store.community().device_id)]


def test_the_office_xlsx_has_the_summary_the_log_and_the_fever_with_its_outcome(synced, tmp_path):
    code, out = office_export(synced, tmp_path, "xlsx")
    assert code == 0
    book = openpyxl.load_workbook(out)
    # who is out and who stayed in are each gate's (its passages): not in the office's workbook
    assert book.sheetnames == ["汇总", "出入记录", "各单元", "发热", "特批放行", "门岗报告", "各门岗劝返"]
    log = book["出入记录"]
    assert [c.value for c in log[1]][:4] == ["日期", "时间", "出入口", "方向"]
    assert log.freeze_panes == "A2" and log.page_setup.paperSize == 9
    assert [r[2] for r in log.iter_rows(min_row=2, values_only=True)][1:] == ["南门"] * 3
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=4, values_only=True) if r and r[0]}
    assert summary["外出（人次）"] == 1 and summary["进入"] == 1 and summary["发热记录"] == 1
    [fever] = list(book["发热"].iter_rows(min_row=2, values_only=True))
    assert fever[2:] == ("5-1-101", 37.8, 37.9, "复测仍发热，送观察点")
    units = list(book["各单元"].iter_rows(min_row=2, values_only=True))
    assert units == [("3号楼", "2", 1, 1, 1, 0, 0), ("5号楼", "1", 0, 0, 0, 1, 1)]


def test_the_office_pdf_names_the_gates(synced, tmp_path):
    code, out = office_export(synced, tmp_path, "pdf")
    assert code == 0
    pages = [p.extract_text() for p in PdfReader(out).pages]
    assert "导出：社区办" in pages[0] and "全部楼栋" in pages[0]
    assert "外出未归" not in "".join(pages)  # each gate's own list
    assert "南门" in "".join(pages[2:])


def test_an_existing_file_and_a_missing_office_are_refused(synced, tmp_path, capsys):
    (tmp_path / "office.csv").write_text("mine")
    code, _ = office_export(synced, tmp_path, "csv")
    assert code == 2 and (tmp_path / "office.csv").read_text() == "mine"
    capsys.readouterr()
    missing = f"sqlite:///{tmp_path}/nowhere/office.db"
    code = main(["office", "export", "--office", missing, "--date", "2026-02-10", "--format", "csv",
                 "--out", str(tmp_path / "x.csv")])
    assert code == 3 and not (tmp_path / "x.csv").exists()
    assert "Traceback" not in capsys.readouterr().err


# -- the gates' own reports, the mask answers and the slips (issues 17 and 11) ----------

def test_the_merged_log_has_each_gates_reports_and_outsiders_per_gate_and_day(synced, tmp_path):
    code, out = office_export(synced, tmp_path, "xlsx", "--to", "2026-02-11")
    assert code == 0
    book = openpyxl.load_workbook(out)
    north = synced.north.store.community().device_id
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=4, values_only=True) if r and r[0]}
    assert summary["外来人员劝返（人次）"] == 7 and summary["门岗报告"] == 5
    reports = book["门岗报告"]
    assert [c.value for c in reports[1]][:4] == ["日期", "时间", "出入口", "类别"]
    assert list(reports.iter_rows(min_row=2, values_only=True)) == [
        ("2026-02-10", "09:20", north, "外来人员劝返", None, 2, None, "小王", None),
        ("2026-02-10", "09:30", "南门", "外来人员劝返", None, 1, "快递", "老李", None),
        ("2026-02-10", "09:40", north, "有症状", "5-1-101", None, "咳嗽", "小王", None),
        ("2026-02-10", "09:50", "南门", "物资送达", "3-2-301", None, "蔬菜", "老李",
         "已领取 02-10 16:00（张楼长）"),
        ("2026-02-11", "08:00", north, "外来人员劝返", None, 4, None, "小王", None)]
    by_gate = list(book["各门岗劝返"].iter_rows(values_only=True))
    assert by_gate == [("日期", "出入口", "人数"), ("2026-02-10", north, 2), ("2026-02-10", "南门", 1),
                       ("2026-02-11", north, 4)]


def test_a_buildings_merged_log_has_its_flats_reports_only(synced, tmp_path):
    code, out = office_export(synced, tmp_path, "xlsx", "--building", "3", name="b3")
    assert code == 0
    book = openpyxl.load_workbook(out)
    reports = book["门岗报告"].iter_rows(min_row=2, values_only=True)
    assert [r[3:5] for r in reports] == [("物资送达", "3-2-301")]
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=4, values_only=True) if r and r[0]}
    assert summary["外来人员劝返（人次）"] == 3  # every gate's outsiders of the day: they have no flat


def test_the_merged_log_has_the_mask_column_and_a_typed_slip_reads_action_needed(synced, tmp_path):
    code, out = office_export(synced, tmp_path, "csv")
    assert code == 0
    rows = read_csv(out)
    assert list(rows[0])[9:13] == ["体温", "复测体温", "口罩", "值守人员"]
    assert [r["口罩"] for r in rows] == ["", "戴口罩", "", ""]
    code, out = office_export(synced, tmp_path, "xlsx", "--to", "2026-02-11", name="range")
    book = openpyxl.load_workbook(out)
    log = book["出入记录"]
    heads = [c.value for c in log[1]]
    [typed] = [dict(zip(heads, r, strict=True)) for r in log.iter_rows(min_row=2, values_only=True)
               if r[1] == "09:30:00"]
    assert typed["结果"] == "需处理" and typed["原因"] == "非出入证"
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=4, values_only=True) if r and r[0]}
    assert summary["需重新操作"] == 1 and summary["需重新操作: 非出入证"] == 1
    assert "拒绝与复测（按规则）: 非出入证" not in summary


def test_the_office_pdf_lists_the_reports_with_their_gate(synced, tmp_path):
    import subprocess

    code, out = office_export(synced, tmp_path, "pdf")
    assert code == 0
    pages = subprocess.run(["pdftotext", "-layout", str(out), "-"], check=True, capture_output=True,
                           text=True).stdout.split("\f")
    assert "外来人员劝返（人次）: 3" in pages[0]
    lists = pages[1]
    assert "门岗报告 (4)" in lists and "各门岗劝返" in lists
    assert any(line.split() == ["2026-02-10", "南门", "1"] for line in lists.splitlines())
    [parcel] = [ln for ln in lists.splitlines() if "蔬菜" in ln]
    assert "南门" in parcel and "3-2-301" in parcel and "已领取 02-10 16:00（张楼长）" in parcel
