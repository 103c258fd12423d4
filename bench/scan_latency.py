"""Scan latency on a busy gate: a benchmark, not a test.

Builds a database of 10,000 households and 1,000,000 past events (about three months of
a large compound), then decides and durably records 2,000 scans through the checkpoint
service, exactly as the gate screen does. Measured in the same run, on the same disk: the
median of a bare fsync'd single-row SQLite insert (WAL, synchronous=FULL), the floor that
any durable scan must pay. Prints medians, p99, the ratio to the floor and peak memory.

    .venv/bin/python bench/scan_latency.py [--households 10000] [--events 1000000]
        [--scans 2000] [--dir DIR]

Targets (issue 2): p99 under 15 ms, median within 3x of the bare insert, peak memory
under 200 MB.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data import walguard  # noqa: E402 (after the path set-up above)
from data.store import connect, utc_text  # noqa: E402 (after the path set-up above)
from kiosk.app import init_community  # noqa: E402
from kiosk.chain import sign  # noqa: E402
from kiosk.checkpoint import time_ordered_uuid  # noqa: E402
from kiosk.clock import FixedClock  # noqa: E402
from kiosk.serial import ALPHABET, check_char, format_serial  # noqa: E402

START = dt.datetime(2026, 2, 10, 0, 0, tzinfo=dt.UTC)


def serial_for(n: int) -> str:
    body = "".join(ALPHABET[(n >> (5 * i)) & 31] for i in range(6))
    return format_serial(body + check_char(body))


def populate(path: Path, households: int, events: int, clock: FixedClock):
    """The community, its cards, and `events` past events, loaded in bulk."""
    gate = init_community(path, "压测小区", start_date=START.date(), clock=clock)
    gate.store.set_setting("life.exits_per_window", "1000")  # keep most bench scans allowed
    db = gate.store.db
    device = gate.store.community().device_id
    cards = []
    with gate.store._write():
        for n in range(households):
            hid = "H" + serial_for(n).replace("-", "")[:6]
            db.execute("INSERT INTO households (id, building, unit, room, members, created_utc)"
                       " VALUES (?, ?, ?, ?, 3, ?)",
                       [hid, str(n // 200 + 1), str(n // 50 % 4 + 1), str(n % 50 + 101), utc_text(START)])
            cards.append((serial_for(n), hid))
        db.conn.executemany(
            "INSERT INTO cards (serial, household_id, kind, generation, valid_from, valid_to, status,"
            " updated_utc) VALUES (?, ?, 'life', 1, '2026-01-01', '2026-12-31', 'active', ?)",
            [(s, h, utc_text(START)) for s, h in cards])
    rng = random.Random(20260210)
    span = 90 * 86400  # three months of history before the bench day

    def rows():
        for seq in range(1, events + 1):
            serial, hid = cards[rng.randrange(households)]
            at = START - dt.timedelta(seconds=span) + dt.timedelta(seconds=seq * span / events)
            direction = "out" if seq % 2 else "in"
            yield (time_ordered_uuid(at), device, seq, utc_text(at),
                   at.isoformat(), at.date().isoformat(), direction, "allow", "ok", serial, 1, hid,
                   "life", 36.5, "x" * 64, "y" * 64)

    with gate.store._write():
        db.conn.executemany(
            "INSERT INTO events (id, device_id, device_seq, at_utc, at_local, local_date, direction,"
            " decision, reason, serial, generation, household_id, kind, temp_first, prev_hash,"
            " chain_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
    db.execute("ANALYZE")
    return gate, cards


def bare_insert_ms(path: Path, count: int) -> list[float]:
    """A one-row insert and commit, fsync'd: what any durable write costs on this disk."""
    conn = connect(path)
    conn.execute("CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, v TEXT)")
    times = []
    for n in range(count):
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO floor (v) VALUES (?)", [str(n)])
        conn.execute("COMMIT")
        times.append((time.perf_counter() - t0) * 1000)
    conn.close()
    return times


def signing_us(gate, count: int) -> list[float]:
    """What SqliteStore.record adds per scan: the device key's Ed25519 signature of the chain hash."""
    digests = [f"{n:064x}" for n in range(count)]
    times = []
    for digest in digests:
        t0 = time.perf_counter()
        sign(gate.store.signer, digest)
        times.append((time.perf_counter() - t0) * 1e6)
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--scans", type=int, default=2_000)
    parser.add_argument("--dir", type=Path, help="where to build the database (default: a temp dir)")
    args = parser.parse_args()
    workdir = Path(args.dir or tempfile.mkdtemp(prefix="gatepost-bench-"))
    clock = FixedClock(START + dt.timedelta(hours=1))

    t0 = time.perf_counter()
    gate, cards = populate(workdir / "gate.db", args.households, args.events, clock)
    print(f"built {args.households:,} households, {args.events:,} events in "
          f"{time.perf_counter() - t0:.1f} s ({workdir})")

    office = gate.office()
    rng = random.Random(7)
    chosen = rng.sample(cards, min(len(cards), args.scans // 2))
    payloads = {serial: office.payload(gate.store.card(serial)) for serial, _ in chosen}
    state: dict[str, str] = {}
    scan_ms, decisions = [], {}
    for n in range(args.scans):
        serial = chosen[n % len(chosen)][0]
        direction = "in" if state.get(serial) == "out" else "out"
        clock.advance(seconds=15)
        t0 = time.perf_counter()
        verdict = gate.service.scan(payloads[serial], direction, "36.5" if direction == "in" else None)
        scan_ms.append((time.perf_counter() - t0) * 1000)
        decisions[verdict.reason] = decisions.get(verdict.reason, 0) + 1
        if verdict.allowed:
            state[serial] = direction
    floor_ms = bare_insert_ms(workdir / "floor.db", args.scans)
    # The lost-WAL check every commit runs (data/walguard.py): two stat calls.
    guard_us = []
    for _ in range(10_000):
        t0 = time.perf_counter()
        walguard.identities(gate.store.path)
        guard_us.append((time.perf_counter() - t0) * 1e6)
    sign_us = signing_us(gate, args.scans)
    gate.close()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    median, floor = statistics.median(scan_ms), statistics.median(floor_ms)
    print(f"scans: {args.scans:,}  decisions: {decisions}")
    print(f"scan through the checkpoint service: median {median:.2f} ms, "
          f"p95 {percentile(scan_ms, 0.95):.2f} ms, p99 {percentile(scan_ms, 0.99):.2f} ms")
    print(f"bare fsync'd single-row insert:     median {floor:.2f} ms, "
          f"p99 {percentile(floor_ms, 0.99):.2f} ms")
    print(f"device key signature per scan (issue 13): median {statistics.median(sign_us):.0f} us, "
          f"p99 {percentile(sign_us, 0.99):.0f} us   (inside the scan figures above)")
    print(f"ratio scan/insert (medians): {median / floor:.2f}x   (target: within 3x)")
    guard = statistics.median(guard_us)
    print(f"lost-WAL check per commit: median {guard:.1f} µs, p99 {percentile(guard_us, 0.99):.1f} µs"
          f" ({guard / 10 / median:.2f}% of a scan's median)")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB   (target: under 200 MB)")
    print(f"targets: p99 < 15 ms: {'met' if percentile(scan_ms, 0.99) < 15 else 'NOT met'}; "
          f"median <= 3x floor: {'met' if median <= 3 * floor else 'NOT met'}; "
          f"memory < 200 MB: {'met' if peak_mb < 200 else 'NOT met'}")


if __name__ == "__main__":
    main()
