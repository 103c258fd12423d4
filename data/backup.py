"""Online backups with SQLite's backup API, and restoring one.

A backup is a consistent copy of the live database taken while the gate runs (never a
file copy of a database in WAL mode, which can catch it half-way through a commit). It is
written to a temporary file, checked (`PRAGMA integrity_check`),
fsync'd and only then renamed into place, owner-only (0600): a crash during a backup
leaves the previous backup as it was.

Daily backups go to the folder `backups/` beside the database (or $KIOSK_BACKUP_DIR), one
file per database and local day, `<database's stem>-YYYY-MM-DD.db` (`gate-2026-02-11.db`
for `gate.db`, as before; two databases in one folder no longer share a name); the newest
KEEP_DAILY of each database are kept. The copy runs in steps on its own connection, so the
gate screen makes it off its gate lane (kiosk.app.backup_in_background). The card
signing key is never inside a backup (it is its own file, data/keyfile.py): `kiosk backup
--to FILE` writes it beside the copy as `FILE.signing-key`, owner-only, and `kiosk restore`
puts it back where a database has none. The device key and the PIN pepper stay with the
gate: a backup is not meant to sign events as that gate, nor to let PINs be guessed.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import glob
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from data.keyfile import key_path, read_private_key, write_private_key
from data.outputs import check_output, writing
from data.store import SqliteStore, storage_errors
from data.store_chain import ChainReport, events_not_in, integrity, restore_pages, verify_chain
from kiosk.errors import Refused
from kiosk.ports import StorageError

log = logging.getLogger("db")

KEEP_DAILY = 14
STEP_PAGES = 256  # pages a backup step copies (1 MiB of 4 KiB pages): progress, and a hold point
DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")  # the database itself is bad, not the disk


class BackupRefused(Refused):
    """A backup or restore that would do harm; `key` names the message (kiosk.messages STARTUP)."""

    table = "startup"


@dataclasses.dataclass(frozen=True)
class BackupInfo:
    path: Path
    events: int
    newest_seq: int
    size: int

    def to_json(self) -> dict:
        return {"path": str(self.path), "events": self.events, "newest_seq": self.newest_seq,
                "bytes": self.size}


def backup_folder(db_path: Path) -> Path:
    env = os.environ.get("KIOSK_BACKUP_DIR")
    return Path(env) if env else db_path.parent / "backups"


def daily_path(db_path: Path, day: dt.date) -> Path:
    """The day's backup of the database at `db_path`, named by the database."""
    return backup_folder(db_path) / f"{Path(db_path).stem}-{day.isoformat()}.db"


def backup(store: SqliteStore, dest: Path, force: bool = False, daily: bool = False,
           progress: Callable[[int, int], None] | None = None) -> BackupInfo:
    """A checked, owner-only copy of the live database at `dest` (replaced atomically).

    Through data.outputs: never onto the database, its -wal/-shm or a key; an existing
    file only with `force`; in the backups folder only the `daily` backup (which replaces
    the day's file: it is the program's own). OutputRefused otherwise."""
    dest = Path(dest)
    with storage_errors():
        check_output(dest, [store.path], force or daily, into_backups=daily)
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with writing(dest, [store.path], force or daily, into_backups=daily) as pending:
            # The backup FILE (the empty owner-only file: a new database), never the live one:
            # its connection is the backup's own; the live pages come from the store.
            target = sqlite3.connect(str(pending.part))
            try:
                # Pages in steps, one snapshot (data/store_chain.py copy_into): a busy
                # gate's scans go on beside the copy; progress(copied, total) after each.
                # Each step's pages go to the disk before the next (written_as_copied).
                with written_as_copied(pending.part) as flush:
                    def step_done(copied: int, total: int) -> None:
                        flush()
                        if progress is not None:
                            progress(copied, total)

                    store.copy_into(target, pages=STEP_PAGES, progress=step_done)
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                problem = _check(target)
                info = _describe(target, dest) if problem is None else None
            except sqlite3.DatabaseError as failure:
                if getattr(failure, "sqlite_errorname", "") not in DAMAGED:
                    raise  # a full disk, a lock: an environment failure, not damage
                problem = str(failure)
            finally:
                target.close()
            if problem is not None:
                raise BackupRefused("backup_damaged", path=dest, detail=problem)
            assert info is not None  # described: no problem was found
    log.info("backup written: %s (%d events)", dest, info.events)
    return dataclasses.replace(info, size=dest.stat().st_size)


