"""The on-screen keyboard for typed card numbers: the serial alphabet in keys big enough
for gloves, typing into the serial field; 查验 goes the typed path (compare, then confirm)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from kiosk.serial import ALPHABET
from kiosk.typed import TypedCard, TypedLimiter
from tests.ui.test_gate_screen import RecordingSounds
from ui.run import GateApp
from ui.serial_keyboard import MIN_KEY_MM, REFERENCE_DPI, SerialKeyboard
from ui.verdict import Look


@pytest.fixture
def keyboard(qtbot) -> SerialKeyboard:
    entry = QLineEdit()
    keyboard = SerialKeyboard(entry)
    qtbot.addWidget(entry)
    qtbot.addWidget(keyboard)
    keyboard.show()
    qtbot.waitExposed(keyboard)
    return keyboard


def tap(qtbot, keyboard: SerialKeyboard, *keys: str) -> None:
    for key in keys:
        qtbot.mouseClick(keyboard.keys[key], Qt.MouseButton.LeftButton)


def test_every_character_of_a_serial_has_its_key_and_nothing_else(keyboard):
    characters = {name for name in keyboard.keys if len(name) == 1 and name != "⌫"}
    assert characters == set(ALPHABET) | {"-"}
    assert not characters & set("ILOU")  # never printed on a card


def test_tapping_the_keys_types_them_into_the_field(qtbot, keyboard):
    tap(qtbot, keyboard, *ALPHABET, "-")
    assert keyboard.entry.text() == ALPHABET + "-"


def test_what_was_typed_shows_above_the_keys(qtbot, keyboard):
    assert keyboard.echo.text() == "—"
    tap(qtbot, keyboard, "7", "K", "3", "Q", "-")
    assert keyboard.echo.text() == "7K3Q-"
    assert keyboard.echo.font().pointSize() >= 24


def test_erase_takes_the_last_character_and_clear_takes_all(qtbot, keyboard):
    tap(qtbot, keyboard, "7", "K", "3", "Q", "⌫")
    assert keyboard.entry.text() == "7K3"
    keyboard.entry.setCursorPosition(1)  # a volunteer fixing the middle
    tap(qtbot, keyboard, "X")
    assert keyboard.entry.text() == "7XK3"
    tap(qtbot, keyboard, "clear")
    assert keyboard.entry.text() == ""


def test_check_asks_for_the_number_to_be_checked(qtbot, keyboard):
    with qtbot.waitSignal(keyboard.submitted, timeout=1000):
        tap(qtbot, keyboard, "check")


def test_every_key_is_big_enough_for_a_gloved_finger(qtbot, keyboard):
    smallest_px = MIN_KEY_MM / 25.4 * REFERENCE_DPI
    keyboard.resize(keyboard.minimumSizeHint())  # squeezed as far as a layout can
    qtbot.waitUntil(lambda: keyboard.size() == keyboard.minimumSizeHint())
    for name, key in keyboard.keys.items():
        assert min(key.width(), key.height()) >= smallest_px, name
        assert key.fontMetrics().horizontalAdvance(key.text()) < key.width(), name  # its text fits


def test_no_key_takes_the_focus_from_the_field(keyboard):
    assert {key.focusPolicy() for key in keyboard.keys.values()} == {Qt.FocusPolicy.NoFocus}


@pytest.fixture
def screen(qtbot, community):
    gate_app = GateApp(community.path, "zh", camera=None, clock=community.clock, sounds=RecordingSounds())
    qtbot.addWidget(gate_app.window)
    gate_app.show()  # the screen's available geometry (offscreen: 800x800)
    yield gate_app
    gate_app.close()


def test_a_serial_tapped_on_the_gate_screen_is_compared_then_counts(qtbot, screen, community):
    window = screen.window
    assert not window.serial_keyboard.isVisible()  # out of the way until asked for
    assert window.keyboard_button.text() == "键盘"
    qtbot.mouseClick(window.keyboard_button, Qt.MouseButton.LeftButton)
    assert window.serial_keyboard.isVisible()
    assert not window.preview.isVisible()  # the keyboard takes the preview's place
    assert window.keyboard_button.text() == "收起键盘"
    assert window.height() <= 900  # and the window does not grow
    assert window.serial_keyboard.keys["check"].text() == "查验"
    tap(qtbot, window.serial_keyboard, *community.serials["life"], "check")
    qtbot.waitUntil(lambda: window.typed_dialog is not None, timeout=5000)  # compare first
    assert window.typed_dialog.flat.text() == "房号 3-1-101"
    with qtbot.waitSignal(window.verdict_shown, timeout=5000) as shown:
        qtbot.mouseClick(window.typed_dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert shown.args[0].request.source == "typed"
    assert shown.args[0].request.payload == community.serials["life"]
    assert window.verdict.look is Look.ALLOW
    assert window.serial_entry.text() == ""
    qtbot.mouseClick(window.keyboard_button, Qt.MouseButton.LeftButton)
    assert not window.serial_keyboard.isVisible() and window.preview.isVisible()


class HandClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_keyboard_pauses_with_typed_entry_and_comes_back(qtbot, screen):
    window = screen.window
    clock = HandClock()
    window.typed_limiter = TypedLimiter(clock)
    for _ in range(5):  # five numbers that name no card
        window._on_typed_card(TypedCard("ZZZZ-ZZZ", "not_a_card"))
    assert not window.serial_keyboard.isEnabled()
    clock.now += 61
    window.retranslate()
    assert window.serial_keyboard.isEnabled()
