"""A lost WAL is found after the commit it swallowed (issue 10, data/walguard.py).

The trap, for real: this process closes a stray descriptor on the database file (that
drops SQLite's POSIX locks in the whole process), another process opens and closes a
connection (it believes it is the last one, checkpoints and unlinks -wal and -shm), and
this process's next commit goes into a deleted file.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from data import walguard
from data.store import WalLost
from tests.community import local

KIOSK = str(Path(sys.executable).with_name("kiosk"))


def other_process_opens_and_closes(db: Path) -> None:
    """Process B: a connection opened and closed, as any `kiosk` command does."""
    subprocess.run([sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
                    " c.execute('SELECT COUNT(*) FROM events').fetchone(); c.close()", str(db)],
                   check=True)


def events_on_disk(db: Path) -> list[tuple[str, str]]:
    """What a fresh process finds in the file: (event id, decision), in order."""
    out = subprocess.run([sys.executable, "-c", "import json, sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
                          " print(json.dumps(c.execute('SELECT id, decision FROM events ORDER BY seq')"
                          ".fetchall()))", str(db)], check=True, capture_output=True, text=True)
    return [tuple(row) for row in json.loads(out.stdout)]


def spring_the_trap(db: Path) -> None:
    with open(db, "rb") as stray:  # what a file dialog's MIME sniffing does
        stray.read(100)
    other_process_opens_and_closes(db)


def test_the_trap_is_real_the_wal_is_unlinked_under_an_open_store(world):
    db = world.gate.store.path
    assert world.at(local(10, 9)).scan(world.life, "out").allowed
    assert Path(f"{db}-wal").exists()
    spring_the_trap(db)
    assert not Path(f"{db}-wal").exists(), "another process deleted the WAL the gate holds open"


def test_a_scan_into_a_lost_wal_is_never_given_and_is_kept_on_disk(world):
    db = world.gate.store.path
    first = world.at(local(10, 9)).scan(world.life, "out")
    spring_the_trap(db)
    with pytest.raises(WalLost) as lost:  # a StorageError: the screen says "record on paper"
        world.at(local(10, 10)).scan(world.life, "in", temp="36.6")
    [event_id] = lost.value.event_ids
    on_disk = events_on_disk(db)
    assert on_disk == [(first.event_id, "allow"), (event_id, "allow")]
    incidents = world.gate.store.db.execute(
        "SELECT event_id, kind FROM incidents WHERE kind = 'wal_replaced'").fetchall()
    assert [tuple(i) for i in incidents] == [(event_id, "wal_replaced")]
    # The store carries on, on a fresh connection with a WAL that is really on disk.
    after = world.at(local(10, 11)).scan(world.life, "out")
    assert after.allowed is False and after.reason == "quota_used"
    assert events_on_disk(db)[-1] == (after.event_id, "deny")
    assert walguard.identities(db) == world.gate.store._wal_identity


def test_an_orphan_wal_is_not_checkpointed_over_newer_pages_on_close(tmp_path):
    db = tmp_path / "x.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (v)")
    assert walguard.no_checkpoint_on_close(conn, db)
    conn.execute("INSERT INTO t VALUES (1)")
    conn.close()
    assert Path(f"{db}-wal").exists(), "closed without its checkpoint, the WAL stays for the next opener"


def test_the_cli_exits_3_and_says_to_record_on_paper(world, monkeypatch, capsys):
    """`kiosk scan` in a process whose WAL was lost: exit 3 (never 0 with an allow)."""
    from kiosk import cli

    spring_the_trap(world.gate.store.path)
    monkeypatch.setattr(cli, "open_gate", lambda *args, **kw: world.gate)
    world.at(local(10, 9))
    code = cli.main(["--lang", "en", "scan", world.life.payload, "--direction", "out"])
    out, err = capsys.readouterr()
    assert code == 3 and out == ""
    assert "Record it on paper" in err and "Traceback" not in err
    assert events_on_disk(world.gate.store.path)[-1][1] == "allow"  # kept, with its incident
