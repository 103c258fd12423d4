"""Nothing in a gate's process opens the database file but SQLite itself (data/outputs.py):
the usual operations, in-process, under a Python audit hook. A descriptor closed on the
database (or its -shm) would drop the process's POSIX locks (sqlite.org/howtocorrupt.html 2.2)."""
from __future__ import annotations

import datetime as dt

from data.backup import backup_if_due
from kiosk.app import init_community, open_gate
from kiosk.cli import main
from kiosk.clock import FixedClock
from kiosk.operators import Operator, Role
from tests.opens import opened_database_files, python_opens
from tests.reliability.conftest import local


def test_the_usual_operations_never_open_the_database_files_themselves(community, tmp_path, capsys):
    db = community.path
    roster = tmp_path / "roster.csv"
    roster.write_text("楼栋,单元,房号,户主\n9,1,101,王五\n", encoding="utf-8")
    cli = ["--db", str(db), "--lang", "en"]
    with python_opens() as seen:
        fresh = init_community(tmp_path / "new" / "gate.db", "新小区", clock=FixedClock(local(10)))
        fresh.close()
        gate = open_gate(db, clock=community.clock)  # start-up checks and the daily backup
        try:
            for card in community.life:
                gate.service.scan(card.payload, "out", "36.5")
            gate.status()
            gate.verify_log()
            for fmt in ("csv", "xlsx", "pdf"):
                gate.export_log(Operator("admin", Role.ADMIN), fmt, tmp_path / f"log.{fmt}",
                                dt.date(2026, 2, 10))
            backup_if_due(gate.store, dt.date(2026, 2, 11))
        finally:
            gate.close()
        assert main([*cli, "status"]) == 0
        assert main([*cli, "verify-log"]) == 0
        assert main([*cli, "check"]) == 0
        assert main([*cli, "backup", "--to", str(tmp_path / "copy.db")]) == 0
        assert main([*cli, "roster", "import", str(roster)]) == 0
        assert main([*cli, "card", "issue", "--household", community.households[1].id, "--kind",
                     "special", "--qr-out", str(tmp_path / "card.png")]) == 0
        assert main([*cli, "export", "--date", "2026-02-10", "--format", "xlsx",
                     "--out", str(tmp_path / "cli.xlsx")]) == 0
        assert main([*cli, "cards", "print", "--out", str(tmp_path / "cards.pdf")]) in (0, 2)
    capsys.readouterr()
    assert seen, "the audit hook saw nothing: it is not watching"
    assert opened_database_files(seen, db) == []
    assert opened_database_files(seen, tmp_path / "new" / "gate.db") == []


def test_a_roster_file_that_is_the_database_is_refused_unread(community, capsys):
    with python_opens() as seen:
        code = main(["--db", str(community.path), "--lang", "en", "roster", "import", str(community.path)])
    assert code == 2 and "it is the gate's own database" in capsys.readouterr().err
    assert opened_database_files(seen, community.path) == []
