"""How long does `kiosk verify-log` take on a big log, against the floor of reading its rows?

    .venv/bin/python bench/verify_log.py [--events 10000 1000000] [--runs 5] [--before TREE]
        [--dir DIR]

Builds, for each size, a gate database of that many events of its own device with a real
hash chain, each event signed with the gate's device key as `SqliteStore.record` signs it
(loaded in bulk: about 45 µs an event, most of it the signature). Then, in the same run:

- `kiosk verify-log --json` as its own process (the command a user runs), median of
  `--runs` (one run above 200,000 events), wall and CPU time (its workers' included);
- with `--before TREE` (a source tree of an older version, e.g. from `git archive`), the
  same command from that tree, on the same file;
- the floor: a process that reads the same rows, the same columns in the same order,
  with Python's sqlite3 and does nothing with them.

Prints one JSON line per size; docs/performance.md keeps the figures.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data.office import EVENT_COLUMNS  # noqa: E402 (after the path set-up above)
from kiosk.app import init_community  # noqa: E402
from kiosk.chain import CHAINED_FIELDS, GENESIS, event_hash_values, sign  # noqa: E402
from kiosk.clock import FixedClock  # noqa: E402

START = dt.datetime(2026, 2, 10, 0, 0, tzinfo=dt.UTC)

READ_ROWS = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
for row in conn.execute("SELECT {columns}, prev_hash, chain_hash, signature FROM events"
                        " ORDER BY device_id, device_seq"):
    pass
""".format(columns=", ".join(CHAINED_FIELDS))


def build(path: Path, count: int) -> None:
    """A gate with `count` chained, signed events of its own device."""
    gate = init_community(path, "基准小区", start_date=START.date(), clock=FixedClock(START))
    device = gate.store.community().device_id
    signer = gate.store.signer

    def rows():
        previous = GENESIS
        for seq in range(1, count + 1):
            at = START + dt.timedelta(seconds=seq * 7)
            local = at + dt.timedelta(hours=8)
            row = [str(uuid.UUID(int=seq, version=4)), device, seq, at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                   local.replace(tzinfo=None).isoformat() + "+08:00", local.date().isoformat(),
                   "out" if seq % 2 else "in", "allow", "ok", "[]", f"{seq % 5000:04d}-ABC", 1,
                   f"H{seq % 3000:06d}", "life", 36.5, None, None, "值班员", None, None, "0" * 64,
                   '{"decision":"allow","reason":"ok","message":"放行"}']
            digest = event_hash_values(previous, row)
            yield (*row, previous, digest, sign(signer, digest))
            previous = digest

    conn = gate.store.db.conn
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)})"
                     f" VALUES ({', '.join('?' * len(EVENT_COLUMNS))})", rows())
    conn.execute("COMMIT")
    gate.close()


def timed(command: list[str], tree: Path) -> tuple[float, float]:
    """Wall seconds, and CPU seconds (user + system) of the process and its worker processes:
    under load the CPU time is the steadier figure, since waiting for a core is not in it."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=tree, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{command} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, help="a source tree of the version to compare with")
    parser.add_argument("--dir", type=Path, help="where the databases go (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gatepost-verify-", dir=args.dir) as scratch:
        for count in args.events:
            path = Path(scratch) / f"gate-{count}.db"
            made = time.perf_counter()
            build(path, count)
            print(f"# {count} events built in {time.perf_counter() - made:.1f} s", file=sys.stderr,
                  flush=True)
            verify = [sys.executable, "-m", "kiosk.cli", "--db", str(path), "verify-log", "--json"]
            runs = args.runs if count <= 200_000 else 1
            cases = {"floor": ([sys.executable, "-c", READ_ROWS, str(path)], ROOT), "verify": (verify, ROOT)}
            if args.before:
                cases["before"] = (verify, args.before.resolve())
            times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
            for _ in range(runs):  # round robin: the load of the moment falls on every case
                for name, (command, tree) in cases.items():
                    times[name].append(timed(command, tree))
            figures = {"events": count, "runs": runs}
            for name, values in times.items():
                figures[f"{name}_s"] = round(statistics.median(v[0] for v in values), 2)
                figures[f"{name}_cpu_s"] = round(statistics.median(v[1] for v in values), 2)
            for name in cases:
                if name != "floor":
                    figures[f"{name}_per_floor"] = round(figures[f"{name}_s"] / figures["floor_s"], 2)
            if args.before:
                figures["speed_up"] = round(figures["before_s"] / figures["verify_s"], 2)
                figures["cpu_speed_up"] = round(figures["before_cpu_s"] / figures["verify_cpu_s"], 2)
            figures["load_average"] = round(os.getloadavg()[0], 1)
            print(json.dumps(figures), flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
