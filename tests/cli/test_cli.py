"""The CLI contract (DESIGN.md section 5) through the installed `kiosk` entry point."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_help import COMMANDS as HELP_COMMANDS

KIOSK = str(Path(sys.executable).with_name("kiosk"))
# Every top-level command of the parser (tests/cli/test_help.py walks the nested ones too)
COMMANDS = sorted({path[0] for path in HELP_COMMANDS})


def run(db: Path, *args: str, lang: str | None = None, stdin: str | None = None):
    argv = [KIOSK, "--db", str(db)] + (["--lang", lang] if lang else []) + list(args)
    env = {**os.environ, "KIOSK_DB": ""}
    return subprocess.run(argv, capture_output=True, text=True, input=stdin, env=env, timeout=60)


@pytest.fixture(scope="module")
def community(tmp_path_factory):
    """One community for the read-mostly tests: a household, a life and a special card."""
    db = tmp_path_factory.mktemp("cli") / "gate.db"
    assert run(db, "init", "--community", "幸福里", "--start-date", "2026-02-10").returncode == 0
    household = run(db, "household", "add", "--building", "3", "--unit", "2", "--room", "301",
                    "--head", "张三").stdout.strip()
    life = json.loads(run(db, "card", "issue", "--household", household, "--kind", "life",
                          "--valid-from", "2026-02-10", "--valid-to", "2026-05-10").stdout)
    return db, household, life


def event_count(db: Path) -> int:
    import sqlite3

    return sqlite3.connect(db).execute("SELECT COUNT(*) FROM events").fetchone()[0]


def test_help_lists_every_command_with_a_description():
    """The installed entry point's `kiosk --help`, in a process of its own."""
    out = subprocess.run([KIOSK, "--help"], capture_output=True, text=True).stdout
    for command in COMMANDS:
        line = next((ln for ln in out.splitlines() if ln.strip().startswith(command + " ")), "")
        assert len(line.split()) > 1, f"{command} has no description in --help"


def test_card_issue_prints_the_contract_json(community):
    _, household, life = community
    assert set(life) >= {"serial", "generation", "kind", "household", "payload"}
    assert life["kind"] == "life" and life["household"] == household and life["generation"] == 1
    assert life["payload"].startswith("GP1:") and len(life["serial"]) == 8


def test_exit_codes_allow_deny_and_bad_input(community, tmp_path):
    db, _, life = community
    allow = run(db, "scan", life["payload"], "--direction", "out", "--at", "2026-02-10T08:00")
    assert allow.returncode == 0 and json.loads(allow.stdout)["decision"] == "allow"
    deny = run(db, "scan", life["payload"], "--direction", "out", "--at", "2026-02-10T09:00")
    verdict = json.loads(deny.stdout)
    assert deny.returncode == 1 and verdict["reason"] == "already_out"
    # since when and through which gate: this gate, by its device id's short form (not enrolled)
    gate_id = sqlite3.connect(db).execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0]
    assert verdict["message"] == f"已于08:00从{gate_id[:8].upper()}号闸口外出，尚未返回，不能再次外出"
    retest = run(db, "--lang", "en", "scan", life["serial"], "--direction", "in", "--temp", "37.9",
                 "--at", "2026-02-10T10:00")
    assert retest.returncode == 1 and json.loads(retest.stdout)["decision"] == "retest"
    assert "rest 5 minutes" in json.loads(retest.stdout)["message"]


@pytest.mark.parametrize(("args", "message"), [
    (["--direction", "out", "--temp", "abc"], "不是数字"),
    (["--direction", "up"], "方向"),
    (["--direction", "out", "--at", "yesterday"], "ISO-8601"),
    (["--direction", "out", "--reason", "picnic"], "picnic"),
])
def test_bad_input_is_exit_2_with_a_message_and_writes_nothing(community, args, message):
    db, _, life = community
    before = event_count(db)
    result = run(db, "scan", life["payload"], *args)
    assert result.returncode == 2 and message in result.stderr and result.stdout == ""
    assert event_count(db) == before


def test_a_second_life_card_is_refused_with_exit_2(community):
    db, household, _ = community
    result = run(db, "card", "issue", "--household", household, "--kind", "life")
    assert result.returncode == 2 and "一户一卡" in result.stderr


