"""How fast does a gate's backlog reach the office, against the floor of a plain bulk load?

    .venv/bin/python bench/sync.py [--events 100000] [--pg URL]

Builds a gate holding N events (a real hash chain), then pushes them with `sync_once` to a
fresh SQLite office file and to a fresh PostgreSQL schema, and in the same run loads the
same rows the plainest way each database offers: `executemany` in one transaction
(SQLite) and `COPY` (PostgreSQL), into an identical events table. Without --pg a
throwaway server is started on loopback (scripts/pg_temp.py) with fsync on, as an office
runs. Prints one JSON line per target; docs/performance.md keeps the figures.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from data.office import EVENT_COLUMNS, open_office  # noqa: E402 (after the path set-up above)
from data.sync import sync_once  # noqa: E402
from kiosk.app import init_community  # noqa: E402
from kiosk.chain import GENESIS, event_hash, sign  # noqa: E402
from kiosk.clock import FixedClock  # noqa: E402

START = dt.datetime(2026, 2, 10, 0, 0, tzinfo=dt.UTC)


def make_gate(path: Path, count: int):
    """A gate database with `count` plausible events of its own device, chained."""
    clock = FixedClock(START)
    gate = init_community(path, "基准小区", start_date=START.date(), clock=clock)
    device = gate.store.community().device_id
    rows, previous = [], GENESIS
    for seq in range(1, count + 1):
        at = START + dt.timedelta(seconds=seq * 7)
        out = seq % 2 == 1
        row = {
            "id": str(uuid.uuid4()), "device_id": device, "device_seq": seq,
            "at_utc": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "at_local": (at + dt.timedelta(hours=8)).replace(tzinfo=None).isoformat() + "+08:00",
            "local_date": (at + dt.timedelta(hours=8)).date().isoformat(),
            "direction": "out" if out else "in", "decision": "allow", "reason": "ok",
            "warnings": "[]", "serial": f"{seq % 5000:04d}-ABC", "generation": 1,
            "household_id": f"H{seq % 3000:06d}", "kind": "life", "temp_first": 36.5,
            "temp_second": None, "exit_reason": None, "operator": "值班员",
            "override_of": None, "override_reason": None, "payload_digest": "0" * 64,
            "verdict": json.dumps({"decision": "allow", "reason": "ok", "message": "放行"},
                                  ensure_ascii=False),
        }
        row["prev_hash"] = previous
        row["chain_hash"] = previous = event_hash(previous, row)
        row["signature"] = sign(gate.store.signer, row["chain_hash"])  # as SqliteStore.record does
        rows.append(tuple(row.get(c) for c in EVENT_COLUMNS))  # mask, source: none (a CLI scan's)
    conn = gate.store.db.conn
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)})"
                     f" VALUES ({', '.join('?' * len(EVENT_COLUMNS))})", rows)
    conn.execute("COMMIT")
    return gate, clock, rows


def floor_sqlite(url: str, rows: list[tuple]) -> float:
    office = open_office(url, create=True)
    marks = ", ".join("?" * (len(EVENT_COLUMNS) + 1))
    started = time.perf_counter()
    with office.transaction():
        office.conn.executemany(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}, received_utc)"
                                f" VALUES ({marks})", [(*r, "2026-02-10T00:00:00.000000Z") for r in rows])
    elapsed = time.perf_counter() - started
    office.close()
    return elapsed


def floor_postgres(url: str, rows: list[tuple]) -> float:
    office = open_office(url, create=True)
    started = time.perf_counter()
    with office.transaction(), office.conn.cursor() as cursor:
        with cursor.copy(f"COPY events ({', '.join(EVENT_COLUMNS)}, received_utc) FROM STDIN") as copy:
            for r in rows:
                copy.write_row((*r, "2026-02-10T00:00:00.000000Z"))
    elapsed = time.perf_counter() - started
    office.close()
    return elapsed


def pg_schema(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        conn.execute(f"CREATE SCHEMA {name}")
    return f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{name}"


def measure(target: str, gate, clock, rows, sync_url: str, floor_url: str, floor) -> dict:
    started = time.perf_counter()
    report = sync_once(gate, sync_url, clock)
    pushed_s = time.perf_counter() - started
    assert report.pushed == len(rows), report
    floor_s = floor(floor_url, rows)
    return {"target": target, "events": len(rows), "sync_s": round(pushed_s, 2),
            "events_per_s": round(len(rows) / pushed_s), "floor_s": round(floor_s, 2),
            "floor_events_per_s": round(len(rows) / floor_s), "ratio": round(pushed_s / floor_s, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--pg", help="a PostgreSQL URL to use instead of a throwaway server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gatepost-bench-") as scratch:
        work = Path(scratch)
        made = time.perf_counter()
        gate, clock, rows = make_gate(work / "gate.db", args.events)
        print(f"# gate with {args.events} events built in {time.perf_counter() - made:.1f} s",
              file=sys.stderr)
        (work / "office").mkdir()
        print(json.dumps(measure("sqlite", gate, clock, rows, f"sqlite:///{work}/office/office.db",
                                 f"sqlite:///{work}/office/floor.db", floor_sqlite)), flush=True)
        import pg_temp

        server = None if args.pg else pg_temp.TempPostgres(durable=True)
        url = args.pg or server.start()
        try:
            print(json.dumps(measure("postgresql", gate, clock, rows, pg_schema(url, "bench_sync"),
                                     pg_schema(url, "bench_floor"), floor_postgres)), flush=True)
        finally:
            if server is not None:
                server.stop()
        gate.close()


if __name__ == "__main__":
    main()
