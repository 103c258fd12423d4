"""The gate at 10,000 and at 1,000,000 events (issue 14): a benchmark, not a test.

For each size: builds a gate database of real chained, signed events (the store's own
row layout, `kiosk.chain.event_hash` and the device key's signature for every event, in
bulk; `verify-log` passes on it), then measures, each beside a floor taken in the same run:

- a scan through the checkpoint service on the gate lane's connection (no auto-checkpoint;
  a passive checkpoint from a second connection every 100 scans, as the maintenance lane
  does), each followed by a bare fsync'd insert into another file (the floor, so both
  see the same load): cards going out and back in (half the scans a card's first of the
  day), then first scans only; and the same with SQLite's auto-checkpoint (before);
- a scan and the status bar's refresh after it (status, sync state, retest queue: the gate
  lane's work per verdict) with no office configured, so every event is unsynced;
- the status counts now, and the COUNT(*)s they replaced (before);
- `kiosk status --json` as a process, against `sqlite3` running the same counts;
- start-up (`start_gate_process`: what runs before the first window), the daily backup
  on its own thread, and the longest scan while that backup copies;
- `verify-log` (here it proves the built log is sound).

    .venv/bin/python bench/scale.py [--events 10000,1000000] [--households 10000]
        [--scans 2000] [--dir DIR]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scan_latency import percentile, serial_for  # noqa: E402 (after the path set-up)
from bench.verify_log import READ_ROWS  # noqa: E402
from data.store import _INSERT_EVENT, STATUS_SQL, connect, utc_text  # noqa: E402
from kiosk.app import (  # noqa: E402
    backup_in_background,
    checkpoint_in_background,
    init_community,
    start_gate_process,
)
from kiosk.chain import GENESIS, event_hash, sign  # noqa: E402
from kiosk.checkpoint import time_ordered_uuid  # noqa: E402
from kiosk.clock import FixedClock  # noqa: E402
from ui.tasks import lower_thread_priority  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 20)
DAY_START = dt.datetime(2026, 11, 20, 8, 0, tzinfo=TZ)  # the history runs up to 08:00 of the bench day
SPAN_DAYS = 365
CHUNK = 20_000


def build(path: Path, households: int, events: int, clock: FixedClock, packed: bool = False):
    """The community, its cards and `events` past events: every one hashed and signed."""
    gate = init_community(path, "压测小区", start_date=DAY_START.date() - dt.timedelta(days=SPAN_DAYS),
                          clock=clock)
    store = gate.store
    store.set_setting("life.exits_per_window", "1000")  # keep most bench scans allowed
    conn = store.db.conn
    device = store.community().device_id
    cards = []
    with store._write():
        for n in range(households):
            hid = "H" + serial_for(n).replace("-", "")[:6]
            conn.execute("INSERT INTO households (id, building, unit, room, members, created_utc)"
                         " VALUES (?, ?, ?, ?, 3, ?)",
                         [hid, str(n // 200 + 1), str(n // 50 % 4 + 1), str(n % 50 + 101),
                          utc_text(DAY_START)])
            cards.append((serial_for(n), hid))
        conn.executemany(
            "INSERT INTO cards (serial, household_id, kind, generation, valid_from, valid_to, status,"
            " updated_utc, lineage) VALUES (?, ?, 'life', 1, '2025-01-01', '2027-12-31', 'active', ?, ?)",
            [(s, h, utc_text(DAY_START), s) for s, h in cards])
    # By default the event indexes grow as the rows come in, as on a gate that scanned for
    # a year: their pages end up about two-thirds full, so a scan's insert seldom splits
    # one. `packed` makes them again after the load (one sort each, a faster build), but
    # packs every page full, and then nearly every scan's insert splits a page in two
    # indexes (20-28 pages written per commit instead of 11): not what a gate meets.
    made = [] if not packed else conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
        " AND tbl_name = 'events' AND sql IS NOT NULL").fetchall()
    for name, _sql in made:
        conn.execute(f"DROP INDEX {name}")
    indexes = [sql for _name, sql in made]
    rng = random.Random(20261120)
    start = DAY_START - dt.timedelta(days=SPAN_DAYS)
    step = dt.timedelta(days=SPAN_DAYS) / events
    out: dict[str, bool] = {}
    prev = GENESIS
    signer = store.signer
    for first in range(1, events + 1, CHUNK):
        rows = []
        for seq in range(first, min(events, first + CHUNK - 1) + 1):
            serial, hid = cards[rng.randrange(households)]
            at = start + step * seq
            local = at.astimezone(TZ)
            direction = "in" if out.get(serial) else "out"
            denied = seq % 25 == 0  # a slip now and then: a missing reading
            if denied:
                direction, decision, reason, temp = "in", "deny", "temperature_required", None
            else:
                decision, reason = "allow", "ok"
                temp = 36.5 if direction == "in" else None
                out[serial] = direction == "out"
            row = {"id": time_ordered_uuid(at), "device_id": device, "device_seq": seq,
                   "at_utc": utc_text(at), "at_local": local.isoformat(timespec="seconds"),
                   "local_date": local.date().isoformat(), "direction": direction,
                   "decision": decision, "reason": reason, "warnings": "[]", "serial": serial,
                   "generation": 1, "household_id": hid, "kind": "life", "temp_first": temp,
                   "temp_second": None, "exit_reason": None, "operator": "bench",
                   "override_of": None, "override_reason": None, "payload_digest": None,
                   "verdict": None, "mask": None, "source": None, "prev_hash": prev}
            row["chain_hash"] = prev = event_hash(prev, row)
            row["signature"] = sign(signer, prev)
            rows.append(row)
        with store._write():
            conn.executemany(_INSERT_EVENT, rows)
    with store._write():
        for sql in indexes:
            conn.execute(sql)
        # each card's last allowed passage, as the scans left it
        conn.execute("INSERT INTO passages (serial, direction, at_utc, event_id)"
                     " SELECT serial, direction, at_utc, id FROM events WHERE seq IN"
                     " (SELECT MAX(seq) FROM events WHERE decision = 'allow' GROUP BY serial)")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.forget_cache()
    return gate, cards


def old_status(store, day: dt.date) -> dict[str, int]:
    """The counts as they were read before issue 14: the unsynced ones by COUNT(*) over the rows."""
    one = lambda sql, *p: store.db.execute(sql, p).fetchone()[0]  # noqa: E731 (local helper)
    acked = one("SELECT MAX(acked_seq) FROM sync_targets") or 0
    return {
        "scans_today": one("SELECT COUNT(*) FROM events WHERE local_date = ?", day.isoformat()),
        "out_now": one("SELECT COUNT(*) FROM passages NOT INDEXED WHERE direction = 'out'"),
        "exits_today": one("SELECT COUNT(*) FROM events INDEXED BY events_day_household WHERE"
                           " local_date = ? AND decision = 'allow' AND direction = 'out'", day.isoformat()),
        "fevers_today": one("SELECT COUNT(*) FROM incidents WHERE local_date = ?"
                            " AND kind = 'fever_confirmed'", day.isoformat()),
        "unsynced": one("SELECT COUNT(*) FROM events WHERE seq > ? AND +device_id = ?", acked,
                        store.community().device_id),
    }


def timed(fn, *args) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = fn(*args)
    return (time.perf_counter() - t0) * 1000, result


class Scanner:
    """Scans the bench cards in turn, out and back in, each 15 s after the last."""

    def __init__(self, gate, cards, clock: FixedClock, count: int):
        office = gate.office()
        chosen = random.Random(7).sample(cards, min(len(cards), count))
        self.gate, self.clock = gate, clock
        self.payloads = [(serial, office.payload(gate.store.card(serial))) for serial, _ in chosen]
        self.out = {serial: (p := gate.store.last_passage(serial)) is not None and p.direction.value == "out"
                    for serial, _ in self.payloads}
        self.n = 0

    def scan(self, gate=None):
        gate = gate or self.gate
        serial, payload = self.payloads[self.n % len(self.payloads)]
        self.n += 1
        self.clock.advance(seconds=15)
        direction = "in" if self.out[serial] else "out"
        verdict = gate.service.scan(payload, direction, "36.5" if direction == "in" else None)
        if verdict.allowed:
            self.out[serial] = direction == "out"
        return verdict


def refresh(gate) -> None:
    """The gate lane's refresh after a verdict (ui/gateclient.py GateClient.refresh)."""
    gate.status()
    gate.sync_summary()
    queue = gate.service.retest_queue()
    for event in queue:
        if event.household_id:
            gate.store.household(event.household_id)


