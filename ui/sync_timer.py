"""The background sync: every `sync.interval_s` seconds, one sync on its own lane.

The sync itself is given by the composition root (`kiosk.app.sync_in_background`): it
opens its own connections on the lane's thread, never the GUI's, so the GUI thread never
waits on the network or the office's disk. Offline is normal: a failed sync is reported by
`failed` with a calm sentence and tried again at the next tick; the status bar reads the
same state through `Gate.sync_summary()`.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.ports import SyncFailed
from ui.tasks import Lane

log = logging.getLogger("sync")

# sync(cancelled) -> a report, or None when no office is configured; SyncFailed otherwise.
SyncJob = Callable[[Callable[[], bool]], Any]


class SyncTimer(QObject):
    """Runs the sync now and then, never twice at once, never on the GUI thread.

    Signals:
        synced(object): a sync finished; its report (data.sync.SyncReport).
        failed(str): a sync could not finish; the reason in the gate's language.
        skipped(): a tick found no office configured (setting sync.url): nothing to do.
    """

    synced = Signal(object)
    failed = Signal(str)
    skipped = Signal()

    def __init__(self, sync: SyncJob, interval_s: int, parent: QObject | None = None):
        super().__init__(parent)
        self.sync = sync
        self._stopping = threading.Event()
        self._running = False
        self.lane = Lane("sync", self)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.sync_now)
        self.timer.start(1000 * interval_s)

    @property
    def running(self) -> bool:
        return self._running

    def sync_now(self) -> bool:
        """Start a sync unless one is running; True if one was started."""
        if self._running or self._stopping.is_set():
            return False
        self._running = True
        self.lane.submit(lambda: self.sync(self._stopping.is_set), self._on_done, self._on_failed)
        return True

    def _on_done(self, report: Any) -> None:
        self._running = False
        if report is None:
            self.skipped.emit()
        else:
            self.synced.emit(report)

    def _on_failed(self, error: BaseException) -> None:
        self._running = False
        if isinstance(error, SyncFailed):
            self.failed.emit(str(error))
        else:  # a bug: the traceback goes to the log, the screen gets a plain sentence
            log.error("background sync failed", exc_info=error)
            self.failed.emit(type(error).__name__)

    def stop(self) -> None:
        """Stop ticking; a running sync stops after its current batch (nothing is lost)."""
        self._stopping.set()
        self.timer.stop()
        self.lane.stop(timeout_ms=30000)