def test_reissue_is_a_new_card_and_refuses_the_old_one(tmp_path):
    db = tmp_path / "gate.db"
    run(db, "init", "--community", "X")
    household = run(db, "household", "add", "--building", "1", "--unit", "1", "--room", "101").stdout.strip()
    old = json.loads(run(db, "card", "issue", "--household", household, "--kind", "work").stdout)
    new = json.loads(run(db, "card", "reissue", old["serial"], "--qr-out", str(tmp_path / "c.png")).stdout)
    assert new["serial"] != old["serial"] and new["generation"] == 2
    assert (new["kind"], new["household"], new["valid_to"]) == ("work", household, old["valid_to"])
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    refused = run(db, "scan", old["payload"], "--direction", "out", "--at", "2026-02-10T08:00")
    assert refused.returncode == 1 and json.loads(refused.stdout)["reason"] == "revoked"
    typed = run(db, "scan", old["serial"], "--direction", "out", "--at", "2026-02-10T08:01")
    verdict = json.loads(typed.stdout)
    assert typed.returncode == 1 and verdict["reason"] == "revoked"
    assert verdict["household"]["room"] == "101"
    assert run(db, "card", "revoke", new["serial"]).returncode == 0
    assert json.loads(run(db, "scan", new["payload"], "--direction", "out").stdout)["reason"] == "revoked"


def test_init_refuses_to_overwrite(community):
    db, _, _ = community
    before = db.read_bytes()
    result = run(db, "init", "--community", "另一个")
    assert result.returncode == 2 and "不会覆盖" in result.stderr
    assert db.read_bytes() == before


def test_commands_on_a_missing_database_say_so(tmp_path):
    result = run(tmp_path / "none.db", "status", lang="en")
    assert result.returncode == 2 and "kiosk init" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_a_database_from_a_newer_gatepost_is_exit_3(tmp_path):
    import sqlite3

    db = tmp_path / "gate.db"
    run(db, "init", "--community", "X")
    sqlite3.connect(db).execute("PRAGMA user_version = 999")
    result = run(db, "status")
    assert result.returncode == 3 and "数据库" in result.stderr


def test_status_counts(tmp_path):
    db = tmp_path / "gate.db"
    run(db, "init", "--community", "X", "--start-date", "2026-02-10")
    household = run(db, "household", "add", "--building", "1", "--unit", "1", "--room", "101").stdout.strip()
    card = json.loads(run(db, "card", "issue", "--household", household, "--kind", "life",
                          "--valid-from", "2026-02-01").stdout)
    run(db, "scan", card["payload"], "--direction", "out", "--at", "2026-02-10T08:00")
    run(db, "scan", "nonsense", "--direction", "in", "--at", "2026-02-10T08:01")
    run(db, "scan", card["payload"], "--direction", "in", "--at", "2026-02-10T09:00")  # no reading: a slip
    status = json.loads(run(db, "status", "--date", "2026-02-10", "--json").stdout)
    assert status == {"scans_today": 3, "out_now": 1, "exits_today": 1, "fevers_today": 0, "unsynced": 3,
                      "slips_today": 1, "denials_today": 1, "outsiders_today": 0}
    source = sqlite3.connect(db).execute("SELECT DISTINCT source FROM events").fetchall()
    assert source == [("cli",)]


def test_status_counts_the_outsiders_refused_that_day(tmp_path):
    """Issue 17: `outsiders_today` sums the gate's outsider reports of the day (their count)."""
    from kiosk.app import open_gate
    from kiosk.clock import FixedClock
    from tests.community import local

    db = tmp_path / "gate.db"
    run(db, "init", "--community", "X", "--start-date", "2026-02-10")
    gate = open_gate(db, clock=FixedClock(local(10, 9)), checks=False)
    try:
        gate.report("outsider_refused", "小王", count=2)
        gate.report("outsider_refused", "小王")
        gate.report("crowding", "小王")
    finally:
        gate.close()
    status = json.loads(run(db, "status", "--date", "2026-02-10", "--json").stdout)
    assert status["outsiders_today"] == 3 and status["scans_today"] == 0
    assert "outsiders_today  3" in run(db, "status", "--date", "2026-02-10").stdout


