"""`kiosk office gui`: the admin screens on the community office's database (issue 15).

A real office (a SQLite file, and a real PostgreSQL through scripts/pg_temp.py) with its
roster, two gates enrolled from it (北门, 南门) that scanned and synced; the screen is
opened through the office admin's PIN as `kiosk office gui` opens it, and read as a user
reads it."""
from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt

from data.office_admin import OfficeAdmin
from data.sync import OfficeSession, enroll, init_office, sync_once
from kiosk.app import office_screen, open_gate
from kiosk.clock import FixedClock
from kiosk.model import Household
from tests.community import CHEAP_PIN_COST
from tests.data.conftest import office_url, pg_server, pg_url  # noqa: F401 (fixtures, shared)
from tests.ui.admin.conftest import settle, wait_loaded
from ui.office_run import OfficeApp

SHANGHAI = ZoneInfo("Asia/Shanghai")
ADMIN_PIN, LEAD_PIN = "135790", "246802"


def local(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 2, 12, hour, minute, tzinfo=SHANGHAI)


@dataclasses.dataclass
class Site:
    url: str
    key: object
    clock: FixedClock


@pytest.fixture
def site(office_url, tmp_path, new_york_machine):  # noqa: F811 (the shared fixture)
    """Buildings 3 and 5 at the office; life cards issued at the office to building 3 only;
    both gates scanned (a fever confirmed at 南门) and synced. The machine's clock is New
    York's: every time shown must still be the community's (Asia/Shanghai)."""
    clock = FixedClock(local(7))
    key = tmp_path / "office.key"
    init_office(url := office_url, "幸福里", key_file=key, clock=clock)
    session = OfficeSession(url, key, clock)
    admin = OfficeAdmin(session, pin_cost=CHEAP_PIN_COST)
    session.import_households([Household("H000301", "3", "2", "301", "欧阳娜", "13800000001", 3),
                               Household("H000102", "3", "1", "102", "司马光", "13800000002", 2),
                               Household("H000501", "5", "1", "101", "李四", "13800000003", 1)])
    admin.add_operator("社区办", "admin", ADMIN_PIN, (), by="test")
    admin.add_operator("张楼长", "lead", LEAD_PIN, ("3",), by="test")
    issued, _ = admin.issue_missing("3", by="test")
    ouyang, sima = sorted(issued, key=lambda i: i.household.room, reverse=True)
    session.close()
    enroll(tmp_path / "north.db", url, "北门", clock)
    enroll(tmp_path / "south.db", url, "南门", clock)
    north, south = (open_gate(tmp_path / f"{g}.db", clock=clock) for g in ("north", "south"))
    try:
        north.service.scan(ouyang.payload, "out", "36.5", operator="小王", at=local(8))
        south.service.scan(ouyang.payload, "in", "36.6", operator="老李", at=local(10))
        south.service.scan(sima.payload, "in", "37.8", operator="老李", at=local(11))
        south.service.scan(sima.payload, "in", "37.9", operator="老李", at=local(11, 6))
        clock.set(local(12))
        sync_once(south, url, clock)
        sync_once(north, url, clock)
    finally:
        north.close()
        south.close()
    clock.set(local(18))
    return Site(url, key, clock)


@pytest.fixture
def app(site, qapp):
    office = OfficeApp(office_screen(site.url, site.key, "zh", site.clock), "zh")
    yield office
    if office.window is not None:
        office.window.close()
    office.pin_dialog.close()
    office.close()


def sign_in(qtbot, app, pin: str):
    app.on_pin(pin, "")
    settle(qtbot, app.client)
    return app.window


def test_only_an_office_admins_pin_opens_the_office_screen(qtbot, app):
    assert sign_in(qtbot, app, LEAD_PIN) is None  # a lead's PIN: not an office admin
    assert app.pin_dialog.error.text() == "PIN码错误"
    window = sign_in(qtbot, app, ADMIN_PIN)
    assert window is not None and window.windowTitle() == "社区办公室：社区办"
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    # what the office holds; who is out, parcels, settings and the audit log are each gate's
    assert titles == ["出入记录", "异常事件", "住户与卡片", "操作员", "出入口"]


