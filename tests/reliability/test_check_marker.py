"""The whole-file check once per boot and day (data/check_marker.py), and what still stops
a scan on a damaged file when the open skips it. Real files, the real CLI as a subprocess.

"Rot" is damage that leaves the file's size and modification time as they were (a bad
sector, a flipped bit on the disk); "written" is another program writing into the file."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from data.check_marker import marker_path
from kiosk.app import check_in_background
from tests.reliability.conftest import local

KIOSK = str(Path(sys.executable).with_name("kiosk"))
AT = "2026-02-10T15:00"  # within the cards' validity, hours after the history below


def kiosk(db: Path, *argv, backups: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, KIOSK_BACKUP_DIR=str(backups))
    return subprocess.run([KIOSK, "--db", str(db), "--lang", "en", *argv], capture_output=True,
                          env=env, timeout=120)


def scan(db: Path, payload: str, backups: Path) -> subprocess.CompletedProcess:
    return kiosk(db, "scan", payload, "--direction", "in", "--temp", "36.5", "--at", AT, backups=backups)


def err(result: subprocess.CompletedProcess) -> str:
    return result.stderr.decode("utf-8", "replace")


@pytest.fixture
def checked(community, tmp_path):
    """A morning of history (enough events for the log to span many pages), the gate closed,
    then one CLI command: it checks the whole file and writes the marker."""
    for i in range(400):
        community.clock.set(local(10, 8) + i * dt.timedelta(seconds=40))
        community.gate.service.scan(community.life[i % 3].payload, "out" if i % 6 < 3 else "in", "36.5")
    community.gate.close()
    backups = tmp_path / "backups"
    first = kiosk(community.path, "status", backups=backups)
    assert first.returncode == 0, err(first)
    assert marker_path(community.path).exists()
    return community.path, backups


def leaf(db: Path, table: str, newest: bool) -> tuple[int, int]:
    """(page number, page size) of the first or the last leaf of `table`, in key order."""
    conn = sqlite3.connect(str(db))
    try:
        pages = [p for p, in conn.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'"
                                          " ORDER BY path", [table])]
        return pages[-1 if newest else 0], conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()


def damage(db: Path, table: str, newest: bool, keep_mtime: bool) -> None:
    """Garbage over the cell pointers of one leaf page (what the existing bad-sector test does)."""
    page, size = leaf(db, table, newest)
    before = os.stat(db)
    with open(db, "r+b") as raw:
        raw.seek((page - 1) * size + 8)
        raw.write(b"\x07" * 64)
    if keep_mtime:
        os.utime(db, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_a_checked_file_is_not_read_whole_again_until_a_check_finds_the_damage(checked, community):
    db, backups = checked
    damage(db, "events", newest=False, keep_mtime=True)  # rot in a page of the first events of the morning

    skipped = scan(db, community.life[3].payload, backups)  # the open trusts today's check
    check = kiosk(db, "check", backups=backups)  # the full check (hourly in the gate screen)
    after = scan(db, community.life[3].payload, backups)

    assert skipped.returncode == 0, err(skipped)  # the page this scan needs no part of was not read
    assert check.returncode == 3 and "Traceback" not in err(check)
    assert not marker_path(db).exists()
    assert after.returncode == 3 and "Record on paper" in err(after) and "Traceback" not in err(after)


@pytest.mark.parametrize(("table", "newest", "keep_mtime"), [
    ("events", False, False),   # another program wrote into the morning's first events
    ("events", True, False),    # ... into today's end of the log
    ("cards", False, True),     # rot in the roster: checked whole at every open
    ("passages", True, True),   # rot in where each card is: the same
    ("events", True, True),     # rot at the end of the log, where the scan's event goes
])
def test_a_damaged_file_is_refused_by_a_scan_although_it_was_checked_today(checked, community, table,
                                                                         newest, keep_mtime):
    db, backups = checked
    damage(db, table, newest, keep_mtime)

    result = scan(db, community.life[3].payload, backups)

    assert result.returncode == 3, result.stdout
    assert "Record on paper" in err(result) and "Traceback" not in err(result)


def test_the_marker_of_one_file_does_not_vouch_for_a_copy(checked, community, tmp_path):
    db, backups = checked
    copy = tmp_path / "copy" / "gate.db"
    copy.parent.mkdir()
    for source in (db, marker_path(db), db.with_name("gate.db.key"), db.with_name("gate.db.device-key")):
        if source.exists():
            shutil.copy2(source, copy.with_name(source.name))
    damage(copy, "events", newest=False, keep_mtime=True)

    result = scan(copy, community.life[3].payload, backups)

    assert result.returncode == 3 and "Record on paper" in err(result), result.stdout


def test_the_screens_hourly_check_writes_the_marker_and_damage_takes_it_away(checked):
    db, _backups = checked
    marker_path(db).unlink()

    sound = check_in_background(db, full=True)
    written = marker_path(db).exists()
    damage(db, "cards", newest=False, keep_mtime=True)
    damaged = check_in_background(db, full=True)

    assert sound == [] and written
    assert [f.key for f in damaged] == ["integrity_failed"]
    assert not marker_path(db).exists()
