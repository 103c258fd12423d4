"""The admin screens' card and setting changes are written with their audit line in one
transaction: a failure as the line is written leaves neither, and says "not done"."""
from __future__ import annotations

import json

import pytest

from ui.admin import open_admin

from .conftest import DAY, wait_loaded


@pytest.fixture
def admin_window(qtbot, office):
    window = open_admin(office.gate, office.admin)
    qtbot.addWidget(window)
    window.log_tab.date.setDate(DAY)
    wait_loaded(qtbot, window.log_tab)
    yield window
    window.close()


def select_first_card(tab) -> str:
    tab.search.setText("3-2-301")
    tab.refresh()
    tab.card_view.selectRow(0)
    return tab.cards.rows[0][0]


def refuse_audit_lines(gate) -> None:
    def refuse():
        raise OSError("disk I/O error")

    gate.store.db.conn.create_function("refuse", 0, refuse)
    gate.store.db.conn.execute("CREATE TEMP TRIGGER refuse_audit BEFORE INSERT ON audit"
                               " BEGIN SELECT refuse(); END")


def snapshot(gate) -> tuple:
    conn = gate.store.db.conn
    return (conn.execute("SELECT * FROM cards ORDER BY serial").fetchall(),
            conn.execute("SELECT * FROM settings ORDER BY key").fetchall(),
            conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0])


def test_a_reissue_on_the_roster_tab_is_audited_with_the_new_serial(admin_window):
    tab = admin_window.roster_tab
    lost = select_first_card(tab)
    tab.reissue()
    new = tab.status.text().removeprefix("完成：")
    assert tab.status.text().startswith("完成") and new != lost
    assert new in [row[0] for row in tab.cards.rows]
    row = admin_window.gate.store.db.execute(
        "SELECT operator, action, target, details FROM audit ORDER BY id DESC").fetchone()
    assert tuple(row[:3]) == (admin_window.roster_tab.operator.name, "card_reissue", new)
    assert json.loads(row[3])["replaces"] == lost


@pytest.mark.parametrize("press", ["reissue", "revoke", "suspend", "save_settings"])
def test_a_failed_audit_line_leaves_no_change_and_says_not_done(admin_window, press):
    gate = admin_window.gate
    tab = admin_window.roster_tab
    select_first_card(tab)
    admin_window.settings_tab.editors["quota.window_days"].setText("3")
    before = snapshot(gate)
    refuse_audit_lines(gate)

    if press == "save_settings":
        admin_window.settings_tab.save()
        status = admin_window.settings_tab.status.text()
    else:
        getattr(tab, press)()
        status = tab.status.text()

    assert status.startswith("未完成")
    assert snapshot(gate) == before
