"""The admin screens, driven through their methods; every model checked with qtmodeltester."""
from __future__ import annotations

import csv
import json

import pytest
from PySide6.QtWidgets import QPushButton

from kiosk.operators import OperatorError
from ui.admin import open_admin
from ui.admin.models import PAGE, EventLogModel

from .conftest import DAY, copy_events, settle, wait_loaded


@pytest.fixture
def admin_window(qtbot, office):
    window = open_admin(office.client, office.admin)
    qtbot.addWidget(window)
    window.log_tab.date.setDate(DAY)
    wait_loaded(qtbot, window.log_tab)
    yield window
    window.close()  # stops the export lane's thread before the window can be collected



def column(model, name: str) -> list[str]:
    c = model.headers.index(name)
    return [model.index(r, c).data() for r in range(model.rowCount())]


def test_the_log_shows_the_days_scans_and_passes_the_model_tester(admin_window, qtmodeltester):
    model = admin_window.log_tab.model
    qtmodeltester.check(model)
    assert model.rowCount() == 5
    assert column(model, "房号") == ["3-2-301", "5-1-101", "3-1-102", "3-1-102", ""]
    assert column(model, "原因")[2:4] == ["发热待复测", "复测仍发热"]
    assert admin_window.log_tab.count.text() == "共 5 条"


@pytest.mark.parametrize("combo, value, flats", [
    ("building", "5", ["5-1-101"]),
    ("direction", "out", ["3-2-301", "5-1-101"]),
    ("decision", "retest", ["3-1-102"]),
])
def test_filters_narrow_the_log(qtbot, admin_window, combo, value, flats):
    tab = admin_window.log_tab
    widget = getattr(tab, combo)
    with qtbot.waitSignal(tab.loaded, timeout=10000):
        widget.setCurrentIndex(widget.findData(value))
    assert column(tab.model, "房号") == flats


def test_a_lead_sees_only_their_buildings_and_no_roster(qtbot, lead_window, qtmodeltester):
    window = lead_window
    tab = window.log_tab
    assert [tab.building.itemData(i) for i in range(tab.building.count())] == [None, "3"]
    assert set(column(tab.model, "房号")) == {"3-2-301", "3-1-102"}
    assert window.roster_tab is None and window.audit_tab is None
    assert not window.settings_tab.editors["quota.window_days"].isEnabled()
    qtmodeltester.check(window.incidents_tab.model)
    window.incidents_tab.date.setDate(DAY)
    settle(qtbot, window.client)
    assert [row[1] for row in window.incidents_tab.model.rows] == ["发热待复测", "复测仍发热"]


def test_a_volunteer_cannot_open_the_admin_screens(office):
    volunteer = office.gate.operators().add("小王", "volunteer", "1111")
    with pytest.raises(OperatorError):
        open_admin(office.client, volunteer)


def test_the_log_model_fetches_rows_a_page_at_a_time(qtbot, office, qtmodeltester):
    copy_events(office.gate, 3 * PAGE)
    model = EventLogModel.over(office.gate.admin())
    model.set_filter(admin_filter(office))
    assert model.rowCount() == 3 * PAGE + 5
    assert model._pages == {}
    model.index(PAGE + 3, 0).data()
    assert list(model._pages) == [1]
    qtmodeltester.check(model)


def admin_filter(office):
    from kiosk.model import LogFilter

    return LogFilter(DAY)


def test_who_is_out_now(admin_window, qtmodeltester):
    tab = admin_window.out_tab
    qtmodeltester.check(tab.model)
    assert [row[0] for row in tab.model.rows] == ["3-2-301", "5-1-101"]
    assert tab.count.text() == "当前外出 2 人"


def test_export_from_the_screen_runs_off_the_gui_thread(qtbot, admin_window, office, tmp_path):
    out = tmp_path / "log.csv"
    tab = admin_window.log_tab
    with qtbot.waitSignal(tab.export_finished, timeout=10000) as finished:
        tab.export_to(out, "csv")
    assert finished.args[0].startswith("已导出 5 条")
    with open(out, encoding="utf-8-sig") as f:
        assert len(list(csv.reader(f))) == 6
    row = office.gate.store.db.execute("SELECT operator, action FROM audit ORDER BY id DESC").fetchone()
    assert tuple(row) == ("社区办", "export")


