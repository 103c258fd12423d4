"""The admin log counts slips apart (issue 11): a mistyped card number reads 需处理 (action
needed), not 拒绝; the decision filter tells the rules' denials from the slips; the line
above the table counts the day's denials and slips apart."""
from __future__ import annotations

import pytest

from ui.admin import open_admin

from .conftest import DAY, at, wait_loaded


@pytest.fixture
def admin_window(qtbot, office):
    office.gate.service.scan("7K3Q-9AE", "out", operator="小王", at=at(13), source="typed")  # a typo
    window = open_admin(office.client, office.admin)
    qtbot.addWidget(window)
    window.log_tab.date.setDate(DAY)
    wait_loaded(qtbot, window.log_tab)
    yield window
    window.close()


def column(model, name: str) -> list[str]:
    c = model.headers.index(name)
    return [model.index(r, c).data() for r in range(model.rowCount())]


def test_a_slip_reads_action_needed_and_is_counted_apart(admin_window):
    tab = admin_window.log_tab
    assert column(tab.model, "结果") == ["放行", "放行", "复测", "拒绝", "拒绝", "需处理"]
    assert tab.day_counts.text() == "扫码6次，外出2，进入0，拒绝2，需处理1（操作疏漏），复测1"


@pytest.mark.parametrize(("value", "reasons"), [
    ("deny", ["复测仍发热", "非出入证"]),
    ("slip", ["非出入证"]),
])
def test_the_decision_filter_tells_denials_from_slips(qtbot, admin_window, value, reasons):
    tab = admin_window.log_tab
    with qtbot.waitSignal(tab.loaded, timeout=10000):
        tab.decision.setCurrentIndex(tab.decision.findData(value))
    assert column(tab.model, "原因") == reasons
    assert column(tab.model, "结果") == (["拒绝", "拒绝"] if value == "deny" else ["需处理"])
