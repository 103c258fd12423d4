"""The admin screens' card and setting changes are written with their audit line in one
transaction: a failure as the line is written leaves neither, and says "not done"."""
from __future__ import annotations

import json

import pytest

from .conftest import before_each_audit_line, settle


def select_first_card(qtbot, tab) -> str:
    tab.search.setText("3-2-301")
    tab.refresh()
    settle(qtbot, tab.client)
    tab.card_view.selectRow(0)
    settle(qtbot, tab.client)
    return tab.cards.rows[0][0]


def refuse_audit_lines(qtbot, client) -> None:
    def refuse():
        raise OSError("disk I/O error")

    before_each_audit_line(qtbot, client, refuse)


def snapshot(gate) -> tuple:
    conn = gate.store.db.conn
    return (conn.execute("SELECT * FROM cards ORDER BY serial").fetchall(),
            conn.execute("SELECT * FROM settings ORDER BY key").fetchall(),
            conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0])


def test_a_reissue_on_the_roster_tab_is_audited_with_the_new_serial(qtbot, admin_window, office):
    tab = admin_window.roster_tab
    lost = select_first_card(qtbot, tab)
    tab.reissue()
    settle(qtbot, tab.client)
    new = tab.status.text().removeprefix("完成：")
    assert tab.status.text().startswith("完成") and new != lost
    assert new in [row[0] for row in tab.cards.rows]
    row = office.gate.store.db.execute(
        "SELECT operator, action, target, details FROM audit ORDER BY id DESC").fetchone()
    assert tuple(row[:3]) == (admin_window.roster_tab.operator.name, "card_reissue", new)
    assert json.loads(row[3])["replaces"] == lost


@pytest.mark.parametrize("press", ["reissue", "revoke", "suspend", "save_settings"])
def test_a_failed_audit_line_leaves_no_change_and_says_not_done(qtbot, admin_window, office, press):
    gate = office.gate
    tab = admin_window.roster_tab
    select_first_card(qtbot, tab)
    admin_window.settings_tab.editors["quota.window_days"].setText("3")
    before = snapshot(gate)
    refuse_audit_lines(qtbot, admin_window.client)

    if press == "save_settings":
        admin_window.settings_tab.save()
    else:
        getattr(tab, press)()
    settle(qtbot, admin_window.client)
    if press == "save_settings":
        status = admin_window.settings_tab.status.text()
    else:
        status = tab.status.text()

    assert status.startswith("未完成")
    assert snapshot(gate) == before
