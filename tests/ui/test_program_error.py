"""A bug at the gate screen is told as a program error with a crash report, never as
"record on paper"; the next start reports it. A storage failure stays record on paper."""
from __future__ import annotations

import pytest

from tests.ui.test_gate_screen import RecordingSounds, scan
from ui.gateclient import BUG, STORAGE
from ui.run import GateApp
from ui.verdict import Look


@pytest.fixture
def screen(qtbot, community, tmp_path, monkeypatch):
    monkeypatch.setenv("GATEPOST_LOG_DIR", str(tmp_path / "logs"))
    gate_app = GateApp(community.path, "zh", camera=None, clock=community.clock, sounds=RecordingSounds())
    qtbot.addWidget(gate_app.window)
    gate_app.window.show()
    yield gate_app
    gate_app.close()


def break_the_service(qtbot, window):
    """A bug on the lane: the checkpoint service loses its clock (an AttributeError)."""
    with qtbot.waitSignal(window.client.lane.idle, timeout=3000):
        window.client.call(lambda gate: setattr(gate.service, "clock", None))


def test_a_bug_shows_a_program_error_not_record_on_paper(qtbot, screen, community, tmp_path):
    window = screen.window
    break_the_service(qtbot, window)
    outcome = scan(qtbot, screen, community.payloads["life"])
    assert outcome.verdict is None and outcome.failure == BUG
    assert window.verdict.look is Look.BUG
    assert window.verdict.title.text() == "程序出错"
    assert "纸质" not in window.verdict.reason.text() and "管理员" in window.verdict.reason.text()
    reports = list((tmp_path / "logs").glob("crash-*.txt"))
    assert len(reports) == 1 and "AttributeError" in reports[0].read_text()
    assert "AttributeError" in (tmp_path / "logs" / "gatepost.log").read_text()
    assert community.payloads["life"] not in reports[0].read_text()  # nothing scanned is kept


def test_the_next_start_reports_the_crash_once(qtbot, screen, community, tmp_path):
    break_the_service(qtbot, screen.window)
    scan(qtbot, screen, community.payloads["life"])
    screen.close()
    again = GateApp(community.path, "en", camera=None, clock=community.clock, sounds=RecordingSounds())
    try:
        assert any("The program failed 1 times" in w for w in again.warnings)
    finally:
        again.close()
    third = GateApp(community.path, "en", camera=None, clock=community.clock, sounds=RecordingSounds())
    try:
        assert not any("program failed" in w for w in third.warnings)
    finally:
        third.close()


def test_a_storage_failure_is_still_record_on_paper(qtbot, screen, community, tmp_path):
    window = screen.window
    with qtbot.waitSignal(window.client.lane.idle, timeout=3000):
        window.client.call(lambda gate: gate.store.db.execute("PRAGMA query_only = ON"))
    outcome = scan(qtbot, screen, community.payloads["life"])
    assert outcome.failure == STORAGE and window.verdict.look is Look.PAPER
    assert not list((tmp_path / "logs").glob("crash-*.txt"))  # not a bug: no crash report


def test_a_notice_follows_the_language_switch(qtbot, screen, community):
    window = screen.window
    scan(qtbot, screen, community.payloads["life"], "in", ".")
    assert window.verdict.reason.text() == "体温“.”不是数字，例如 36.5"
    window.toggle_language()
    qtbot.waitUntil(lambda: window.verdict.reason.text() == "Temperature '.' is not a number, e.g. 36.5",
                    timeout=2000)