def test_the_log_merges_every_gate_with_its_name_and_the_chart(qtbot, app, qtmodeltester):
    window = sign_in(qtbot, app, ADMIN_PIN)
    tab = window.log_tab
    wait_loaded(qtbot, tab)
    qtmodeltester.check(tab.model)
    model = tab.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:4] == ["时间", "出入口", "方向", "房号"]
    rows = [[model.data(model.index(r, c)) for c in range(4)] for r in range(model.rowCount())]
    assert rows == [["08:00:00", "北门", "出", "3-2-301"], ["10:00:00", "南门", "进", "3-2-301"],
                    ["11:00:00", "南门", "进", "3-1-102"], ["11:06:00", "南门", "进", "3-1-102"]]
    assert sum(e for e, _ in tab.chart.counts) == 1 and tab.chart.counts[10] == (0, 1)
    assert tab.day_counts.text() == "扫码4次，外出1，进入1，拒绝1，需处理0（操作疏漏），复测1"


def test_incidents_of_every_gate_name_their_gate(qtbot, app):
    window = sign_in(qtbot, app, ADMIN_PIN)
    tab = window.incidents_tab
    settle(qtbot, app.client)
    assert tab.model.headers[-1] == "出入口"
    assert [(r[0], r[1], r[2], r[4], r[6]) for r in tab.model.rows] == [
        ("11:00:00", "发热待复测", "3-1-102", "37.8", "南门"),
        ("11:06:00", "复测仍发热", "3-1-102", "37.8 / 37.9", "南门")]


def test_a_building_gets_its_missing_life_cards_and_its_new_cards_printed_once(qtbot, app, tmp_path):
    window = sign_in(qtbot, app, ADMIN_PIN)
    tab = window.roster_tab
    settle(qtbot, app.client)
    tab.bulk_building.setCurrentIndex(tab.bulk_building.findData("5"))
    tab.issue_missing()
    settle(qtbot, app.client)
    assert tab.status.text() == "已为 1 户发放生活卡（1 户中 0 户已有）"
    out = tmp_path / "new-cards-5.pdf"
    tab.print_new(out)
    settle(qtbot, app.client)
    assert tab.status.text() == f"已生成 1 张卡片（1 页）到 {out}" and out.stat().st_size > 1000
    tab.print_new(tmp_path / "again.pdf")
    settle(qtbot, app.client)
    assert tab.status.text() == "未完成：没有可打印的有效卡片"
    assert not (tmp_path / "again.pdf").exists()
    tab.search.setText("3-2")
    tab.refresh()
    settle(qtbot, app.client)
    assert [r[1:3] for r in tab.households.rows] == [("3-2-301", "欧阳娜")]
    assert [r[5] for r in tab.cards.rows] == ["欧阳"]  # the compound surname whole


def test_an_operator_added_on_the_screen_is_listed_and_can_be_deactivated(qtbot, app):
    window = sign_in(qtbot, app, ADMIN_PIN)
    tab = window.operators_tab
    settle(qtbot, app.client)
    assert [(r[0], r[1], r[2]) for r in tab.model.rows] == [("张楼长", "楼栋长", "3"),
                                                            ("社区办", "管理员", "全部")]
    tab.name.setText("王楼长")
    tab.role.setCurrentIndex(tab.role.findData("lead"))
    tab.buildings.setText("5")
    tab.pin.setText("123")  # too short for a lead
    tab.add()
    settle(qtbot, app.client)
    assert tab.status.text().startswith("未完成：") and "6" in tab.status.text()
    tab.pin.setText("975318")
    tab.add()
    settle(qtbot, app.client)
    assert tab.status.text() == "已添加王楼长：各出入口下次同步后生效"
    assert tab.pin.text() == ""
    tab.view.selectRow([r[0] for r in tab.model.rows].index("王楼长"))
    tab.deactivate()
    settle(qtbot, app.client)
    assert ("王楼长", "楼栋长", "5", "已暂停") in tab.model.rows


