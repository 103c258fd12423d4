"""The device key (issue 13): `kiosk verify-log` finds forged events, forged purges and
audit lines deleted or edited after the fact, and a gate older than the key gets one."""
from __future__ import annotations

import base64
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from data.keyfile import device_key_path, write_private_key
from data.office import EVENT_COLUMNS
from data.retention import purge
from data.store import utc_text
from data.sync import sync_once
from kiosk.app import open_gate
from kiosk.chain import event_hash
from kiosk.cli import main
from tests.reliability.conftest import tamper
from tests.reliability.test_chain import morning, verify

ROOT = Path(__file__).resolve().parents[2]


def append_forged_exit(path: Path, signature: str | None) -> str:
    """A copy of a genuine exit, chained after the newest event with its hash recomputed."""
    conn = sqlite3.connect(str(path))
    conn.row_factory = sqlite3.Row
    try:
        genuine = dict(conn.execute("SELECT * FROM events WHERE direction = 'out' ORDER BY seq").fetchone())
        last = dict(conn.execute("SELECT * FROM events ORDER BY device_seq DESC LIMIT 1").fetchone())
        row = {c: genuine[c] for c in EVENT_COLUMNS}
        at = dt.datetime.strptime(last["at_utc"], "%Y-%m-%dT%H:%M:%S.%fZ") + dt.timedelta(minutes=3)
        row.update(id=str(uuid.uuid4()), device_seq=last["device_seq"] + 1,
                   at_utc=utc_text(at.replace(tzinfo=dt.UTC)), prev_hash=last["chain_hash"])
        row["chain_hash"] = event_hash(row["prev_hash"], row)
        row["signature"] = {"copied": last["signature"], "none": None,
                            "another_key": base64.b64encode(Ed25519PrivateKey.generate().sign(
                                row["chain_hash"].encode())).decode()}[signature]
        conn.execute(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)})"
                     f" VALUES ({', '.join(':' + c for c in EVENT_COLUMNS)})", row)
        conn.commit()
        return row["id"]
    finally:
        conn.close()


def tamper_audit(path: Path, sql: str, params=()) -> None:
    """DROP TRIGGER on the audit log, edit it, put the triggers back."""
    conn = sqlite3.connect(str(path))
    try:
        triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                                " AND tbl_name = 'audit'").fetchall()
        for name, _ in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute(sql, params)
        for _, create in triggers:
            conn.execute(create)
        conn.commit()
    finally:
        conn.close()


def kinds(report: dict) -> list[str]:
    return [p["kind"] for p in report["problems"]]


@pytest.mark.parametrize("signature", ["none", "another_key", "copied"])
def test_an_appended_exit_with_its_hash_recomputed_is_found(community, capsys, signature):
    morning(community, 4)
    forged = append_forged_exit(community.path, signature)

    code, report = verify(community.path, capsys)

    assert code == 1
    expected = "unsigned" if signature == "none" else "bad_signature"
    assert [(p["kind"], p["event_id"], p["first_seq"]) for p in report["problems"]] == [(expected, forged, 5)]


def test_verify_log_in_its_own_process_finds_the_forgery_and_names_it(community):
    morning(community, 2)
    forged = append_forged_exit(community.path, "none")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    done = subprocess.run([sys.executable, "-m", "kiosk.cli", "--db", str(community.path), "--lang", "en",
                           "verify-log"], capture_output=True, text=True, env=env, timeout=120)

    assert done.returncode == 1
    assert "broken: 1 problems" in done.stdout
    assert f"event 3 has no signature ({forged})" in done.stderr


def test_the_office_refuses_the_forgery_on_push(community, tmp_path):
    from data.office import SyncError

    morning(community, 2)
    append_forged_exit(community.path, "another_key")

    with pytest.raises(SyncError) as refused:
        sync_once(community.gate, f"sqlite:///{tmp_path}/office.db", community.clock)
    assert refused.value.key == "sync_forged_event"


def test_a_forged_purge_is_found(community, capsys):
    ids = morning(community, 6)
    # The oldest events removed by hand, and an audit line that claims a purge.
    tamper(community.path, "DELETE FROM events WHERE id IN (?, ?)", ids[:2])
    tamper_audit(community.path, "INSERT INTO audit (at_utc, operator, action, target, details)"
                 " VALUES ('2026-02-10T02:00:00.000000Z', 'cli:admin', 'purge', '2026-02-11', '{}')")

    code, report = verify(community.path, capsys)

    assert code == 1
    assert report["first_break"]["kind"] == "missing"
    assert (report["first_break"]["first_seq"], report["first_break"]["last_seq"]) == (1, 2)
    assert "audit_unsigned" in kinds(report)


def test_a_purge_marker_without_the_device_keys_signature_is_found(community, capsys):
    ids = morning(community, 6)
    conn = sqlite3.connect(str(community.path))
    through = conn.execute("SELECT chain_hash FROM events WHERE id = ?", [ids[1]]).fetchone()[0]
    conn.close()
    tamper(community.path, "DELETE FROM events WHERE id IN (?, ?)", ids[:2])
    tamper(community.path, "INSERT INTO purge_markers (device_id, through_seq, through_hash, used_seq,"
           " kept_seq, purged_utc, signature) VALUES (?, 2, ?, 6, 6, '2026-02-10T02:00:00.000000Z', ?)",
           [community.gate.store.community().device_id, through, base64.b64encode(b"x" * 64).decode()])

    code, report = verify(community.path, capsys)

    assert code == 1
    assert kinds(report) == ["purge_marker_forged", "missing"]