@pytest.mark.parametrize(("mask", "code", "reason"), [
    (None, 1, "mask_unconfirmed"), ("no", 1, "mask_missing"), ("YES", 0, "ok"), ("exempt", 0, "ok"),
])
def test_scan_with_the_mask_check_on(tmp_path, mask, code, reason):
    db = tmp_path / "gate.db"
    run(db, "init", "--community", "X", "--start-date", "2026-02-10")
    household = run(db, "household", "add", "--building", "1", "--unit", "1", "--room", "101").stdout.strip()
    card = json.loads(run(db, "card", "issue", "--household", household, "--kind", "life",
                          "--valid-from", "2026-02-01").stdout)
    assert run(db, "policy", "set", "mask.check", "on").returncode == 0
    result = run(db, "scan", card["payload"], "--direction", "out", "--at", "2026-02-10T08:00",
                 *(["--mask", mask] if mask else []))
    verdict = json.loads(result.stdout)
    assert (result.returncode, verdict["reason"]) == (code, reason)
    assert verdict.get("mask") == (mask.lower() if mask else None)
    assert ("mask" in verdict) is (mask is not None)  # the key only when an answer was given


def test_scan_with_a_bad_mask_answer_is_exit_2_and_writes_nothing(community):
    db, _, life = community
    before = event_count(db)
    result = run(db, "--lang", "en", "scan", life["payload"], "--direction", "out", "--mask", "maybe")
    assert result.returncode == 2 and "Mask 'maybe' is not an answer" in result.stderr
    assert event_count(db) == before


def test_mask_rule_deny_makes_no_mask_a_rule_denial(tmp_path):
    db = tmp_path / "gate.db"
    run(db, "init", "--community", "X", "--start-date", "2026-02-10")
    household = run(db, "household", "add", "--building", "1", "--unit", "1", "--room", "101").stdout.strip()
    card = json.loads(run(db, "card", "issue", "--household", household, "--kind", "life",
                          "--valid-from", "2026-02-01").stdout)
    run(db, "policy", "set", "mask.check", "on")
    run(db, "policy", "set", "mask.rule", "deny")
    result = run(db, "--lang", "en", "scan", card["payload"], "--direction", "out", "--mask", "no",
                 "--at", "2026-02-10T08:00")
    verdict = json.loads(result.stdout)
    assert (result.returncode, verdict["reason"], verdict["mask"]) == (1, "mask_required", "no")
    assert verdict["message"] == "No mask: this community's rule does not let them pass"


def test_policy_show_and_set(tmp_path):
    db = tmp_path / "gate.db"
    run(db, "init", "--community", "X")
    assert run(db, "policy", "set", "quota.window_days", "3").returncode == 0
    refused = run(db, "policy", "set", "quota.window_days", "0", lang="en")
    assert refused.returncode == 2 and "1 to 31" in refused.stderr
    shown = json.loads(run(db, "policy", "show", "--json").stdout)
    assert shown["quota.window_days"] == "3" and shown["temperature.fever_c"] == "37.3"
    assert "每户每个周期可外出次数" in run(db, "policy", "show").stdout


def test_roster_import_all_or_none(tmp_path):
    db = tmp_path / "gate.db"
    run(db, "init", "--community", "X")
    bad = tmp_path / "bad.csv"
    bad.write_text("楼栋,单元,房号\n1,1,101\n1,,102\n", encoding="utf-8-sig")
    result = run(db, "roster", "import", str(bad))
    assert result.returncode == 2 and "第3行" in result.stderr and "缺少单元" in result.stderr
    good = tmp_path / "good.csv"
    good.write_text("楼栋,单元,房号\n1,1,101\n1,1,102\n", encoding="utf-8-sig")
    assert "已导入2户" in run(db, "roster", "import", str(good)).stdout
    again = run(db, "roster", "import", str(good), lang="en")  # the same roster: nothing to do
    assert again.returncode == 0 and "has not changed (2 households" in again.stdout


def test_household_add_refuses_bad_fields(tmp_path):
    db = tmp_path / "gate.db"
    run(db, "init", "--community", "X")
    result = run(db, "household", "add", "--building", "1", "--unit", "1", "--room", "101",
                 "--members", "many", lang="en")
    assert result.returncode == 2 and "members" in result.stderr


@pytest.mark.parametrize("command", [["demo"], ["gui"]])
def test_the_gate_screen_without_a_display_says_so(tmp_path, command):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([KIOSK, "--db", str(tmp_path / "g.db"), "--lang", "en", *command],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2 and "No display" in result.stderr
    assert not (tmp_path / "g.db").exists()
