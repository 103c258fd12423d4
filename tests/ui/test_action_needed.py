"""Slips are not denials (issue 11): a missing or implausible reading, a special card's
missing reason and a mistyped number show "action needed" (its own colour and icon, a soft
tone, exactly what to do) and are still recorded as before; a deny floods the window's
edges and clears itself after gate.deny_clear_s, counting down on the panel."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from kiosk.app import open_gate
from tests.ui.test_gate_screen import recorded, scan
from tests.ui.test_layout import screen, settle  # noqa: F401 (fixture)
from ui.verdict import COLOURS, FLOOD, Look


def edge_colour(window) -> str:
    """The colour painted at the window's edge, inside the frame (the verdict's band)."""
    image = window.grab().toImage()
    return QColor(image.pixelColor(3, image.height() // 2)).name()


@pytest.mark.parametrize(("payload", "direction", "reading", "reason", "todo"), [
    ("work", "in", "", "temperature_required", "请测体温，在键盘上输入读数，再扫码。"),
    ("work", "in", "95.0", "temperature_unit", "请把体温计调到摄氏度，重新测量，再扫码。"),
    ("work", "in", "30.0", "temperature_implausible", "请重新测量，输入新读数，再扫码。"),
    ("work", "in", "35.2", "temperature_low", "请让来人稍候暖和一下，重新测量，再扫码。"),
    ("special", "out", "", "reason_required", ""),
])
def test_a_slip_asks_for_action_calmly_and_is_still_recorded_as_a_deny(
        qtbot, screen, community, payload, direction, reading, reason, todo):  # noqa: F811 (fixture)
    outcome = scan(qtbot, screen, community.payloads[payload], direction, reading)
    panel = screen.window.verdict
    assert outcome.verdict.reason == reason
    assert panel.look is Look.ACTION and panel.icon.look is Look.ACTION
    assert panel.title.text() == ("选择事由" if reason == "reason_required" else "请处理")
    assert panel.todo.text() == todo
    assert screen.sounds.played == ["attention"]  # not the deny's buzz
    event = recorded(community, outcome.verdict.event_id)
    assert (event.decision.value, event.reason) == ("deny", reason)  # recorded as before


def test_a_mistyped_number_stays_in_the_field_and_says_what_to_do(qtbot, screen, community):  # noqa: F811
    window = screen.window
    window.serial_entry.setText("7K3Q-9AX")  # a wrong check character
    with qtbot.waitSignal(window.verdict_shown, timeout=5000) as shown:
        qtbot.mouseClick(window.serial_button, Qt.MouseButton.LeftButton)
    assert shown.args[0].verdict.reason == "not_a_card"
    assert window.verdict.look is Look.ACTION
    assert window.serial_entry.text() == "7K3Q-9AX"
    assert window.verdict.reason.text() == "输入的不是有效的卡号。"  # not "not this community's card"
    assert "核对卡号" in window.verdict.todo.text()
    assert screen.sounds.played == ["attention"]


def test_the_same_text_scanned_by_a_wedge_is_a_deny_not_a_slip(qtbot, screen):  # noqa: F811
    window = screen.window
    with qtbot.waitSignal(window.verdict_shown, timeout=5000):
        window.submit_scan("HELLO", "wedge")
    assert window.verdict.look is Look.DENY and screen.sounds.played == ["deny"]


def test_the_verdict_floods_the_window_edges_in_its_colour(qtbot, screen, community):  # noqa: F811
    window = screen.window
    window.resize(1366, 768)
    settle()
    assert edge_colour(window) == FLOOD[Look.IDLE]
    scan(qtbot, screen, community.payloads["revoked"])
    settle()
    assert edge_colour(window) == COLOURS[Look.DENY][0]
    window.verdict.clear()
    scan(qtbot, screen, community.payloads["life"], "out", "36.5")
    settle()
    assert edge_colour(window) == COLOURS[Look.ALLOW][0]


def test_a_deny_counts_down_and_clears_itself(qtbot, screen, community):  # noqa: F811
    scan(qtbot, screen, community.payloads["revoked"])
    panel = screen.window.verdict
    assert panel.countdown.text() == "30 秒后自动清除"
    for _ in range(29):
        panel.tick_countdown()  # the panel's one-second timer, run by hand
    assert panel.look is Look.DENY and panel.countdown.text() == "1 秒后自动清除"
    panel.tick_countdown()
    assert panel.look is Look.IDLE and panel.countdown.text() == ""


def test_the_deny_time_is_a_setting(qtbot, screen, community):  # noqa: F811
    gate = open_gate(community.path)
    try:
        gate.store.set_setting("gate.deny_clear_s", "0")  # 0: until tapped
    finally:
        gate.close()
    window = screen.window
    with qtbot.waitSignal(window.client.snapshot_ready, timeout=5000):
        window.client.refresh()
    scan(qtbot, screen, community.payloads["revoked"])
    assert window.verdict.deny_clear_s == 0
    assert window.verdict.countdown.text() == "" and not window.verdict._countdown.isActive()


def test_an_allow_has_no_countdown(qtbot, screen, community):  # noqa: F811
    scan(qtbot, screen, community.payloads["life"], "out", "36.5")
    assert screen.window.verdict.countdown.text() == ""
