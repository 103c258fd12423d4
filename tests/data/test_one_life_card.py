"""One life card per household, in one write transaction and by a unique index: two
`kiosk card issue --kind life` at the same instant give one card and one refusal."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from data.migrations import MIGRATIONS, migrate
from kiosk.app import init_community
from kiosk.model import Household

KIOSK = str(Path(sys.executable).with_name("kiosk"))


def test_concurrent_life_card_issues_give_each_household_exactly_one(tmp_path):
    db = tmp_path / "gate.db"
    gate = init_community(db, "幸福里")
    households = [Household(f"H{room:06d}", "1", "1", str(room)) for room in range(101, 121)]
    gate.store.add_households(households, gate.clock.now())
    gate.close()
    env = {**os.environ, "KIOSK_DB": ""}
    argv = lambda h: [KIOSK, "--db", str(db), "card", "issue", "--household", h.id,  # noqa: E731
                      "--kind", "life"]
    started = [(h, subprocess.Popen(argv(h), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, env=env))
               for h in households for _ in range(2)]
    results = [(h, p.wait(timeout=120), *p.communicate()) for h, p in started]

    for household in households:
        mine = [(code, out, err) for h, code, out, err in results if h is household]
        assert sorted(code for code, _, _ in mine) == [0, 2], mine
        issued = next(json.loads(out) for code, out, _ in mine if code == 0)
        refusal = next(err for code, _, err in mine if code == 2)
        assert "一户一卡" in refusal and issued["serial"] in refusal
    conn = sqlite3.connect(db)
    counts = conn.execute("SELECT household_id, COUNT(*) FROM cards WHERE kind = 'life'"
                          " AND status = 'active' GROUP BY household_id").fetchall()
    assert sorted(counts) == [(h.id, 1) for h in households]
    audited = conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'card_issue'").fetchone()[0]
    assert audited == len(households)  # a refused issue leaves no audit line


def test_the_migration_keeps_the_first_life_card_of_a_household_that_has_two(tmp_path):
    """Databases hit by the old race: the first-issued card stays, the other is revoked
    and the revocation is in the audit log."""
    ours = next(i for i, script in enumerate(MIGRATIONS) if "cards_one_life" in script)
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    for script in MIGRATIONS[:ours]:
        conn.executescript(script)
    conn.execute(f"PRAGMA user_version = {ours}")
    conn.execute("INSERT INTO households (id, building, unit, room, created_utc)"
                 " VALUES ('H000101', '1', '1', '101', '2026-02-10T00:00:00.000000Z')")
    for serial, stamp in (("BBBB-BBB", "2026-02-10T01:00:00.000000Z"),
                          ("AAAA-AAA", "2026-02-10T02:00:00.000000Z")):
        conn.execute("INSERT INTO cards (serial, household_id, kind, generation, valid_from, valid_to,"
                     " status, updated_utc) VALUES (?, 'H000101', 'life', 1, '2026-02-10',"
                     " '2026-05-10', 'active', ?)", [serial, stamp])

    migrate(conn)

    assert dict(conn.execute("SELECT serial, status FROM cards").fetchall()) == {
        "BBBB-BBB": "active", "AAAA-AAA": "revoked"}
    assert conn.execute("SELECT operator, action, target FROM audit").fetchall() == [
        ("migration", "card_revoke", "AAAA-AAA")]