def process_ms(argv: list[str], env: dict[str, str], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def bench_cards(households: int) -> list[tuple[str, str]]:
    """The (serial, household) pairs `build` made: the same names, so a kept database is reused."""
    return [(serial_for(n), "H" + serial_for(n).replace("-", "")[:6]) for n in range(households)]


def measure(workdir: Path, households: int, events: int, scans: int,
            reuse: Path | None = None) -> dict[str, str]:
    """The figures for one size. With `reuse` (a folder holding a database `build` made, with
    its key files: `--keep`), a copy of it instead of building again."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "gate.db"
    clock = FixedClock(DAY_START.astimezone(dt.UTC))
    t0 = time.perf_counter()
    if reuse is not None:
        for source in reuse.iterdir():  # a closed database: its WAL is folded in, a copy is whole
            if source.name.startswith("gate.db") and not source.name.endswith(".checked"):
                shutil.copy(source, workdir / source.name)
        os.sync()  # else the kernel writes the copy out half a minute later, amid the figures
        cards = bench_cards(households)
        build_s = None
    else:
        gate, cards = build(path, households, events, clock)
        build_s = time.perf_counter() - t0
        gate.close()
    size_mb = path.stat().st_size / 1e6
    figures: dict[str, str] = {"events": f"{events:,}", "build": (
        f"{build_s:.0f} s ({size_mb:.0f} MB)" if build_s is not None else f"reused ({size_mb:.0f} MB)")}

    start_ms, process = timed(start_gate_process, path, "zh", clock)
    figures["start-up (start_gate_process, before the first window)"] = f"{start_ms:.0f} ms"
    lane = process.open_gate_lane()
    # Half as many cards as scans: each goes out and comes back in within the run, as at a
    # gate, so half the scans are a card's first of the day (its code's signature checked,
    # its flat read) and half its second (both kept since). The other half of the bench's
    # cards are scanned once each: first scans only, the dearest case.
    half = len(cards) // 2
    scanner = Scanner(lane, cards[:half], clock, max(1, scans // 2))
    first_scans = Scanner(lane, cards[half:], clock, scans)
    lane.store.forget_cache()  # the scanners read the cards to make their codes: a cold start
    for _ in range(20):  # warm: the pages of the indexes
        scanner.scan()
    floor_conn = connect(workdir / "floor.db")
    floor_conn.execute("CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, v TEXT)")

    def floor_insert() -> None:
        """A bare fsync'd one-row insert: what any durable write costs on this disk."""
        floor_conn.execute("BEGIN IMMEDIATE")
        floor_conn.execute("INSERT INTO floor (v) VALUES ('x')")
        floor_conn.execute("COMMIT")

    def beside_the_floor(scan) -> tuple[list[float], list[float]]:
        """Each scan, then a floor insert right after it: the two see the same load."""
        scan_ms, floor_ms = [], []
        for n in range(scans):
            scan_ms.append(timed(scan)[0])
            floor_ms.append(timed(floor_insert)[0])
            if n % 100 == 99:
                checkpoint_in_background(path)  # the maintenance lane's, not timed: off the gate lane
        return scan_ms, floor_ms

    scan_ms, floor = beside_the_floor(scanner.scan)
    first_ms, first_floor = beside_the_floor(first_scans.scan)
    floor_conn.close()
    with_refresh = []
    for _ in range(scans // 4):
        ms, _ = timed(lambda: (scanner.scan(), refresh(lane)))
        with_refresh.append(ms)
    auto = process.open_worker()  # SQLite's auto-checkpoint inside the commits (before)
    auto_ms = [timed(scanner.scan, auto)[0] for _ in range(scans)]
    auto.close()
    fm, sm = statistics.median(floor), statistics.median(scan_ms)
    figures["bare fsync'd insert (floor) median / p99"] = f"{fm:.2f} / {percentile(floor, 0.99):.2f} ms"
    figures["scan median / p99 (gate lane, no auto-checkpoint)"] = (
        f"{sm:.2f} / {percentile(scan_ms, 0.99):.2f} ms ({sm / fm:.2f}x floor)")
    first, first_fm = statistics.median(first_ms), statistics.median(first_floor)
    figures["scan median / p99, first scans of cards only"] = (
        f"{first:.2f} / {percentile(first_ms, 0.99):.2f} ms ({first / first_fm:.2f}x its floor,"
        f" {first_fm:.2f} ms)")
    am = statistics.median(auto_ms)
    figures["scan median / p99 with auto-checkpoint (before)"] = (
        f"{am:.2f} / {percentile(auto_ms, 0.99):.2f} ms ({am / fm:.1f}x floor)")
    figures["scan + status refresh, no office, median / p95"] = (
        f"{statistics.median(with_refresh):.2f} / {percentile(with_refresh, 0.95):.2f} ms")

    today = TODAY
    new = [timed(lane.status, today)[0] for _ in range(50)]
    old = [timed(old_status, lane.store, today)[0] for _ in range(5)]
    counts = lane.status(today)  # it grew counts since (slips, denials, outsiders): the old ones compared
    assert all(counts[k] == v for k, v in old_status(lane.store, today).items()), "the counts disagree"
    figures["status counts (in process), now / before"] = (
        f"{statistics.median(new):.2f} ms / {statistics.median(old):.1f} ms")

    # The daily backup on its own thread while the gate lane scans beside it.
    done = threading.Event()
    result: dict[str, object] = {}

    def backup_job() -> None:
        lower_thread_priority()  # as on the screen's maintenance lane (ui/tasks.py)
        ms, findings = timed(backup_in_background, path, today)
        result.update(ms=ms, findings=findings)
        done.set()

    worker = threading.Thread(target=backup_job)
    worker.start()
    during = []
    while not done.is_set():
        during.append(timed(scanner.scan)[0])
    worker.join()
    assert result["findings"] == [], result["findings"]
    figures["daily backup (own thread and connection)"] = f"{result['ms'] / 1000:.1f} s"
    figures["scans during the backup: count, median, longest"] = (
        f"{len(during)}, {statistics.median(during):.2f} ms, {max(during):.2f} ms")
    lane.close()

    gate = process.open_worker()
    env = {**os.environ, "KIOSK_BACKUP_DIR": str(workdir / "backups")}  # today's is made: not again
    kiosk = [sys.executable, "-m", "kiosk.cli", "--db", str(path), "status", "--json"]
    device = gate.store.community().device_id
    counts = ";\n".join(sql.replace("?", f"'{today.isoformat()}'") for sql in STATUS_SQL.values())
    counts += (f";\nSELECT MAX(device_seq) FROM events WHERE device_id = '{device}';"
               f"\nSELECT MIN(device_seq) FROM events WHERE device_id = '{device}';")
    floor_ms = process_ms(["sqlite3", str(path), counts], env)
    first = process_cost(kiosk, env, runs=1)  # the day's first command: backup, whole-file check
    figures["`kiosk status --json` process, first of the day (backup, whole-file check)"] = (
        f"{first[0]:.0f} ms")
    figures["`kiosk status --json` process / sqlite3 same counts"] = (
        f"{process_ms(kiosk, env):.0f} ms / {floor_ms:.0f} ms")
    payload = Scanner(gate, cards, clock, 1).payloads[0][1]
    gate.close()
    scan_cli = [sys.executable, "-m", "kiosk.cli", "--db", str(path), "scan", payload,
                "--direction", "in", "--temp", "36.5", "--at", DAY_START.isoformat()]
    bare = process_cost([sys.executable, "-c", "pass"], env)
    wall, cpu = process_cost(scan_cli, env, check=False)
    figures["`kiosk scan` process wall / CPU (`python -c pass`)"] = (
        f"{wall:.0f} / {cpu:.0f} ms ({bare[0]:.0f} / {bare[1]:.0f} ms)")
    verify = [sys.executable, "-m", "kiosk.cli", "--db", str(path), "verify-log", "--json"]
    wall, cpu = process_cost(verify, env, runs=1)
    figures["`kiosk verify-log` process wall / CPU (workers included)"] = (
        f"{wall / 1000:.1f} / {cpu / 1000:.1f} s")
    floor = process_cost([sys.executable, "-c", READ_ROWS, str(path)], env, runs=1)
    figures["reading the same rows in Python (verify-log's floor)"] = f"{floor[0] / 1000:.1f} s"
    return figures


def process_cost(argv: list[str], env: dict[str, str], runs: int = 5,
                 check: bool = True) -> tuple[float, float]:
    """Median wall ms and CPU ms (user + system, its children included) of a process."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True)
        walls.append((time.perf_counter() - t0) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000)
        if check and done.returncode != 0:
            raise SystemExit(f"{argv[:5]} failed: {done.stderr.decode()[-1000:]}")
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", default="10000,1000000", help="sizes, comma-separated")
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--scans", type=int, default=2_000)
    parser.add_argument("--dir", type=Path, help="where to build the databases (default: a temp dir)")
    parser.add_argument("--reuse", type=Path, help="a folder of databases built before (eSIZE/gate.db)")
    args = parser.parse_args()
    runs = run(args.events, args.households, args.scans, args.dir, args.reuse)
    print_table(runs)


def run(events: str, households: int, scans: int, where: Path | None, reuse: Path | None) -> list[dict]:
    base = Path(where or tempfile.mkdtemp(prefix="gatepost-scale-"))
    runs = []
    for size in (int(s) for s in events.split(",")):
        kept = reuse / f"e{size}" if reuse is not None and (reuse / f"e{size}" / "gate.db").exists() else None
        runs.append(measure(base / f"e{size}", households, size, scans, kept))
        runs[-1]["load average (1 min) after"] = f"{os.getloadavg()[0]:.1f}"
        print(json.dumps(runs[-1], ensure_ascii=False, indent=1), flush=True)
    print(f"# databases in {base}", flush=True)
    return runs


def print_table(runs: list[dict]) -> None:
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| figure | " + " | ".join(r["events"] + " events" for r in runs) + " |")
    print("|---|" + "---|" * len(runs))
    for key in runs[0]:
        if key != "events":
            print(f"| {key} | " + " | ".join(r[key] for r in runs) + " |")


if __name__ == "__main__":
    main()
