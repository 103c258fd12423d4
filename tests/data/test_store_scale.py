"""Issue 14: what the gate reads per scan and per refresh does not grow with
the log, and the roster's caches see another connection's commit at once."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from data.store import SqliteStore, parse_utc, utc_text
from data.sync import enroll, sync_once
from kiosk.app import open_gate
from kiosk.model import CardStatus, is_slip
from tests.community import local, on_disk, resident_world

# Tables a refresh may read whole: one row per sync target, per setting, per key.
SMALL_TABLES = {"sync_targets", "settings", "keys", "meta"}


@pytest.fixture
def world(tmp_path):
    built = resident_world(on_disk(tmp_path / "gate.db"))
    yield built
    built.close()


def kiosk(db: Path, *argv: str) -> subprocess.CompletedProcess:
    """A real `kiosk` command in its own process, beside the open store."""
    return subprocess.run([sys.executable, "-m", "kiosk.cli", "--db", str(db), "--lang", "en", *argv],
                          capture_output=True, text=True, timeout=120)


def counted_the_slow_way(store: SqliteStore, day: dt.date) -> dict[str, int]:
    """The status bar's numbers as COUNT(*)s over the rows: what the indexes must agree with."""
    one = lambda sql, *p: store.db.execute(sql, p).fetchone()[0]  # noqa: E731 (local helper)
    acked = one("SELECT COALESCE(MAX(acked_seq), 0) FROM sync_targets")
    denials = store.db.execute("SELECT reason, source FROM events NOT INDEXED WHERE local_date = ?"
                               " AND decision = 'deny'", (day.isoformat(),)).fetchall()
    return {
        "scans_today": one("SELECT COUNT(*) FROM events NOT INDEXED WHERE local_date = ?", day.isoformat()),
        "out_now": one("SELECT COUNT(*) FROM passages NOT INDEXED WHERE direction = 'out'"),
        "exits_today": one("SELECT COUNT(*) FROM events NOT INDEXED WHERE local_date = ?"
                           " AND decision = 'allow' AND direction = 'out'", day.isoformat()),
        "fevers_today": one("SELECT COUNT(*) FROM incidents NOT INDEXED WHERE local_date = ?"
                            " AND kind = 'fever_confirmed'", day.isoformat()),
        "unsynced": one("SELECT COUNT(*) FROM events NOT INDEXED WHERE seq > ? AND device_id = ?",
                        acked, store.community().device_id),
        "slips_today": sum(is_slip(reason, source or "") for reason, source in denials),
        "denials_today": sum(not is_slip(reason, source or "") for reason, source in denials),
        "outsiders_today": one("SELECT COALESCE(SUM(count), 0) FROM reports NOT INDEXED WHERE local_date = ?"
                               " AND kind = 'outsider_refused'", day.isoformat()),
    }


def plans_of(store: SqliteStore, run) -> list[tuple[str, str]]:
    """(statement, plan line) of every SELECT that `run()` makes on the store's connection."""
    statements: list[str] = []
    conn = store.db.conn
    conn.set_trace_callback(statements.append)
    try:
        run()
    finally:
        conn.set_trace_callback(None)
    lines = []
    for sql in statements:
        if sql.lstrip().upper().startswith("SELECT"):
            for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall():
                lines.append((sql, row[3]))
    return lines


def test_the_status_bar_and_the_sync_state_read_indexes_not_the_log(world, tmp_path):
    world.at(local(10, 9))
    world.scan(world.life, "out")
    world.scan(world.work, "out")
    world.scan(world.life, "in", "39.0")  # a fever: the retest queue has an entry
    sync_once(world.gate, f"sqlite:///{tmp_path / 'office.db'}", world.clock)
    world.set("sync.url", f"sqlite:///{tmp_path / 'office.db'}")
    world.at(local(10, 10)).scan(world.special, "out", reason="medical")

    def refresh():  # what the gate lane reads at each refresh (ui/gateclient.py)
        world.gate.status()
        world.gate.sync_summary()
        world.gate.service.retest_queue()

    lines = plans_of(world.store, refresh)
    assert any("events_day_exits" in plan for _sql, plan in lines)
    full = [(sql, plan) for sql, plan in lines
            if re.match(r"SCAN (\w+)", plan) and re.match(r"SCAN (\w+)", plan).group(1) not in SMALL_TABLES]
    assert full == []  # every read of the log, the passages, the incidents is a SEARCH


