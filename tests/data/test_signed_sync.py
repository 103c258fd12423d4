"""Signed events across gates (issue 13): the office refuses on push what a gate's device key
did not sign, and a gate refuses on pull what the office holds unsigned, on a real SQLite
office file and a real PostgreSQL alike."""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import sqlite3
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from data.office import EVENT_COLUMNS, SyncError, open_office
from data.store import utc_text
from data.sync import enroll, sync_once
from kiosk.app import Gate, init_community, open_gate
from kiosk.chain import event_hash
from kiosk.cli import main
from kiosk.clock import FixedClock
from kiosk.model import CardKind, Household
from kiosk.office import IssuedCard

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclasses.dataclass
class Site:
    gate: Gate
    clock: FixedClock

    def scan(self, card: IssuedCard, direction: str):
        return self.gate.service.scan(card.payload, direction, "36.5")

    def sync(self, url: str):
        return sync_once(self.gate, url, self.clock)


@pytest.fixture
def gates(tmp_path, office_url):
    """The north gate (founded the community), an office, the south gate enrolled from it,
    and the victim's life card, which went out and back in at the north gate."""
    clock = FixedClock(dt.datetime(2026, 2, 10, 8, tzinfo=SHANGHAI))
    north = init_community(tmp_path / "north.db", "幸福里", start_date=dt.date(2026, 2, 10), clock=clock)
    household = Household("H000301", "3", "2", "301", "张三", "13800000000", 3)
    north.store.add_households([household], clock.now())
    north.store.set_setting("life.exits_per_window", "5")  # anti-passback decides here, not the quota
    victim = north.office().issue(household.id, CardKind.LIFE, holder="张三")
    north_site = Site(north, clock)
    north_site.sync(office_url)
    enroll(tmp_path / "south.db", office_url, "南门", clock)
    south_site = Site(open_gate(tmp_path / "south.db", clock=clock), clock)
    clock.advance(hours=1)
    north_site.scan(victim, "out")
    clock.advance(hours=1)
    north_site.scan(victim, "in")
    yield north_site, south_site, victim, office_url
    north.close()
    south_site.gate.close()


def forged_copy(genuine: dict, after: dict, signature: str | None) -> dict:
    """The attack: a copy of the victim's genuine exit, numbered and chained after `after`,
    its SHA-256 chain hash computed afresh (kiosk/chain.py is public)."""
    row = {c: genuine[c] for c in EVENT_COLUMNS}
    at = dt.datetime.strptime(after["at_utc"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    at += dt.timedelta(minutes=5)
    row.update(id=str(uuid.uuid4()), device_seq=after["device_seq"] + 1, at_utc=utc_text(at),
               at_local=at.astimezone(SHANGHAI).isoformat(timespec="seconds"),
               prev_hash=after["chain_hash"])
    row["chain_hash"] = event_hash(row["prev_hash"], row)
    row["signature"] = signature(row) if callable(signature) else signature
    return row


def signed_by_another_key(row: dict) -> str:
    return base64.b64encode(Ed25519PrivateKey.generate().sign(row["chain_hash"].encode())).decode()


SIGNATURES = {"unsigned": None, "another_key": signed_by_another_key}


def append_at_gate(path: Path, signature) -> dict:
    conn = sqlite3.connect(str(path))
    conn.row_factory = sqlite3.Row
    try:
        genuine = dict(conn.execute("SELECT * FROM events WHERE direction = 'out' AND decision = 'allow'"
                                    " ORDER BY seq LIMIT 1").fetchone())
        last = dict(conn.execute("SELECT * FROM events ORDER BY device_seq DESC LIMIT 1").fetchone())
        row = forged_copy(genuine, last, signature)
        conn.execute(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)})"
                     f" VALUES ({', '.join(':' + c for c in EVENT_COLUMNS)})", row)
        conn.commit()
        return row
    finally:
        conn.close()


def office_query(url: str, sql: str, params=()) -> list[dict]:
    office = open_office(url)
    try:
        return office.query(sql, params)
    finally:
        office.close()


@pytest.mark.parametrize("signature", SIGNATURES.values(), ids=SIGNATURES.keys())
def test_a_forged_exit_appended_at_a_gate_is_refused_by_the_office(gates, signature):
    north, south, victim, url = gates
    forged = append_at_gate(north.gate.path, signature)

    with pytest.raises(SyncError) as refused:
        north.sync(url)

    assert refused.value.key == "sync_forged_event"
    assert refused.value.detail == str(forged["device_seq"])
    ids = {r["id"] for r in office_query(url, "SELECT id FROM events")}
    assert forged["id"] not in ids and len(ids) == 2  # the genuine exit and entry went in
    issues = office_query(url, "SELECT kind, first_seq, detail FROM device_issues")
    assert issues == [{"kind": "forged", "first_seq": forged["device_seq"], "detail": forged["id"]}]
    # The victim comes to the south gate: the forged exit never reached it.
    south.sync(url)
    north.clock.advance(minutes=30)
    assert south.scan(victim, "out").reason == "ok"


def test_the_cli_sync_says_why_and_exits_3(gates, capsys):
    north, _south, _victim, url = gates
    append_at_gate(north.gate.path, None)

    code = main(["--db", str(north.gate.path), "--lang", "en", "sync", "--to", url])

    assert code == 3
    err = capsys.readouterr().err
    assert "refused this gate's event 3" in err and "kiosk verify-log" in err


@pytest.mark.parametrize("signature", SIGNATURES.values(), ids=SIGNATURES.keys())
def test_a_forged_exit_put_into_the_office_is_refused_by_the_gate_that_pulls_it(gates, signature):
    north, south, victim, url = gates
    north.sync(url)
    genuine, last = office_query(url, "SELECT * FROM events ORDER BY device_seq")
    forged = forged_copy(genuine, last, signature)
    office = open_office(url)  # the office's USB stick, edited by hand
    try:
        with office.transaction():
            office.insert_events([tuple(forged[c] for c in EVENT_COLUMNS)], "2026-02-10T03:00:00.000000Z")
    finally:
        office.close()

    report = south.sync(url)

    assert report.pulled_events == 2
    assert [(i["kind"], i["detail"]) for i in report.issues] == [("forged", forged["id"])]
    assert south.gate.store.event(forged["id"]) is None
    north.clock.advance(minutes=30)
    assert south.scan(victim, "out").reason == "ok"  # not already_out: no photocopy incident
    assert south.gate.store.db.execute("SELECT COUNT(*) FROM incidents").fetchone()[0] == 0


def test_two_gates_sync_signed_events_through_the_office(gates):
    north, south, victim, url = gates
    north.sync(url)
    south.sync(url)
    north.clock.advance(hours=1)
    assert south.scan(victim, "out").quota.used == 2  # the north gate's exit counts

    assert south.sync(url).issues == []
    report = north.sync(url)

    assert (report.pulled_events, report.issues) == (1, [])
    keys = office_query(url, "SELECT device_id, public_key FROM devices ORDER BY device_id")
    assert len(keys) == 2 and all(k["public_key"] for k in keys)
    unsigned = office_query(url, "SELECT COUNT(*) AS n FROM events WHERE signature IS NULL")
    assert unsigned[0]["n"] == 0
    for site in (north, south):
        report = site.gate.verify_log()
        assert report.intact and report.devices == 2, report.problems
