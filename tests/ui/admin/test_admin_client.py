"""The admin screens run their queries and changes on the admin lane: a slow store operation
leaves the GUI thread free, and the widgets hold the client, never a Gate or a store."""
from __future__ import annotations

import ast
import threading
from pathlib import Path

from PySide6.QtCore import QTimer

from ui.admin import open_admin
from ui.admin.models import PAGE

from .conftest import DAY, before_each_audit_line, copy_events, settle, wait_loaded

ADMIN_SCREENS = Path(__file__).parents[3] / "ui" / "admin"



class Held:
    """A SQLite function that holds the statement calling it until released (at most 20 s)."""

    def __init__(self):
        self.entered = threading.Event()
        self.release = threading.Event()
        self.thread: str | None = None

    def __call__(self) -> None:
        self.thread = threading.current_thread().name
        self.entered.set()
        self.release.wait(20)


def hold_audit_lines(qtbot, client, held: Held) -> None:
    """Every audit line written on the admin lane's connection waits for `held`."""
    before_each_audit_line(qtbot, client, held)


def test_a_slow_settings_save_leaves_the_screen_responsive(qtbot, admin_window, office):
    tab = admin_window.settings_tab
    held = Held()
    hold_audit_lines(qtbot, admin_window.client, held)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(held.entered.is_set() and not held.release.is_set()))
    timer.start(10)
    try:
        tab.editors["quota.window_days"].setText("3")
        tab.save()  # returns at once: the write waits on the lane, inside its transaction
        qtbot.waitUntil(lambda: sum(ticks) >= 20, timeout=10000)  # the event loop ran meanwhile
        assert tab.status.text() == ""  # nothing said before it is done
        assert held.thread is not None and held.thread != threading.main_thread().name
        held.release.set()
        settle(qtbot, admin_window.client)
    finally:
        held.release.set()
        timer.stop()
    assert tab.status.text() == "已保存 1 项设置"
    assert office.gate.policy().window_days == 3


def test_a_card_change_waits_on_the_lane_not_on_the_screen(qtbot, admin_window):
    tab = admin_window.roster_tab
    tab.search.setText("3-2-301")
    tab.refresh()
    settle(qtbot, admin_window.client)
    tab.card_view.selectRow(0)
    settle(qtbot, admin_window.client)
    held = Held()
    hold_audit_lines(qtbot, admin_window.client, held)
    try:
        tab.suspend()
        qtbot.waitUntil(held.entered.is_set, timeout=10000)
        tab.search.setText("5-1-101")  # the screen still takes typing while the change waits
        assert tab.search.text() == "5-1-101" and tab.cards.rows[0][3] == "有效"
        held.release.set()
        settle(qtbot, admin_window.client)
    finally:
        held.release.set()
    assert tab.status.text().startswith("完成") and tab.cards.rows[0][3] == "已暂停"


def test_the_log_reads_a_further_page_when_the_view_shows_it(qtbot, office):
    copy_events(office.gate, 3 * PAGE)
    admin_window = open_admin(office.client, office.admin)
    qtbot.addWidget(admin_window)
    try:
        tab = admin_window.log_tab
        tab.date.setDate(DAY)
        wait_loaded(qtbot, tab)
        model = tab.model
        assert model.rowCount() == 3 * PAGE + 5
        assert model.index(0, 0).data()  # the first page came with the filter's answer
        assert model.index(PAGE + 3, 0).data() is None  # on its way: blank meanwhile
        with qtbot.waitSignal(model.dataChanged, timeout=10000) as changed:
            pass
        assert changed.args[0].row() == PAGE and changed.args[1].row() == 2 * PAGE - 1
        assert model.index(PAGE + 3, 0).data()
    finally:
        admin_window.close()


def test_the_admin_screens_import_no_gate_and_no_storage():
    for path in sorted(ADMIN_SCREENS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("data"), path.name
                names = {alias.name for alias in node.names}
                assert not names & {"Gate", "open_gate", "SqliteStore"}, path.name
