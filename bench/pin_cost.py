"""What a PIN guess costs: scrypt (hashlib.scrypt) on this machine, for choosing the PIN hash.

Usage (from the repository):

    .venv/bin/python bench/pin_cost.py [--repeat 7] [--json FILE]

For a few (n, r, p) it derives a key `--repeat` times in a child process of its own and
prints the median seconds per derivation and the child's peak memory (ru_maxrss), then,
for each, how long exhausting 10^d PINs takes an attacker with this machine's cores
(every core derives in parallel: 10^d * t / cores seconds), for d = 4, 6 and 8. The figures
in docs/reliability.md ("PIN guessing") come from this script.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

# (n, r, p): the old hash (2**14, 8, 1), then costlier ones.
CANDIDATES = [(2**14, 8, 1), (2**15, 8, 1), (2**16, 8, 1), (2**17, 8, 1), (2**16, 8, 2),
              (2**18, 8, 1)]


def measure(n: int, r: int, p: int, repeat: int) -> dict:
    """Runs in a child: median seconds per derivation and peak memory of that process."""
    import hashlib

    seconds = []
    for i in range(repeat):
        started = time.perf_counter()
        hashlib.scrypt(f"{i:06d}".encode(), salt=os.urandom(16), n=n, r=r, p=p, dklen=32,
                       maxmem=2**31 - 1)
        seconds.append(time.perf_counter() - started)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"n": n, "r": r, "p": p, "median_s": statistics.median(seconds),
            "min_s": min(seconds), "peak_mib": round(peak_kib / 1024, 1),
            "scrypt_mib": 128 * n * r / 2**20}


def human(seconds: float) -> str:
    for unit, size in (("years", 365.25 * 86400), ("months", 30.4 * 86400), ("days", 86400),
                       ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--child", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(*args.child, args.repeat)))
        return 0
    cores = os.cpu_count() or 1
    rows = []
    print(f"{cores} cores; median of {args.repeat} derivations each")
    print(f"{'n':>7} {'r':>2} {'p':>2} {'median s':>9} {'peak MiB':>9}   exhaust 10^4 / 10^6 / 10^8")
    for n, r, p in CANDIDATES:
        out = subprocess.run([sys.executable, __file__, "--repeat", str(args.repeat), "--child",
                              str(n), str(r), str(p)], check=True, capture_output=True, text=True)
        row = json.loads(out.stdout)
        row["exhaust_s"] = {d: 10**d * row["median_s"] / cores for d in (4, 6, 8)}
        rows.append(row)
        spans = " / ".join(human(row["exhaust_s"][d]) for d in (4, 6, 8))
        print(f"{n:>7} {r:>2} {p:>2} {row['median_s']:>9.3f} {row['peak_mib']:>9.1f}   {spans}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"cores": cores, "rows": rows}, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
