"""A damaged database file (flipped bits, a bad sector) and text that is not text: a clear
refusal, never a traceback. Exit 3 and "record on paper" for damage, exit 2 for bad
argv text, exit 1 only for a deny. Real files, the real CLI as a subprocess."""
from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from data.store import connect
from data.verify import integrity
from tests.reliability.conftest import SCALE, local

KIOSK = str(Path(sys.executable).with_name("kiosk"))
AT = "2026-02-10T15:00"  # within the cards' validity: a sound database allows the entry


def kiosk(db: Path, *argv, backups: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, KIOSK_BACKUP_DIR=str(backups))
    return subprocess.run([KIOSK, "--db", os.fsencode(db), "--lang", "en", *argv], capture_output=True,
                          env=env, timeout=120)


def err(result: subprocess.CompletedProcess) -> str:
    return result.stderr.decode("utf-8", "replace")


def flip_bits(path: Path, rng: random.Random, count: int) -> None:
    raw = bytearray(path.read_bytes())
    for _ in range(count):
        bit = rng.randrange(len(raw) * 8)
        raw[bit // 8] ^= 1 << (bit % 8)
    path.write_bytes(raw)


def garble(path: Path, text: str) -> int:
    """Flip the top bit of the last byte of every copy of `text` in the file: the bytes are
    no longer UTF-8 (a continuation byte turned into an ASCII one). Returns the copies."""
    raw = bytearray(path.read_bytes())
    needle, found, start = text.encode("utf-8"), 0, 0
    while (at := raw.find(needle, start)) >= 0:
        raw[at + len(needle) - 1] ^= 0x80
        found, start = found + 1, at + 1
    path.write_bytes(raw)
    return found


@pytest.fixture
def scanned(community, tmp_path):
    """The community after a morning of scans, closed (WAL folded in), and today's backup
    written: so no start-up runs the daily backup's full check."""
    for i in range(24):
        community.clock.set(local(10, 9, 2 * i))
        community.gate.service.scan(community.life[i % 4].payload, "out" if i % 8 < 4 else "in", "36.5",
                                    operator="值班员甲")
    community.gate.close()
    backups = tmp_path / "backups"
    assert kiosk(community.path, "status", backups=backups).returncode == 0
    return community.path, backups


def test_a_holder_name_that_is_not_utf8_any_more_is_database_damage(scanned, community):
    db, backups = scanned
    assert garble(db, "王小明") >= 1  # the work card's holder: only in the cards table
    scan = kiosk(db, "scan", community.work.payload, "--direction", "out", "--at", AT, backups=backups)
    check = kiosk(db, "check", backups=backups)

    assert scan.returncode == 3 and "Record on paper" in err(scan) and "restore" in err(scan)
    assert check.returncode == 3
    assert "table cards" in err(check) and "column holder" in err(check) and "kiosk restore" in err(check)
    for result in (scan, check):
        assert "Traceback" not in err(result)
    assert kiosk(db, "verify-log", backups=backups).returncode == 0  # the events are intact


def test_a_garbled_event_is_named_by_verify_log_and_check(scanned):
    db, backups = scanned
    assert garble(db, "值班员甲") >= 1  # the operator of every scan, in the events table
    verify = kiosk(db, "verify-log", backups=backups)
    check = kiosk(db, "check", "--json", backups=backups)

    assert verify.returncode == 3, err(verify)
    assert "the text of operator is damaged" in err(verify) and "kiosk restore" in err(verify)
    assert check.returncode == 3 and b'"stored_text_damaged"' in check.stdout and b'"events"' in check.stdout
    for result in (verify, check):
        assert "Traceback" not in err(result)


@pytest.mark.parametrize("argv", [
    ["scan", "{card}", "--direction", "in", "--temp", "36.5", "--operator", b"\xff"],
    ["scan", "{card}", "--direction", "in", "--temp", "36.5", "--operator", b"Li \xe5\xbc"],
    ["scan", b"GP1:\xff", "--direction", "in"],
    ["household", "add", "--building", "9", "--unit", "1", "--room", "101", "--head", b"\xc0\xaf"],
])
def test_argv_text_that_is_not_utf8_is_bad_input_and_nothing_is_written(scanned, community, argv):
    db, backups = scanned
    before = db.read_bytes()
    argv = [community.life[3].payload if a == "{card}" else a for a in argv]
    result = kiosk(db, *argv, backups=backups)

    assert result.returncode == 2
    assert "not text (not UTF-8)" in err(result) and "Traceback" not in err(result)
    assert db.read_bytes() == before


def test_a_damaged_index_stops_scans_at_once_although_todays_backup_exists(scanned, community):
    db, backups = scanned
    conn = sqlite3.connect(str(db))
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                        ["events_day_household"]).fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as raw:  # a bad sector in the index the quota reads
        raw.seek((root - 1) * page_size + 8)
        raw.write(b"\x07" * 64)

    result = kiosk(db, "scan", community.life[3].payload, "--direction", "in", "--temp", "36.5",
                   "--at", AT, backups=backups)

    assert result.returncode == 3 and "damaged" in err(result) and "Traceback" not in err(result)


@pytest.mark.parametrize("seed", range(8 * SCALE))
def test_random_bit_flips_never_give_a_traceback_nor_a_verdict_on_a_damaged_file(scanned, community,
                                                                                  tmp_path, seed, figures):
    db, backups = scanned
    damaged = tmp_path / "flipped" / "gate.db"
    damaged.parent.mkdir()
    shutil.copy(db, damaged)
    flip_bits(damaged, random.Random(seed), 3)
    try:  # a damaged schema may fail the connection's own pragmas already
        conn = connect(damaged)
        try:
            quick = integrity(conn, quick=True)
        finally:
            conn.close()
    except sqlite3.DatabaseError as failure:
        quick = str(failure)

    check = kiosk(damaged, "check", backups=backups)
    verify = kiosk(damaged, "verify-log", backups=backups)
    scan = kiosk(damaged, "scan", community.life[3].payload, "--direction", "in", "--temp", "36.5",
                 "--at", AT, backups=backups)

    for result in (check, verify, scan):
        assert "Traceback" not in err(result), err(result)
    assert check.returncode in (0, 1, 3) and verify.returncode in (0, 1, 3)
    assert scan.returncode in (0, 1, 3)
    if quick != "ok":  # what the start-up check sees, no scan gets past
        assert scan.returncode == 3
    if scan.returncode == 3:
        assert "Record on paper" in err(scan) or "record on paper" in err(scan)
    figures.add("databases with 3 flipped bits: no traceback", 1)
