"""What the integrity checks cost on a busy gate: a benchmark, not a test.

Builds the database of bench/scan_latency.py (10,000 households, 1,000,000 events by
default), then times, each `--repeat` times on a cold connection: `PRAGMA quick_check`,
`PRAGMA integrity_check`, and `open_gate` with its start-up checks (which run the quick
check). The figures are in docs/reliability.md ("The integrity check at every start").

    .venv/bin/python bench/integrity_check.py [--households 10000] [--events 1000000]
        [--repeat 3] [--dir DIR]
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scan_latency import START, populate  # noqa: E402 (after the path set-up above)
from data.store import connect  # noqa: E402
from data.verify import integrity  # noqa: E402
from kiosk.app import open_gate  # noqa: E402
from kiosk.clock import FixedClock  # noqa: E402


def timed(body, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = body()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def check_once(path: Path, quick: bool) -> str:
    conn = connect(path)
    try:
        return integrity(conn, quick=quick)
    finally:
        conn.close()


def open_once(path: Path, clock: FixedClock) -> None:
    open_gate(path, "en", clock).close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as scratch:
        path = Path(scratch) / "bench.db"
        clock = FixedClock(START + dt.timedelta(hours=1))
        started = time.perf_counter()
        gate, _cards = populate(path, args.households, args.events, clock)
        gate.close()
        print(f"built {args.events:,} events in {time.perf_counter() - started:.0f} s; "
              f"file {path.stat().st_size / 1e6:.0f} MB")
        open_once(path, clock)  # today's backup now exists: later opens do not copy the file
        for name, body in (("quick_check", lambda: check_once(path, True)),
                           ("integrity_check", lambda: check_once(path, False)),
                           ("open_gate (start-up checks)", lambda: open_once(path, clock))):
            seconds, result = timed(body, args.repeat)
            print(f"{name:<30} median {seconds * 1000:8.0f} ms" + (f"  ({result})" if result else ""))


if __name__ == "__main__":
    main()
