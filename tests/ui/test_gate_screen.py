"""The gate screen, driven through its widgets' methods and signals (offscreen)."""
from __future__ import annotations

import pytest

from kiosk.app import open_gate
from ui.run import GateApp
from ui.sound import Sounds
from ui.verdict import Look


class RecordingSounds(Sounds):
    """Real Sounds, no player: records what would have been played."""

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


def scan(qtbot, screen, payload: str, source: str = "typed"):
    with qtbot.waitSignal(screen.window.verdict_shown, timeout=5000) as shown:
        screen.window.submit_scan(payload, source)
    return shown.args[0]


def test_life_card_exit_is_allowed_in_green_and_recorded(qtbot, screen, community):
    outcome = scan(qtbot, screen, community.payloads["life"])
    panel = screen.window.verdict
    assert panel.look is Look.ALLOW
    assert panel.title.text() == "放行"
    assert "3-1-101" in panel.details.text()
    assert "张" in panel.details.text() and "张三" not in panel.details.text()
    assert screen.sounds.played == ["allow"]
    gate = open_gate(community.path)
    try:
        assert gate.store.event(outcome.verdict.event_id) is not None
    finally:
        gate.close()
