"""Issue 14 in one run: every figure beside its floor, at 10,000 and 1,000,000 events.

    .venv/bin/python bench/issue14.py [--reuse DIR] [--dir DIR] [--scans 2000]
        [--skip export,sync]

Calls the existing benches, each of which measures its own floor in the same run:
- bench/scale.py (the gate at each size; `--reuse DIR` copies databases it built before,
  DIR/e10000/gate.db and DIR/e1000000/gate.db, instead of building them again: the 1M
  build takes minutes): scan median/p99 beside a bare fsync'd insert, scan and the status
  refresh with no office configured, the status counts, start-up, the daily backup beside
  scans, `kiosk status` and `kiosk scan` as processes beside `python -c pass`, `kiosk
  verify-log` as a process beside reading the same rows;
- bench/export.py (a day of 20,000 and a month of 600,000 rows; CSV, XLSX, PDF of the day,
  CSV and XLSX of the month) beside `sqlite3 -csv` on the export's own query;
- bench/sync.py (100,000 events to a SQLite office, and PostgreSQL where a server can be
  started; with `--reuse`, a copy of the 1M gate instead: all of it, then its last 100,000
  with the rest acknowledged) beside one executemany / COPY of the same rows.
docs/performance.md keeps the table and says how each figure grows from 10k to 1M.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import scale  # noqa: E402 (after the path set-up)


def other_bench(argv: list[str]) -> None:
    """Another bench in its own process, its lines passed through as they come."""
    print(f"\n# {' '.join(argv)} (load average {os.getloadavg()[0]:.1f})", flush=True)
    subprocess.run([sys.executable, *argv], cwd=ROOT, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", type=Path, help="databases built before: DIR/eSIZE/gate.db")
    parser.add_argument("--dir", type=Path, help="where the copies and the work go")
    parser.add_argument("--scans", type=int, default=2000)
    parser.add_argument("--skip", default="", help="comma-separated: export, sync")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    runs = scale.run("10000,1000000", 10_000, args.scans, args.dir, args.reuse)
    scale.print_table(runs)
    if "export" not in skip:
        work = ["--workdir", str(args.dir / "export")] if args.dir else []
        other_bench(["bench/export.py", "--no-pdf-month", *work])
    if "sync" not in skip:
        million = args.reuse / "e1000000" if args.reuse else None
        if million is not None and (million / "gate.db").exists():  # and the last 100k of it
            work = ["--work", str(args.dir / "sync")] if args.dir else []
            other_bench(["bench/sync.py", "--tail", "100000", "--from", str(million), *work])
        else:
            other_bench(["bench/sync.py", "--events", "100000"])
    print(f"\n# load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
