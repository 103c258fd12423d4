"""`kiosk office …` on the office's own database (issue 15), through the installed entry
point, on a real SQLite office file and a real PostgreSQL office; and the mix-ups of a
gate command given the office's file, or the reverse, said in one sentence (exit 2)."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_cli import run

ROSTER = ("楼栋,单元,房号,户主,电话,人数\n"
          "1,1,101,欧阳娜,13800000101,3\n"
          "1,1,102,司马光,13800000102,2\n"
          "1,2,201,王芳,13800000121,1\n"
          "2,1,101,张伟,13800000211,4\n"
          "2,1,102,李娜,,2\n"
          "3,1,301,诸葛明,13800000311,1\n")


def office(url: str, *args: str, lang: str | None = None, stdin: str | None = None):
    """`kiosk office ACTION ... --office URL` (no gate database is meant)."""
    return run(Path("/nonexistent/gate.db"), "office", *args, "--office", url, lang=lang, stdin=stdin)


@pytest.fixture
def community_office(office_url, tmp_path):
    """An office with the realistic roster: 3 buildings, compound surnames."""
    key = [] if office_url.startswith("sqlite") else ["--key", str(tmp_path / "o.key")]
    assert office(office_url, "init", "--community", "幸福里", *key).returncode == 0
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8-sig")
    imported = run(tmp_path / "none.db", "roster", "import", str(roster), "--office", office_url)
    assert imported.returncode == 0, imported.stderr
    return office_url, key


def test_a_life_card_goes_to_every_household_without_one_and_the_list_shows_it(community_office):
    url, key = community_office
    issued = office(url, "card", "issue-missing", "--building", "1", *key)
    assert issued.returncode == 0, issued.stderr
    assert "已为 3 户发放生活卡（3 户中 0 户已有）" in issued.stdout
    everyone = office(url, "card", "issue-missing", *key, lang="en")
    assert "Issued a life card to 3 households (3 of 6 had one)" in everyone.stdout
    again = office(url, "card", "issue-missing", *key)
    assert "已为 0 户发放生活卡" in again.stdout

    listed = office(url, "households")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert lines[0] == "1号楼1单元101室  欧阳娜  3人  生活卡1张"  # the compound surname whole
    assert "3号楼1单元301室  诸葛明  1人  生活卡1张" in lines
    rows = json.loads(office(url, "households", "--building", "2", "--json").stdout)
    assert [(r["flat"], r["head"], r["cards"]) for r in rows] == [
        ("2-1-101", "张伟", {"life": 1, "work": 0, "special": 0}),
        ("2-1-102", "李娜", {"life": 1, "work": 0, "special": 0})]


def test_issue_missing_issues_all_or_nothing(tmp_path):
    """The third card fails (a trigger in the office file stands for any failure): none stays."""
    url = f"sqlite:///{tmp_path}/office.db"
    assert office(url, "init", "--community", "幸福里").returncode == 0
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8-sig")
    assert run(tmp_path / "none.db", "roster", "import", str(roster), "--office", url).returncode == 0
    with sqlite3.connect(tmp_path / "office.db") as conn:
        conn.execute("CREATE TRIGGER third BEFORE INSERT ON cards WHEN (SELECT COUNT(*) FROM cards) >= 2"
                     " BEGIN SELECT RAISE(ABORT, 'refused'); END")
    refused = office(url, "card", "issue-missing")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    with sqlite3.connect(tmp_path / "office.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == 0


def test_cards_print_new_prints_only_the_cards_not_printed_yet(community_office, tmp_path):
    url, key = community_office
    office(url, "card", "issue-missing", *key)
    first = office(url, "cards", "print", "--new", "--out", str(tmp_path / "all.pdf"), *key)
    assert first.returncode == 0 and "已生成 6 张卡片（1 页）" in first.stdout
    nothing = office(url, "cards", "print", "--new", "--out", str(tmp_path / "none.pdf"), *key)
    assert nothing.returncode == 2 and "没有可打印的有效卡片" in nothing.stderr
    assert not (tmp_path / "none.pdf").exists()
    roster = tmp_path / "more.csv"
    roster.write_text(ROSTER + "3,1,302,欧阳修,13800000312,2\n", encoding="utf-8-sig")
    assert run(tmp_path / "none.db", "roster", "import", str(roster), "--office", url).returncode == 0
    office(url, "card", "issue-missing", "--building", "3", *key)
    new = office(url, "cards", "print", "--building", "3", "--new", "--out", str(tmp_path / "b3.pdf"), *key)
    assert new.returncode == 0 and "已生成 1 张卡片" in new.stdout
    everything = office(url, "cards", "print", "--out", str(tmp_path / "again.pdf"), *key)
    assert "已生成 7 张卡片" in everything.stdout  # without --new: every valid card


def test_office_status_shows_each_gate_its_last_sync_and_todays_events(community_office, tmp_path):
    url, key = community_office
    households = json.loads(office(url, "households", "--json").stdout)
    card = json.loads(run(tmp_path / "none.db", "card", "issue", "--household", households[0]["id"],
                          "--kind", "life", "--office", url, *key).stdout)
    gate = tmp_path / "north.db"
    enrolled = run(gate, "gate", "enroll", "--from", url, "--name", "北门")
    assert enrolled.returncode == 0, enrolled.stderr
    assert run(gate, "scan", card["payload"], "--direction", "out", "--temp", "36.5").returncode == 0
    assert run(gate, "sync").returncode == 0
    shown = json.loads(office(url, "status", "--json").stdout)
    (north,) = shown["devices"]
    assert (north["name"], north["events"], north["events_today"]) == ("北门", 1, 1)
    assert north["last_push_utc"]
    assert shown["households"] == 6 and shown["cards"] == {"life": {"active": 1}}
    text = office(url, "status").stdout
    assert "门岗 北门" in text and "今日 1 条" in text and "住户 6 户，有效卡片 1 张" in text


def test_a_gate_command_given_the_office_file_says_so_and_changes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path}/office.db"
    assert office(url, "init", "--community", "幸福里").returncode == 0
    path = tmp_path / "office.db"
    before = path.read_bytes()
    for command in (["export", "--date", "2026-02-12", "--format", "csv", "--out", str(tmp_path / "x.csv")],
                    ["cards", "print", "--out", str(tmp_path / "x.pdf")], ["status"]):
        refused = run(path, *command)
        assert refused.returncode == 2, refused.stderr
        assert refused.stderr.strip().splitlines() == [
            f"{path} 是社区办公室的数据库，不是门岗的：请用 kiosk office …（例如 kiosk office households"
            f" --office sqlite://{path}），未写入任何内容"]
    english = run(path, "scan", "X", "--direction", "in", lang="en")
    assert english.returncode == 2 and "is the community office's database, not a gate's" in english.stderr
    assert path.read_bytes() == before and not Path(f"{path}-wal").exists()
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.pdf").exists()


def test_an_office_command_given_a_gate_database_says_so(tmp_path):
    gate = tmp_path / "gate.db"
    assert run(gate, "init", "--community", "幸福里").returncode == 0
    for command in (["households"], ["status"], ["card", "issue-missing"]):
        refused = office(f"sqlite:///{gate}", *command, lang="en")
        assert refused.returncode == 2, refused.stderr
        assert "is a gate's database, not the community office's" in refused.stderr
        assert "record on paper" not in refused.stderr.lower()


def test_the_office_commands_need_an_office(tmp_path):
    result = run(tmp_path / "none.db", "office", "status", lang="en")
    assert result.returncode == 2 and "Give the office database with --office" in result.stderr


def test_a_quota_breach_seen_at_sync_names_the_flat_and_the_time(office_url, tmp_path, capsys):
    """Out at the north gate, out again at the south gate before they synced: the south
    gate's sync names flat 2-1-101 and the local time of the exit, not ids."""
    from data.sync import enroll, sync_once
    from kiosk.app import open_gate
    from kiosk.cli import main
    from kiosk.clock import FixedClock
    from kiosk.model import CardKind, Household
    from tests.community import local, on_disk

    clock = FixedClock(local(10, 8))
    household = Household("H000211", "2", "1", "101", "欧阳娜", "13800000211", 4)
    north = on_disk(tmp_path / "north.db", clock, households=[household])
    life = north.issue(household, CardKind.LIFE, "欧阳娜")
    sync_once(north.gate, office_url, clock)  # the north gate founds the office
    enroll(tmp_path / "south.db", office_url, "南门", clock)
    south = open_gate(tmp_path / "south.db", clock=clock)
    try:
        assert north.at(local(10, 9)).scan(life, "out", "36.5").reason == "ok"
        clock.set(local(10, 10, 30))
        assert south.service.scan(life.payload, "in", "36.5").reason == "ok"
        clock.set(local(10, 11, 15))
        assert south.service.scan(life.payload, "out", "36.5").reason == "ok"  # it cannot know yet
        sync_once(north.gate, office_url, clock)
    finally:
        south.close()
        north.close()
    assert main(["--db", str(tmp_path / "south.db"), "sync"]) == 0
    err = capsys.readouterr().err
    assert "发现超额外出：2-1-101 户 02-10 11:15 的外出超出本期次数" in err
    assert "H000211" not in err


def test_the_office_screen_of_an_office_that_is_not_there_is_a_sentence_before_any_window(tmp_path):
    """`kiosk office gui`: an unreachable office is exit 3 and the sync's sentence; a gate's
    database given as the office is exit 2."""
    missing = office(f"sqlite:///{tmp_path}/absent/office.db", "gui")
    assert missing.returncode == 3 and "Traceback" not in missing.stderr and missing.stderr.strip()
    gate_db = tmp_path / "gate.db"
    assert run(gate_db, "init", "--community", "幸福里").returncode == 0
    mixed = office(f"sqlite:///{gate_db}", "gui")
    assert mixed.returncode == 2 and "Traceback" not in mixed.stderr
    assert not (tmp_path / "absent").exists()
