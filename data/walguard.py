"""Proof, after every commit, that the WAL a connection wrote to is still the one on disk.

The trap (SQLite's "How To Corrupt An SQLite Database File", section 2.2): a POSIX
advisory lock belongs to the process, so closing ANY descriptor on the database file in
the gate's process (a file dialog sniffing a MIME type, a stray `open(db).read()`) drops
every lock SQLite holds on it. The next process to close a connection then believes it
is the last one, checkpoints, and unlinks `-wal` and `-shm` while the gate still has
them open: every later commit of the gate goes into a deleted file, and a power cut
loses it although its verdict was shown.

Prevention is the rule "nothing in a gate's process opens the database file but SQLite
itself" (docs/reliability.md). Detection is here: `os.stat` of `-wal`/`-shm` opens
nothing and costs a few microseconds, and SQLite never replaces either file while a
connection has them open, so a different identity (or none) after a commit means the
trap was sprung.
"""
from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

log = logging.getLogger("db")

Identity = tuple[int, int] | None  # (st_dev, st_ino), or None when the file is not there

# sqlite3.h: SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE. Python 3.12 exposes it as a constant.
_NO_CKPT_ON_CLOSE = getattr(sqlite3, "SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE", 1006)


class WalReplaced(OSError):
    """The WAL or its index under this connection is not the one on disk any more."""


def identity(path: str) -> Identity:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def identities(db_path: Path | str) -> tuple[Identity, Identity]:
    # Plain strings to os.stat: a Path built per commit cost more than the two stat calls.
    return identity(f"{db_path}-wal"), identity(f"{db_path}-shm")


def no_checkpoint_on_close(conn: sqlite3.Connection, db_path: Path) -> bool:
    """Tell SQLite not to checkpoint when this connection closes; True if it took.

    A connection whose WAL was unlinked under it must not copy that orphan WAL's frames
    into the database file on close: another process may have written newer pages since.
    Python 3.12 has `setconfig`; on 3.11 the flag is set through the C API, on the
    connection's own handle, after checking that the handle really is this database's.
    """
    if hasattr(conn, "setconfig"):
        conn.setconfig(_NO_CKPT_ON_CLOSE, True)
        return True
    import ctypes  # only here, on the rare path: ctypes.util costs every process 10-15 ms at start
    import ctypes.util

    try:
        lib = ctypes.CDLL(ctypes.util.find_library("sqlite3") or "libsqlite3.so.0")
        # pysqlite_Connection starts with PyObject_HEAD, then `sqlite3 *db`.
        handle = ctypes.c_void_p.from_address(id(conn) + object.__basicsize__).value
        lib.sqlite3_db_filename.restype = ctypes.c_char_p
        lib.sqlite3_db_filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        name = lib.sqlite3_db_filename(handle, b"main")
        if not handle or name is None or Path(os.fsdecode(name)).resolve() != db_path.resolve():
            return False
        lib.sqlite3_db_config.restype = ctypes.c_int
        done = lib.sqlite3_db_config(ctypes.c_void_p(handle), ctypes.c_int(_NO_CKPT_ON_CLOSE),
                                     ctypes.c_int(1), ctypes.c_void_p(0))
        return done == 0
    except (OSError, AttributeError, ValueError) as failure:
        log.warning("cannot keep an orphan WAL from being checkpointed: %s", failure)
        return False
