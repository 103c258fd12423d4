"""The gate screen at every screen size gates have, in every state it shows: nothing outside
the window, no two controls on top of each other, no clipped text, no key under 12 mm
(issue 11). The widgets are found generically (tests/ui/layout_checks.py)."""
from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QApplication, QPushButton

from kiosk.app import open_gate
from kiosk.typed import TypedCard, TypedLimiter
from tests.ui.layout_checks import problems
from tests.ui.test_gate_screen import RecordingSounds
from tests.ui.test_typed_entry import HandClock
from ui.gate_screen import Panel
from ui.run import GateApp
from ui.verdict import Look

SIZES = [(1024, 768), (1366, 768), (1920, 1080), (1080, 1920)]
LONG_NOTICE = ("体温读数不是数字：请重新测量，在温度键盘上输入读数（例如 36.5），再扫码。"
               "A reading that is not a number: measure again and type it on the keypad.")


@pytest.fixture
def screen(qtbot, community):
    gate_app = GateApp(community.path, "zh", camera=None, clock=community.clock, sounds=RecordingSounds())
    qtbot.addWidget(gate_app.window)
    gate_app.window.typed_limiter = TypedLimiter(HandClock())
    gate_app.show()  # maximised in the screen's available geometry (offscreen: 800x800)
    gate_app.window.showNormal()  # so that each test can give it the size of a real screen
    yield gate_app
    gate_app.close()


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def scan(qtbot, window, payload: str, direction: str, temperature: str = "", source: str = "typed"):
    window.direction.set_direction(direction)
    window.keypad.set_reading(temperature)
    with qtbot.waitSignal(window.verdict_shown, timeout=5000) as shown:
        window.submit_scan(payload, source)
    return shown.args[0]


def size_problems(window, size: tuple[int, int], state: str) -> list[str]:
    window.resize(*size)
    settle()
    found = [] if (window.width(), window.height()) == size else [
        f"the window would not shrink to {size}: it is {window.width()}x{window.height()} "
        f"(its minimum: {window.minimumSizeHint().toTuple()}; panels: "
        f"{[p.minimumSizeHint().toTuple() for p in window.findChildren(Panel)]})"]
    return [f"{state}: {p}" for p in found + problems(window)]


def recorded_outcomes(qtbot, window, community) -> dict[str, object]:
    """One real scan of each kind the screen shows (replayed later by show_outcome)."""
    clock = community.clock
    shown = {"allow": scan(qtbot, window, community.payloads["life"], "out", "36.5")}
    clock.advance(minutes=1)
    shown["deny_override"] = scan(qtbot, window, community.payloads["life"], "out", "36.5")  # already out
    shown["deny"] = scan(qtbot, window, community.payloads["revoked"], "out")
    shown["special_reason"] = scan(qtbot, window, community.payloads["special"], "out")
    shown["action_needed"] = scan(qtbot, window, community.payloads["work"], "in")  # no reading
    shown["action_needed_reading"] = scan(qtbot, window, community.payloads["work"], "in", "95.0")
    shown["typo"] = scan(qtbot, window, "7K3Q-9AX", "out", source="typed")
    return shown


def long_due_queue(qtbot, window, community) -> object:
    """Four people resting after a fever, all due: the 该复测了 banner and a full table."""
    first = None
    for name, reading in (("work", "37.8"), ("lost", "38.0"), ("special", "38.2"), ("life", "37.9")):
        outcome = scan(qtbot, window, community.payloads[name], "in", reading)
        first = first or outcome
    community.clock.advance(minutes=5)
    window.client.refresh()
    qtbot.waitUntil(lambda: window.retest_model.rowCount() == 4, timeout=5000)
    window.retest_model.tick()
    assert window.retest.prompt.isVisible()
    return first


def walk(qtbot, window, outcomes, size) -> list[str]:
    found: list[str] = []
    for name, outcome in outcomes.items():
        window.show_outcome(outcome)
        found += size_problems(window, size, name)
    window.verdict.show_paper()
    found += size_problems(window, size, "record on paper")
    window.verdict.show_bug()
    found += size_problems(window, size, "program error")
    window.verdict.show_notice(LONG_NOTICE)
    found += size_problems(window, size, "notice")
    window.show_outcome(outcomes["deny"])
    window.keyboard_button.setChecked(True)
    found += size_problems(window, size, "on-screen keyboard")
    window.keyboard_button.setChecked(False)
    for n in range(5):  # five numbers that name no card: typing pauses
        window.typed_limiter.record(TypedCard(f"ZZZZ-ZZ{n}", "not_a_card"))
    window._show_typed_pause()
    found += size_problems(window, size, "typed pause")
    window.typed_limiter.clock.now += 120
    window._show_typed_pause()
    window.verdict.clear()
    found += size_problems(window, size, "idle")
    return found


