"""How fast does a gate's backlog reach the office, against the floor of a plain bulk load?

    .venv/bin/python bench/sync.py [--events 100000 | --from DIR [--from DIR ...]]
        [--tail 100000] [--work DIR] [--targets sqlite,postgresql] [--pg URL]

The gate is either built here (`--events N`: bench/scale.py's `build`, real chained,
signed events) or a copy of one built before (`--from DIR`: a folder holding gate.db and
its key files, e.g. a 1,000,000-event gate; the folder itself is never opened). For each
gate and target (a fresh SQLite office file; a fresh schema of PostgreSQL, a throwaway
server on loopback with fsync on unless --pg gives one) it measures:

- `all`: every event, the office's first sync of that gate (the office is founded by it);
- `tail` (with --tail N up to the gate's size): the last N events after a long offline
  spell, the earlier ones acknowledged as a real sync leaves them (the gate's outbox row
  with its acknowledged seq, office and roster cursor; the office's device row with its
  head and key), the office founded beforehand and holding none of them. With N = the
  size, nothing is acknowledged: the same work as a longer log's tail, to compare with;
- after each, the next sync, with nothing new: what each later sync costs at that office.

Each sync runs in a process of its own (`sync_once` on the database's path, as the GUI's
worker does), which reports its time, its progress calls, and its own peak memory (VmHWM,
before the sync and at its end: with a SQLite office, the office's connection is in that
process too). The floor, in the same run, is the same rows loaded the plainest way into
an identical events table: one `executemany` in one transaction (SQLite), `COPY`
(PostgreSQL), streamed from the gate's file by a plain sqlite3 cursor (the reading is in
the floor too). Nothing here holds the rows: the bench's own peak is printed at the end.
The built gates hold one device's events, seq = device_seq (bench/scale.py). One JSON
line per measurement, then a table; docs/performance.md keeps the figures.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from data.office import EVENT_COLUMNS, open_office, target_name, utc_now_text  # noqa: E402 (after the path set-up)
from data.store import SqliteStore  # noqa: E402
from data.sync import _seed_office  # noqa: E402  (the office a first sync founds)
from kiosk.chain import GENESIS  # noqa: E402

RECEIVED = "2026-11-20T00:00:00.000000Z"


def hwm_mb() -> float:
    """This process's own peak resident memory, MB (VmHWM; ru_maxrss where there is no /proc)."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# The sync in a process of its own: its peak memory is the sync's, not the bench's.
_CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from bench.sync import hwm_mb
from data.sync import sync_once
import data.office{pg_import}

calls = []
def progress(stage, done, total):
    calls.append((stage, done, total, time.perf_counter()))

base = hwm_mb()
started = time.perf_counter()
report = sync_once({db!r}, {url!r}, progress=progress)
seconds = time.perf_counter() - started
push = [(c[1], c[3]) for c in calls if c[0] == "push"]  # from the first batch's end: no founding

def tenths():  # µs per event over the push's first and its last tenth of batches (0: too few)
    if len(push) < 2:
        return 0.0, 0.0
    step = max(1, (len(push) - 1) // 10)
    def rate(a, b):
        return (b[1] - a[1]) / (b[0] - a[0]) * 1e6
    return rate(push[0], push[step]), rate(push[-1 - step], push[-1])

first_tenth, last_tenth = tenths()
print(json.dumps({{"seconds": seconds, "pushed": report.pushed, "issues": len(report.issues),
                  "base_mb": base, "peak_mb": hwm_mb(), "progress_calls": len(push),
                  "progress_last": calls[-1][1:3] if calls else None,
                  "first_tenth_us": first_tenth, "last_tenth_us": last_tenth}}))
"""


def sync_in_child(db: Path, url: str) -> dict:
    code = _CHILD.format(root=str(ROOT), db=str(db), url=url,
                         pg_import=", psycopg" if url.startswith("postgresql") else "")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the sync failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def copy_gate(source: Path, work: Path) -> Path:
    """The gate's database and key files, copied (never the `.checked` marker)."""
    work.mkdir(parents=True, exist_ok=True)
    for old in work.glob("gate.db*"):
        old.unlink()
    for path in source.iterdir():
        if path.name.startswith("gate.db") and not path.name.endswith(".checked"):
            shutil.copy(path, work / path.name)
    return work / "gate.db"


def gate_size(db: Path) -> tuple[str, int]:
    """The gate's device id and how many events it holds: its own, numbered from 1, with
    seq = device_seq (as bench/scale.py builds them; the floor and the tail rely on it)."""
    with sqlite3.connect(db) as conn:
        device = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0]
        first, last, count = conn.execute("SELECT MIN(seq), MAX(seq), COUNT(*) FROM events").fetchone()
        own = conn.execute("SELECT MIN(device_seq), MAX(device_seq) FROM events WHERE device_id = ?",
                           [device]).fetchone()
    if (first, last) != (1, count) or own != (1, count):
        raise SystemExit(f"{db}: not a gate holding only its own events numbered 1..{count}")
    return device, int(count)


