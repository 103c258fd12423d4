"""Files Gatepost writes (issues 10 and 13; docs/reliability.md "Files Gatepost writes"):
never onto the database, its -wal/-shm, a key or the backups, --force or not; an existing
file only with --force; owner-only; nothing left behind by a failure, a cancel or Ctrl-C;
a full disk is one clear sentence, exit 3, and no traceback."""
from __future__ import annotations

import datetime as dt
import gc
import os
import sqlite3
import stat
import tempfile
from pathlib import Path

import pytest

from data.backup import backup_folder
from data.export import ExportCancelled, export_log
from data.keyfile import key_path
from kiosk.cli import main
from kiosk.operators import Operator, Role
from tests.reliability.test_crash import fill, small_disk  # noqa: F401 (small_disk: a fixture)

DAY = "2026-02-10"


def _database(db: Path) -> Path:
    return db


def _wal(db: Path) -> Path:
    return db.with_name(db.name + "-wal")


def _shm(db: Path) -> Path:
    return db.with_name(db.name + "-shm")


def _another_key(db: Path) -> Path:
    other = db.with_name("office.key")
    other.write_bytes(b"-----BEGIN PRIVATE KEY-----\n")
    return other


def _daily_backup(db: Path) -> Path:
    return sorted(backup_folder(db).glob("gate-*.db"))[0]


def _new_file_in_backups(db: Path) -> Path:
    return backup_folder(db) / "log.csv"


def _symlink_to_database(db: Path) -> Path:
    link = db.parent / "innocent.csv"
    link.symlink_to(db)
    return link


def _hard_link_to_key(db: Path) -> Path:
    link = db.parent / "innocent.png"
    os.link(key_path(db), link)
    return link


GUARDED = [_database, _wal, _shm, key_path, _another_key, _daily_backup, _new_file_in_backups,
           _symlink_to_database, _hard_link_to_key]

WRITERS = {
    "export csv": ["export", "--date", DAY, "--format", "csv", "--out"],
    "export xlsx": ["export", "--date", DAY, "--format", "xlsx", "--out"],
    "cards print": ["cards", "print", "--out"],
    "card issue --qr-out": ["card", "issue", "--household", "H000102", "--kind", "special", "--qr-out"],
    "backup --to": ["backup", "--to"],
}


