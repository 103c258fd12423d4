"""The admin screens follow the gate screen's language switch, and the log tab reads its rows
off the GUI thread: "Loading…" until they come, and only the newest filter's answer shown."""
from __future__ import annotations

from .conftest import wait_loaded


def tab_titles(admin_window) -> list[str]:
    return [admin_window.tabs.tabText(i) for i in range(admin_window.tabs.count())]


def log_header(admin_window, column: int) -> str:
    """The header a user reads above the log's column."""
    view = admin_window.log_tab.view
    return view.model().headerData(column, view.horizontalHeader().orientation())


def test_the_admin_screens_switch_language_with_the_gate_screen(qtbot, admin_window, language):
    assert tab_titles(admin_window) == ["出入记录", "异常事件", "当前外出", "门口待领物资", "住户与卡片",
                                        "设置", "操作日志"]
    assert admin_window.windowTitle() == "管理：社区办（管理员）"
    assert admin_window.log_tab.count.text() == "共 5 条"
    assert admin_window.log_tab.export_button.text() == "导出…"
    flat_column = admin_window.log_tab.model.headers.index("房号")

    language.set("en")
    qtbot.waitUntil(lambda: admin_window.tabs.tabText(0) == "Log")
    wait_loaded(qtbot, admin_window.log_tab)  # the rows are read again, in English
    assert tab_titles(admin_window) == ["Log", "Incidents", "Out now", "Parcels at the gate",
                                        "Households and cards", "Settings", "Audit log"]
    assert admin_window.parcels_tab.refresh_button.text() == "Refresh"
    assert admin_window.windowTitle() == "Admin: 社区办 (admin)"
    tab = admin_window.log_tab
    assert tab.count.text() == "5 rows" and tab.export_button.text() == "Export…"
    assert tab.direction.itemText(0) == "all" and tab.direction.itemText(2) == "out"
    assert log_header(admin_window, flat_column) == "Flat"  # the export's own column name, in English
    assert admin_window.out_tab.count.text() == "2 out now"
    assert admin_window.out_tab.refresh_button.text() == "Refresh"
    assert admin_window.roster_tab.search.placeholderText() == "Search by flat (3-2-301) or serial"
    assert admin_window.incidents_tab.model.headers[1] == "Reason"

    language.set("zh")
    qtbot.waitUntil(lambda: admin_window.tabs.tabText(0) == "出入记录")
    wait_loaded(qtbot, admin_window.log_tab)
    assert admin_window.out_tab.count.text() == "当前外出 2 人"
    assert log_header(admin_window, flat_column) == "房号"


def flats(tab) -> list[str]:
    column = tab.model.headers.index("房号")
    return [tab.model.index(r, column).data() for r in range(tab.model.rowCount())]


def test_the_log_shows_loading_until_its_rows_arrive(qtbot, admin_window):
    tab = admin_window.log_tab
    tab.building.setCurrentIndex(tab.building.findData("5"))
    # the queries run on the lane: until its answer comes back, no old rows and no old bars
    assert tab.loading and tab.count.text() == "正在读取…" and tab.model.rowCount() == 0
    assert tab.loading_label.isVisible() and tab.loading_label.text() == "正在读取…"
    assert tab.chart.loading and tab.chart.counts == [(0, 0)] * 24
    with qtbot.waitSignal(tab.loaded, timeout=10000):
        pass
    assert not tab.loading_label.isVisible() and tab.count.text() == "共 1 条"
    assert flats(tab) == ["5-1-101"] and tab.chart.counts[9] == (1, 0)


def test_an_answer_to_an_older_filter_is_not_shown(qtbot, admin_window):
    tab = admin_window.log_tab
    shown = []
    tab.loaded.connect(lambda: shown.append(flats(tab)))
    tab.building.setCurrentIndex(tab.building.findData("5"))
    tab.building.setCurrentIndex(tab.building.findData("3"))  # before the first answer is back
    qtbot.waitUntil(lambda: not tab.loading and tab.client.pending == 0, timeout=10000)
    assert shown == [["3-2-301", "3-1-102", "3-1-102"]]  # building 5's answer came first, and was dropped
    assert tab.chart.counts[8] == (1, 0) and tab.chart.counts[9] == (0, 0)


def test_the_log_runs_its_queries_on_its_own_connection(admin_window, office):
    client = admin_window.log_tab.client
    assert client._services is not None and client._services.store is not office.gate.store
    admin_window.close()  # the lane and its connection are the process's: they outlive a admin_window
    assert client._services is not None and client.lane._thread.isRunning()