def reset_outbox(db: Path) -> None:
    """The gate as it was before any sync: no outbox rows (what a sync writes on the gate)."""
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM sync_targets")
    conn.commit()
    conn.close()


def acknowledge_before(db: Path, url: str, device: str, acked_device_seq: int) -> None:
    """A fresh office and a gate left as a sync that pushed events 1..acked_device_seq
    leaves them: the office founded from the gate's roster, the device's head at that
    event (hash and key learnt), the gate's outbox acknowledging that event's seq with
    the office's identity and roster version. The office holds none of those events."""
    store = SqliteStore(db)
    office = open_office(url, create=True)
    try:
        seq, head_hash = store.db.conn.execute(
            "SELECT seq, chain_hash FROM events WHERE device_id = ? AND device_seq = ?",
            [device, acked_device_seq]).fetchone() or (0, GENESIS)  # 0: founded, nothing sent
        key = store.own_device_key()
        stamp = utc_now_text(dt.datetime.now(dt.UTC))
        with office.transaction():
            _seed_office(office, store, dt.datetime.now(dt.UTC))
            office.add_device(device)
            if key is not None and key[0]:
                office.learn_device_key(device, key[0], int(key[1]))
            office.move_head(device, acked_device_seq, head_hash, stamp)
        name = target_name(url)
        store.start_outbox(name, office.office_id())
        store.ack_target(name, seq)
        with store._write():
            store.db.conn.execute("UPDATE sync_targets SET roster_cursor = ?, last_success_utc = ?"
                                  " WHERE target = ?", [office.roster_version(), stamp, name])
    finally:
        office.close()
        store.close()


def gate_rows(db: Path, after_device_seq: int):
    """(conn, cursor) over the gate's events after that device number, office layout,
    streamed along seq (in the built gates, seq is the device number: gate_size)."""
    conn = sqlite3.connect(db)
    cursor = conn.execute(f"SELECT {', '.join(EVENT_COLUMNS)}, ? FROM events"
                          " WHERE seq > ? ORDER BY seq", [RECEIVED, after_device_seq])
    return conn, cursor


def floor_sqlite(url: str, db: Path, after: int) -> float:
    office = open_office(url, create=True)
    conn, rows = gate_rows(db, after)
    marks = ", ".join("?" * (len(EVENT_COLUMNS) + 1))
    started = time.perf_counter()
    with office.transaction():
        office.conn.executemany(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}, received_utc)"
                                f" VALUES ({marks})", rows)
    elapsed = time.perf_counter() - started
    conn.close()
    office.close()
    return elapsed


