"""How long does `kiosk scan` take as a process, against the floor of starting Python at all?

    .venv/bin/python bench/cli_start.py [--runs 10] [--before TREE]

Makes a small gate (a household, a work card) and then, in the same run, times whole
processes, the median of `--runs` each, in turn so that the machine's load falls on all
of them alike:

- `python -c pass` (the interpreter and site: the floor);
- `python -c "import kiosk.cli"` (the imports alone);
- `kiosk scan PAYLOAD --direction in --temp 36.5` (what a script or a wedge helper runs);
- with `--before TREE` (a source tree of an older version), the same two from that tree.

It also prints the ten slowest imports of `kiosk.cli` by `python -X importtime`
(cumulative microseconds). docs/performance.md keeps the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(argv: list[str], tree: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(tree), "KIOSK_DB": ""}
    done = subprocess.run(argv, env=env, cwd=tree, capture_output=True, text=True)
    if check and done.returncode not in (0, 1):
        raise SystemExit(f"{argv} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done


def seconds(argv: list[str], tree: Path) -> tuple[float, float]:
    """Wall seconds and the child's CPU seconds (user + system): under load the CPU time
    is the steadier figure, since waiting for a core is not in it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run(argv, tree)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def slowest_imports(tree: Path, count: int = 10) -> list[tuple[str, int]]:
    done = run([sys.executable, "-X", "importtime", "-c", "import kiosk.cli"], tree)
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = line.split("|")
            rows.append((name.strip(), int(cumulative)))
    return sorted(rows, key=lambda r: -r[1])[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--before", type=Path, help="a source tree of the version to compare with")
    args = parser.parse_args()
    kiosk = [sys.executable, "-m", "kiosk.cli"]
    with tempfile.TemporaryDirectory(prefix="gatepost-start-") as scratch:
        db = str(Path(scratch) / "gate.db")
        run([*kiosk, "--db", db, "init", "--community", "基准小区"], ROOT)
        household = run([*kiosk, "--db", db, "household", "add", "--building", "1", "--unit", "1",
                         "--room", "101"], ROOT).stdout.strip()
        card = json.loads(run([*kiosk, "--db", db, "card", "issue", "--household", household,
                               "--kind", "work"], ROOT).stdout)
        scan = [*kiosk, "--db", db, "scan", card["payload"], "--direction", "in", "--temp", "36.5"]
        cases = {"python -c pass": ([sys.executable, "-c", "pass"], ROOT),
                 "import kiosk.cli": ([sys.executable, "-c", "import kiosk.cli"], ROOT),
                 "kiosk scan": (scan, ROOT)}
        if args.before:
            before = args.before.resolve()
            cases["import kiosk.cli (before)"] = ([sys.executable, "-c", "import kiosk.cli"], before)
            cases["kiosk scan (before)"] = (scan, before)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(args.runs):  # round robin: the load of the moment falls on every case
            for name, (argv, tree) in cases.items():
                times[name].append(seconds(argv, tree))
        floor = [statistics.median(t[i] for t in times["python -c pass"]) for i in (0, 1)]
        for name, values in times.items():
            wall, cpu = (statistics.median(t[i] for t in values) for i in (0, 1))
            print(json.dumps({
                "case": name, "median_s": round(wall, 3), "per_floor": round(wall / floor[0], 1),
                "cpu_median_s": round(cpu, 3), "cpu_per_floor": round(cpu / floor[1], 1),
                "runs": len(values), "load_average": round(os.getloadavg()[0], 1)}, ensure_ascii=False))
        print(json.dumps({"slowest_imports_us": slowest_imports(ROOT)}))
        if args.before:
            print(json.dumps({"slowest_imports_us_before": slowest_imports(args.before.resolve())}))


if __name__ == "__main__":
    main()
