"""Operators, roles, PINs and the lock-out, on a real database file with a hand-moved clock.

The gate here hashes PINs at tests/community.py's cheap cost (injected like the real one,
kiosk.operators.PinCost); `real_cost_gate` and the CLI commands below run the real cost."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import zoneinfo

import pytest

from data.secretfiles import pepper_path
from kiosk import cli
from kiosk.app import Gate
from kiosk.clock import FixedClock
from kiosk.model import CardKind, Household
from kiosk.operators import (
    FREE_FAILURES,
    MAX_WAIT_S,
    PIN_COST,
    OperatorError,
    PinCost,
    Role,
    check_pin_shape,
    verify_pin,
)
from tests.community import CHEAP_PIN_COST, on_disk


def _gate(path, pin_cost: PinCost) -> Gate:
    clock = FixedClock(dt.datetime(2026, 2, 12, 1, 0, tzinfo=dt.UTC))
    gate = on_disk(path, clock, start=None, pin_cost=pin_cost).gate
    ops = gate.operators()
    ops.add("小王", "volunteer", "1111")
    ops.add("张楼长", "lead", "222222", ("3", "5"))
    ops.add("社区办", "admin", "333333")
    return gate


@pytest.fixture
def gate(tmp_path) -> Gate:
    gate = _gate(tmp_path / "gate.db", CHEAP_PIN_COST)
    yield gate
    gate.close()


@pytest.fixture
def real_cost_gate(tmp_path) -> Gate:
    """The gate as kiosk.app composes it by default: scrypt n=2**17 (0.4 s a PIN)."""
    gate = _gate(tmp_path / "gate.db", PIN_COST)
    yield gate
    gate.close()


def test_pin_names_the_operator_with_role_and_buildings(gate):
    lead = gate.authenticate("222222", "lead")
    assert (lead.name, lead.role, lead.buildings) == ("张楼长", Role.LEAD, ("3", "5"))
    assert gate.authenticate("333333", "lead").role is Role.ADMIN  # admin may do what a lead may


def test_pin_of_a_lower_role_is_refused(gate):
    assert gate.authenticate("1111", "lead") is None
    assert gate.authenticate("222222", "admin") is None
    assert gate.authenticate("1111", "volunteer").name == "小王"


def test_lead_sees_only_their_buildings(gate):
    lead = gate.authenticate("222222", "lead")
    admin = gate.authenticate("333333", "admin")
    assert lead.sees("3") and not lead.sees("4") and not lead.sees(None)
    assert admin.sees("4") and admin.sees(None)
    assert lead.visible_buildings(None) == ("3", "5")
    assert admin.visible_buildings(None) is None
    with pytest.raises(OperatorError) as refused:
        lead.visible_buildings("4")
    assert refused.value.key == "not_your_building"


def test_three_wrong_pins_are_free_then_each_waits_twice_as_long(gate):
    for _ in range(FREE_FAILURES):
        assert gate.authenticate("0000", "volunteer") is None
        assert gate.pin_locked_until() is None  # a mistyping volunteer just types again
    waits = []
    for _ in range(8):
        assert gate.authenticate("0000", "volunteer") is None
        until = gate.pin_locked_until()
        waits.append((until - gate.clock.now()).total_seconds())
        assert gate.authenticate("333333", "admin") is None  # even the right PIN, while closed
        gate.clock.advance(seconds=waits[-1])
    assert waits == [1, 2, 4, 8, 16, 32, MAX_WAIT_S, MAX_WAIT_S]
    assert gate.authenticate("333333", "admin").name == "社区办"
    assert gate.store.db.execute("SELECT failures FROM pin_guard").fetchone()[0] == 0


def test_an_attempt_while_closed_is_not_counted(gate):
    for _ in range(FREE_FAILURES + 1):
        gate.authenticate("0000")
    before = gate.store.db.execute("SELECT failures, locked_until_utc FROM pin_guard").fetchone()
    for _ in range(5):
        assert gate.authenticate("0000") is None
    after = gate.store.db.execute("SELECT failures, locked_until_utc FROM pin_guard").fetchone()
    assert tuple(after) == tuple(before) == (FREE_FAILURES + 1, tuple(before)[1])


def test_a_right_pin_resets_the_count_of_wrong_ones(gate):
    for _ in range(FREE_FAILURES):
        gate.authenticate("0000")
    assert gate.authenticate("1111") is not None
    for _ in range(FREE_FAILURES):
        gate.authenticate("0000")
    assert gate.pin_locked_until() is None


def test_the_lock_out_time_is_shown_in_the_community_time_zone(gate):
    gate.store.set_setting("timezone", "America/New_York")
    for _ in range(FREE_FAILURES + 1):
        gate.authenticate("0000")
    until = gate.pin_locked_until()
    assert until.utcoffset() == dt.timedelta(hours=-5)  # February: EST, whatever this machine says
    assert until == gate.clock.now() + dt.timedelta(seconds=1)


def test_cli_says_when_the_next_try_is_possible_in_local_time(gate, monkeypatch, capsys, tmp_path):
    import io

    from data.store import utc_text

    gate.store.set_setting("timezone", "America/New_York")
    until = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=1)
    gate.store.db.execute("UPDATE pin_guard SET failures = 5, locked_until_utc = ?", [utc_text(until)])
    monkeypatch.setattr("sys.stdin", io.StringIO("222222\n"))
    code = cli.main(["--db", str(gate.path), "--lang", "en", "export", "--date", "2026-02-12",
                     "--format", "csv", "--out", str(tmp_path / "x.csv"), "--pin-stdin"])
    err = capsys.readouterr().err
    assert code == 2
    shown = until.astimezone(zoneinfo.ZoneInfo("America/New_York")).strftime("%H:%M:%S")
    assert "Too many wrong PINs" in err and shown in err
    assert not (tmp_path / "x.csv").exists()


def test_pins_are_stored_only_as_peppered_scrypt_hashes_with_one_salt(real_cost_gate):
    gate = real_cost_gate
    conn = sqlite3.connect(gate.path)
    hashes = [r[0] for r in conn.execute("SELECT pin_hash FROM operators")]
    conn.close()
    assert all(h.startswith("gp2$131072$8$1$") for h in hashes)
    assert len({h.split("$")[4] for h in hashes}) == 1  # one salt: one derivation per PIN typed
    assert not any("1111" in h or "222222" in h for h in hashes)
    pepper = pepper_path(gate.path)
    assert pepper.stat().st_mode & 0o777 == 0o600 and len(pepper.read_bytes()) == 32
    assert gate.authenticate("222222", "lead").name == "张楼长"  # and the real cost verifies


def test_the_gate_hashes_at_the_cost_it_was_composed_with(gate):
    """The cheap cost is injected, not a switch: a hash of it says so, and a gate composed
    with the real cost (the CLI) replaces it at the next right PIN."""
    conn = sqlite3.connect(gate.path)
    hashes = [r[0] for r in conn.execute("SELECT pin_hash FROM operators")]
    conn.close()
    c = CHEAP_PIN_COST
    assert all(h.startswith(f"gp2${c.n}${c.r}${c.p}$") for h in hashes)
    real = Gate(gate.store, gate.clock)  # kiosk.app's default composition
    assert real.authenticate("333333", "admin").name == "社区办"
    upgraded = gate.store.db.execute("SELECT pin_hash FROM operators WHERE name = '社区办'").fetchone()[0]
    assert upgraded.startswith("gp2$131072$8$1$")


def test_without_the_pepper_file_the_stored_hash_does_not_open(gate, tmp_path):
    stored = {s.operator.name: s.pin_hash for s in gate.operators().operators()}
    assert verify_pin("222222", stored["张楼长"], pepper_path(gate.path).read_bytes())
    assert not verify_pin("222222", stored["张楼长"], bytes(32))  # a stolen copy, a guessed pepper


def test_an_old_hash_verifies_and_is_upgraded_at_the_next_right_pin(gate):
    old = "scrypt$16384$8$1$" + "ab" * 16 + "$" + hashlib.scrypt(
        b"4444", salt=bytes.fromhex("ab" * 16), n=2**14, r=8, p=1, dklen=32).hex()
    gate.store.db.execute(
        "INSERT INTO operators (name, role, buildings, pin_hash, active, created_utc, updated_utc)"
        " VALUES ('老楼长', 'lead', '[\"3\"]', ?, 1, 'x', 'x')", [old])
    assert gate.authenticate("4444", "lead").name == "老楼长"  # set before the 6-digit rule
    new = gate.store.db.execute("SELECT pin_hash FROM operators WHERE name = '老楼长'").fetchone()[0]
    assert new.startswith("gp2$") and new != old
    assert gate.authenticate("4444", "lead").name == "老楼长"
    last = gate.store.db.execute("SELECT details FROM audit ORDER BY id DESC").fetchone()[0]
    assert json.loads(last) == {"short_pin": True}


@pytest.mark.parametrize("role, pin, accepted", [
    ("volunteer", "4444", True), ("volunteer", "44444444", True), ("volunteer", "444", False),
    ("lead", "44444", False), ("lead", "444444", True), ("admin", "44444", False),
    ("admin", "44444444", True), ("admin", "444444444", False),
])
def test_leads_and_admins_need_six_digits_volunteers_four(role, pin, accepted):
    if accepted:
        assert check_pin_shape(pin, role) == pin
    else:
        with pytest.raises(OperatorError) as refused:
            check_pin_shape(pin, role)
        assert refused.value.key == "bad_pin"


@pytest.mark.parametrize("name, role, pin, buildings, key", [
    ("新人", "lead", "444444", (), "lead_needs_building"),
    ("新人", "admin", "12", (), "bad_pin"),
    ("新人", "admin", "12ab", (), "bad_pin"),
    ("新人", "boss", "4444", (), "bad_role"),
    ("小王", "volunteer", "4444", (), "operator_exists"),
    ("新人", "volunteer", "222222", (), "pin_in_use"),
    ("新人", "lead", "4444", ("3",), "bad_pin"),
])
def test_bad_operators_are_refused(gate, name, role, pin, buildings, key):
    with pytest.raises(OperatorError) as refused:
        gate.operators().add(name, role, pin, buildings)
    assert refused.value.key == key
    assert len(gate.operators().operators()) == 3


def test_logins_and_failures_go_into_the_audit_log(gate):
    gate.authenticate("222222", "lead")
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
    lead = gate.authenticate("222222", "lead")
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
        gate.override(denied.event_id, gate.authenticate("222222", "lead"), "送医")
    assert refused.value.key == "not_your_building"
    assert gate.override(denied.event_id, gate.authenticate("333333", "admin"), "送医").allowed


def test_cli_reads_the_pin_from_stdin_and_lists_operators(gate, monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("555555\n"))
    code = cli.main(["--db", str(gate.path), "operator", "add", "--name", "李楼长", "--role", "lead",
                     "--building", "7", "--pin-stdin"])
    assert code == 0
    assert "李楼长" in capsys.readouterr().out
    assert cli.main(["--db", str(gate.path), "operator", "list", "--json"]) == 0
    listed = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert listed["李楼长"]["buildings"] == ["7"] and listed["李楼长"]["role"] == "lead"
    assert gate.authenticate("555555", "lead").name == "李楼长"


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


def _break_the_audit_log(gate):
    """The next audit insert fails inside the SQLite transaction, as a full disk would."""
    gate.store.db.execute("CREATE TRIGGER audit_fails BEFORE INSERT ON audit"
                          " BEGIN SELECT RAISE(ABORT, 'audit write failed'); END")


@pytest.mark.parametrize("change", [
    lambda ops: ops.add("新人", "volunteer", "7777"),
    lambda ops: ops.deactivate("小王"),
    lambda ops: ops.change_pin("张楼长", "777777"),
])
def test_an_operator_change_whose_audit_line_fails_leaves_neither(gate, change):
    before = [(s.operator, s.pin_hash, s.active) for s in gate.operators().operators()]
    audit_rows = gate.store.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    _break_the_audit_log(gate)
    with pytest.raises(sqlite3.IntegrityError):
        change(gate.operators())
    assert [(s.operator, s.pin_hash, s.active) for s in gate.operators().operators()] == before
    assert gate.store.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == audit_rows


def test_cli_changes_a_pin_and_deactivates_an_operator_with_audit_lines(gate, monkeypatch, capsys):
    import io

    db = ["--db", str(gate.path), "--lang", "en"]
    monkeypatch.setattr("sys.stdin", io.StringIO("123456\n"))
    assert cli.main([*db, "operator", "set-pin", "--name", "张楼长", "--pin-stdin"]) == 0
    assert "张楼长" in capsys.readouterr().out
    assert gate.authenticate("222222", "lead") is None
    assert gate.authenticate("123456", "lead").name == "张楼长"
    assert cli.main([*db, "operator", "deactivate", "--name", "小王"]) == 0
    assert gate.authenticate("1111") is None
    monkeypatch.setattr("sys.stdin", io.StringIO("1234\n"))
    assert cli.main([*db, "operator", "set-pin", "--name", "张楼长", "--pin-stdin"]) == 2
    assert "6 to 8 digits" in capsys.readouterr().err
    rows = gate.store.db.execute("SELECT action, target FROM audit WHERE action IN"
                                 " ('pin_change', 'operator_deactivate') ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [("pin_change", "张楼长"), ("operator_deactivate", "小王")]