@pytest.mark.parametrize("acked_by", ["nothing", "an office", "an office, then a purge"])
def test_the_counts_agree_with_the_rows_through_scans_syncs_and_another_process(world, tmp_path, acked_by):
    office = f"sqlite:///{tmp_path / 'office.db'}"
    day = local(10).date()

    def agree() -> dict[str, int]:
        shown = world.gate.status(day)
        assert shown == counted_the_slow_way(world.store, day)
        return shown

    world.at(local(10, 9))
    world.scan(world.life, "out")                    # allow: an exit
    world.at(local(10, 9, 1)).scan(world.life, "out")   # deny: already out
    world.scan(world.work, "in", "35.0")                # deny: a low reading
    assert agree()["unsynced"] == 3
    if acked_by != "nothing":
        sync_once(world.gate, office, world.clock)
        assert agree()["unsynced"] == 0
        # another gate's events come down with the next sync: the office's, never ours to push
        enroll(tmp_path / "south.db", office, "南门", world.clock)
        south_gate = open_gate(tmp_path / "south.db", clock=world.clock)
        south_gate.service.scan(world.special.payload, "out", None, "medical")
        sync_once(south_gate, office, world.clock)
        south_gate.close()
    world.at(local(10, 10)).scan(world.life, "in", "36.6")  # allow: an entry
    # another process scans beside the open store (a lead's `kiosk scan`)
    done = kiosk(world.path, "scan", world.work.payload, "--direction", "out",
                 "--at", local(10, 11).isoformat())
    assert done.returncode == 0, done.stderr
    shown = agree()
    assert (shown["scans_today"], shown["exits_today"]) == (5, 2)
    assert shown["unsynced"] == (5 if acked_by == "nothing" else 2)
    if acked_by == "an office, then a purge":
        sync_once(world.gate, office, world.clock)  # pushes ours, pulls the south gate's exit
        assert agree()["scans_today"] == 6 and agree()["unsynced"] == 0
        world.at(local(12, 9))
        # force: the pulled exit counts as unsynced to the purge (seq above our last ack)
        world.store.purge_events(local(11).date(), force=True, operator="test", clock=world.clock)
        world.scan(world.life, "out")
        assert agree()["unsynced"] == 1
        assert world.gate.status(local(12).date()) == counted_the_slow_way(world.store, local(12).date())


def test_a_change_committed_by_another_connection_is_seen_by_the_next_read(world):
    other = SqliteStore(world.path)
    try:
        card = world.store.card(world.life.card.serial)   # read, and cached
        assert world.store.settings()["timezone"] == "Asia/Shanghai"
        revoked = type(card)(**{**card.__dict__, "status": CardStatus.REVOKED})
        other.save_card(revoked, world.clock.now())
        other.set_setting("scan.repeat_guard_s", "3")
        assert world.store.card(card.serial).status is CardStatus.REVOKED
        assert world.store.settings()["scan.repeat_guard_s"] == "3"
        assert world.scan(world.life, "out").reason == "revoked"
    finally:
        other.close()


def test_a_change_committed_by_another_connection_after_a_scan_is_seen_outside_a_transaction(world):
    # A scan reads the roster's version once for its whole transaction: once it ends,
    # another connection may commit again, and the next read must look again.
    world.at(local(10, 9))
    assert world.scan(world.work, "out").decision.value == "allow"  # the card is cached now
    other = SqliteStore(world.path)
    try:
        card = other.card(world.work.card.serial)
        other.save_card(type(card)(**{**card.__dict__, "status": CardStatus.REVOKED}), world.clock.now())
    finally:
        other.close()
    assert world.store.card(world.work.card.serial).status is CardStatus.REVOKED


def test_a_card_revoked_by_a_cli_process_beside_the_open_gate_is_refused_at_the_next_scan(world):
    world.at(local(10, 9))
    assert world.scan(world.work, "out").decision.value == "allow"  # the card is cached now
    done = kiosk(world.path, "card", "revoke", world.work.card.serial)
    assert done.returncode == 0, done.stderr
    assert world.at(local(10, 9, 5)).scan(world.work, "in", "36.5").reason == "revoked"


