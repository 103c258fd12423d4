"""The gate screen's background upkeep: the WAL checkpoint and the daily backup, on a
lane of their own (docs/performance.md, "A million events").

The gate lane's connection never checkpoints its WAL (kiosk.app.GateProcess.open_gate_lane):
a commit that crossed SQLite's auto-checkpoint threshold used to copy 1000 pages inside
one scan. Here, every `checkpoint_s`, a second connection makes a passive checkpoint
(it copies what no reader still needs and never waits for a lock). Every `backup_s`, and
once at start, the day's backup is made if it is due: its own connection, the copy in
steps of one snapshot, so a scan arriving meanwhile is decided at once on the gate lane.
The jobs are given by the composition root (kiosk.app.checkpoint_in_background,
backup_in_background); never two at once: a tick while one runs is skipped.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.startup import Finding, Severity
from ui.tasks import Lane

log = logging.getLogger("db")

CHECKPOINT_S = 10   # the WAL grows by about 30 KB a scan between two checkpoints
BACKUP_CHECK_S = 300  # a screen left running past midnight makes the new day's backup within 5 min

Checkpoint = Callable[[], object]
Backup = Callable[[], list[Finding]]


class MaintenanceTimer(QObject):
    """Checkpoints the WAL and makes the daily backup, off the GUI thread and the gate lane.

    Signals:
        damaged(object): the backup found the database damaged; the list of kiosk.startup.Finding.
        warned(object): the backup could not be written (a full disk); the list of findings.
        backed_up(): a backup job finished without a finding (made, or not due).
        checkpointed(object): a checkpoint finished; (frames in the WAL, frames copied).
    """

    damaged = Signal(object)
    warned = Signal(object)
    backed_up = Signal()
    checkpointed = Signal(object)

    def __init__(self, checkpoint: Checkpoint, backup: Backup, checkpoint_s: int = CHECKPOINT_S,
                 backup_s: int = BACKUP_CHECK_S, parent: QObject | None = None):
        super().__init__(parent)
        self.checkpoint, self.backup = checkpoint, backup
        self._busy: set[str] = set()
        self.lane = Lane("maintenance", self, background=True)  # below the gate lane's CPU priority
        self.checkpoint_timer = QTimer(self)
        self.checkpoint_timer.timeout.connect(self.checkpoint_now)
        self.checkpoint_timer.start(1000 * checkpoint_s)
        self.backup_timer = QTimer(self)
        self.backup_timer.timeout.connect(self.backup_now)
        self.backup_timer.start(1000 * backup_s)

    def checkpoint_now(self) -> bool:
        """Start a passive checkpoint unless one is running; True if one was started."""
        return self._start("checkpoint", self.checkpoint, self.checkpointed.emit)

    def backup_now(self) -> bool:
        """Make the day's backup if it is due, unless a backup job is running."""
        return self._start("backup", self.backup, self._on_backup)

    def _start(self, job: str, body: Callable[[], object], on_done: Callable[[object], None]) -> bool:
        if job in self._busy:
            return False
        self._busy.add(job)

        def done(result: object) -> None:
            self._busy.discard(job)
            on_done(result)

        def failed(error: BaseException) -> None:
            self._busy.discard(job)
            log.error("%s failed to run", job, exc_info=error)
            if job == "backup":
                self.warned.emit([Finding("backup_failed", Severity.WARNING, {"detail": str(error)[:200]})])

        self.lane.submit(body, done, failed)
        return True

    def _on_backup(self, findings: object) -> None:
        found = list(findings) if isinstance(findings, list) else []
        errors = [f for f in found if f.severity is Severity.ERROR]
        if errors:
            log.error("backup found the database damaged: %s", ", ".join(f.key for f in errors))
            self.damaged.emit(errors)
        elif found:
            log.warning("backup not written: %s", ", ".join(f.key for f in found))
            self.warned.emit(found)
        else:
            self.backed_up.emit()

    def stop(self) -> None:
        self.checkpoint_timer.stop()
        self.backup_timer.stop()
        self.lane.stop(timeout_ms=60000)  # a backup under way finishes: its file is renamed whole
