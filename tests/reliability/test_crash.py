"""Crash safety: a gate killed with SIGKILL at random moments keeps every verdict it showed,
and a database on a full disk refuses clearly, writes nothing half-way, and goes on once
space is freed."""
from __future__ import annotations

import contextlib
import json
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from data.verify import verify_chain
from kiosk.cli import main
from tests.reliability.conftest import SCALE, build_community

CHILD = Path(__file__).with_name("storm_child.py")
KILLS = 30 * SCALE


def test_a_gate_killed_mid_scan_keeps_every_verdict_it_showed(tmp_path, figures):
    from kiosk.clock import SystemClock

    built = build_community(tmp_path / "gate.db", SystemClock())
    payloads = [c.payload for c in built.life] + [built.work.payload, "NOT-A-CARD", "7K3Q-9AD"]
    built.gate.close()
    rng = random.Random(20260212)
    shown: set[str] = set()
    for kill in range(KILLS):
        child = subprocess.Popen([sys.executable, str(CHILD), str(built.path), str(kill), *payloads],
                                 stdout=subprocess.PIPE, text=True)
        # Kill after a random number of printed verdicts: the child is by then somewhere
        # inside the next scan (deciding, inside the transaction, at the fsync, printing).
        for _ in range(rng.randint(1, 12)):
            line = child.stdout.readline()
            if not line:
                break
            shown.add(line.strip())
        child.kill()
        shown.update(line.strip() for line in child.stdout)  # printed before the kill, read late
        child.wait()
        child.stdout.close()
        assert child.returncode == -9

        conn = sqlite3.connect(str(built.path))
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", f"after kill {kill}"
            kept = {r[0] for r in conn.execute("SELECT id FROM events")}
            assert shown <= kept, f"after kill {kill}: shown but lost {shown - kept}"
            assert verify_chain(conn).intact
        finally:
            conn.close()
    figures.add("SIGKILLs survived (integrity ok, chain intact)", KILLS)
    figures.add("verdicts shown before a kill, all found on disk", len(shown))


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs: a disk that fills up (root only; CI runs as root)."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1M", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(folder: Path) -> Path:
    """Write until the disk says no more."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 4096)
    return filler


def test_a_full_disk_gives_exit_3_writes_nothing_and_the_gate_goes_on(small_disk, capsys, figures):
    from kiosk.clock import SystemClock

    built = build_community(small_disk / "gate.db", SystemClock())
    payload = built.life[0].payload
    built.gate.close()
    db = ["--db", str(built.path), "--lang", "en"]
    assert main([*db, "scan", payload, "--direction", "in", "--temp", "36.5"]) == 0  # today's backup too
    capsys.readouterr()
    filler = fill(small_disk)

    refused = 0
    for _ in range(5):
        code = main([*db, "scan", payload, "--direction", "out", "--temp", "36.5"])
        err = capsys.readouterr().err
        assert code == 3, err
        assert "The database or the disk failed, nothing was recorded" in err
        refused += 1

    filler.unlink()  # (SQLite cannot even open its shared-memory file on a full disk)
    conn = sqlite3.connect(str(built.path))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 1  # nothing half-written
    conn.close()
    code = main([*db, "scan", payload, "--direction", "out", "--temp", "36.5"])
    verdict = json.loads(capsys.readouterr().out)
    assert code == 0 and verdict["decision"] == "allow"
    assert main([*db, "verify-log"]) == 0
    figures.add("scans refused on a full disk (exit 3, nothing written)", refused)


def test_a_running_gate_meets_a_full_disk_and_goes_on_once_space_is_freed(small_disk, figures):
    from kiosk.app import open_gate
    from kiosk.clock import SystemClock
    from kiosk.ports import StorageError

    built = build_community(small_disk / "gate.db", SystemClock())
    built.gate.close()
    gate = open_gate(built.path)  # the gate screen's long-lived connection
    filler = fill(small_disk)
    shown, failed = [], 0
    try:
        for i in range(400):  # the WAL has some room left: scans go on until it is used up
            card = built.life[i % 4].payload
            try:
                verdict = gate.service.scan(card, "out" if i // 4 % 2 == 0 else "in", "36.5")
            except StorageError:
                failed += 1
                if failed == 3:
                    break
                continue
            if not verdict.duplicate:
                shown.append(verdict.event_id)
        assert failed == 3, "the disk never filled up"
        filler.unlink()
        after = gate.service.scan(built.work.payload, "in", "36.5")
        shown.append(after.event_id)
    finally:
        gate.close()
    conn = sqlite3.connect(str(built.path))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kept = [r[0] for r in conn.execute("SELECT id FROM events ORDER BY seq")]
        assert kept == shown  # every verdict shown kept, nothing of the refused ones
        assert verify_chain(conn).intact
    finally:
        conn.close()
    figures.add("scans refused on a full disk (exit 3, nothing written)", failed)
