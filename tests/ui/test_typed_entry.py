"""The typed serial on the gate screen: whose card it is, shown in big type, before the scan
counts; 确认 submits, 取消 does not; too many missed numbers pause typing, never QR codes."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kiosk.app import open_gate
from kiosk.serial import check_char, format_serial
from kiosk.typed import TypedLimiter
from tests.ui.contrast import drawn_contrast
from tests.ui.test_gate_screen import RecordingSounds
from ui.run import GateApp
from ui.verdict import Look


class HandClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def screen(qtbot, community):
    gate_app = GateApp(community.path, "zh", camera=None, clock=community.clock, sounds=RecordingSounds())
    qtbot.addWidget(gate_app.window)
    gate_app.window.typed_limiter = TypedLimiter(HandClock())
    gate_app.window.show()
    yield gate_app
    gate_app.close()


def event_count(community) -> int:
    gate = open_gate(community.path)
    try:
        return gate.store.db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    finally:
        gate.close()


def type_serial(qtbot, window, text: str) -> None:
    window.serial_entry.setText(text)
    qtbot.mouseClick(window.serial_button, Qt.MouseButton.LeftButton)


def unknown_serial(n: int) -> str:
    body = f"ZZZZZ{n}"
    return format_serial(body + check_char(body))


def test_a_typed_serial_shows_initial_flat_and_kind_and_counts_only_when_confirmed(qtbot, screen, community):
    window = screen.window
    type_serial(qtbot, window, community.serials["work"])
    qtbot.waitUntil(lambda: window.typed_dialog is not None, timeout=5000)
    dialog = window.typed_dialog
    assert dialog.flat.text() == "房号 3-1-201"
    assert dialog.holder.text() == "持卡人 李" and "李四" not in dialog.holder.text()
    assert dialog.kind.text() == "工作卡"
    assert (dialog.confirm_button.text(), dialog.cancel_button.text()) == ("确认", "取消")
    assert dialog.flat.font().pointSize() >= 36
    assert event_count(community) == 0  # nothing counts yet

    with qtbot.waitSignal(window.verdict_shown, timeout=5000) as shown:
        qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)

    assert shown.args[0].request.payload == community.serials["work"]
    assert window.verdict.look is Look.ALLOW and event_count(community) == 1


def test_cancel_records_nothing(qtbot, screen, community):
    window = screen.window
    type_serial(qtbot, window, community.serials["life"])
    qtbot.waitUntil(lambda: window.typed_dialog is not None, timeout=5000)
    qtbot.mouseClick(window.typed_dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.typed_dialog is None, timeout=2000)
    assert event_count(community) == 0 and window.verdict.look is Look.IDLE


def test_the_lost_cards_serial_is_refused_as_revoked_with_its_flat_without_asking(qtbot, screen, community):
    window = screen.window
    with qtbot.waitSignal(window.verdict_shown, timeout=5000) as shown:
        type_serial(qtbot, window, community.serials["lost"])  # the serial printed on the lost card
    verdict = shown.args[0].verdict
    assert verdict.reason == "revoked" and verdict.household.flat == "3-1-401"
    assert window.typed_dialog is None and window.verdict.look is Look.DENY


def test_five_missed_numbers_pause_typing_calmly_but_never_qr_codes(qtbot, screen, community):
    window = screen.window
    for n in range(5):
        with qtbot.waitSignal(window.verdict_shown, timeout=5000):
            type_serial(qtbot, window, unknown_serial(n))
    assert not window.serial_entry.isEnabled() and not window.serial_button.isEnabled()
    assert window.typed_pause.isVisible()
    assert window.typed_pause.text() == "输入的卡号多次查无有效卡：手动输入暂停 60 秒。扫码照常进行。"
    before = event_count(community)
    window._submit_typed()  # Enter while paused: nothing looked up, nothing recorded
    assert event_count(community) == before

    with qtbot.waitSignal(window.verdict_shown, timeout=5000) as shown:
        window.submit_scan(community.payloads["life"], "camera")
    outcome = shown.args[0]
    assert outcome.verdict.reason == "ok"

    window.typed_limiter.clock.now += 45
    window._show_typed_pause()
    assert "15 秒" in window.typed_pause.text()
    window.typed_limiter.clock.now += 15
    window._show_typed_pause()
    assert window.serial_entry.isEnabled() and not window.typed_pause.isVisible()


def test_the_confirmation_is_readable_big_light_on_dark(qtbot, screen, community):
    """The flat and the holder are what the volunteer compares: at least 7:1 (WCAG AAA)."""
    window = screen.window
    type_serial(qtbot, window, community.serials["work"])
    qtbot.waitUntil(lambda: window.typed_dialog is not None, timeout=5000)
    dialog = window.typed_dialog
    qtbot.waitExposed(dialog)
    for label in (dialog.prompt, dialog.flat, dialog.holder, dialog.kind):
        assert drawn_contrast(label) >= 7, label.objectName()
    dialog.reject()
