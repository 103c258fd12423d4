"""Daily online backups (SQLite's backup API) and `kiosk restore`."""
from __future__ import annotations

import sqlite3
import stat

import pytest

from data.backup import backup_if_due, daily_path, inspect, prune
from kiosk.app import open_gate
from kiosk.cli import main
from tests.reliability.conftest import local, tamper


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def event_ids(path) -> set[str]:
    conn = sqlite3.connect(str(path))
    try:
        return {r[0] for r in conn.execute("SELECT id FROM events")}
    finally:
        conn.close()


def test_opening_the_gate_makes_one_owner_only_backup_a_day(community):
    community.gate.service.scan(community.life[0].payload, "out", "36.5")
    community.gate.close()

    gate = open_gate(community.path, clock=community.clock)
    today = daily_path(community.path, local(10).date())
    assert today.exists() and mode(today) == 0o600 and mode(today.parent) == 0o700
    first_write = today.stat().st_mtime_ns
    assert gate.backup_if_due() is None  # once a day
    gate.close()
    gate = open_gate(community.path, clock=community.clock)
    assert today.stat().st_mtime_ns == first_write
    gate.close()

    info, result, chain = inspect(today)
    assert (result, chain.intact, info.events) == ("ok", True, 1)


def test_old_daily_backups_are_pruned(community):
    for day in range(1, 20):
        community.clock.set(local(day, 12) if day <= 28 else local(28))
        backup_if_due(community.gate.store, community.clock.now().date())
    folder = daily_path(community.path, local(1).date()).parent
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == 14 and kept[-1] == "gate-2026-02-19.db"
    assert prune(folder, 14) == []


def test_a_backup_taken_while_scanning_goes_on_is_consistent(community, tmp_path):
    from data.backup import backup

    for minute in range(40):
        community.clock.set(local(10, 9, minute))
        community.gate.service.scan(community.life[minute % 4].payload, "out" if minute < 20 else "in",
                                    "36.5")
        if minute == 20:
            backup(community.gate.store, tmp_path / "mid.db")
    info, result, chain = inspect(tmp_path / "mid.db")
    assert result == "ok" and chain.intact and info.events == 21


def test_restore_brings_back_what_the_backup_holds(community, tmp_path, capsys):
    for card in community.life:
        community.gate.service.scan(card.payload, "out", "36.5")
    assert main(["--db", str(community.path), "backup", "--to", str(tmp_path / "b.db")]) == 0
    assert mode(tmp_path / "b.db") == 0o600
    saved = event_ids(tmp_path / "b.db")
    community.gate.close()
    (community.path).write_bytes(b"\0" * 4096)  # the gate's disk went bad

    assert main(["--db", str(community.path), "--lang", "en", "restore", str(tmp_path / "b.db")]) == 0

    assert "Restored from" in capsys.readouterr().out
    assert event_ids(community.path) == saved and len(saved) == 4
    assert mode(community.path) == 0o600
    assert main(["--db", str(community.path), "verify-log"]) == 0
    kept = community.path.with_name("gate.db.before-restore-1")
    assert kept.read_bytes() == b"\0" * 4096  # the damaged file is kept, not destroyed


