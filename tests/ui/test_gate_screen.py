"""The gate screen, driven through its widgets' methods and signals (offscreen)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kiosk.app import open_gate
from tests.ui.conftest import LEAD_PIN
from ui.run import GateApp
from ui.sound import Sounds
from ui.verdict import Look


class RecordingSounds(Sounds):
    """Real Sounds without a player: records what would have been played."""

    def __init__(self):
        super().__init__(player=None)
        self.played: list[str] = []

    def play(self, name: str):
        if not self.muted:
            self.played.append(name)
        return None


@pytest.fixture
def screen(qtbot, community):
    gate_app = GateApp(community.path, "zh", camera=None, clock=community.clock, sounds=RecordingSounds())
    qtbot.addWidget(gate_app.window)
    gate_app.window.show()
    yield gate_app
    gate_app.close()


def scan(qtbot, screen, payload: str, direction: str = "out", temperature: str = ""):
    window = screen.window
    window.direction.set_direction(direction)
    window.keypad.set_reading(temperature)
    with qtbot.waitSignal(window.verdict_shown, timeout=5000) as shown:
        window.submit_scan(payload, "typed")
    return shown.args[0]


def recorded(community, event_id):
    gate = open_gate(community.path)
    try:
        return gate.store.event(event_id)
    finally:
        gate.close()


def test_life_card_exit_is_allowed_in_green_and_recorded(qtbot, screen, community):
    outcome = scan(qtbot, screen, community.payloads["life"])
    panel = screen.window.verdict
    assert panel.look is Look.ALLOW
    assert panel.title.text() == "放行"
    assert "3-1-101" in panel.details.text()
    assert "张" in panel.details.text() and "张三" not in panel.details.text()  # the initial only
    assert panel.quota.text() == "本期已外出 1/1 次"
    assert screen.sounds.played == ["allow"]
    assert recorded(community, outcome.verdict.event_id) is not None


def test_allow_clears_itself_after_two_seconds(qtbot, screen, community):
    scan(qtbot, screen, community.payloads["life"])
    timer = screen.window.verdict._clear_timer
    assert timer.isActive() and timer.interval() == 2000
    timer.start(10)  # the same timer, sooner: the test does not wait two seconds
    qtbot.waitUntil(lambda: screen.window.verdict.look is Look.IDLE, timeout=1000)
    assert screen.window.verdict.title.text() == "请扫码"


def test_revoked_card_is_denied_in_red_and_stays_until_tapped(qtbot, screen, community):
    scan(qtbot, screen, community.payloads["revoked"])
    panel = screen.window.verdict
    assert panel.look is Look.DENY
    assert panel.title.text() == "禁止通行"
    assert panel.reason.text() == "此卡已作废，请使用新卡或到社区办公室"
    assert not panel._clear_timer.isActive()
    assert screen.sounds.played == ["deny"]
    qtbot.mouseClick(panel, Qt.MouseButton.LeftButton)
    assert panel.look is Look.IDLE


def test_second_exit_of_the_household_shows_when_it_may_go_out_again(qtbot, screen, community):
    scan(qtbot, screen, community.payloads["life"], "out")
    community.clock.advance(hours=1)
    scan(qtbot, screen, community.payloads["life"], "in", "36.5")
    community.clock.advance(hours=1)
    scan(qtbot, screen, community.payloads["life"], "out")
    assert screen.window.verdict.reason.text() == "本户本期已外出，2月14日起可再外出"


def test_fever_is_a_retest_in_amber_with_a_countdown_then_a_prompt(qtbot, screen, community):
    window = screen.window
    scan(qtbot, screen, community.payloads["work"], "in", "37.8")
    assert window.verdict.look is Look.RETEST
    assert window.verdict.title.text() == "请复测"
    assert "37.8 °C" in window.verdict.reason.text()
    qtbot.waitUntil(lambda: window.retest_model.rowCount() == 1, timeout=3000)
    model = window.retest_model
    assert model.data(model.index(0, 0)) == "3-1-201"
    assert model.data(model.index(0, 3)) == "5:00"
    assert window.retest.prompt.isHidden()
    community.clock.advance(minutes=5)
    with qtbot.waitSignal(window.retest.retest_due, timeout=3000):
        model.tick()
    assert model.data(model.index(0, 3)) == "现在复测"
    assert not window.retest.prompt.isHidden()
    assert "3-1-201" in window.retest.prompt.text()
    assert "due" in screen.sounds.played


def test_retest_queue_model_passes_the_model_tester(qtbot, qtmodeltester, screen, community):
    scan(qtbot, screen, community.payloads["work"], "in", "38.0")
    qtbot.waitUntil(lambda: screen.window.retest_model.rowCount() == 1, timeout=3000)
    qtmodeltester.check(screen.window.retest_model, force_py=True)


def test_special_card_asks_for_a_reason_with_big_buttons(qtbot, screen, community):
    window = screen.window
    scan(qtbot, screen, community.payloads["special"], "out")
    assert window.verdict.title.text() == "选择事由"
    medical = window.verdict.reason_buttons["medical"]
    assert medical.isVisible() and medical.text() == "就医"
    with qtbot.waitSignal(window.verdict_shown, timeout=5000) as shown:
        qtbot.mouseClick(medical, Qt.MouseButton.LeftButton)
    assert shown.args[0].verdict.allowed
    assert recorded(community, shown.args[0].verdict.event_id).exit_reason == "medical"
    assert not medical.isVisible()


def test_lead_overrides_a_deny_with_pin_and_reason(qtbot, screen, community):
    window = screen.window
    scan(qtbot, screen, community.payloads["life"])
    community.clock.advance(minutes=1)
    denied = scan(qtbot, screen, community.payloads["life"]).verdict  # already out
    assert denied.reason == "already_out"
    qtbot.mouseClick(window.verdict.override_button, Qt.MouseButton.LeftButton)
    dialog = window.pin_dialog
    dialog.reason.setText("就医急需")
    for key in "9999":
        dialog.press(key)
    dialog.press("OK")
    qtbot.waitUntil(lambda: dialog.error.text() == "PIN码错误", timeout=5000)
    for key in LEAD_PIN:
        dialog.press(key)
    with qtbot.waitSignal(window.verdict_shown, timeout=5000) as shown:
        dialog.press("OK")
    verdict = shown.args[0].verdict
    assert window.verdict.look is Look.ALLOW, shown.args[0].error
    assert window.verdict.reason.text() == "已由楼长王特批放行"
    event = recorded(community, verdict.event_id)
    assert event.override_of == denied.event_id and event.override_reason == "就医急需"


def test_a_database_that_cannot_record_shows_record_on_paper_never_green(qtbot, screen, community):
    window = screen.window
    with qtbot.waitSignal(window.client.lane.idle, timeout=3000):
        window.client.call(lambda gate: gate.store.db.execute("PRAGMA query_only = ON"))
    outcome = scan(qtbot, screen, community.payloads["life"])
    assert outcome.verdict is None and outcome.failure == "storage"
    assert window.verdict.look is Look.PAPER
    assert window.verdict.title.text() == "请纸质登记"
    assert window.status.labels["sync"].text() == "数据库故障：请纸质登记"
    assert "allow" not in screen.sounds.played


def test_a_temperature_that_is_not_a_number_is_refused_calmly(qtbot, screen, community):
    outcome = scan(qtbot, screen, community.payloads["life"], "in", ".")
    assert outcome.failure == "bad_input"
    assert screen.window.verdict.look is Look.NOTICE
    assert screen.window.verdict.reason.text() == "体温“.”不是数字，例如 36.5"


def test_typed_serial_reaches_a_verdict(qtbot, screen, community):
    window = screen.window
    qtbot.keyClicks(window.serial_entry, community.serials["life"].lower().replace("-", ""))
    qtbot.keyClick(window.serial_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.typed_dialog is not None, timeout=5000)  # compare first
    with qtbot.waitSignal(window.verdict_shown, timeout=5000) as shown:
        qtbot.mouseClick(window.typed_dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert shown.args[0].request.source == "typed"
    assert window.verdict.look is Look.ALLOW
    assert window.serial_entry.text() == ""


def test_english_at_run_time_for_the_screen_and_the_verdicts(qtbot, screen, community):
    window = screen.window
    qtbot.mouseClick(window.language_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.language_button.text() == "中文", timeout=2000)  # posted event
    assert window.verdict.title.text() == "Scan a card"
    assert window.direction.buttons[window.direction.direction].text() == "⬆ OUT"
    scan(qtbot, screen, community.payloads["revoked"])
    assert window.verdict.title.text() == "STOP"
    assert window.verdict.reason.text() == "This card was revoked: use the new card or go to the office"
    qtbot.mouseClick(window.language_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.verdict.title.text() == "禁止通行", timeout=2000)
    assert window.verdict.reason.text() == "此卡已作废，请使用新卡或到社区办公室"  # told again, in zh


def test_muted_gate_is_silent(qtbot, screen, community):
    qtbot.mouseClick(screen.window.mute_button, Qt.MouseButton.LeftButton)
    assert screen.window.mute_button.text() == "开声音"
    scan(qtbot, screen, community.payloads["life"])
    assert screen.sounds.played == []


def test_status_bar_counts_who_is_out(qtbot, screen, community):
    window = screen.window
    scan(qtbot, screen, community.payloads["life"])
    qtbot.waitUntil(lambda: window.status.labels["out_now"].text() == "在外：1人", timeout=3000)
    assert window.status.labels["exits_today"].text() == "今日外出：1"
    assert window.status.labels["clock"].text() == "08:00:00"


def test_kiosk_mode_needs_the_leads_pin_to_close(qtbot, screen, community):
    window = screen.window
    window.locked = True  # as after --fullscreen, without taking over the test's screen
    window.close()
    assert window.isVisible()
    dialog = window.pin_dialog
    assert dialog is not None and dialog.windowTitle() == "关闭门岗"
    for key in LEAD_PIN:
        dialog.press(key)
    dialog.press("OK")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
