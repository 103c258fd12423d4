"""Roster upkeep (issue 15): an updated roster is planned (added, changed, moved, removed),
shown, and applied all or nothing; households that leave get their cards revoked and
keep their history. On a gate's database and on the office's (SQLite and PostgreSQL),
with the change reaching a gate at its next sync."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from data.store import Conflict
from data.sync import sync_once
from kiosk.cli import main
from kiosk.clock import FixedClock
from kiosk.model import CardKind, CardStatus, Household
from kiosk.roster_plan import plan_roster
from kiosk.serial import new_household_id
from tests.community import local, on_disk

HEADER = "楼栋,单元,房号,户主,电话,人数\n"
BEFORE = [  # three buildings, compound surnames
    Household("H000101", "1", "1", "101", "欧阳娜", "13800000101", 3),
    Household("H000102", "1", "1", "102", "司马光", "13800000102", 2),
    Household("H000201", "1", "2", "201", "王芳", "13800000121", 1),
    Household("H000211", "2", "1", "101", "张伟", "13800000211", 4),
    Household("H000212", "2", "1", "102", "李娜", "", 2),
    Household("H000301", "3", "1", "301", "诸葛明", "13800000311", 1),
]
# 欧阳娜's phone changed; 司马光 moved to 1-2-202; 张伟 left; 2-1-102 has a new head; 3-1-302 is new
AFTER = (HEADER + "1,1,101,欧阳娜,13900000101,3\n"
                  "1,2,202,司马光,13800000102,2\n"
                  "1,2,201,王芳,13800000121,1\n"
                  "2,1,102,李明,,2\n"
                  "3,1,301,诸葛明,13800000311,1\n"
                  "3,1,302,欧阳修,13800000312,2\n")


def rows_of(text: str) -> list[Household]:
    out = []
    for line in text.splitlines()[1:]:
        b, u, r, head, phone, members = line.split(",")
        out.append(Household(new_household_id(), b, u, r, head, phone, int(members)))
    return out


def test_an_updated_roster_is_sorted_into_added_changed_moved_removed():
    plan = plan_roster(BEFORE, rows_of(AFTER))
    assert plan.counts() == {"added": 1, "changed": 2, "moved": 1, "removed": 1, "unchanged": 2}
    assert [(h.flat, h.head) for h in plan.added] == [("3-1-302", "欧阳修")]
    assert [(old.id, new.phone) for old, new in plan.changed if new.head == "欧阳娜"] == [
        ("H000101", "13900000101")]
    assert [(old.id, old.head, new.head) for old, new in plan.changed if old.id == "H000212"] == [
        ("H000212", "李娜", "李明")]  # the flat is the identity: a new head, the same household
    assert [(old.flat, new.flat, new.id) for old, new in plan.moved] == [("1-1-102", "1-2-202", "H000102")]
    assert [h.id for h in plan.removed] == ["H000211"]


def test_a_roster_of_one_building_leaves_the_others_alone():
    plan = plan_roster(BEFORE, rows_of(HEADER + "3,1,301,诸葛明,13800000311,1\n"))
    assert plan.empty and plan.unchanged == 1


def test_two_households_that_swap_flats_are_two_moves():
    swapped = rows_of(HEADER + "1,1,101,司马光,13800000102,2\n1,1,102,欧阳娜,13800000101,3\n")
    plan = plan_roster(BEFORE[:2], swapped)
    assert sorted((old.id, new.flat) for old, new in plan.moved) == [
        ("H000101", "1-1-102"), ("H000102", "1-1-101")]


def test_a_move_into_a_flat_whose_holder_stays_is_no_move():
    """司马光 "moves" into 1-1-101 while 欧阳娜's row is gone: the flat decides."""
    plan = plan_roster(BEFORE[:2], rows_of(HEADER + "1,1,101,司马光,13800000102,2\n"))
    assert not plan.moved
    assert [(old.id, new.head) for old, new in plan.changed] == [("H000101", "司马光")]
    assert [h.id for h in plan.removed] == ["H000102"]


@pytest.fixture
def gate(tmp_path):
    clock = FixedClock(local(10, 8))
    built = on_disk(tmp_path / "gate.db", clock, households=BEFORE)
    for household in BEFORE:
        built.issue(household, CardKind.LIFE, household.head, name=household.id)
    yield built
    built.close()


def kiosk(db: Path, *args: str, capsys, office: str | None = None) -> tuple[int, str, str]:
    where = ["--office", office] if office else []
    code = main(["--db", str(db), *args, *where])
    out, err = capsys.readouterr()
    return code, out, err