def test_a_cancelled_export_writes_nothing(qtbot, admin_window, office, tmp_path):
    copy_events(office.gate, 5000)
    out = tmp_path / "log.xlsx"
    tab = admin_window.log_tab
    with qtbot.waitSignal(tab.export_finished, timeout=20000) as finished:
        dialog = tab.export_to(out, "xlsx")
        dialog.findChild(QPushButton).click()  # the dialog's Cancel button
    assert finished.args[0] == "已取消导出，未写入文件"
    assert not out.exists() and not list(tmp_path.glob(".*.part"))


def test_roster_search_issue_and_revoke_are_audited(qtbot, admin_window, office, qtmodeltester):
    tab = admin_window.roster_tab
    qtmodeltester.check(tab.households)
    tab.search.setText("3-2-301")
    tab.refresh()
    settle(qtbot, tab.client)
    assert [row[1] for row in tab.households.rows] == ["3-2-301"]
    assert [row[1] for row in tab.cards.rows] == ["生活卡"]
    tab.kind.setCurrentIndex(tab.kind.findData("work"))
    tab.holder.setText("张小三")
    tab.issue()
    settle(qtbot, tab.client)
    assert sorted(row[1] for row in tab.cards.rows) == ["工作卡", "生活卡"]
    assert tab.status.text().startswith("完成")
    work_row = next(i for i, row in enumerate(tab.cards.rows) if row[1] == "工作卡")
    tab.card_view.selectRow(work_row)
    settle(qtbot, tab.client)
    tab.revoke()
    settle(qtbot, tab.client)
    assert tab.cards.rows[work_row][3] == "已作废"
    actions = [r[0] for r in office.gate.store.db.execute("SELECT action FROM audit ORDER BY id")]
    assert actions[-2:] == ["card_issue", "card_revoke"]
    tab.search.setText(tab.cards.rows[work_row][0])  # by serial
    tab.refresh()
    settle(qtbot, tab.client)
    assert [row[1] for row in tab.households.rows] == ["3-2-301"]


def test_a_second_life_card_is_refused_on_screen(qtbot, admin_window):
    tab = admin_window.roster_tab
    tab.search.setText("3-2-301")
    tab.refresh()
    settle(qtbot, tab.client)
    tab.kind.setCurrentIndex(tab.kind.findData("life"))
    tab.issue()
    settle(qtbot, tab.client)
    assert tab.status.text().startswith("未完成") and "一户一卡" in tab.status.text()
    assert len(tab.cards.rows) == 1


def test_settings_come_from_the_one_declaration_and_are_audited(qtbot, admin_window, office):
    from kiosk import policy

    tab = admin_window.settings_tab
    assert list(tab.editors) == [s.key for s in policy.SETTINGS]
    assert tab.editors["quota.window_days"].text() == "2" and tab.editors["quota.window_days"].isEnabled()
    tab.editors["quota.window_days"].setText("99")
    tab.save()
    settle(qtbot, tab.client)
    assert tab.status.text().startswith("未完成") and "1 to 31" in tab.status.text()
    assert office.gate.policy().window_days == 2
    tab.editors["quota.window_days"].setText("3")
    tab.save()
    settle(qtbot, tab.client)
    assert tab.status.text() == "已保存 1 项设置"
    assert office.gate.policy().window_days == 3
    tab.save()
    settle(qtbot, tab.client)
    assert tab.status.text() == "没有改动"
    row = office.gate.store.db.execute("SELECT action, target, details FROM audit ORDER BY id DESC"
                                             ).fetchone()
    assert (row[0], row[1], json.loads(row[2])) == ("setting_change", "quota.window_days",
                                                     {"from": "2", "to": "3"})


def test_the_audit_tab_lists_who_did_what(qtbot, admin_window, qtmodeltester):
    tab = admin_window.audit_tab
    tab.refresh()
    settle(qtbot, tab.client)
    qtmodeltester.check(tab.model)
    assert ("社区办", "登录") in [(row[1], row[2]) for row in tab.model.rows]
