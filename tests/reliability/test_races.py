"""No race beats a rule (issue 13): two scans of one card at the same instant, from two
processes, decide one after the other, because each scan's reads and its event are one
write transaction.

The race is made certain, not left to luck: this test holds the database's write lock
(as a sync or a roster import does for seconds), starts both scanners of each card, lets
them go together, and releases the lock only when every one of them is waiting for it
inside SQLite. A scanner that decided on reads made outside the transaction has decided
by then, and two of them both allow.
"""
from __future__ import annotations

import json
import platform
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from kiosk.app import open_gate
from kiosk.clock import SystemClock
from kiosk.model import CardKind, Household
from tests.reliability.conftest import build_community

CHILD = Path(__file__).with_name("race_child.py")
# The sleeps SQLite's busy handler waits in (usleep): nanosleep, clock_nanosleep.
SLEEP_SYSCALLS = {"x86_64": {"35", "230"}, "aarch64": {"101", "115"}}.get(platform.machine(), set())


def waiting_in_sqlite(pid: int) -> bool:
    """Is the process asleep in a syscall SQLite's busy handler uses? (Linux /proc)"""
    try:
        return Path(f"/proc/{pid}/syscall").read_text().split()[0] in SLEEP_SYSCALLS
    except (OSError, IndexError):
        return False


def wait_until(condition, what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    pause = threading.Event()
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        pause.wait(0.02)


def race(db: Path, jobs: list[tuple[str, ...]]) -> list[dict]:
    """Run each job (payload, direction[, temp]) in its own process, all let go at once
    while the write lock is held; return the verdicts in job order."""
    children = [subprocess.Popen([sys.executable, str(CHILD), str(db), *job], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True) for job in jobs]
    holder = sqlite3.connect(str(db), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        for child in children:
            assert child.stdout.readline().strip() == "ready"
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        if SLEEP_SYSCALLS:
            wait_until(lambda: all(waiting_in_sqlite(c.pid) for c in children),
                       "every scanner to wait for the write lock")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    verdicts = []
    for child in children:
        out, _ = child.communicate(timeout=120)
        assert child.returncode == 0, out
        verdicts.append(json.loads(out.strip().splitlines()[-1]))
    return verdicts


def allowed_exits(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(str(db))
    try:
        rows = conn.execute("SELECT serial, COUNT(*) FROM events WHERE decision = 'allow'"
                            " AND direction = 'out' GROUP BY serial").fetchall()
    finally:
        conn.close()
    return dict(rows)


def test_two_scans_of_one_card_at_the_same_instant_allow_one_exit(tmp_path, figures):
    built = build_community(tmp_path / "gate.db", SystemClock())
    cards = [*built.life, built.work]
    built.gate.close()
    open_gate(built.path).close()  # today's backup made once, before the race
    verdicts = race(built.path, [(card.payload, "out") for card in cards for _ in range(2)])
    exits = allowed_exits(built.path)
    assert exits == {card.card.serial: 1 for card in cards}
    for first, second in zip(verdicts[::2], verdicts[1::2], strict=True):
        # One allows; the other sees it: the repeat guard shows that same verdict again,
        # or a rule denies. Never a second allowed exit.
        if first["decision"] == second["decision"] == "allow":
            assert first["event_id"] == second["event_id"]
    figures.add("cards scanned twice at the same instant, one exit each", len(cards))


def test_four_scans_of_one_card_without_a_repeat_guard_allow_one_exit(tmp_path, figures):
    """With the repeat guard off, anti-passback alone must hold: one exit, three already_out."""
    built = build_community(tmp_path / "gate.db", SystemClock())
    gate = built.gate
    extra = Household("H000199", "1", "1", "199", "赵六", "", 2)
    gate.store.add_households([extra], gate.clock.now())
    issued = gate.office().issue(extra.id, CardKind.LIFE)
    gate.store.set_setting("scan.repeat_guard_s", "0")  # no repeat guard: the quota alone decides
    gate.close()
    open_gate(built.path).close()
    jobs = [(issued.payload, "out")] * 4
    verdicts = race(built.path, jobs)
    assert sorted(v["reason"] for v in verdicts) == ["already_out"] * 3 + ["ok"]
    assert allowed_exits(built.path) == {issued.card.serial: 1}
    figures.add("four simultaneous exits of one card, one allowed", 1)