def floor_postgres(url: str, db: Path, after: int) -> float:
    office = open_office(url, create=True)
    conn, rows = gate_rows(db, after)
    started = time.perf_counter()
    with office.transaction(), office.conn.cursor() as cursor:
        with cursor.copy(f"COPY events ({', '.join(EVENT_COLUMNS)}, received_utc) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)
    elapsed = time.perf_counter() - started
    conn.close()
    office.close()
    return elapsed


def office_events(url: str) -> int:
    office = open_office(url)
    try:
        return int(office.scalar("SELECT COUNT(*) FROM events"))
    finally:
        office.close()


class Targets:
    """Fresh offices: a SQLite file in the work folder, or a PostgreSQL schema."""

    def __init__(self, work: Path, pg_server: str | None):
        self.work, self.pg_server = work, pg_server

    def fresh(self, kind: str, name: str) -> str:
        if kind == "sqlite":
            path = self.work / "offices" / f"{name}.db"
            path.parent.mkdir(parents=True, exist_ok=True)
            for old in path.parent.glob(f"{name}.db*"):
                old.unlink()
            return f"sqlite:///{path}"
        import psycopg

        assert self.pg_server is not None
        with psycopg.connect(self.pg_server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
            conn.execute(f"CREATE SCHEMA {name}")
        return f"{self.pg_server}{'&' if '?' in self.pg_server else '?'}options=-csearch_path%3D{name}"

    def drop(self, kind: str, name: str) -> None:
        """Disk back between measurements: a 1M-event office is some 700 MB."""
        if kind == "sqlite":
            for old in (self.work / "offices").glob(f"{name}.db*"):
                old.unlink()
            return
        import psycopg

        assert self.pg_server is not None
        with psycopg.connect(self.pg_server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def measure(targets: Targets, kind: str, db: Path, device: str, size: int, case: str,
            tail: int) -> dict:
    reset_outbox(db)
    count = size if case == "all" else tail
    after = size - count  # device numbers of the built gates start at 1
    url = targets.fresh(kind, "bench_sync")
    if case == "tail":
        acknowledge_before(db, url, device, after)
    child = sync_in_child(db, url)
    assert child["pushed"] == count and child["issues"] == 0, child
    assert office_events(url) == count
    again = sync_in_child(db, url)  # the next sync, nothing new: what every later one costs
    assert again["pushed"] == 0, again
    targets.drop(kind, "bench_sync")
    floor_url = targets.fresh(kind, "bench_floor")
    floor_s = (floor_sqlite if kind == "sqlite" else floor_postgres)(floor_url, db, after)
    assert office_events(floor_url) == count
    targets.drop(kind, "bench_floor")
    sync_s = child["seconds"]
    return {"log": size, "case": case, "events": count, "target": kind,
            "sync_s": round(sync_s, 2), "events_per_s": round(count / sync_s),
            "us_per_event": round(sync_s / count * 1e6, 1),
            "floor_s": round(floor_s, 2), "floor_events_per_s": round(count / floor_s),
            "ratio": round(sync_s / floor_s, 2),
            "sync_peak_mb": round(child["peak_mb"]),
            "sync_own_mb": round(child["peak_mb"] - child["base_mb"]),
            "push_us_per_event_first_tenth": round(child["first_tenth_us"], 1),
            "push_us_per_event_last_tenth": round(child["last_tenth_us"], 1),
            "progress_calls": child["progress_calls"], "progress_last": child["progress_last"],
            "next_sync_s": round(again["seconds"], 3),
            "load_1min": round(os.getloadavg()[0], 1)}


def build_gate(work: Path, events: int) -> Path:
    """A gate of `events` real chained, signed events (bench/scale.py's build)."""
    from bench import scale
    from kiosk.clock import FixedClock

    folder = work / f"built-e{events}"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("gate.db*"):
        old.unlink()
    gate, _ = scale.build(folder / "gate.db", 10_000, events,
                          FixedClock(scale.DAY_START.astimezone(dt.UTC)))
    gate.close()
    return folder


def print_table(results: list[dict]) -> None:
    """The figures as docs/performance.md shows them."""
    print("\n| log | events pushed | office | sync | floor | ratio | events/s | µs/event"
          " (first / last tenth) | peak (own) | next sync | load |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        pushed = f"{r['events']:,} " + ("(all, first sync)" if r["case"] == "all" else
                                        "(all, office founded before)" if r["events"] == r["log"] else
                                        "(the last, the rest acknowledged)")
        print(f"| {r['log']:,} | {pushed} | {r['target']} | {r['sync_s']} s | {r['floor_s']} s"
              f" | {r['ratio']}x | {r['events_per_s']:,} | {r['us_per_event']}"
              f" ({r['push_us_per_event_first_tenth']} / {r['push_us_per_event_last_tenth']})"
              f" | {r['sync_peak_mb']} MB ({r['sync_own_mb']} MB) | {r['next_sync_s']} s"
              f" | {r['load_1min']} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="build a gate of this many events")
    parser.add_argument("--from", dest="sources", type=Path, action="append",
                        help="copy this folder's gate.db (and key files) instead of building; repeatable")
    parser.add_argument("--tail", type=int, help="also push only the last N events, the others acknowledged")
    parser.add_argument("--work", type=Path, help="where the copies and offices go (default: a temp dir)")
    parser.add_argument("--targets", default="sqlite,postgresql")
    parser.add_argument("--pg", help="a PostgreSQL URL to use instead of a throwaway server")
    args = parser.parse_args()
    kinds = [k for k in args.targets.split(",") if k]
    work = Path(args.work or tempfile.mkdtemp(prefix="gatepost-bench-sync-"))
    server = None
    if "postgresql" in kinds and not args.pg:
        import pg_temp

        server = pg_temp.TempPostgres(durable=True)
    try:
        pg_url = args.pg or (server.start() if server is not None else None)
        targets = Targets(work, pg_url)
        sources = args.sources or [None]
        results: list[dict] = []
        for source in sources:
            made = time.perf_counter()
            folder = source if source is not None else build_gate(work, args.events)
            db = copy_gate(folder, work / "gate")
            device, size = gate_size(db)
            print(f"# gate of {size} events ready in {time.perf_counter() - made:.1f} s"
                  f" (load average {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)
            cases = ["all"] + (["tail"] if args.tail and args.tail <= size else [])
            for case in cases:
                for kind in kinds:
                    results.append(measure(targets, kind, db, device, size, case, args.tail or 0))
                    print(json.dumps(results[-1]), flush=True)
    finally:
        if server is not None:
            server.stop()
    print_table(results)
    print(f"# the bench's own peak memory {hwm_mb():.0f} MB; load average"
          f" {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; work in {work}", flush=True)


if __name__ == "__main__":
    main()