def fingerprint(path: Path):
    """What a write would change, read without opening the file (stat only)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def events_and_cards(db: Path) -> tuple[int, int, str]:
    conn = sqlite3.connect(db)
    try:
        return (conn.execute("SELECT COUNT(*) FROM events").fetchone()[0],
                conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0],
                conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("target", GUARDED, ids=lambda f: f.__name__.strip("_"))
def test_nothing_writes_onto_the_database_its_key_or_its_backups_even_with_force(
        community, capsys, writer, target):
    db = community.path
    community.gate.service.scan(community.life[0].payload, "out", "36.5")
    assert main(["--db", str(db), "status"]) == 0  # today's daily backup exists now
    out = target(db)  # the gate's connection stays open: its -wal and -shm exist
    key_before = key_path(db).read_bytes()
    before, counts = fingerprint(out), events_and_cards(db)
    capsys.readouterr()
    code = main(["--db", str(db), "--lang", "en", *WRITERS[writer], str(out), "--force"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Will not write" in err and "Traceback" not in err
    if out.name not in (db.name + "-wal", db.name + "-shm"):  # SQLite itself changes those
        assert fingerprint(out) == before
    assert key_path(db).read_bytes() == key_before
    assert events_and_cards(db) == counts  # no card issued, nothing recorded, database intact
    assert not list(db.parent.glob(".*.part")) and not list(backup_folder(db).glob(".*"))


# `cards print` through main() runs on today's real date, when the fixture's cards have
# expired: its sheets are checked through print_cards with the community's clock below.
WRITERS_TODAY = [w for w in WRITERS if w != "cards print"]


@pytest.mark.parametrize("writer", WRITERS_TODAY)
def test_an_existing_file_is_replaced_only_with_force_and_owner_only(community, tmp_path, capsys, writer):
    db = community.path
    out = tmp_path / "mine.out"
    out.write_text("the lead's own file")
    out.chmod(0o644)
    argv = ["--db", str(db), "--lang", "en", *WRITERS[writer], str(out)]
    assert main(argv) == 2
    assert "already exists and was not overwritten; add --force" in capsys.readouterr().err
    assert out.read_text() == "the lead's own file"
    assert main([*argv, "--force"]) == 0, capsys.readouterr().err
    assert out.read_bytes() != b"the lead's own file"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("out, message", [
    ("", "is a folder"),  # argparse makes "" the current folder
    (".", "is a folder"),
    ("/", "is a folder"),
    ("/no/such/folder/log.csv", "Cannot write file"),
])
def test_an_empty_or_folder_output_is_a_sentence_not_a_traceback(community, capsys, out, message):
    code = main(["--db", str(community.path), "--lang", "en", "export", "--date", DAY,
                 "--format", "csv", "--out", out])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_exports_are_owner_only_from_the_first_byte(community, tmp_path):
    """The temporary file is created 0600 (O_EXCL, mode 0600): the log is never readable by
    others, not even while it is being written."""
    community.gate.service.scan(community.life[0].payload, "out", "36.5")
    modes = []

    def progress(done, total):
        modes.extend(stat.S_IMODE(p.stat().st_mode) for p in tmp_path.glob(".log.*"))

    old = os.umask(0o000)  # the most permissive umask: the mode must not depend on it
    try:
        for fmt in ("csv", "xlsx"):
            export_log(community.gate.store, community.clock, Operator("t", Role.ADMIN), fmt,
                       tmp_path / f"log.{fmt}", dt.date(2026, 2, 10), progress=progress)
    finally:
        os.umask(old)
    assert modes and set(modes) == {0o600}
    assert {stat.S_IMODE(p.stat().st_mode) for p in tmp_path.glob("log.*")} == {0o600}


def _stop(error):

    def progress(done, total):
        raise error
    return progress


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
@pytest.mark.parametrize("error", [ExportCancelled(), KeyboardInterrupt(), OSError(28, "No space left")],
                         ids=["cancel", "ctrl-c", "oserror"])
def test_a_stopped_export_leaves_nothing_beside_it_nor_in_tmp(community, tmp_path, fmt, error):
    temp = Path(tempfile.gettempdir())
    before = set(temp.glob("openpyxl.*"))
    folder = tmp_path / "out"
    folder.mkdir()
    for i in range(3):  # rows enough for the stream to start
        community.gate.service.scan(community.life[i].payload, "out", "36.5")
    with pytest.raises(type(error)):
        export_log(community.gate.store, community.clock, Operator("t", Role.ADMIN), fmt,
                   folder / f"log.{fmt}", dt.date(2026, 2, 10), progress=_stop(error))
    gc.collect()
    assert list(folder.iterdir()) == []
    assert set(temp.glob("openpyxl.*")) == before


def test_an_xlsx_export_makes_no_temporary_file_in_tmp(community, tmp_path):
    temp = Path(tempfile.gettempdir())
    before = set(temp.glob("openpyxl.*"))
    folder = tmp_path / "out"
    folder.mkdir()
    community.gate.service.scan(community.life[0].payload, "out", "36.5")
    seen, open_files = [], []

    def files_open() -> set[str]:
        return {os.readlink(fd) for fd in Path("/proc/self/fd").iterdir() if fd.is_symlink()}

    already = files_open()  # pytest's own capture files among them

    def progress(done, total):
        seen.extend(temp.glob("openpyxl.*"))
        open_files.extend(files_open() - already)

    export_log(community.gate.store, community.clock, Operator("t", Role.ADMIN), "xlsx",
               folder / "log.xlsx", dt.date(2026, 2, 10), progress=progress)
    assert set(seen) <= before and set(temp.glob("openpyxl.*")) == before
    # the writer streams each sheet into an anonymous file (O_TMPFILE: no name, gone with the
    # process): in the output's folder, none in /tmp
    anonymous = [f for f in open_files if f.endswith("(deleted)")]
    assert any(f.startswith(f"{folder.resolve()}/") for f in anonymous), open_files
    assert not [f for f in anonymous if Path(f).parent == temp.resolve()]
    assert [p.name for p in folder.iterdir()] == ["log.xlsx"]


@pytest.mark.parametrize("writer", ["export csv", "export xlsx", "export pdf", "card issue --qr-out"])
def test_a_full_disk_under_the_output_is_one_sentence_exit_3_and_nothing_left(
        community, small_disk, capfd, writer):  # noqa: F811 (the fixture imported above)
    argv = {**WRITERS, "export pdf": ["export", "--date", DAY, "--format", "pdf", "--out"]}[writer]
    for i in range(4):
        community.gate.service.scan(community.life[i].payload, "out", "36.5")
    filler = fill(small_disk)
    code = main(["--db", str(community.path), "--lang", "en", *argv, str(small_disk / "out.file")])
    gc.collect()  # a half-closed archive would complain here ("Exception ignored in ...")
    err = capfd.readouterr().err
    assert code == 3, err
    assert "The disk is full or failing, cannot write" in err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert [p.name for p in small_disk.iterdir()] == [filler.name]


def test_card_sheets_replace_a_file_only_with_force_and_not_on_a_full_disk(community, small_disk):  # noqa: F811
    from data.cardsheet import print_cards
    from data.outputs import OutputRefused

    gate = community.gate
    out = small_disk / "cards.pdf"
    assert print_cards(gate.store, gate.office(), community.clock, out)[0] == 5
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with pytest.raises(OutputRefused):
        print_cards(gate.store, gate.office(), community.clock, out)
    out.unlink()
    filler = fill(small_disk)
    with pytest.raises(OSError) as failed:
        print_cards(gate.store, gate.office(), community.clock, out, force=True)
    assert failed.value.errno == 28
    assert [p.name for p in small_disk.iterdir()] == [filler.name]