def signed_in(qtbot, window) -> None:
    """The shift's first step: the volunteer's name picked (the picker closes over the screen)."""
    qtbot.waitUntil(lambda: window.sign_in.picker is not None, timeout=5000)
    window.sign_in.picker.close()
    window.set_operator("小王")


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_volunteers_names_fit_at_every_size(qtbot, screen, size):
    window = screen.window
    qtbot.waitUntil(lambda: window.sign_in.picker is not None and window.sign_in.picker.isVisible(),
                    timeout=5000)
    found = size_problems(window, size, "sign-in")
    names = [b for b in window.sign_in.picker.findChildren(QPushButton) if b.isVisible()]
    assert len(names) >= 2 and not found, "\n".join(found)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_state_fits_the_screen_at_every_size(qtbot, screen, community, size):
    window = screen.window
    signed_in(qtbot, window)
    found = size_problems(window, size, "idle, empty queue")
    outcomes = recorded_outcomes(qtbot, window, community)
    outcomes["retest"] = long_due_queue(qtbot, window, community)
    found += walk(qtbot, window, outcomes, size)
    window.toggle_language()
    qtbot.waitUntil(lambda: window.verdict.title.text() == "Scan a card", timeout=3000)
    found += [f"English, {p}" for p in walk(qtbot, window, outcomes, size)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_pin_pads_fit_and_keep_their_keys_still(qtbot, screen, community, size):
    window = screen.window
    window.resize(*size)
    deny = scan(qtbot, window, community.payloads["revoked"], "out")
    assert window.verdict.look is Look.DENY
    found: list[str] = []
    for name, open_pad in (("admin PIN", window.open_admin),
                           ("override", lambda: window.request_override(deny.verdict))):
        open_pad()
        if name == "override":  # revoked is not overridable: ask as an overridable deny would
            window.ask_pin("Let through", "Lead's PIN and the reason for letting this person through",
                           lambda *_: None, ask_reason=True)
        dialog = window.pin_dialog
        qtbot.waitExposed(dialog)
        settle()
        if dialog.width() > size[0] or dialog.height() > size[1]:
            found.append(f"{name}: {dialog.width()}x{dialog.height()} is bigger than the screen {size}")
        found += [f"{name}: {p}" for p in problems(dialog)]
        keys = {key: button.geometry() for key, button in dialog.keys.items()}
        width = dialog.width()
        dialog.reject_pin(dt.datetime(2026, 2, 12, 8, 15, 30))  # the longest message it shows
        settle()
        moved = [key for key, button in dialog.keys.items() if button.geometry() != keys[key]]
        if moved or dialog.width() != width:
            found.append(f"{name}: a wrong PIN moved the keys {moved} (width {width} → {dialog.width()})")
        found += [f"{name}, wrong PIN: {p}" for p in problems(dialog)]
        dialog.reject()
        settle()
    assert not found, "\n".join(found)


# -- the gate's own reports, the mask check, the sign-in and a long name (issues 11, 17) ---

LONG_NAME = "欧阳志愿者娜娜（三号楼二单元）"
FLAT = "3-1-201"  # a flat of the test community (tests/ui/conftest.py)


def dialog_problems(dialog, size: tuple[int, int], state: str) -> list[str]:
    """A dialog over the gate screen: no bigger than the screen, and nothing wrong inside."""
    settle()
    found = [] if dialog.width() <= size[0] and dialog.height() <= size[1] else [
        f"{dialog.width()}x{dialog.height()} is bigger than the screen {size}"]
    return [f"{state}: {p}" for p in found + problems(dialog)]


def open_report(qtbot, window):
    window.open_report()
    dialog = window.report_dialog
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: bool(dialog.building.buttons), timeout=5000)  # the flats came in
    return dialog


def report_states(dialog):
    """Each category with its presets, then a delivery with its flat and a preset note."""
    yield "no category"
    for kind in list(dialog.kind.buttons):
        dialog.kind.pick(kind)
        yield kind
    dialog.kind.pick("delivery")
    dialog.pick_flat(FLAT)
    presets = [dialog.presets.itemAt(i).widget() for i in range(dialog.presets.count())]
    presets[0].click()
    yield "delivery, flat and note picked"


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_report_dialog_fits_every_screen_in_every_category(qtbot, screen, size):
    window = screen.window
    signed_in(qtbot, window)
    window.resize(*size)
    settle()
    dialog = open_report(qtbot, window)
    found: list[str] = []
    for lang in ("zh", "en"):
        for state in report_states(dialog):
            found += dialog_problems(dialog, size, f"{lang}, {state}")
        dialog.reject()
        window.toggle_language()
        dialog = open_report(qtbot, window)
    assert not found, "\n".join(found)


