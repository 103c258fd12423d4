"""The marker of the last whole-file check: `gate.db.checked`, owner-only, beside the database.

SQLite's quick check reads every page of the file (0.8 s idle at a million events, 5 s
under load): run by every CLI command it was most of `kiosk status` and `kiosk scan`. It
now runs once per boot and day for a file (and after the gate screen's hourly full check
and each sync's quick check); the marker records that it passed, for which file:

- the machine's boot (`/proc/sys/kernel/random/boot_id`): a power cut or a crash of the
  machine is when a file is most likely to be damaged, and a reboot checks again;
- the UTC day of the check: a kiosk that runs for weeks still reads its whole file daily;
- the file's identity, size and modification time (`os.stat`, never by opening it: only
  SQLite opens the database) and the gate's device id: a database copied, restored by
  hand, made anew at the same name or written into by anything but Gatepost's own SQLite
  connections is another file and is checked before it decides anything. Gatepost's own
  writes to the file (a checkpoint, the close of the last connection) carry the marker
  over (`carried`).

A marker that is missing, unreadable, or names another file, boot or day is no marker:
the quick check runs. A check that finds damage removes it. Writing it may fail (a full
disk, a read-only folder): then the next open checks again, nothing else changes.
docs/reliability.md, "The integrity check at every start".
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger("db")

BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def marker_path(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".checked")


def _boot() -> str:
    try:
        return BOOT_ID.read_text().strip()
    except OSError:  # not Linux: the day alone bounds how long a check holds
        return ""


def identity(db_path: str | Path, device_id: str, day: str) -> dict[str, object] | None:
    """What a marker must hold to stand for a check of this file today; None without a file."""
    try:
        st = os.stat(db_path)
    except OSError:
        return None
    return {"boot": _boot(), "day": day, "dev": st.st_dev, "ino": st.st_ino,
            "size": st.st_size, "mtime_ns": st.st_mtime_ns, "device": device_id}


def _read(db_path: str | Path) -> dict | None:
    try:
        held = json.loads(marker_path(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return held if isinstance(held, dict) else None


@contextlib.contextmanager
def carried(db_path: str | Path) -> Iterator[None]:
    """Around Gatepost's own writes to the file itself (a checkpoint, the last connection's
    close): a marker that held for the file before them holds for it after them. Anything
    else that writes into the file (a program, a restore by hand) changes its size or
    modification time and leaves the marker standing for another file: checked again."""
    held = _read(db_path)
    device, day = (held or {}).get("device"), (held or {}).get("day")
    before = identity(db_path, str(device), str(day)) if held else None
    yield
    if held is not None and before is not None and held == {**before, "result": "ok"}:
        mark_checked(db_path, str(device), str(day))


def is_checked(db_path: str | Path, device_id: str, day: str) -> bool:
    """True when the marker says this very file passed a whole-file check this boot and day."""
    wanted = identity(db_path, device_id, day)
    return wanted is not None and _read(db_path) == {**wanted, "result": "ok"}


def mark_checked(db_path: str | Path, device_id: str, day: str) -> None:
    """Record that the file passed (atomic, mode 0600); a marker that cannot be written is
    only a check again next time."""
    held = identity(db_path, device_id, day)
    if held is None:
        return
    path = marker_path(db_path)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(json.dumps({**held, "result": "ok"}))
        os.replace(temporary, path)
    except OSError as failure:
        log.warning("the check marker %s was not written: %s", path, failure)
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def forget(db_path: str | Path) -> None:
    """Damage found (or a check that could not run): no later open may skip the check."""
    try:
        marker_path(db_path).unlink(missing_ok=True)
    except OSError as failure:
        log.error("the check marker %s could not be removed: %s", marker_path(db_path), failure)