def test_restore_refuses_to_lose_newer_events_unless_forced(community, tmp_path, capsys):
    community.gate.service.scan(community.life[0].payload, "out", "36.5")
    main(["--db", str(community.path), "backup", "--to", str(tmp_path / "b.db")])
    community.clock.advance(minutes=5)
    newer = community.gate.service.scan(community.life[1].payload, "out", "36.5").event_id
    community.gate.close()
    capsys.readouterr()

    code = main(["--db", str(community.path), "--lang", "en", "restore", str(tmp_path / "b.db")])

    assert code == 2
    assert "holds 1 events that the backup lacks" in capsys.readouterr().err
    assert newer in event_ids(community.path)
    assert main(["--db", str(community.path), "restore", str(tmp_path / "b.db"), "--force"]) == 0
    assert newer not in event_ids(community.path)
    assert newer in event_ids(community.path.with_name("gate.db.before-restore-1"))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "not_gatepost", "chain"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(community, tmp_path, capsys, damage):
    community.gate.service.scan(community.life[0].payload, "out", "36.5")
    bad = tmp_path / "bad.db"
    main(["--db", str(community.path), "backup", "--to", str(bad)])
    if damage == "garbage":
        bad.write_bytes(b"SQLite format 3\0" + b"\xff" * 8000)
    elif damage == "truncated":
        bad.write_bytes(bad.read_bytes()[: bad.stat().st_size // 2])
    elif damage == "not_gatepost":
        bad.unlink()
        sqlite3.connect(str(bad)).close()
    else:
        tamper(bad, "UPDATE events SET reason = 'quota_used'")
    community.gate.close()
    before = community.path.read_bytes()
    capsys.readouterr()

    code = main(["--db", str(community.path), "--lang", "en", "restore", str(bad), "--force"])

    assert code == 2
    assert ("damaged" in capsys.readouterr().err) == (damage != "chain")
    assert community.path.read_bytes() == before
    assert not community.path.with_name("gate.db.before-restore-1").exists()


def test_a_backup_to_a_stick_carries_the_signing_key_and_restore_puts_it_back(community, tmp_path, capsys):
    """The card signing key is never inside the database copy, but beside it (owner-only):
    a gate whose database and key were lost can issue and re-issue cards again."""
    from data.keyfile import key_path

    stick = tmp_path / "stick"
    key = key_path(community.path)
    original = key.read_bytes()
    assert main(["--db", str(community.path), "--lang", "en", "backup", "--to", str(stick / "b.db")]) == 0
    assert "signing key is saved beside it" in capsys.readouterr().out
    copy = stick / "b.db.signing-key"
    assert copy.read_bytes() == original and mode(copy) == 0o600
    assert b"PRIVATE KEY" not in (stick / "b.db").read_bytes()
    community.gate.close()
    community.path.write_bytes(b"\0" * 4096)
    key.unlink()

    assert main(["--db", str(community.path), "restore", str(stick / "b.db")]) == 0
    assert key.read_bytes() == original and mode(key) == 0o600
    household = community.households[0].id
    assert main(["--db", str(community.path), "card", "issue", "--household", household,
                 "--kind", "work"]) == 0


def test_restore_never_replaces_a_signing_key_that_is_there(community, tmp_path):
    from data.keyfile import key_path

    assert main(["--db", str(community.path), "backup", "--to", str(tmp_path / "b.db")]) == 0
    (tmp_path / "b.db.signing-key").write_bytes(b"someone else's key")
    community.gate.close()
    before = key_path(community.path).read_bytes()
    assert main(["--db", str(community.path), "restore", str(tmp_path / "b.db"), "--force"]) == 0
    assert key_path(community.path).read_bytes() == before


def test_restore_refuses_a_key_copy_that_is_not_a_key_and_changes_nothing(community, tmp_path, capsys):
    from data.keyfile import key_path

    assert main(["--db", str(community.path), "backup", "--to", str(tmp_path / "b.db")]) == 0
    (tmp_path / "b.db.signing-key").write_bytes(b"not a key")
    community.gate.close()
    key_path(community.path).unlink()
    before = event_ids(community.path)
    capsys.readouterr()
    assert main(["--db", str(community.path), "--lang", "en", "restore", str(tmp_path / "b.db")]) == 2
    assert "is not a card signing key: nothing was restored" in capsys.readouterr().err
    assert event_ids(community.path) == before and not key_path(community.path).exists()


def test_a_scan_is_decided_while_the_daily_backup_is_half_copied(community, monkeypatch):
    """The backup on its own connection and thread (the gate screen's maintenance lane),
    held after its first step; the gate's own connection scans meanwhile."""
    import threading

    import data.backup
    from kiosk.app import backup_in_background

    monkeypatch.setattr(data.backup, "STEP_PAGES", 1)  # a small database in many steps
    community.gate.service.scan(community.life[0].payload, "out", "36.5")
    today = community.gate.today()
    halfway, release = threading.Event(), threading.Event()
    seen: list[tuple[int, int]] = []

    def hold(copied: int, total: int) -> None:
        seen.append((copied, total))
        if not halfway.is_set():
            halfway.set()
            release.wait(timeout=120)

    found: list = []
    worker = threading.Thread(target=lambda: found.extend(backup_in_background(community.path, today, hold)))
    worker.start()
    try:
        assert halfway.wait(timeout=120)
        assert 0 < seen[0][0] < seen[0][1]  # mid-way through the copy
        verdict = community.gate.service.scan(community.life[1].payload, "out", "36.5")
        assert verdict.decision.value == "allow" and worker.is_alive()  # decided, the copy still held
        assert verdict.event_id in event_ids(community.path)  # on disk, for any other connection
    finally:
        release.set()
        worker.join(timeout=120)
    assert found == []
    copy = daily_path(community.path, today)
    info, result, chain = inspect(copy)
    assert (result, chain.intact) == ("ok", True)
    assert verdict.event_id not in event_ids(copy)  # the copy is the snapshot it started from
    assert info.events == len(event_ids(community.path)) - 1


def test_two_databases_in_one_folder_keep_their_own_daily_backups(community, tmp_path):
    from tests.reliability.conftest import build_community

    other = build_community(community.path.with_name("north.db"), community.clock)
    try:
        for day in range(1, 17):
            community.clock.set(local(day, 12))
            for store in (community.gate.store, other.gate.store):
                backup_if_due(store, community.clock.now().date())
    finally:
        other.gate.close()
    folder = daily_path(community.path, local(1).date()).parent
    names = sorted(p.name for p in folder.iterdir())
    assert [n for n in names if n.startswith("north-")] == [f"north-2026-02-{d:02}.db" for d in range(3, 17)]
    assert [n for n in names if n.startswith("gate-")] == [f"gate-2026-02-{d:02}.db" for d in range(3, 17)]
    assert inspect(folder / "north-2026-02-16.db")[0].events == len(event_ids(other.path))


def test_a_disk_that_fails_while_the_backup_copies_leaves_a_warning_and_no_file(community, monkeypatch):
    """The copy's pages are written out step by step (data/backup.py written_as_copied): a
    write the disk refuses half-way is the backup-failed warning, never a file."""
    import errno

    import data.backup
    from kiosk.app import backup_in_background

    monkeypatch.setattr(data.backup, "STEP_PAGES", 1)
    steps: list[int] = []

    def refuse(_fd: int) -> None:
        steps.append(1)
        if len(steps) == 3:
            raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(data.backup, "_write_out", refuse)
    today = community.gate.today()
    found = backup_in_background(community.path, today)
    assert [f.key for f in found] == ["backup_failed"]
    folder = daily_path(community.path, today).parent
    assert list(folder.iterdir()) == []  # neither the day's file nor a half-written part
    monkeypatch.undo()
    assert backup_in_background(community.path, today) == []  # the next try makes it
    assert inspect(daily_path(community.path, today))[1] == "ok"