def mask_check_on(qtbot, window, community) -> None:
    """The community turns the mask check on (another connection); the screen shows it."""
    gate = open_gate(community.path, clock=community.clock)
    try:
        gate.store.set_setting("mask.check", "on")
    finally:
        gate.close()
    window.client.refresh()
    qtbot.waitUntil(window.mask_check.isVisible, timeout=5000)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_mask_check_fits_beside_every_state(qtbot, screen, community, size):
    window = screen.window
    signed_in(qtbot, window)
    mask_check_on(qtbot, window, community)
    found = size_problems(window, size, "mask check, idle")
    window.mask_check.tap("no")
    found += size_problems(window, size, "mask check, no mask tapped")
    outcomes = recorded_outcomes(qtbot, window, community)
    outcomes["retest"] = long_due_queue(qtbot, window, community)
    for name, outcome in outcomes.items():
        window.show_outcome(outcome)
        found += size_problems(window, size, f"mask check, {name}")
    window.toggle_language()
    qtbot.waitUntil(lambda: window.mask_check.buttons["yes"].text() == "Mask on", timeout=3000)
    window.verdict.clear()
    found += size_problems(window, size, "mask check, English")
    assert not found, "\n".join(found)


@pytest.fixture
def volunteers(community):
    gate = open_gate(community.path, clock=community.clock)
    try:
        for name, pin in ((LONG_NAME, "1357"), ("志愿者陈", "2468"), ("Alexandra Whitfield", "9753")):
            gate.operators().add(name, "volunteer", pin)
    finally:
        gate.close()


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_sign_in_and_its_pin_pad_fit_with_long_names(qtbot, volunteers, screen, size):
    window = screen.window
    qtbot.waitUntil(lambda: window.sign_in.picker is not None and window.sign_in.picker.isVisible(),
                    timeout=5000)
    found = size_problems(window, size, "sign-in, long names")
    window.sign_in.picker.buttons[LONG_NAME].click()
    qtbot.waitUntil(lambda: window.sign_in.pin_dialog is not None, timeout=5000)
    pad = window.sign_in.pin_dialog
    qtbot.waitExposed(pad)
    found += dialog_problems(pad, size, "sign-in PIN pad")
    for key in "12":
        pad.press(key)
    pad.reject_pin(dt.datetime(2026, 2, 12, 8, 15, 30))
    found += dialog_problems(pad, size, "sign-in PIN pad, wrong PIN")
    pad.reject()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("name", [LONG_NAME, "Alexandra Konstantinopoulou-Whitfield"])
def test_a_long_name_on_duty_fits_the_status_bar(qtbot, screen, community, size, name):
    window = screen.window
    signed_in(qtbot, window)
    window.set_operator(name)
    found = size_problems(window, size, "idle, on duty")
    window.show_outcome(recorded_outcomes(qtbot, window, community)["deny_override"])
    found += size_problems(window, size, "deny, on duty")
    window.toggle_language()
    qtbot.waitUntil(lambda: window.verdict.title.text() != "", timeout=3000)
    found += size_problems(window, size, "English, on duty")
    shown = window.status.labels["on_duty"]
    assert name in shown.text() and shown.isVisible()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_names_cover_the_verdict_panel_and_no_key(qtbot, community, screen, size):
    gate = open_gate(community.path, clock=community.clock)
    try:
        for name, pin in (("志愿者李", "1357"), ("志愿者陈", "2468")):
            gate.operators().add(name, "volunteer", pin)
    finally:
        gate.close()
    window = screen.window
    window.resize(*size)
    window.ask_sign_in()  # read again: the two volunteers added after the screen opened
    qtbot.waitUntil(lambda: window.sign_in.picker is not None and len(window.sign_in.picker.buttons) == 3,
                    timeout=5000)
    settle()
    picker = window.sign_in.picker
    over = QRect(picker.mapTo(window, QPoint(0, 0)), picker.size())
    verdict = QRect(window.verdict.mapTo(window, QPoint(0, 0)), window.verdict.size())
    covered = [w.objectName() or type(w).__name__ for w in window.findChildren(QAbstractButton)
               if w.isVisible() and not picker.isAncestorOf(w)
               and over.intersects(QRect(w.mapTo(window, QPoint(0, 0)), w.size()))]
    assert over.contains(verdict) and not covered, (over.getRect(), verdict.getRect(), covered)