def test_the_stores_own_roster_writes_are_read_back_in_and_after_their_transaction(world):
    world.store.card(world.life.card.serial)
    with world.store.atomic():
        world.store.set_setting("scan.repeat_guard_s", "4")
        assert world.store.settings()["scan.repeat_guard_s"] == "4"
    assert world.store.settings()["scan.repeat_guard_s"] == "4"
    with pytest.raises(RuntimeError), world.store.atomic():
        world.store.set_setting("scan.repeat_guard_s", "5")
        raise RuntimeError("rolled back")
    assert world.store.settings()["scan.repeat_guard_s"] == "4"


@pytest.mark.parametrize("text", ["2026-02-10T01:02:03.456789Z", "1999-12-31T23:59:59.000000Z"])
def test_stored_times_read_back_as_the_same_utc_moment(text):
    when = parse_utc(text)
    assert when.utcoffset() == dt.timedelta(0) and utc_text(when) == text



def vm_work(store: SqliteStore, run) -> int:
    """SQLite's virtual-machine instructions (in tens) that `run()` costs on the store's connection."""
    ticks = [0]

    def tick() -> int:
        ticks[0] += 1
        return 0  # go on

    store.db.conn.set_progress_handler(tick, 10)
    try:
        run()
    finally:
        store.db.conn.set_progress_handler(None, 0)
    return ticks[0]


def test_a_refresh_costs_the_same_with_thousands_more_unsynced_events_in_the_log(world):
    world.at(local(10, 9)).scan(world.life, "out")
    world.store.settings()  # the roster as a refresh finds it: cached

    def refresh():
        world.gate.status()
        world.gate.sync_summary()
        world.gate.service.retest_queue()

    before = vm_work(world.store, refresh)
    conn = world.store.db.conn
    columns = [r[1] for r in conn.execute("PRAGMA table_info(events)") if r[1] != "seq"]
    template = dict(conn.execute("SELECT * FROM events ORDER BY seq DESC LIMIT 1").fetchone())
    with world.store._write():  # 5000 older exits, none acknowledged: what COUNT(*) used to walk
        conn.executemany(
            f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [tuple({**template, "id": f"bulk-{n}", "device_seq": template["device_seq"] + 1 + n,
                    "local_date": "2026-02-09"}[c] for c in columns) for n in range(5000)])
    assert world.gate.status()["unsynced"] == 5001
    after = vm_work(world.store, refresh)
    assert after <= before + 20  # a COUNT over the 5000 rows would be thousands more


def test_a_scan_costs_the_same_with_thousands_more_events_in_the_log(world):
    from kiosk.model import CardKind

    second = world.issue(world.new_household("0402"), CardKind.LIFE, "赵六")
    world.at(local(10, 9))
    for card in (world.life, second):  # warm: each card's rows and the verifier are cached alike
        world.store.card(card.card.serial)
    world.scan(world.work, "out")
    before = vm_work(world.store, lambda: world.at(local(10, 9, 1)).scan(world.life, "out"))
    conn = world.store.db.conn
    columns = [r[1] for r in conn.execute("PRAGMA table_info(events)") if r[1] != "seq"]
    template = dict(conn.execute("SELECT * FROM events ORDER BY seq DESC LIMIT 1").fetchone())
    with world.store._write():  # 5000 older events of other cards
        conn.executemany(
            f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [tuple({**template, "id": f"bulk-{n}", "device_seq": template["device_seq"] + 1 + n,
                    "serial": f"OTHER-{n % 50}", "household_id": f"HOTHER{n % 50}",
                    "local_date": "2026-02-09", "at_utc": "2026-02-09T01:00:00.000000Z"}[c]
                   for c in columns) for n in range(5000)])
    after = vm_work(world.store, lambda: world.at(local(10, 9, 2)).scan(second, "out"))
    assert world.store.event(world.scan(second, "in", "36.5").event_id) is not None
    assert after <= before + 30  # reading the 5000 rows would be thousands more
