"""Every file Gatepost writes for a user goes through here: exports, card sheets, QR images,
backups (issues 10 and 13; docs/reliability.md, "Files Gatepost writes").

The rules:
- never onto a guarded file, `--force` or not: the gate's database, its `-wal`, `-shm`
  and `-journal`, the signing key (data.keyfile.key_path) and any `*.key` beside the
  database, anything in the backups folder (data.backup.backup_folder), or any file that
  has a `-wal`/`-shm` beside it (a live SQLite database of some other program);
- an existing file only with `force`; never onto a folder or an empty name;
- written to an owner-only (0600 from the first byte) temporary file beside the output,
  fsync'd, then renamed into place; the temporary file is removed on any failure
  (an exception, a cancel, Ctrl-C).

Nothing here opens a guarded file: paths are resolved with os.path.realpath (readlink,
never open) and compared by os.stat identity (device and inode), so a symlink or a hard
link to the database is refused too. Opening and closing any descriptor on a database
file would drop SQLite's POSIX locks in the whole process (sqlite.org/howtocorrupt.html,
section 2.2): "nothing in a gate's process opens the database file but SQLite itself".
"""
from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path

from kiosk.errors import Refused

DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")
DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EIO)  # the disk, not the user: exit 3


class OutputRefused(Refused):
    """An output path Gatepost will not write; `key` names the message (kiosk.messages CLI)."""


def disk_failed(failure: OSError) -> bool:
    """A full (or failing) disk, as opposed to a bad path the user can fix."""
    return failure.errno in DISK_FULL


@contextlib.contextmanager
def owner_only() -> Iterator[None]:
    """Files created meanwhile are 0600 (umask 077): lets SQLite create a database (and its
    -wal/-shm, which take the database's mode) owner-only without anyone else opening it.
    The umask is the process's: it only ever makes a file another thread creates stricter."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def guarded_files(databases: Iterable[str | Path]) -> list[Path]:
    """The files of each database that nothing may write onto (resolved, existing or not)."""
    from data.keyfile import key_path

    files: list[Path] = []
    for db in databases:
        real = Path(os.path.realpath(db))
        files += [real.with_name(real.name + suffix) for suffix in DATABASE_SUFFIXES]
        files.append(key_path(real))
        with contextlib.suppress(OSError):  # a folder we cannot list has no keys to lose
            files += [Path(os.path.realpath(k)) for k in real.parent.glob("*.key")]
    return files


def guarded_folders(databases: Iterable[str | Path]) -> list[Path]:
    from data.backup import backup_folder

    return [Path(os.path.realpath(backup_folder(Path(db)))) for db in databases]


def check_output(out: str | Path | None, databases: Iterable[str | Path], force: bool = False,
                 extra_guarded: Iterable[str | Path] = (), into_backups: bool = False) -> Path:
    """The resolved path to write, or OutputRefused.

    `databases`: the open databases whose files are guarded; `extra_guarded`: more files
    (an office key given with --key). `into_backups`: the daily backup alone may write in
    the backups folder.
    """
    if out is None or not str(out).strip():
        raise OutputRefused("output_empty")
    databases = list(databases)
    given = Path(os.path.expanduser(str(out)))
    target = Path(os.path.realpath(given))
    if target.is_dir():
        raise OutputRefused("output_is_folder", path=given)
    guarded = guarded_files(databases) + [Path(os.path.realpath(p)) for p in extra_guarded]
    if target in guarded or _same_file_as_any(target, guarded) or _live_database(target):
        raise OutputRefused("output_protected", path=given)
    if not into_backups and any(_inside(target, folder) for folder in guarded_folders(databases)):
        raise OutputRefused("output_protected", path=given)
    if os.path.lexists(given) and not force:
        raise OutputRefused("output_exists", path=given)
    return target


def _same_file_as_any(target: Path, guarded: list[Path]) -> bool:
    try:
        mine = os.stat(target)
    except OSError:
        return False  # not there yet: the resolved names were compared already
    for path in guarded:
        with contextlib.suppress(OSError):
            if os.path.samestat(mine, os.stat(path)):
                return True
    return False


def _live_database(target: Path) -> bool:
    return any(os.path.lexists(f"{target}{suffix}") for suffix in ("-wal", "-shm", "-journal"))


def _inside(target: Path, folder: Path) -> bool:
    if folder == target or folder in target.parents:
        return True
    try:
        folder_stat = os.stat(folder)
    except OSError:
        return False
    for parent in target.parents:  # the same folder under another name (a bind mount, a link)
        with contextlib.suppress(OSError):
            if os.path.samestat(os.stat(parent), folder_stat):
                return True
    return False


class PendingOutput:
    """A file being written: `part` (owner-only, beside the output) becomes `path` on commit.

    `scratch()` hands out more owner-only temporary files beside the output (openpyxl's
    sheet streams), all removed when the output is committed or discarded.
    """

    def __init__(self, path: Path):
        self.path = path
        self._scratch: list[Path] = []
        self.part = self.scratch("part")

    def scratch(self, suffix: str) -> Path:
        name = f".{self.path.name}.{secrets.token_hex(4)}.{suffix}"
        path = self.path.with_name(name)
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        self._scratch.append(path)
        return path

    def commit(self, force: bool) -> None:
        fd = os.open(self.part, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if not force and os.path.lexists(self.path):  # appeared while we wrote
            raise OutputRefused("output_exists", path=self.path)
        os.replace(self.part, self.path)
        _fsync_folder(self.path.parent)
        self.discard()

    def discard(self) -> None:
        for path in self._scratch:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


@contextlib.contextmanager
def writing(out: str | Path | None, databases: Iterable[str | Path], force: bool = False,
            extra_guarded: Iterable[str | Path] = (), into_backups: bool = False
            ) -> Iterator[PendingOutput]:
    """Check `out` (check_output), then yield the PendingOutput to write `.part` of; it is
    renamed into place when the block ends, and removed if the block raises anything."""
    target = check_output(out, databases, force, extra_guarded, into_backups)
    pending = PendingOutput(target)
    try:
        yield pending
        pending.commit(force)
    except BaseException:
        pending.discard()
        raise


def refuse_guarded_input(path: str | Path, databases: Iterable[str | Path]) -> None:
    """An input file (a roster) that is one of the database's files would be opened and
    closed by a reader, dropping SQLite's locks: OutputRefused("input_protected")."""
    target = Path(os.path.realpath(path))
    guarded = guarded_files(databases)
    if target in guarded or _same_file_as_any(target, guarded):
        raise OutputRefused("input_protected", path=path)


def _fsync_folder(folder: Path) -> None:
    """The rename is durable once the folder's entry is on disk (a FAT stick may refuse)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as failure:
        if failure.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)
