"""The PIN lock-out holds across processes: 40 `kiosk export --pin-stdin` processes with wrong
PINs, started together, are counted one by one and none gets past the back-off."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from data.store import parse_utc
from kiosk.app import init_community
from kiosk.operators import FREE_FAILURES, wait_after

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 40


@pytest.mark.slow
def test_wrong_pins_from_forty_processes_at_once_are_each_counted_and_wait(tmp_path, figures):
    db = tmp_path / "gate.db"
    gate = init_community(db, "幸福里")
    gate.operators().add("张楼长", "lead", "222222", ("3",))
    gate.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KIOSK_DB": str(db)}
    children = [subprocess.Popen(
        [sys.executable, "-c", "import sys; from kiosk.cli import main; sys.exit(main())",
         "--lang", "en", "export", "--date", "2026-02-12", "--format", "csv",
         "--out", str(tmp_path / f"out-{i}.csv"), "--pin-stdin"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for i in range(PROCESSES)]
    results = [child.communicate(f"{100000 + i}\n", timeout=600) for i, child in enumerate(children)]
    codes = [child.returncode for child in children]
    errors = [err for _, err in results]

    assert codes == [2] * PROCESSES, errors
    assert not any("Traceback" in err for err in errors)
    wrong = sum("Wrong PIN" in err for err in errors)
    refused = sum("Too many wrong PINs" in err for err in errors)
    assert wrong + refused == PROCESSES
    assert not list(tmp_path.glob("out-*.csv"))

    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT failures FROM pin_guard").fetchone()[0]
    failed = [(parse_utc(at), json.loads(details)["failures"]) for at, details in conn.execute(
        "SELECT at_utc, details FROM audit WHERE action = 'login_failed' ORDER BY id")]
    conn.close()
    # Every attempt that was checked is counted, none lost to a concurrent write.
    assert stored == wrong == len(failed)
    assert sorted(n for _, n in failed) == list(range(1, wrong + 1))
    # The back-off held: after the free ones, no attempt came before the previous one's wait ran out.
    times = dict((n, at) for at, n in failed)
    for n in range(FREE_FAILURES + 1, wrong):
        assert times[n + 1] - times[n] >= wait_after(n)
    assert refused > 0
    figures.add("wrong PINs from 40 processes at once: checked and counted", wrong)
    figures.add("wrong PINs from 40 processes at once: refused while PIN entry was closed", refused)
