"""Operators defined once at the office reach every gate with the roster (issue 15): PIN
hashes only, peppered with the office's pepper, which a gate keeps in a file beside its
database. Two gates synced through a real office (SQLite file, PostgreSQL)."""
from __future__ import annotations

import io
import json
import os
import stat

import pytest

from data.secretfiles import office_pepper_path
from data.sync import enroll, init_office, sync_once
from kiosk.app import open_gate
from kiosk.cli import main
from kiosk.clock import FixedClock
from kiosk.operators import OperatorError, Role
from tests.community import local

PIN = "246813"


def office_cli(monkeypatch, capsys, url: str, key: list[str], *args: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["--lang", "en", "office", *args, "--office", url, *key])
    capsys.readouterr()
    return code


@pytest.fixture
def office(office_url, tmp_path):
    key = tmp_path / "office.key"
    init_office(office_url, "幸福里", key_file=key, clock=FixedClock(local(10, 8)))
    return office_url


def test_an_operator_added_at_the_office_signs_in_at_both_gates(office, tmp_path, monkeypatch, capsys):
    clock = FixedClock(local(10, 8))
    enroll(tmp_path / "north.db", office, "北门", clock)  # before the operator exists
    assert office_cli(monkeypatch, capsys, office, [], "operator", "add", "--name", "张楼长",
                      "--role", "lead", "--building", "3", "--pin-stdin", stdin=PIN + "\n") == 0
    enroll(tmp_path / "south.db", office, "南门", clock)  # after: its enrolment brings it
    north = open_gate(tmp_path / "north.db", clock=clock)
    south = open_gate(tmp_path / "south.db", clock=clock)
    try:
        assert north.authenticate(PIN, "lead") is None  # not synced yet
        sync_once(north, office, clock)
        for gate in (north, south):
            operator = gate.authenticate(PIN, "lead")
            assert operator is not None and (operator.name, operator.role, operator.buildings) == (
                "张楼长", Role.LEAD, ("3",))
            pepper = office_pepper_path(gate.path)
            assert stat.S_IMODE(os.stat(pepper).st_mode) == 0o600
            assert pepper.read_bytes().hex().encode() not in gate.path.read_bytes()
            assert PIN.encode() not in gate.path.read_bytes()
        # offline, north adds a volunteer of its own; it signs in there, the lead still does
        north.operators().add("小王", "volunteer", "1357", by="test")
        assert north.authenticate("1357").name == "小王"
        assert north.authenticate(PIN, "lead").name == "张楼长"
        assert main(["--db", str(north.path), "operator", "list", "--json"]) == 0
        listed = {r["name"]: r["source"] for r in json.loads(capsys.readouterr().out)}
        assert listed == {"张楼长": "office", "小王": "local"}
        with pytest.raises(OperatorError) as refused:  # the office's operator is the office's to change
            north.operators().change_pin("张楼长", "975310")
        assert refused.value.key == "office_operator"
        # deactivated at the office: refused at the gate after its next sync
        assert office_cli(monkeypatch, capsys, office, [], "operator", "deactivate", "--name", "张楼长") == 0
        assert south.authenticate(PIN, "lead") is not None
        sync_once(south, office, clock)
        assert south.authenticate(PIN, "lead") is None
        audit = {(e.operator, e.action, e.target) for e in south.audit_entries()}
        assert {("office", "operator_add", "张楼长"), ("office", "operator_deactivate", "张楼长")} <= audit
    finally:
        north.close()
        south.close()


def test_a_gate_restored_without_the_office_pepper_gets_it_back_at_the_next_sync(office, tmp_path,
                                                                                 monkeypatch, capsys):
    clock = FixedClock(local(10, 8))
    assert office_cli(monkeypatch, capsys, office, [], "operator", "add", "--name", "社区办",
                      "--role", "admin", "--pin-stdin", stdin=PIN + "\n") == 0
    enroll(tmp_path / "north.db", office, "北门", clock)
    office_pepper_path(tmp_path / "north.db").unlink()
    gate = open_gate(tmp_path / "north.db", clock=clock)
    try:
        assert gate.authenticate(PIN, "admin") is None  # its hash cannot be checked without the pepper
        sync_once(gate, office, clock)
        assert gate.authenticate(PIN, "admin").name == "社区办"
    finally:
        gate.close()
