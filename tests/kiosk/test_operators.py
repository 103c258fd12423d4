"""Operators, roles, PINs and the lock-out, on a real database file with a hand-moved clock."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from kiosk import cli
from kiosk.app import Gate, init_community
from kiosk.clock import FixedClock
from kiosk.model import CardKind, Household
from kiosk.operators import LOCK_SECONDS, MAX_FAILURES, OperatorError, Role


@pytest.fixture
def gate(tmp_path) -> Gate:
    clock = FixedClock(dt.datetime(2026, 2, 12, 1, 0, tzinfo=dt.UTC))
    gate = init_community(tmp_path / "gate.db", "幸福里", clock=clock)
    ops = gate.operators()
    ops.add("小王", "volunteer", "1111")
    ops.add("张楼长", "lead", "2222", ("3", "5"))
    ops.add("社区办", "admin", "3333")
    yield gate
    gate.close()


def test_pin_names_the_operator_with_role_and_buildings(gate):
    lead = gate.authenticate("2222", "lead")
    assert (lead.name, lead.role, lead.buildings) == ("张楼长", Role.LEAD, ("3", "5"))
    assert gate.authenticate("3333", "lead").role is Role.ADMIN  # admin may do what a lead may


def test_pin_of_a_lower_role_is_refused(gate):
    assert gate.authenticate("1111", "lead") is None
    assert gate.authenticate("2222", "admin") is None
    assert gate.authenticate("1111", "volunteer").name == "小王"


def test_lead_sees_only_their_buildings(gate):
    lead = gate.authenticate("2222", "lead")
    admin = gate.authenticate("3333", "admin")
    assert lead.sees("3") and not lead.sees("4") and not lead.sees(None)
    assert admin.sees("4") and admin.sees(None)
    assert lead.visible_buildings(None) == ("3", "5")
    assert admin.visible_buildings(None) is None
    with pytest.raises(OperatorError) as refused:
        lead.visible_buildings("4")
    assert refused.value.key == "not_your_building"


def test_five_wrong_pins_lock_pin_entry_for_five_minutes(gate):
    for _ in range(MAX_FAILURES):
        assert gate.authenticate("0000", "volunteer") is None
    assert gate.pin_locked_until() == gate.clock.now() + dt.timedelta(seconds=LOCK_SECONDS)
    assert gate.authenticate("3333", "admin") is None  # even the right PIN, while locked
    gate.clock.advance(seconds=LOCK_SECONDS - 1)
    assert gate.authenticate("3333", "admin") is None
    gate.clock.advance(seconds=1)
    assert gate.pin_locked_until() is None
    assert gate.authenticate("3333", "admin").name == "社区办"


def test_a_right_pin_resets_the_count_of_wrong_ones(gate):
    for _ in range(MAX_FAILURES - 1):
        gate.authenticate("0000")
    assert gate.authenticate("1111") is not None
    for _ in range(MAX_FAILURES - 1):
        gate.authenticate("0000")
    assert gate.pin_locked_until() is None


def test_pins_are_stored_only_as_salted_scrypt_hashes(gate):
    conn = sqlite3.connect(gate.path)
    hashes = [r[0] for r in conn.execute("SELECT pin_hash FROM operators")]
    conn.close()
    assert all(h.startswith("scrypt$") for h in hashes)
    assert len({h.split("$")[4] for h in hashes}) == 3  # a salt each
    assert not any("1111" in h or "2222" in h for h in hashes)


@pytest.mark.parametrize("name, role, pin, buildings, key", [
    ("新人", "lead", "4444", (), "lead_needs_building"),
    ("新人", "admin", "12", (), "bad_pin"),
    ("新人", "admin", "12ab", (), "bad_pin"),
    ("新人", "boss", "4444", (), "bad_role"),
    ("小王", "volunteer", "4444", (), "operator_exists"),
    ("新人", "volunteer", "2222", (), "pin_in_use"),
])
def test_bad_operators_are_refused(gate, name, role, pin, buildings, key):
    with pytest.raises(OperatorError) as refused:
        gate.operators().add(name, role, pin, buildings)
    assert refused.value.key == key
    assert len(gate.operators().operators()) == 3


def test_logins_and_failures_go_into_the_audit_log(gate):
    gate.authenticate("2222", "lead")
    gate.authenticate("9999", "lead")
    rows = gate.store.db.execute("SELECT operator, action, target FROM audit ORDER BY id").fetchall()
    assert [tuple(r) for r in rows][-2:] == [("张楼长", "login", "lead"), ("", "login_failed", "lead")]


def _already_out(gate, card):
    """An overridable denial: the card goes out, then out again a minute later."""
    gate.service.scan(card.payload, "out")
    return gate.service.scan(card.payload, "out", at=gate.clock.now() + dt.timedelta(minutes=1))


def test_override_records_the_lead_and_is_audited(gate):
    household = Household("H000301", "3", "2", "301")
    gate.store.add_households([household], gate.clock.now())
    card = gate.office().issue(household.id, CardKind.LIFE)
    denied = _already_out(gate, card)
    lead = gate.authenticate("2222", "lead")
    verdict = gate.override(denied.event_id, lead, "送医返回")
    assert verdict.allowed
    assert gate.store.event(verdict.event_id).operator == "张楼长"
    last = gate.store.db.execute("SELECT operator, action, target FROM audit ORDER BY id DESC").fetchone()
    assert tuple(last) == ("张楼长", "override", denied.event_id)
    volunteer = gate.authenticate("1111")
    with pytest.raises(OperatorError):
        gate.override(denied.event_id, volunteer, "x")


def test_a_lead_overrides_only_for_their_buildings(gate):
    household = Household("H000401", "4", "1", "401")
    gate.store.add_households([household], gate.clock.now())
    card = gate.office().issue(household.id, CardKind.LIFE)
    denied = _already_out(gate, card)
    with pytest.raises(OperatorError) as refused:
        gate.override(denied.event_id, gate.authenticate("2222", "lead"), "送医")
    assert refused.value.key == "not_your_building"
    assert gate.override(denied.event_id, gate.authenticate("3333", "admin"), "送医").allowed


def test_cli_reads_the_pin_from_stdin_and_lists_operators(gate, monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("5555\n"))
    code = cli.main(["--db", str(gate.path), "operator", "add", "--name", "李楼长", "--role", "lead",
                     "--building", "7", "--pin-stdin"])
    assert code == 0
    assert "李楼长" in capsys.readouterr().out
    assert cli.main(["--db", str(gate.path), "operator", "list", "--json"]) == 0
    listed = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert listed["李楼长"]["buildings"] == ["7"] and listed["李楼长"]["role"] == "lead"
    assert gate.authenticate("5555", "lead").name == "李楼长"


def test_cli_refuses_an_operator_without_pin_on_stdin(gate, capsys):
    code = cli.main(["--db", str(gate.path), "--lang", "en", "operator", "add", "--name", "x",
                     "--role", "admin"])
    assert code == 2
    assert "--pin-stdin" in capsys.readouterr().err


def test_cli_card_and_setting_changes_are_audited(gate, capsys):
    household = Household("H000301", "3", "2", "301")
    gate.store.add_households([household], gate.clock.now())
    db = ["--db", str(gate.path)]
    assert cli.main([*db, "card", "issue", "--household", household.id, "--kind", "life"]) == 0
    serial = json.loads(capsys.readouterr().out)["serial"]
    assert cli.main([*db, "card", "reissue", serial]) == 0
    new = json.loads(capsys.readouterr().out)["serial"]
    assert cli.main([*db, "card", "revoke", new]) == 0
    assert cli.main([*db, "policy", "set", "quota.window_days", "3"]) == 0
    rows = gate.store.db.execute("SELECT action, target, details FROM audit ORDER BY id").fetchall()
    audited = [(r[0], r[1]) for r in rows if r[0] not in ("operator_add", "login")]
    assert audited == [("card_issue", serial), ("card_reissue", new), ("card_revoke", new),
                       ("setting_change", "quota.window_days")]
    assert json.loads(rows[-3][2]) == {"generation": 2, "replaces": serial}
    assert json.loads(rows[-1][2]) == {"from": "2", "to": "3"}
    assert all(r[0].startswith("cli") for r in gate.store.db.execute("SELECT operator FROM audit"
                                                                     " WHERE action LIKE 'card_%'"))
