"""Privacy: no names, ID numbers or phone numbers in the QR code, the event log, the logs
or the backups' event tables; owner-only files; every export audited."""
from __future__ import annotations

import logging
import re
import stat

from data.backup import daily_path
from kiosk.app import open_gate
from kiosk.cli import main
from tests.reliability.conftest import HEADS, PHONES

# Standing alone: not a run of digits inside a hash, a UUID or a timestamp.
ID_NUMBER = re.compile(r"(?<![0-9a-fA-F])\d{17}[\dXx](?![0-9a-fA-F])")  # a resident ID card number
PHONE = re.compile(r"(?<![0-9a-fA-F])1[3-9]\d{9}(?![0-9a-fA-F])")


def personal(text: str) -> list[str]:
    found = [s for s in (*HEADS, *PHONES, "王小明") if s in text]
    return found + ID_NUMBER.findall(text) + PHONE.findall(text)


def test_nothing_personal_in_the_qr_code(community, figures):
    for card in [*community.life, community.work]:
        assert personal(card.payload) == []
        figures.add("QR payloads checked for names and numbers", 1)


def test_nothing_personal_in_the_event_log_or_the_logs(community, tmp_path, figures):
    log_file = tmp_path / "gate.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        for i, card in enumerate([*community.life, community.work]):
            community.clock.advance(minutes=11)
            community.gate.service.scan(card.payload, "out", "37.8" if i == 2 else "36.5")
            community.clock.advance(seconds=11)
            community.gate.service.scan(card.payload, "out", "36.5")  # already out
        community.gate.close()
        main(["--db", str(community.path), "-v", "scan", community.life[0].payload, "--direction", "in",
              "--temp", "36.6", "--at", "2026-02-10T12:00"])
        main(["--db", str(community.path), "-v", "sync", "--to", f"sqlite:///{tmp_path}/office.db"])
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(old_level)

    dump = "\n".join(open_gate(community.path, clock=community.clock, checks=False).store.db.conn.iterdump())
    events = [line for line in dump.splitlines() if line.startswith('INSERT INTO "events"')]
    assert len(events) >= 10
    assert personal("\n".join(events)) == []
    assert personal(log_file.read_text(encoding="utf-8")) == []
    figures.add("event rows and log lines grepped for names and numbers", len(events) + len(
        log_file.read_text(encoding="utf-8").splitlines()))


def test_the_database_key_and_backups_are_owner_only(community):
    community.gate.service.scan(community.life[0].payload, "out", "36.5")
    community.gate.close()
    gate = open_gate(community.path, clock=community.clock)  # makes today's backup
    try:
        files = [community.path, community.path.with_name("gate.db.key"),
                 community.path.with_name("gate.db-wal"), community.path.with_name("gate.db-shm"),
                 daily_path(community.path, gate.today())]
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert stat.S_IMODE(files[-1].parent.stat().st_mode) == 0o700
    finally:
        gate.close()


def test_every_export_is_in_the_audit_log(community, tmp_path):
    community.gate.service.scan(community.life[0].payload, "out", "36.5")
    community.gate.close()
    assert main(["--db", str(community.path), "export", "--date", "2026-02-10", "--format", "csv",
                 "--out", str(tmp_path / "day.csv")]) == 0
    gate = open_gate(community.path, clock=community.clock)
    try:
        exports = [e for e in gate.audit_entries() if e.action == "export"]
    finally:
        gate.close()
    assert len(exports) == 1 and "day.csv" in str(exports[0].details) + exports[0].target
