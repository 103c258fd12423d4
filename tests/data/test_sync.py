"""Sync with the community office, against a real SQLite office file and a real PostgreSQL."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from data.office import OfficeStore, SyncError, open_office
from data.store import SqliteStore
from data.sync import SyncCancelled, enroll, init_office, summary, sync_once
from kiosk.app import Gate, open_gate
from kiosk.checkpoint import CheckpointService
from kiosk.cli import main
from kiosk.clock import FixedClock
from kiosk.model import CardKind, Household
from kiosk.office import CardOffice, IssuedCard
from tests.community import on_disk

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.date(2026, 2, 10)


def local(day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 2, day, hour, minute, tzinfo=SHANGHAI)


@dataclasses.dataclass
class Site:
    """One gate of the community, with its clock."""

    gate: Gate
    clock: FixedClock

    def scan(self, card: IssuedCard, direction: str, temp: str | None = "36.5", **kw):
        return self.gate.service.scan(card.payload, direction, temp, **kw)

    def sync(self, url: str, **kw):
        return sync_once(self.gate, url, self.clock, **kw)

    def unsynced(self) -> int:
        return self.gate.status()["unsynced"]


@dataclasses.dataclass
class Community:
    north: Site  # the gate the community was founded on: it holds the signing key
    life: IssuedCard
    work: IssuedCard
    household: Household


@pytest.fixture
def community(tmp_path) -> Community:
    clock = FixedClock(local(10, 8))
    household = Household("H000301", "3", "2", "301", "张三", "13800000000", 3)
    built = on_disk(tmp_path / "north.db", clock, start=START, households=[household])
    life = built.issue(household, CardKind.LIFE, "张三")
    work = built.issue(household, CardKind.WORK, "张四")
    yield Community(Site(built.gate, clock), life, work, household)
    built.close()


def second_gate(tmp_path: Path, url: str, clock: FixedClock) -> Site:
    enroll(tmp_path / "south.db", url, "南门", clock)
    return Site(open_gate(tmp_path / "south.db", clock=clock), clock)


def office_rows(url: str, sql: str, params=()) -> list[dict]:
    office = open_office(url)
    try:
        return office.query(sql, params)
    finally:
        office.close()


def scan_a_morning(site: Site, card: IssuedCard, count: int) -> None:
    """`count` events: exits and entries, alternating, a minute apart."""
    for i in range(count):
        site.clock.advance(minutes=1)
        site.scan(card, "out" if i % 2 == 0 else "in")


# -- push ---------------------------------------------------------------------------------

def test_push_stores_every_event_in_its_original_form(community, office_url):
    north = community.north
    scan_a_morning(north, community.work, 5)
    assert north.unsynced() == 5

    report = north.sync(office_url)

    assert (report.pushed, report.already_there, report.issues) == (5, 0, [])
    assert north.unsynced() == 0
    local_rows = [dict(r) for r in north.gate.store.db.execute(
        "SELECT * FROM events ORDER BY seq").fetchall()]
    at_office = office_rows(office_url, "SELECT * FROM events ORDER BY office_seq")
    for mine, theirs in zip(local_rows, at_office, strict=True):
        del mine["seq"]
        assert {k: theirs[k] for k in mine} == mine  # UUID, device, sequence, times, hashes, all


def test_a_second_push_sends_nothing_and_the_office_keeps_one_copy(community, office_url):
    north = community.north
    scan_a_morning(north, community.work, 3)
    north.sync(office_url)

    again = north.sync(office_url)

    assert (again.pushed, again.already_there) == (0, 0)
    assert office_rows(office_url, "SELECT COUNT(*) AS n FROM events")[0]["n"] == 3


def test_a_push_cut_off_half_way_is_resumed_with_nothing_lost_and_nothing_twice(community, office_url):
    north = community.north
    scan_a_morning(north, community.work, 7)

    with pytest.raises(SyncCancelled):  # stopped after the first batch of 3
        north.sync(office_url, batch_size=3, cancelled=lambda: True)
    assert north.unsynced() == 4
    # The power goes out after the office committed the next batch but before the gate
    # wrote its acknowledgement: the gate still believes only 3 went up.
    north.sync(office_url, batch_size=3)
    north.gate.store.db.conn.execute("UPDATE sync_targets SET acked_seq = 3")
    assert north.unsynced() == 4

    resumed = north.sync(office_url, batch_size=3)

    assert (resumed.pushed, resumed.already_there, resumed.issues) == (0, 4, [])
    assert north.unsynced() == 0
    ids = [r["id"] for r in office_rows(office_url, "SELECT id FROM events ORDER BY device_seq")]
    assert len(ids) == len(set(ids)) == 7


def test_one_gate_syncs_to_two_offices_each_with_its_own_outbox(community, office_url, tmp_path):
    north = community.north
    (tmp_path / "usb").mkdir()
    usb = f"sqlite:///{tmp_path}/usb/office.db"
    scan_a_morning(north, community.work, 2)
    north.sync(office_url)
    scan_a_morning(north, community.work, 2)

    assert north.sync(usb).pushed == 4
    assert north.sync(office_url).pushed == 2
    assert north.gate.store.unsynced_for(usb) == 0


# -- several gates ------------------------------------------------------------------------

def test_two_gates_push_into_one_office_and_each_sees_the_others_exits(community, office_url, tmp_path):
    north = community.north
    north.sync(office_url)  # the office is founded from the north gate's roster
    south = second_gate(tmp_path, office_url, north.clock)
    north.clock.set(local(11, 9))
    assert south.scan(community.life, "out").reason == "ok"

    assert south.sync(office_url).pushed == 1
    report = north.sync(office_url)

    assert report.pulled_events == 1
    assert north.unsynced() == 0  # the south gate's event is not the north gate's to send
    north.clock.advance(hours=1)
    assert north.scan(community.life, "out").reason == "already_out"  # anti-passback sees it
    north.clock.advance(hours=1)
    assert north.scan(community.life, "in").warnings == ()  # it was out: a normal return
    north.clock.advance(hours=1)
    assert north.scan(community.life, "out").reason == "quota_used"  # the south gate's exit counts
    north.sync(office_url)
    devices = office_rows(office_url, "SELECT device_id FROM events GROUP BY device_id")
    assert len(devices) == 2


def test_a_quota_breach_seen_only_after_sync_is_recorded_as_an_incident(community, office_url, tmp_path):
    north = community.north
    north.sync(office_url)
    south = second_gate(tmp_path, office_url, north.clock)
    north.clock.set(local(11, 9))
    first = north.scan(community.life, "out")  # both gates offline: neither knows the other
    north.clock.advance(hours=2)
    north.scan(community.life, "in")
    north.clock.advance(hours=1)
    second = south.scan(community.life, "out")
    assert first.reason == second.reason == "ok"

    south.sync(office_url)
    report = north.sync(office_url)
    again = south.sync(office_url)

    assert report.breaches == [second.event_id]
    assert again.breaches == [second.event_id]  # the south gate learns it at its next sync
    assert north.sync(office_url).breaches == []  # reported once, not at every sync
    incidents = north.gate.store.db.execute(
        "SELECT event_id, kind FROM incidents WHERE kind = 'quota_breach'").fetchall()
    assert [tuple(i) for i in incidents] == [(second.event_id, "quota_breach")]


# -- the roster comes down ----------------------------------------------------------------

def test_a_revocation_at_the_office_takes_effect_at_the_gate_on_the_next_sync(community, office_url,
                                                                            tmp_path):
    north = community.north
    north.sync(office_url)
    south = second_gate(tmp_path, office_url, north.clock)
    key = north.gate.office().signing_key  # the office machine holds the key
    office = CardOffice(OfficeStore(open_office(office_url)), north.clock, key)
    office.revoke(community.work.card.serial)
    office.store.close()
    north.clock.set(local(11, 9))
    assert south.scan(community.work, "out").reason == "ok"  # not synced yet

    report = south.sync(office_url)

    assert report.roster_changes == 1
    south.clock.advance(hours=1)
    assert south.scan(community.work, "in").reason == "revoked"


def test_office_init_issue_and_revoke_by_cli_and_a_gate_enrolled_from_the_office(tmp_path, office_url,
                                                                               capsys):
    key = tmp_path / "office.key"
    assert main(["office", "init", "--office", office_url, "--community", "幸福里", "--key", str(key),
                 "--start-date", "2026-02-10"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert key.exists() and created["name"] == "幸福里"
    assert main(["office", "init", "--office", office_url, "--community", "again", "--key",
                 str(tmp_path / "other.key")]) == 2
    assert "不会覆盖" in capsys.readouterr().err
    office = ["--office", office_url, "--key", str(key)]
    assert main(["household", "add", *office, "--building", "3", "--unit", "2", "--room", "301"]) == 0
    household = capsys.readouterr().out.strip()
    assert main(["card", "issue", *office, "--household", household, "--kind", "life"]) == 0
    card = json.loads(capsys.readouterr().out)

    gate_db = tmp_path / "gate" / "gate.db"
    assert main(["--db", str(gate_db), "gate", "enroll", "--from", office_url, "--name", "北门"]) == 0
    capsys.readouterr()
    assert not (tmp_path / "gate" / "gate.db.key").exists()  # a gate never holds the signing key
    assert main(["--db", str(gate_db), "scan", card["payload"], "--direction", "out"]) == 0
    assert main(["card", "revoke", *office, card["serial"]]) == 0
    assert main(["--db", str(gate_db), "sync"]) == 0  # the enrolled gate knows its office
    capsys.readouterr()
    assert main(["--db", str(gate_db), "scan", card["payload"], "--direction", "in", "--temp", "36.6"]) == 1
    assert json.loads(capsys.readouterr().out)["reason"] == "revoked"
    devices = office_rows(office_url, "SELECT name, head_seq FROM devices")
    assert devices == [{"name": "北门", "head_seq": 1}]  # the revoked scan waits for the next sync


# -- what the office notices --------------------------------------------------------------

def _purge_first_events(store: SqliteStore, count: int) -> None:
    """What the retention purge does to events an earlier office already has."""
    conn = store.db.conn
    conn.execute("INSERT INTO meta (key, value) VALUES ('purging', '1')")
    conn.execute("DELETE FROM events WHERE seq <= ?", [count])
    conn.execute("DELETE FROM meta WHERE key = 'purging'")


def test_a_gap_in_a_devices_sequence_is_reported(community, office_url):
    north = community.north
    scan_a_morning(north, community.work, 5)
    _purge_first_events(north.gate.store, 2)

    report = north.sync(office_url)

    assert [(i["kind"], i["first_seq"], i["last_seq"]) for i in report.issues] == [("gap", 1, 2)]
    assert office_rows(office_url, "SELECT kind FROM device_issues") == [{"kind": "gap"}]


def test_an_event_altered_after_the_fact_breaks_the_chain_at_the_office(community, office_url):
    north = community.north
    scan_a_morning(north, community.work, 3)
    conn = north.gate.store.db.conn
    conn.execute("DROP TRIGGER events_append_only")  # what someone covering a trace would do
    conn.execute("UPDATE events SET temp_first = 36.0 WHERE device_seq = 2")  # was 36.5

    report = north.sync(office_url)

    found = [(i["kind"], i["first_seq"], i["detail"]) for i in report.issues]
    assert found == [("chain_break", 2, "content")]


# -- when the office cannot be used -------------------------------------------------------

def test_an_unreachable_office_is_a_clear_error_and_leaves_the_outbox_alone(community, tmp_path, capsys):
    north = community.north
    scan_a_morning(north, community.work, 2)
    gone = f"sqlite:///{tmp_path}/unplugged-stick/office.db"

    with pytest.raises(SyncError) as failure:
        north.sync(gone)

    assert failure.value.key == "sync_unreachable" and failure.value.environmental
    assert north.unsynced() == 2
    assert not (tmp_path / "unplugged-stick").exists()  # never a new office on the gate's own disk
    assert north.gate.store.sync_target(gone)["acked_seq"] == 0
    north.gate.store.set_setting("sync.url", gone)
    shown = summary(north.gate.store, "en")
    assert shown.waiting == 2 and shown.last_success is None
    assert shown.last_error.startswith("Cannot reach the community office")
    assert main(["--db", str(north.gate.path), "--lang", "en", "sync"]) == 3
    assert "every record is safe on this gate" in capsys.readouterr().err


@pytest.mark.postgres
def test_an_unreachable_postgresql_office_is_exit_code_3(community, pg_server, capsys):
    scan_a_morning(community.north, community.work, 1)
    closed = "postgresql://postgres@127.0.0.1:1/gatepost"  # nothing listens on port 1

    assert main(["--db", str(community.north.gate.path), "sync", "--to", closed]) == 3

    assert "连不上社区办公室" in capsys.readouterr().err
    assert community.north.unsynced() == 1


def test_an_office_newer_than_the_gate_is_refused(community, office_url, capsys):
    north = community.north
    north.sync(office_url)
    scan_a_morning(north, community.work, 1)
    office = open_office(office_url)
    office.execute("UPDATE office_schema SET version = 99")
    office.close()

    with pytest.raises(SyncError) as failure:
        north.sync(office_url)

    assert failure.value.key == "sync_office_too_new"
    assert north.unsynced() == 1
    assert main(["--db", str(north.gate.path), "sync", "--to", office_url]) == 3
    assert "版本比本程序新" in capsys.readouterr().err


def test_an_office_of_another_community_is_refused(community, office_url, tmp_path):
    init_office(office_url, "别的小区", key_file=tmp_path / "other.key", clock=community.north.clock)
    scan_a_morning(community.north, community.work, 1)

    with pytest.raises(SyncError) as failure:
        community.north.sync(office_url)

    assert failure.value.key == "sync_other_community" and not failure.value.environmental
    assert community.north.unsynced() == 1


def test_a_bad_address_is_bad_usage(community, capsys):
    assert main(["--db", str(community.north.gate.path), "sync", "--to", "ftp://office/x"]) == 2
    assert "sqlite:///" in capsys.readouterr().err


# -- the status bar -----------------------------------------------------------------------

def test_the_sync_summary_shows_last_success_and_what_waits(community, office_url):
    north = community.north
    assert north.gate.sync_summary().target is None  # no office configured: nothing to show
    north.gate.store.set_setting("sync.url", office_url)
    scan_a_morning(north, community.work, 3)
    assert north.gate.sync_summary().waiting == 3

    sync_once(north.gate.path, clock=north.clock)  # by path: what a worker thread does

    shown = north.gate.sync_summary()
    assert (shown.waiting, shown.last_error) == (0, None)
    assert shown.last_success == north.clock.now()


def test_checkpoint_service_of_an_enrolled_gate_verifies_cards_with_the_office_key(community, office_url,
                                                                                 tmp_path):
    community.north.sync(office_url)
    south = second_gate(tmp_path, office_url, community.north.clock)
    service = CheckpointService(south.gate.store, south.clock)
    assert service.scan(community.life.payload, "out").reason == "ok"
    assert south.gate.store.public_keys() == community.north.gate.store.public_keys()


@pytest.mark.parametrize("url, code", [
    ("sqlite:///media/usb/office.db", 0),
    ("postgresql://gate@office.example/jiedao", 0),
    ("postgresql://gate:secret@office.example/jiedao", 2),  # a password would show in policy show
    ("http://office.example/", 2),
])
def test_the_office_address_is_a_checked_setting(community, url, code):
    assert main(["--db", str(community.north.gate.path), "policy", "set", "sync.url", url]) == code