def test_on_a_gate_the_preview_writes_nothing_and_apply_does_it_all(gate, tmp_path, capsys):
    serial_of = {name: card.card.serial for name, card in gate.cards.items()}
    assert gate.at(local(10, 9)).scan(gate.cards["H000211"], "out", "36.5").reason == "ok"
    roster = tmp_path / "after.csv"
    roster.write_text(AFTER, encoding="utf-8-sig")
    db = gate.gate.path
    code, out, _ = kiosk(db, "roster", "import", str(roster), capsys=capsys)
    assert code == 0
    assert out.splitlines()[0] == "名册变化：新增1户，信息变更2户，换房1户，迁出1户（注销其卡1张），不变2户"
    assert "  换房  1-1-102 → 1-2-202  司马光" in out and "  迁出  2-1-101  张伟" in out
    assert out.splitlines()[-1].startswith("以上尚未写入")
    assert [h.flat for h in gate.gate.store.households()] == [h.flat for h in BEFORE]  # nothing yet

    code, out, _ = kiosk(db, "roster", "import", str(roster), "--apply", capsys=capsys)
    assert code == 0 and "名册已更新：新增1户，变更2户，换房1户，迁出1户，注销卡片1张" in out
    store = gate.gate.store
    assert [(h.flat, h.head) for h in store.households()] == [
        ("1-1-101", "欧阳娜"), ("1-2-201", "王芳"), ("1-2-202", "司马光"), ("2-1-102", "李明"),
        ("3-1-301", "诸葛明"), ("3-1-302", "欧阳修")]
    assert store.household("H000101").phone == "13900000101"
    assert store.card(serial_of["H000211"]).status is CardStatus.REVOKED
    assert store.household("H000211").flat == "2-1-101"  # history stays: its row, its events
    assert [e.household_id for e in store.card_events(serial_of["H000211"], local(10, 0))] == ["H000211"]
    assert store.card(serial_of["H000102"]).status is CardStatus.ACTIVE  # moved: keeps its card
    assert gate.at(local(10, 10)).scan(gate.cards["H000211"], "in", "36.5").reason == "revoked"
    code, out, _ = kiosk(db, "roster", "import", str(roster), "--json", capsys=capsys)
    assert json.loads(out)["unchanged"] == 6 and not json.loads(out)["applied"]


def test_a_household_that_left_comes_back_under_its_old_id(gate):
    store = gate.gate.store
    plan = plan_roster(store.households(include_left=True), rows_of(AFTER), store.left_household_ids())
    store.apply_roster_plan(plan, gate.clock.now(), new_household_id)
    back = rows_of(AFTER + "2,1,101,张伟,13800000211,4\n")
    again = plan_roster(store.households(include_left=True), back, store.left_household_ids())
    assert [(old.id, new.flat) for old, new in again.changed] == [("H000211", "2-1-101")]
    store.apply_roster_plan(again, gate.clock.now(), new_household_id)
    assert "2-1-101" in [h.flat for h in store.households()] and not store.left_household_ids()


def test_an_update_that_fails_half_way_changes_nothing(gate):
    store = gate.gate.store
    path = store.path
    with sqlite3.connect(path) as conn:  # the new household's insert fails, after the moves
        conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON households WHEN NEW.room = '302'"
                     " BEGIN SELECT RAISE(ABORT, 'refused'); END")
    plan = plan_roster(store.households(include_left=True), rows_of(AFTER), store.left_household_ids())
    with pytest.raises(Conflict):
        store.apply_roster_plan(plan, gate.clock.now(), new_household_id)
    assert store.households() == sorted(BEFORE, key=lambda h: (h.building, h.unit, h.room))
    assert all(c.status is CardStatus.ACTIVE for c in store.cards())


def test_an_update_at_the_office_reaches_the_gate_at_its_next_sync(gate, office_url, tmp_path, capsys):
    sync_once(gate.gate, office_url, gate.clock)  # the gate founds the office with its roster
    roster = tmp_path / "after.csv"
    roster.write_text(AFTER, encoding="utf-8-sig")
    code, out, _ = kiosk(gate.gate.path, "roster", "import", str(roster), "--apply", capsys=capsys,
                         office=office_url)
    assert code == 0 and "迁出1户，注销卡片1张" in out
    left, moved = gate.cards["H000211"], gate.cards["H000102"]
    assert gate.at(local(10, 9)).scan(left, "out", "36.5").reason == "ok"  # not synced yet
    report = sync_once(gate.gate, office_url, gate.clock)
    assert report.roster_changes >= 5
    assert gate.at(local(10, 10)).scan(left, "in", "36.5").reason == "revoked"
    assert gate.gate.store.household("H000102").flat == "1-2-202"
    assert gate.at(local(10, 11)).scan(moved, "out", "36.5").reason == "ok"
    assert "2-1-101" not in [h.flat for h in gate.gate.store.households()]


def test_two_households_that_swap_flats_at_the_office_swap_at_the_gate(gate, office_url, tmp_path, capsys):
    sync_once(gate.gate, office_url, gate.clock)
    roster = tmp_path / "swap.csv"
    roster.write_text(HEADER + "1,1,101,司马光,13800000102,2\n1,1,102,欧阳娜,13800000101,3\n"
                      "1,2,201,王芳,13800000121,1\n", encoding="utf-8-sig")
    code, out, _ = kiosk(gate.gate.path, "roster", "import", str(roster), "--apply", "--json",
                         capsys=capsys, office=office_url)
    assert code == 0 and (json.loads(out)["moved"], json.loads(out)["removed"]) == (2, 0)
    sync_once(gate.gate, office_url, gate.clock)
    store = gate.gate.store
    assert (store.household("H000101").flat, store.household("H000102").flat) == ("1-1-102", "1-1-101")