def test_a_real_purge_verifies_and_newest_events_deleted_after_it_are_found(community, capsys):
    morning(community, 4)
    community.clock.advance(days=3)
    later = [community.gate.service.scan(community.life[2].payload, d, "36.6").event_id
             for d in ("out", "in")]
    purge(community.gate.store, community.clock, community.clock.now().date(), force=True)

    code, report = verify(community.path, capsys)
    assert (code, kinds(report)) == (0, ["purged"])

    community.clock.advance(minutes=5)
    newest = community.gate.service.scan(community.life[3].payload, "out", "36.6").event_id
    tamper(community.path, "DELETE FROM events WHERE id = ?", [newest])
    code, report = verify(community.path, capsys)
    assert code == 1 and kinds(report)[-1] == "missing_newest", later


@pytest.mark.parametrize("edit, kind", [
    ("DELETE FROM audit WHERE id = 2", "audit_missing"),
    ("DELETE FROM audit WHERE id = (SELECT MAX(id) FROM audit)", "audit_missing"),
    ("UPDATE audit SET operator = 'someone else' WHERE id = 2", "audit_edited"),
    ("UPDATE audit SET details = '{}' WHERE id = 1", "audit_edited"),
])
def test_audit_lines_deleted_or_edited_after_drop_trigger_are_found(community, capsys, edit, kind):
    for action in ("export", "override", "setting_change"):
        community.gate.audit("组长", action, "x", {"n": 1})
    assert verify(community.path, capsys)[0] == 0

    tamper_audit(community.path, edit)

    code, report = verify(community.path, capsys)
    assert code == 1 and kind in kinds(report)


def test_kiosk_check_fails_on_a_forged_event_too(community, capsys):
    morning(community, 2)
    append_forged_exit(community.path, "none")

    code = main(["--db", str(community.path), "--lang", "en", "check"])

    assert code == 1
    assert "has no signature" in capsys.readouterr().err


def test_a_missing_device_key_file_is_a_note_for_verify_log_and_stops_the_gate(community, capsys):
    morning(community, 2)
    community.gate.close()
    device_key_path(community.path).unlink()

    code, report = verify(community.path, capsys)
    assert (code, kinds(report)) == (0, ["device_key_file_missing"])  # still checked, with the recorded key

    code = main(["--db", str(community.path), "--lang", "en", "scan", community.life[0].payload,
                 "--direction", "out"])
    assert code == 3
    assert "device key file" in capsys.readouterr().err
    assert not device_key_path(community.path).exists()  # no new key made behind the office's back


def test_a_replaced_device_key_file_is_found(community, capsys):
    morning(community, 2)
    community.gate.close()
    device_key_path(community.path).unlink()
    write_private_key(device_key_path(community.path), Ed25519PrivateKey.generate())

    code, report = verify(community.path, capsys)

    assert code == 1 and kinds(report) == ["device_key_mismatch"]


def downgrade_to_0_1_0(path: Path) -> None:
    """What a database of Gatepost 0.1.0 looks like: no device key, no signatures."""
    device_key_path(path).unlink()
    conn = sqlite3.connect(str(path))
    try:
        for statement in ("ALTER TABLE events DROP COLUMN source",  # migration 10
                          "DROP TABLE reports", "ALTER TABLE events DROP COLUMN mask",  # migration 8
                          "ALTER TABLE sync_targets DROP COLUMN reports_acked",
                          "DROP INDEX events_day_exits", "DROP INDEX passages_out",  # migrations 11, 12
                          "DROP TABLE device_keys", "DROP TABLE purge_markers",
                          "ALTER TABLE events DROP COLUMN signature",
                          "ALTER TABLE audit DROP COLUMN signature",
                          "ALTER TABLE audit DROP COLUMN hash", "ALTER TABLE audit DROP COLUMN prev_hash",
                          "DELETE FROM meta WHERE key = 'audit_last_id'",
                          "DROP INDEX cards_one_life", "DROP INDEX cards_lineage",  # migration 6
                          "ALTER TABLE cards DROP COLUMN replaced_by",
                          "ALTER TABLE cards DROP COLUMN lineage",
                          "ALTER TABLE households DROP COLUMN left_utc",  # migration 9
                          "ALTER TABLE operators DROP COLUMN source",
                          "PRAGMA user_version = 5"):
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def test_a_gate_from_0_1_0_gets_a_device_key_at_its_next_start_and_the_office_learns_it(
        community, tmp_path, capsys):
    morning(community, 4)
    community.gate.audit("组长", "export", "x", {})
    community.gate.close()
    downgrade_to_0_1_0(community.path)

    gate = open_gate(community.path, clock=community.clock)
    try:
        assert device_key_path(community.path).stat().st_mode & 0o777 == 0o600
        assert gate.audit_entries(limit=1)[0].action == "device_key_created"
        community.clock.advance(minutes=5)
        gate.service.scan(community.life[0].payload, "in", "36.6")
        report = gate.verify_log()
        assert report.intact, report.problems
        assert [(p.kind, p.first_seq, p.last_seq) for p in report.problems] == [("unsigned_legacy", 1, 4)]

        office = f"sqlite:///{tmp_path}/office.db"
        sync = sync_once(gate, office, community.clock)  # trust on first use
        assert (sync.pushed, sync.issues) == (5, [])
    finally:
        gate.close()
    code = main(["--db", str(community.path), "--lang", "en", "office", "status", "--office", office,
                 "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["issues"] == []
