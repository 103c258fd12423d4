"""Who is on duty (issue 11): the volunteer signs in on the gate screen (their name, then
their PIN), every event carries them, the status bar says who, and nobody signed in is said
in amber without ever blocking a scan. Offscreen, on a real gate database."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kiosk.app import open_gate
from tests.ui.conftest import LEAD_PIN
from tests.ui.test_gate_screen import RecordingSounds, recorded, scan
from ui.run import GateApp

VOLUNTEER, VOLUNTEER_PIN = "志愿者李", "1357"


@pytest.fixture
def screen(qtbot, community):
    gate = open_gate(community.path, clock=community.clock)
    gate.operators().add(VOLUNTEER, "volunteer", VOLUNTEER_PIN)
    gate.operators().add("志愿者陈", "volunteer", "2468")
    gate.close()
    gate_app = GateApp(community.path, "zh", camera=None, clock=community.clock, sounds=RecordingSounds())
    qtbot.addWidget(gate_app.window)
    gate_app.window.show()
    yield gate_app
    gate_app.close()


def pick(qtbot, window, name: str):
    window.ask_sign_in()
    qtbot.waitUntil(lambda: window.sign_in.picker is not None and window.sign_in.picker.isVisible(),
                    timeout=5000)
    qtbot.mouseClick(window.sign_in.picker.buttons[name], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.sign_in.pin_dialog is not None, timeout=5000)
    return window.sign_in.pin_dialog


def enter(dialog, pin: str) -> None:
    for key in pin:
        dialog.press(key)
    dialog.press("OK")


def audit_actions(community) -> list[tuple[str, str]]:
    gate = open_gate(community.path)
    try:
        return [(e.operator, e.action) for e in gate.audit_entries()]
    finally:
        gate.close()


def test_nobody_signed_in_is_said_in_amber_and_scans_still_decide(qtbot, screen, community):
    window = screen.window
    label = window.status.labels["on_duty"]
    assert label.text() == "无人签到" and label.property("alert") is True
    assert window.duty_button.text() == "签到"
    outcome = scan(qtbot, screen, community.payloads["life"])
    assert outcome.verdict.allowed
    assert recorded(community, outcome.verdict.event_id).operator == ""


def test_the_picker_shows_every_active_operator_volunteers_first(qtbot, screen):
    window = screen.window
    window.ask_sign_in()
    qtbot.waitUntil(lambda: window.sign_in.picker is not None, timeout=5000)
    picker = window.sign_in.picker
    assert list(picker.buttons) == ["志愿者李", "志愿者陈", "楼长王"]
    assert all(b.minimumHeight() >= 46 for b in picker.buttons.values())  # 12 mm at 96 dpi
    assert picker.window() is window  # a panel of the gate window: it stays the active one


def test_a_volunteer_signs_in_and_every_event_carries_them(qtbot, screen, community):
    window = screen.window
    dialog = pick(qtbot, window, VOLUNTEER)
    assert VOLUNTEER in dialog.prompt.text()
    enter(dialog, VOLUNTEER_PIN)
    qtbot.waitUntil(lambda: window.operator == VOLUNTEER, timeout=5000)
    label = window.status.labels["on_duty"]
    assert label.text() == f"值守：{VOLUNTEER}" and label.property("alert") is False
    assert window.duty_button.text() == "签退/换人"
    outcome = scan(qtbot, screen, community.payloads["life"])
    assert recorded(community, outcome.verdict.event_id).operator == VOLUNTEER
    assert (VOLUNTEER, "sign_in") in audit_actions(community)


def test_someone_elses_pin_does_not_sign_in_the_name_picked(qtbot, screen, community):
    window = screen.window
    dialog = pick(qtbot, window, VOLUNTEER)
    enter(dialog, LEAD_PIN)  # a right PIN, but the lead's
    qtbot.waitUntil(lambda: dialog.error.text() == "PIN码错误", timeout=5000)
    assert window.operator == "" and dialog.isVisible()
    enter(dialog, "0000")
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=5000)
    assert window.operator == ""
    assert (VOLUNTEER, "sign_in") not in audit_actions(community)


def test_sign_out_from_the_header_hands_over_to_the_next_volunteer(qtbot, screen, community):
    window = screen.window
    enter(pick(qtbot, window, VOLUNTEER), VOLUNTEER_PIN)
    qtbot.waitUntil(lambda: window.operator == VOLUNTEER, timeout=5000)
    window.sign_in.picker = None
    qtbot.mouseClick(window.duty_button, Qt.MouseButton.LeftButton)
    assert window.operator == "" and window.status.labels["on_duty"].text() == "无人签到"
    qtbot.waitUntil(lambda: window.sign_in.picker is not None and window.sign_in.picker.isVisible(),
                    timeout=5000)  # the next one signs in
    qtbot.mouseClick(window.sign_in.picker.buttons["志愿者陈"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.sign_in.pin_dialog is not None, timeout=5000)
    enter(window.sign_in.pin_dialog, "2468")
    qtbot.waitUntil(lambda: window.operator == "志愿者陈", timeout=5000)
    assert [a for a in audit_actions(community) if a[1] in ("sign_in", "sign_out")] == [
        ("志愿者陈", "sign_in"), (VOLUNTEER, "sign_out"), (VOLUNTEER, "sign_in")]
