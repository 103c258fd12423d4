"""Bugs, kept apart from the failures a volunteer can meet (STYLE.md 7).

A bug (an exception the error model of kiosk/errors.py does not name) gets its traceback
in the log and a crash report beside it: one small owner-only file per bug, named by the
time it happened, in the log folder. A hard crash (a segfault in Qt or a decoder) leaves
faulthandler's dump in the same folder. The next start lists the reports it has not told
yet, and marks them told (a ".told" suffix): an administrator reads them, the volunteer
only learns that there were some.

The log folder is $GATEPOST_LOG_DIR, else "logs" beside the database.
"""
from __future__ import annotations

import datetime as dt
import faulthandler
import logging
import logging.handlers
import os
import traceback
from pathlib import Path
from typing import TextIO

log = logging.getLogger("gate")

LOG_FILE = "gatepost.log"
FAULT_FILES = "faulthandler-*.txt"  # one per process: a hard crash's stacks (faulthandler)


def log_dir(db_path: Path) -> Path:
    env = os.environ.get("GATEPOST_LOG_DIR")
    return Path(env) if env else Path(db_path).resolve().parent / "logs"


class CrashReports:
    """The crash reports of one log folder."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._fault_file: TextIO | None = None
        self._handler: logging.Handler | None = None
        self._root_level = logging.NOTSET

    def record(self, error: BaseException, context: str = "") -> Path | None:
        """Write one report for `error`; its path, or None if the folder cannot be written
        (the traceback is in the log all the same)."""
        now = dt.datetime.now().astimezone()
        text = "".join(traceback.format_exception(error))
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / f"crash-{now:%Y%m%d-%H%M%S-%f}.txt"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(f"Gatepost crash report, {now.isoformat(timespec='seconds')}\n{context}\n\n{text}")
        except OSError:
            log.exception("crash report not written in %s", self.directory)
            return None
        log.error("crash report: %s", path)
        return path

    def untold(self) -> list[Path]:
        """Reports (and hard-crash dumps) the last start has not told yet, oldest first."""
        if not self.directory.is_dir():
            return []
        own = self._open_fault_path()
        faults = [path for path in self.directory.glob(FAULT_FILES)
                  if path != own and path.stat().st_size > 0]  # empty: that process lives on
        return sorted(self.directory.glob("crash-*.txt")) + sorted(faults)

    def mark_told(self, reports: list[Path]) -> None:
        for path in reports:
            try:
                path.rename(path.with_name(path.name + f".{dt.datetime.now():%Y%m%d%H%M%S}.told"))
            except OSError:
                log.exception("crash report %s not marked as told", path)

    def _open_fault_path(self) -> Path | None:
        return Path(self._fault_file.name) if self._fault_file is not None else None

    def install(self) -> None:
        """The rotating log file and faulthandler's dump file of this process."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handler = logging.handlers.RotatingFileHandler(
                self.directory / LOG_FILE, maxBytes=5_000_000, backupCount=5, encoding="utf-8")
        except OSError:
            log.exception("no log file in %s", self.directory)
            faulthandler.enable()
            return
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        self._handler, self._root_level = handler, root.level
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)
        self._fault_file = open(self.directory / f"faulthandler-{os.getpid()}.txt", "w")  # noqa: SIM115 (open while the process lives)
        faulthandler.enable(self._fault_file)

    def close(self) -> None:
        """A clean exit: the log file closed, this process's empty dump file gone."""
        if self._handler is not None:
            root = logging.getLogger()
            root.removeHandler(self._handler)
            root.setLevel(self._root_level)
            self._handler.close()
            self._handler = None
        if self._fault_file is None:
            return
        faulthandler.disable()
        path = Path(self._fault_file.name)
        self._fault_file.close()
        self._fault_file = None
        if path.stat().st_size == 0:
            path.unlink(missing_ok=True)