def test_the_gates_tab_shows_each_gate_and_its_last_sync_in_the_communitys_time(qtbot, app):
    window = sign_in(qtbot, app, ADMIN_PIN)
    settle(qtbot, app.client)
    rows = sorted((r[0], r[2], r[4]) for r in window.gates_tab.model.rows if r[0] in ("北门", "南门"))
    # synced at 12:00 in Shanghai: 23:00 the day before in New York, the machine's zone
    assert rows == [("北门", "02-12 12:00", 1), ("南门", "02-12 12:00", 3)]


def test_the_office_screen_switches_language_with_its_button(qtbot, app, language):
    language.close()  # the test's own switch (conftest): the office screen's is the one to press
    window = sign_in(qtbot, app, ADMIN_PIN)
    settle(qtbot, app.client)
    assert window.language_button.text() == "English"
    window.language_button.click()  # Qt tells the widgets by a posted LanguageChange event
    qtbot.waitUntil(lambda: window.tabs.tabText(0) == "Log")
    assert window.language_button.text() == "中文"
    settle(qtbot, app.client)
    assert window.operators_tab.model.rows[0][1] == "building lead"
    assert window.log_tab.model.headerData(1, Qt.Orientation.Horizontal) == "Gate"
    window.language_button.click()
    qtbot.waitUntil(lambda: window.tabs.tabText(0) == "出入记录")


def test_a_card_revoked_on_the_office_screen_is_revoked_at_the_office(qtbot, app, site):
    window = sign_in(qtbot, app, ADMIN_PIN)
    tab = window.roster_tab
    tab.search.setText("3-1-102")
    tab.refresh()
    settle(qtbot, app.client)
    assert [r[1:3] for r in tab.households.rows] == [("3-1-102", "司马光")]
    serial = tab.cards.rows[0][0]
    tab.card_view.selectRow(0)
    tab.revoke()
    settle(qtbot, app.client)
    assert tab.status.text() == f"完成：{serial}"
    assert [(r[0], r[3]) for r in tab.cards.rows] == [(serial, "已作废")]
    session = OfficeSession(site.url, site.key, site.clock)
    try:
        assert session.store.card(serial).status.value == "revoked"
    finally:
        session.close()


def test_the_office_log_exports_the_merged_log_with_every_gate(qtbot, app, tmp_path):
    window = sign_in(qtbot, app, ADMIN_PIN)
    tab = window.log_tab
    wait_loaded(qtbot, tab)
    out = tmp_path / "office-log.csv"
    with qtbot.waitSignal(tab.export_finished, timeout=20000) as said:
        tab.export_to(out, "csv")
    assert said.args == [f"已导出 4 条到 {out}"]
    text = out.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("日期,时间,出入口,方向,房号")
    assert "北门" in text and "南门" in text and "13800000002" in text  # the office's: with phones


def test_wrong_pins_close_the_pad_for_a_while_after_the_third(qtbot, app):
    for _ in range(3):
        sign_in(qtbot, app, "000000")
        assert app.pin_dialog.isEnabled()  # the first three cost nothing
    sign_in(qtbot, app, "000000")
    assert not app.pin_dialog.isEnabled() and app.window is None
    qtbot.waitUntil(app.pin_dialog.isEnabled, timeout=5000)  # 1 s after the fourth


def test_every_office_tab_is_readable_and_fits_a_768_pixel_screen(qtbot, app):
    from PySide6.QtWidgets import QApplication

    from tests.ui.contrast import low_contrast

    window = sign_in(qtbot, app, ADMIN_PIN)
    qtbot.waitExposed(window)
    settle(qtbot, app.client)
    tallest = max(window.height(), window.minimumSizeHint().height())
    found = [] if tallest <= 768 - 48 else [f"the office window is {tallest} px high"]
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        settle(qtbot, app.client)
        QApplication.processEvents()
        found += [f"{window.tabs.tabText(i)}: {p}" for p in low_contrast(window)]
    assert not found, "\n".join(found)
