"""The gate screen's own integrity checks while it runs: a damaged file stops verdicts
within the hour (docs/reliability.md, "The integrity check at every start").

The check itself is given by the composition root (`kiosk.app.check_in_background`): it
opens its own connection on its own lane, so the GUI thread never waits on it and the
scans' connection is never shared. Each `period_s` the full check runs (SQLite's
integrity check and a pass over every stored text); `check_now(full=False)`, called after
each sync, runs the quick check. Never two at once: a tick while one runs is skipped.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.startup import Finding, Severity
from ui.tasks import Lane

log = logging.getLogger("db")

# check(full) -> the findings of damage, [] when the file is sound.
CheckJob = Callable[[bool], list[Finding]]


class IntegrityTimer(QObject):
    """Checks the database now and then, off the GUI thread.

    Signals:
        damaged(object): a check found damage; the list of kiosk.startup.Finding.
        passed(bool): a check found the file sound; True for the full check.
    """

    damaged = Signal(object)
    passed = Signal(bool)

    def __init__(self, check: CheckJob, period_s: int, parent: QObject | None = None):
        super().__init__(parent)
        self.check = check
        self._running = False
        self.lane = Lane("integrity", self, background=True)  # below the gate lane's CPU priority
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check_now)
        self.timer.start(1000 * period_s)

    @property
    def running(self) -> bool:
        return self._running

    def check_now(self, full: bool = True) -> bool:
        """Start a check unless one is running; True if one was started."""
        if self._running:
            return False
        self._running = True
        self.lane.submit(lambda: self.check(full), lambda found: self._on_done(found, full),
                         self._on_failed)
        return True

    def _on_done(self, findings: list[Finding], full: bool) -> None:
        self._running = False
        if findings:
            log.error("database damaged: %s", ", ".join(f.key for f in findings))
            self.damaged.emit(findings)
        else:
            self.passed.emit(full)

    def _on_failed(self, error: BaseException) -> None:
        # A check that cannot run is no proof the file is sound: the gate stops all the same.
        self._running = False
        log.error("integrity check failed to run", exc_info=error)
        self.damaged.emit([Finding("integrity_failed", Severity.ERROR, {"detail": str(error)[:200]})])

    def stop(self) -> None:
        self.timer.stop()
        self.lane.stop(timeout_ms=30000)
