"""The background sync: every `sync.interval_s` seconds, one `data.sync.sync_once` on its own lane.

The sync opens its own connections on the lane's thread (it is given the database's path,
never the GUI's Gate), so the GUI thread never waits on the network or the office's disk.
Offline is normal: a failed sync is reported by `failed` with a calm sentence and tried
again at the next tick; the status bar reads the same state through `Gate.sync_summary()`.

Hook it into a screen with two lines (see docs/sync.md):

    self.sync_timer = SyncTimer(db_path, parent=self)
    self.sync_timer.synced.connect(lambda _report: self.refresh_status())
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from data.office import SyncError
from data.store import SqliteStore
from data.sync import SyncReport, sync_once
from kiosk import messages
from kiosk.clock import Clock
from kiosk.policy import Policy
from ui.tasks import Lane

log = logging.getLogger("sync")


class SyncTimer(QObject):
    """Runs the sync now and then, never twice at once, never on the GUI thread.

    Signals:
        synced(object): a sync finished; the data.sync.SyncReport.
        failed(str): a sync could not finish; the reason in the gate's language.
        skipped(): a tick found no office configured (setting sync.url): nothing to do.
    """

    synced = Signal(object)
    failed = Signal(str)
    skipped = Signal()

    def __init__(self, db_path: str | Path, lang: str = "zh", clock: Clock | None = None,
                 interval_s: int | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.lang = lang
        self.clock = clock
        self._stopping = threading.Event()
        self._running = False
        self.lane = Lane("sync", self)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.sync_now)
        self.timer.start(1000 * (interval_s or self._configured_interval()))

    def _configured_interval(self) -> int:
        store = SqliteStore(self.db_path)  # a quick local read, once, at start-up
        try:
            return int(Policy(store.settings()).text("sync.interval_s"))
        finally:
            store.close()

    @property
    def running(self) -> bool:
        return self._running

    def sync_now(self) -> bool:
        """Start a sync unless one is running; True if one was started."""
        if self._running or self._stopping.is_set():
            return False
        self._running = True
        self.lane.submit(self._body, self._on_done, self._on_failed)
        return True

    def _body(self) -> SyncReport | None:
        try:
            return sync_once(self.db_path, clock=self.clock, cancelled=self._stopping.is_set)
        except SyncError as failure:
            if failure.key == "sync_no_target":
                return None
            raise

    def _on_done(self, report: SyncReport | None) -> None:
        self._running = False
        if report is None:
            self.skipped.emit()
        else:
            self.synced.emit(report)

    def _on_failed(self, error: BaseException) -> None:
        self._running = False
        if isinstance(error, SyncError):
            self.failed.emit(messages.cli_message(error.key, self.lang, target=error.target,
                                                  detail=error.detail))
        else:  # a bug: the traceback goes to the log, the screen gets the plain sentence
            log.error("background sync failed", exc_info=error)
            self.failed.emit(messages.cli_message("sync_failed", self.lang, target="",
                                                  detail=type(error).__name__))

    def stop(self) -> None:
        """Stop ticking; a running sync stops after its current batch (nothing is lost)."""
        self._stopping.set()
        self.timer.stop()
        self.lane.stop(timeout_ms=30000)
