"""The save dialog opens no file it lists (ui/filedialogs.py, issue 10).

Process A (this test) holds a WAL database with pages not yet checkpointed; the dialog
lists its folder; then process B connects and closes. If anything in A opened and closed
a descriptor on the database, A's POSIX locks are gone, B believes it is the last user,
checkpoints and deletes the -wal (sqlite.org/howtocorrupt.html, section 2.2). Qt's own
opens are C calls an audit hook cannot see: the -wal is the proof.
"""
from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from PySide6.QtWidgets import QFileDialog, QFileSystemModel

from tests.opens import opened_database_files, python_opens
from ui.filedialogs import export_folder, save_dialog


@pytest.fixture
def live_wal(tmp_path):
    folder = tmp_path / "gatepost"
    folder.mkdir()
    db = folder / "gate.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")  # the pages stay in the -wal
    conn.execute("CREATE TABLE events (x)")
    conn.execute("INSERT INTO events VALUES (1)")
    yield db
    conn.close()


def second_process_opens_and_closes(db) -> None:
    subprocess.run([sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
                    " c.execute('SELECT * FROM events').fetchall(); c.close()", str(db)], check=True)


def list_folder(qtbot, dialog: QFileDialog, folder) -> int:
    model = dialog.findChild(QFileSystemModel)
    with qtbot.waitSignal(model.directoryLoaded, timeout=10000,
                          check_params_cb=lambda path: path == str(folder)):
        dialog.setDirectory(str(folder))
        dialog.show()
    qtbot.waitUntil(lambda: model.rowCount(model.index(str(folder))) >= 3)  # gate.db, -wal, -shm
    for row in range(model.rowCount(model.index(str(folder)))):  # what the view shows: icon, type
        index = model.index(row, 2, model.index(str(folder)))
        model.data(index), model.fileIcon(index.siblingAtColumn(0))
    return model.rowCount(model.index(str(folder)))


def test_our_save_dialog_on_the_database_folder_opens_none_of_its_files(qtbot, live_wal):
    wal = live_wal.with_name("gate.db-wal")
    with python_opens() as seen:
        dialog = save_dialog(None, "Export", "log.xlsx", ["All files (*)"])
        qtbot.addWidget(dialog)
        assert list_folder(qtbot, dialog, live_wal.parent) >= 3
        second_process_opens_and_closes(live_wal)
    assert opened_database_files(seen, live_wal) == []
    assert wal.exists(), "something in this process opened the database: its locks were dropped"


def test_qts_default_dialog_does_open_them_the_hazard_is_real(qtbot, live_wal):
    """The control: without ui/filedialogs' icon provider, Qt sniffs each file's MIME type,
    the locks drop and the second process deletes the -wal. (If a Qt release stops doing
    this, this test fails: then the test above proves less, and docs/reliability.md says so.)"""
    dialog = QFileDialog(None, "Export", str(live_wal.parent.parent))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    qtbot.addWidget(dialog)
    list_folder(qtbot, dialog, live_wal.parent)
    second_process_opens_and_closes(live_wal)
    assert not live_wal.with_name("gate.db-wal").exists()


def test_the_dialog_starts_in_a_usb_stick_else_documents_never_the_database_folder(tmp_path, monkeypatch):
    stick_root = tmp_path / "media"
    stick = stick_root / "STICK"
    stick.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1M", "tmpfs", str(stick)],
                             capture_output=True, text=True)
    try:
        if mounted.returncode == 0:
            assert export_folder(tmp_path / "gate.db", roots=(str(stick_root),)) == stick
        home = tmp_path / "home"
        (home / "Documents").mkdir(parents=True)
        monkeypatch.setenv("HOME", str(home))
        monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(home / "Documents"))
        assert export_folder(tmp_path / "gate.db", roots=()) == home / "Documents"
        kept_in_documents = home / "Documents" / "gate.db"
        assert export_folder(kept_in_documents, roots=()) == home
    finally:
        if mounted.returncode == 0:
            subprocess.run(["umount", "-l", str(stick)], check=True)
