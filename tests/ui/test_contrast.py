"""Every text on the gate screen, its PIN pads and the admin screens is painted at 7:1 or
more against its ground (WCAG AAA), in every look the verdict floods the window with
(issue 11). The words are found generically (tests/ui/contrast.py)."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.app import open_gate
from kiosk.errors import EnvironmentFailure
from tests.ui.admin.conftest import wait_loaded
from tests.ui.conftest import LEAD_PIN
from tests.ui.contrast import low_contrast
from tests.ui.test_layout import (  # noqa: F401 (fixtures)
    LONG_NAME,
    long_due_queue,
    mask_check_on,
    open_report,
    recorded_outcomes,
    report_states,
    screen,
    settle,
    signed_in,
    volunteers,
)
from ui.admin import open_admin

ADMIN_PIN = "135790"


def test_every_text_of_the_gate_screen_in_every_look(qtbot, screen, community):  # noqa: F811 (fixture)
    window = screen.window
    window.resize(1366, 768)
    settle()
    found = [f"idle: {p}" for p in low_contrast(window)]
    outcomes = recorded_outcomes(qtbot, window, community)
    outcomes["retest"] = long_due_queue(qtbot, window, community)
    for lang in ("zh", "en"):
        for name, outcome in outcomes.items():
            window.show_outcome(outcome)
            settle()
            found += [f"{lang}, {name}: {p}" for p in low_contrast(window)]
        for name, show in (("paper", window.verdict.show_paper), ("bug", window.verdict.show_bug),
                           ("notice", lambda: window.verdict.show_notice("体温读数不是数字"))):
            show()
            settle()
            found += [f"{lang}, {name}: {p}" for p in low_contrast(window)]
        window.keyboard_button.setChecked(True)
        settle()
        found += [f"{lang}, keyboard: {p}" for p in low_contrast(window)]
        window.keyboard_button.setChecked(False)
        window.verdict.clear()
        window.serial_entry.clear()  # its placeholder is words too
        settle()
        found += [f"{lang}, idle: {p}" for p in low_contrast(window)]
        window.toggle_language()
        settle()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("reason", [False, True], ids=["admin PIN", "override"])
def test_the_pin_pads_are_readable_with_and_without_a_message(qtbot, screen, reason):  # noqa: F811
    window = screen.window
    dialog = window.ask_pin("PIN", "楼栋长的PIN码和放行理由" if reason else "楼栋长或管理员的PIN码",
                            lambda *_: None, ask_reason=reason)
    qtbot.waitExposed(dialog)
    for key in "12":
        dialog.press(key)
    settle()
    found = low_contrast(dialog)
    dialog.reject_pin(dt.datetime(2026, 2, 12, 8, 15))
    settle()
    found += [f"wrong PIN: {p}" for p in low_contrast(dialog)]
    dialog.reject()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("role", ["lead", "admin"])
def test_every_admin_tab_opened_from_the_gate_is_readable_and_fits_768(qtbot, screen, community, role):  # noqa: F811
    gate = open_gate(community.path)
    try:
        gate.operators().add("管理员", "admin", ADMIN_PIN)
        operator = gate.authenticate(LEAD_PIN if role == "lead" else ADMIN_PIN, role)
    finally:
        gate.close()
    window = screen.window
    admin = open_admin(window._admin_client, operator, window)
    qtbot.addWidget(admin)
    qtbot.waitExposed(admin)
    wait_loaded(qtbot, admin.log_tab)
    tallest = max(admin.height(), admin.minimumSizeHint().height())
    found = [] if tallest <= 768 - 48 else [f"the admin window is {tallest} px high"]
    for i in range(admin.tabs.count()):
        admin.tabs.setCurrentIndex(i)
        qtbot.waitUntil(lambda: admin.client.pending == 0, timeout=10000)
        QApplication.processEvents()
        found += [f"{admin.tabs.tabText(i)}: {p}" for p in low_contrast(admin)]
    admin.close()
    assert not found, "\n".join(found)


def test_the_report_dialog_is_readable_in_every_category(qtbot, screen):  # noqa: F811 (fixture)
    window = screen.window
    signed_in(qtbot, window)
    dialog = open_report(qtbot, window)
    found = []
    for state in report_states(dialog):
        found += [f"{state}: {p}" for p in low_contrast(dialog)]
    dialog._failed(EnvironmentFailure("db_failed"))  # "record on paper" in the dialog
    settle()
    found += [f"not recorded: {p}" for p in low_contrast(dialog)]
    dialog.reject()
    assert not found, "\n".join(found)


def test_the_mask_check_is_readable_with_each_answer_tapped(qtbot, screen, community):  # noqa: F811
    window = screen.window
    signed_in(qtbot, window)
    window.resize(1366, 768)
    mask_check_on(qtbot, window, community)
    settle()
    found = [f"nothing tapped: {p}" for p in low_contrast(window.mask_check)]
    for answer in ("yes", "no", "exempt"):
        window.mask_check.tap(answer)
        settle()
        found += [f"{answer}: {p}" for p in low_contrast(window.mask_check)]
    assert not found, "\n".join(found)


def test_the_sign_in_names_and_their_pin_pad_are_readable(qtbot, volunteers, screen):  # noqa: F811
    window = screen.window
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.sign_in.picker is not None and window.sign_in.picker.isVisible(),
                    timeout=5000)
    settle()
    found = [f"names: {p}" for p in low_contrast(window)]
    window.sign_in.picker.buttons[LONG_NAME].click()
    qtbot.waitUntil(lambda: window.sign_in.pin_dialog is not None, timeout=5000)
    pad = window.sign_in.pin_dialog
    qtbot.waitExposed(pad)
    pad.press("1")
    settle()
    found += [f"PIN pad: {p}" for p in low_contrast(pad)]
    pad.reject_pin(None)
    settle()
    found += [f"PIN pad, wrong PIN: {p}" for p in low_contrast(pad)]
    pad.reject()
    window.set_operator(LONG_NAME)
    settle()
    found += [f"on duty: {p}" for p in low_contrast(window.status)]
    assert not found, "\n".join(found)
