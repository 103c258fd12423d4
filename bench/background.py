"""Scans decided beside the gate screen's background work (issue 14): a benchmark, not a test.

On a copy of a gate database bench/scale.py built (DIR/gate.db and its key files; the
original is never opened), the gate lane's connection scans one card after another, as
fast as it can, while one background job runs on its own thread and connection, as the
screen runs it (at the lower CPU priority of the screen's background lanes, ui/tasks.py):

- nothing (the same scans alone, as long as the backup took, 5 s at least: the floor);
- the daily backup (kiosk.app.backup_in_background: the copy, its check, its fsync);
- passive WAL checkpoints, one a second (kiosk.app.checkpoint_in_background; the screen
  makes one every 10 s);
- the quick check and the full check of the whole file (kiosk.app.check_in_background:
  the one after each sync, the hourly one).

For each: how long the job took, and the scans beside it: count, median, p99, longest, and
which statement of the longest scan took its time (COMMIT: its fsync waited for the disk).
A bare fsync'd one-row insert, alone, is the disk's own floor.

    .venv/bin/python bench/background.py DIR [DIR ...] [--households 10000] [--work DIR]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale import DAY_START, TODAY, Scanner, bench_cards  # noqa: E402 (after the path set-up)
from bench.scan_latency import bare_insert_ms, percentile  # noqa: E402
from kiosk.app import (  # noqa: E402
    backup_in_background,
    check_in_background,
    checkpoint_in_background,
    start_gate_process,
)
from kiosk.clock import FixedClock  # noqa: E402
from ui.tasks import lower_thread_priority  # noqa: E402


def copy_gate(source: Path, folder: Path) -> Path:
    """The database's files (not its check marker) copied: a closed database, so whole.
    Synced: else the kernel writes the copy out half a minute later, in the middle of a
    measurement (a scan's commit waited 90 ms behind it, beside a job that writes nothing)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for file in source.iterdir():
        if file.name.startswith("gate.db") and not file.name.endswith(".checked"):
            shutil.copy(file, folder / file.name)
    os.sync()
    return folder / "gate.db"


class Timed:
    """Times each scan and keeps, for the slowest, the statement that took its time."""

    def __init__(self, scanner: Scanner):
        self.scanner = scanner
        self.statements: list[tuple[float, str]] = []
        scanner.gate.store.db.conn.set_trace_callback(
            lambda sql: self.statements.append((time.perf_counter(), " ".join(sql.split()[:2]))))

    def beside(self, job: Callable[[], object]) -> tuple[float, list[float], str]:
        """Scans until `job` (on its own thread) ends: its seconds, the scans' ms, and the
        slowest statement of the longest scan."""
        done = threading.Event()
        took: list[float] = []

        def run() -> None:
            lower_thread_priority()  # as the screen's background lanes run (ui/tasks.py)
            t0 = time.perf_counter()
            try:
                job()
            finally:
                took.append(time.perf_counter() - t0)
                done.set()

        worker = threading.Thread(target=run)
        worker.start()
        scans: list[float] = []
        longest, slowest = 0.0, ""
        while not done.is_set():
            self.statements.clear()
            t0 = time.perf_counter()
            self.scanner.scan()
            end = time.perf_counter()
            scans.append((end - t0) * 1000)
            if scans[-1] > longest:
                marks = [*self.statements, (end, "")]
                pairs = zip(marks, marks[1:], strict=False)
                gap, name = max(((b - a) * 1000, what) for (a, what), (b, _) in pairs)
                longest, slowest = scans[-1], f"{name} {gap:.1f} ms"
        worker.join()
        return took[0], scans, slowest


def every(seconds: float, for_s: float, job: Callable[[], object]) -> Callable[[], None]:
    def repeat() -> None:
        end = time.perf_counter() + for_s
        while time.perf_counter() < end:
            time.sleep(seconds)
            job()
    return repeat


def measure(source: Path, work: Path, households: int) -> list[tuple[str, str]]:
    path = copy_gate(source, work)
    clock = FixedClock(DAY_START.astimezone(dt.UTC))
    process = start_gate_process(path, "zh", clock)  # the day's whole-file check: before any job
    lane = process.open_gate_lane()
    scanner = Scanner(lane, bench_cards(households), clock, 2000)
    for _ in range(50):  # warm: the caches, the indexes' pages
        scanner.scan()
    timed = Timed(scanner)
    floor = bare_insert_ms(work / "floor.db", 500)
    rows = [("bare fsync'd insert alone (the disk's floor): median / p99 / longest",
             f"{statistics.median(floor):.2f} / {percentile(floor, 0.99):.2f} / {max(floor):.1f} ms")]
    backup_s, *backup = timed.beside(lambda: backup_in_background(path, TODAY))
    window = max(backup_s, 5.0)  # the floor and the checkpoints: as long as the backup, 5 s at least
    jobs: list[tuple[str, Callable[[], object]]] = [
        ("nothing (the same scans alone)", lambda: time.sleep(window)),
        ("passive checkpoint, one a second", every(1.0, window, lambda: checkpoint_in_background(path))),
        ("quick check of the whole file", lambda: check_in_background(path, False)),
        ("full check of the whole file", lambda: check_in_background(path, True)),
    ]
    results = [("daily backup", (backup_s, *backup)), *((name, timed.beside(job)) for name, job in jobs)]
    for name, (seconds, scans, slowest) in results:
        rows.append((f"{name}: {seconds:.1f} s; scans beside it: count, median / p99 / longest",
                     f"{len(scans)}, {statistics.median(scans):.2f} / {percentile(scans, 0.99):.2f}"
                     f" / {max(scans):.1f} ms (its slowest statement: {slowest})"))
    lane.close()
    rows.append(("load average (1 / 5 / 15 min) after", " / ".join(f"{x:.1f}" for x in os.getloadavg())))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", type=Path, nargs="+", help="folders, each a gate.db bench/scale.py built")
    parser.add_argument("--households", type=int, default=10_000, help="the households it was built with")
    parser.add_argument("--work", type=Path, help="where the copies go (default: a temp dir)")
    args = parser.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="gatepost-background-"))
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before", flush=True)
    for source in args.sources:
        mb = (source / "gate.db").stat().st_size / 1e6
        print(f"\n{source} ({mb:.0f} MB)", flush=True)
        for name, value in measure(source, work / source.name, args.households):
            print(f"  {name}: {value}", flush=True)
        shutil.rmtree(work / source.name, ignore_errors=True)


if __name__ == "__main__":
    main()