@contextlib.contextmanager
def written_as_copied(path: Path) -> Iterator[Callable[[], None]]:
    """A `flush()` that sends what was written to `path` so far on its way to the disk.

    Called after each step of the copy, it keeps the copy's unwritten pages to a step or
    two. Without it the whole copy (670 MB at a million events) waited in the page cache
    for the copy's closing fsync, and a scan committed meanwhile waited behind all of it
    (80-430 ms; the scan's own fsync takes a few). The closing fsync and the check of the
    copy are as before: this only spreads the writing over the copy, it promises nothing.

    The one descriptor Gatepost opens on a file SQLite has open (docs/reliability.md): its
    close drops this process's locks on the copy, which no other connection or process
    ever opens before the rename, so those locks guard nothing; the gate's own database
    is never opened here."""
    fd = os.open(path, os.O_RDONLY)
    try:
        yield lambda: _write_out(fd)
    finally:
        os.close(fd)


# sync_file_range(2), Linux's: wait for the writes the previous call started, start
# writing what is dirty now, return. No journal commit, no wait for the disk to finish
# this step's pages: the copy goes on while they are written. Elsewhere (not a kiosk's
# system) the closing fsync writes the whole copy, as it did.
_WAIT_BEFORE, _WRITE = 1, 2


@functools.cache
def _sync_file_range() -> Callable[[int, int, int, int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # here, not at import: every CLI command imports this module

    call = getattr(ctypes.CDLL(None, use_errno=True), "sync_file_range", None)
    if call is not None:
        call.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    return call


def _write_out(fd: int) -> None:
    call = _sync_file_range()
    if call is not None and call(fd, 0, 0, _WAIT_BEFORE | _WRITE) != 0:
        import ctypes

        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def signing_key_copy(backup_path: Path) -> Path:
    return backup_path.with_name(backup_path.name + ".signing-key")


def backup_signing_key(db_path: Path, dest: Path, force: bool = False) -> Path | None:
    """The card signing key beside the backup `dest`, owner-only; None if this gate has none.

    Without it a community that loses its gate's disk can check its old cards but never
    issue or re-issue one again: every card would have to be printed anew under a new key.
    """
    key = key_path(db_path)
    if not key.exists():
        return None
    out = signing_key_copy(dest)
    with writing(out, [db_path], force) as pending:
        pending.part.write_bytes(key.read_bytes())
    log.info("signing key copied beside the backup: %s", out)
    return out


def backup_is_due(db_path: Path, today: dt.date) -> bool:
    """No backup of today yet (a look at one file name: the gate lane may ask)."""
    return not daily_path(db_path, today).exists()


def backup_if_due(store: SqliteStore, today: dt.date,
                  progress: Callable[[int, int], None] | None = None) -> BackupInfo | None:
    """Today's backup, unless it exists already; prunes the old ones. None if not due."""
    dest = daily_path(store.path, today)
    if dest.exists():
        return None
    info = backup(store, dest, daily=True, progress=progress)
    prune(dest.parent, KEEP_DAILY, store.path.stem)
    return info


def prune(folder: Path, keep: int, stem: str = "gate") -> list[Path]:
    """Delete all but the newest `keep` daily backups of the database named `stem`; the
    names sort by date. Another database's backups in the folder are not its to delete."""
    daily = sorted(folder.glob(f"{glob.escape(stem)}-????-??-??.db"))
    gone = daily[:-keep] if keep > 0 else daily
    for old in gone:
        old.unlink()
    return gone


def inspect(path: Path) -> tuple[BackupInfo, str | None, ChainReport | None]:
    """A backup file's contents, its integrity ('ok' or the complaint) and its chain."""
    path = Path(path)
    if not path.is_file():
        raise BackupRefused("backup_missing", path=path)
    try:
        # A read-only connection on the backup FILE, not the live database: the checks run
        # over it are the store's own functions (data/store_chain.py).
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = integrity(conn)
            if result != "ok":
                return BackupInfo(path, 0, 0, path.stat().st_size), result, None
            info = _describe(conn, path)
            return info, result, verify_chain(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as failure:  # not a database at all
        return BackupInfo(path, 0, 0, path.stat().st_size), str(failure), None


def restore(source: Path, db_path: Path, force: bool = False) -> BackupInfo:
    """Put a backup in place of the database at `db_path`.

    Refuses a backup that is damaged or whose chain is broken, and refuses to lose events:
    if the database holds events the backup does not, only `force` goes on. The database
    it replaces is first kept beside it as `<name>.before-restore-<n>`.
    """
    source, db_path = Path(source), Path(db_path)
    info, result, chain = inspect(source)
    if result != "ok":
        raise BackupRefused("backup_damaged", path=source, detail=result)
    first = chain.first_break if chain is not None else None  # None exactly when intact
    if first is not None:
        raise BackupRefused("backup_chain_broken", path=source, kind=first.kind, seq=first.first_seq)
    saved_key, key = None, key_path(db_path)
    if signing_key_copy(source).exists() and not key.exists():  # never over a key that is there
        try:
            saved_key = read_private_key(signing_key_copy(source))
        except ValueError:
            raise BackupRefused("backup_key_bad", path=signing_key_copy(source)) from None
    if db_path.exists():
        newer = events_not_in(db_path, source)
        if newer and not force:
            raise BackupRefused("restore_would_lose", path=db_path, count=newer)
    if db_path.exists():
        _keep_aside(db_path)
    restore_pages(source, db_path)  # the store's (data/store_chain.py)
    if saved_key is not None:
        write_private_key(key, saved_key)  # created owner-only, refusing to overwrite
        log.warning("signing key restored from %s", signing_key_copy(source))
    log.warning("restored %s from %s (%d events)", db_path, source, info.events)
    return info


def _describe(conn: sqlite3.Connection, path: Path) -> BackupInfo:
    # `conn` is the backup FILE's (the copy being written, or one inspected read-only),
    # never the live database: the backup's own business, not the store's.
    events, newest = conn.execute("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM events").fetchone()
    return BackupInfo(path, events, newest, 0)


def _check(conn: sqlite3.Connection) -> str | None:
    """SQLite's complaint about the copy, or None. The copy is the live file's pages, so a
    damaged page of the database shows here (the chain is checked on restore instead: a
    backup of a tampered log is still worth keeping)."""
    result = integrity(conn)
    return None if result == "ok" else result


def _keep_aside(db_path: Path) -> Path:
    """Keep the database a restore replaces: a copy if it still reads, else the files moved."""
    keep = _free_name(db_path)
    try:
        current = SqliteStore(db_path)
        try:
            backup(current, keep)
        finally:
            current.close()
    except (StorageError, BackupRefused):  # too damaged to copy: move it aside whole
        for suffix in ("", "-wal", "-shm"):
            part = db_path.with_name(db_path.name + suffix)
            if part.exists():
                os.replace(part, keep.with_name(keep.name + suffix))
    log.warning("restore: the database it replaces is kept as %s", keep)
    return keep


def _free_name(db_path: Path) -> Path:
    n = 1
    while (candidate := db_path.with_name(f"{db_path.name}.before-restore-{n}")).exists():
        n += 1
    return candidate
