"""The tamper-evident log: `kiosk verify-log` finds every event edited or removed after the
fact, and the office finds it on sync."""
from __future__ import annotations

import json

import pytest

from data.sync import sync_once
from kiosk.cli import main
from tests.reliability.conftest import tamper


def morning(community, scans: int = 6) -> list[str]:
    """Exits and entries of two households, a few minutes apart; their event ids."""
    ids = []
    for i in range(scans):
        community.clock.advance(minutes=7)
        card = community.life[i % 4 // 2]
        direction = "out" if (i // 2) % 2 == 0 else "in"
        ids.append(community.gate.service.scan(card.payload, direction, "36.6").event_id)
    return ids


def verify(path, capsys, *extra) -> tuple[int, dict]:
    code = main(["--db", str(path), "--lang", "en", "verify-log", "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_an_untouched_log_verifies(community, capsys):
    morning(community)
    code, report = verify(community.path, capsys)
    assert (code, report["intact"], report["events"], report["first_break"]) == (0, True, 6, None)


def test_an_edited_event_is_reported_with_its_id(community, capsys):
    ids = morning(community)
    tamper(community.path, "UPDATE events SET temp_first = 36.2 WHERE id = ?", [ids[2]])

    code, report = verify(community.path, capsys)

    assert code == 1 and not report["intact"]
    assert report["first_break"]["kind"] == "edited"
    assert report["first_break"]["event_id"] == ids[2]
    assert report["first_break"]["first_seq"] == 3


def test_an_edited_event_with_its_hash_recomputed_fails_its_signature_and_breaks_the_next_link(
        community, capsys):
    from kiosk.chain import event_hash

    ids = morning(community)
    row = dict(community.gate.store.db.execute("SELECT * FROM events WHERE id = ?", [ids[1]]).fetchone())
    row["temp_first"] = 36.1
    forged = event_hash(row["prev_hash"], row)
    tamper(community.path, "UPDATE events SET temp_first = 36.1, chain_hash = ? WHERE id = ?",
           [forged, ids[1]])

    code, report = verify(community.path, capsys)

    assert code == 1
    assert [(p["kind"], p["event_id"]) for p in report["problems"]] == [
        ("bad_signature", ids[1]), ("broken_link", ids[2])]


def test_a_removed_event_is_reported_as_missing(community, capsys):
    ids = morning(community)
    tamper(community.path, "DELETE FROM events WHERE id = ?", [ids[3]])

    code, report = verify(community.path, capsys)

    assert code == 1
    assert report["first_break"]["kind"] == "missing"
    assert (report["first_break"]["first_seq"], report["first_break"]["last_seq"]) == (4, 4)


def test_removing_the_newest_events_is_reported_too(community, capsys):
    ids = morning(community)
    tamper(community.path, "DELETE FROM events WHERE id IN (?, ?)", ids[-2:])

    code, report = verify(community.path, capsys)

    assert code == 1
    assert report["first_break"]["kind"] == "missing_newest"
    assert (report["first_break"]["first_seq"], report["first_break"]["last_seq"]) == (5, 6)


def test_the_plain_report_names_the_first_break_in_the_users_language(community, capsys):
    ids = morning(community)
    tamper(community.path, "UPDATE events SET temp_first = 35.0 WHERE id = ?", [ids[0]])

    code = main(["--db", str(community.path), "verify-log"])

    captured = capsys.readouterr()
    assert code == 1
    assert "防篡改链异常" in captured.out
    assert f"第 1 条记录在写入后被修改（{ids[0]}）" in captured.err


def test_a_retention_purge_is_not_mistaken_for_tampering(community, capsys):
    from data.retention import purge

    morning(community)
    community.clock.advance(days=3)
    community.gate.service.scan(community.life[0].payload, "out", "36.6")
    purge(community.gate.store, community.clock, community.clock.now().date(), force=True)

    code, report = verify(community.path, capsys)

    assert code == 0
    assert [p["kind"] for p in report["problems"]] == ["purged"]


@pytest.mark.parametrize("edit", [
    "UPDATE events SET reason = 'ok' WHERE device_seq = 2",
    "DELETE FROM events WHERE device_seq = 2",
])
def test_the_office_finds_a_tampered_log_on_sync(community, tmp_path, edit):
    morning(community, 4)
    tamper(community.path, edit)

    report = sync_once(community.gate, f"sqlite:///{tmp_path}/office.db", community.clock)

    assert {i["kind"] for i in report.issues} & {"chain_break", "gap"}
