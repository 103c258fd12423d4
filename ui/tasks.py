"""The one way the GUI runs work off its thread: a `Lane`.

A lane is one worker thread that runs jobs in the order they were submitted. The job's
body runs on the lane's thread; its `on_done` / `on_failed` callbacks run on the GUI
thread, delivered by queued signals (the pattern of Anki's taskman). One thread per lane
means whatever the lane owns (a SQLite connection, a decoder) is never used by two
threads at once, and a slow job on one lane (an export) never delays another (a scan).

Lanes in the gate screen: "gate" (scans, status, the retest queue: owns the worker's own
Gate and its connection) and "decode" (QR decoding of camera frames). A `background` lane
(the backup and checkpoints, the integrity checks) runs at a lower CPU priority than the
rest of the process: on a loaded machine its seconds of copying and checking are the ones
to wait, not a scan (docs/performance.md, "Background work beside the scans").
"""
from __future__ import annotations

import itertools
import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

log = logging.getLogger("gate")

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]

BACKGROUND_NICE = 10  # added to the thread's nice value: a tenth of the CPU share of a scan's thread


def lower_thread_priority(by: int = BACKGROUND_NICE) -> None:
    """Lower the calling thread's CPU priority (Linux, where a nice value is per thread; a
    raise back needs privileges, so it lasts the thread's life). Nothing elsewhere: there
    the call would name a process, not this thread."""
    if not sys.platform.startswith("linux"):
        return
    me = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, me, min(19, os.getpriority(os.PRIO_PROCESS, me) + by))
    except OSError as failure:  # a sandbox that forbids it: the lane runs as before
        log.warning("background thread priority not lowered: %s", failure)


class _Runner(QObject):
    """Lives on the lane's thread and runs one job at a time."""

    finished = Signal(int, object)
    failed = Signal(int, object)

    def __init__(self, jobs: dict[int, Callable[[], Any]]):
        super().__init__()
        self._jobs = jobs

    @Slot(int)
    def run(self, job_id: int) -> None:
        body = self._jobs.pop(job_id, None)
        if body is None:  # cancelled before it started
            return
        try:
            result = body()
        except BaseException as error:  # noqa: BLE001 (handed to on_failed on the GUI thread)
            self.failed.emit(job_id, error)
        else:
            self.finished.emit(job_id, result)


class Lane(QObject):
    """A worker thread with a queue of jobs; results come back on the GUI thread.

    Signals:
        idle(): the last queued job has finished (tests and benchmarks wait on it).
    """

    idle = Signal()
    _submit = Signal(int)

    def __init__(self, name: str, parent: QObject | None = None, background: bool = False):
        super().__init__(parent)
        self.name = name
        self._ids = itertools.count(1)
        self._bodies: dict[int, Callable[[], Any]] = {}
        self._callbacks: dict[int, tuple[Done | None, Failed | None]] = {}
        self._thread = QThread()
        self._thread.setObjectName(f"lane-{name}")
        self._runner = _Runner(self._bodies)
        self._runner.moveToThread(self._thread)
        self._submit.connect(self._runner.run)
        self._runner.finished.connect(self._on_finished)
        self._runner.failed.connect(self._on_failed)
        if background:  # on the lane's own thread as it starts, before any job
            self._thread.started.connect(lower_thread_priority, Qt.ConnectionType.DirectConnection)
        self._thread.start()

    def submit(self, body: Callable[[], Any], on_done: Done | None = None,
               on_failed: Failed | None = None) -> int:
        """Queue `body` on the lane; returns a job id (for `cancel`)."""
        job_id = next(self._ids)
        self._callbacks[job_id] = (on_done, on_failed)
        self._bodies[job_id] = body
        self._submit.emit(job_id)
        return job_id

    def cancel(self, job_id: int) -> bool:
        """Drop a job that has not started yet; True if it was dropped."""
        dropped = self._bodies.pop(job_id, None) is not None
        if dropped:
            self._callbacks.pop(job_id, None)
            self._maybe_idle()
        return dropped

    @property
    def pending(self) -> int:
        """Jobs submitted whose callbacks have not run yet."""
        return len(self._callbacks)

    def stop(self, timeout_ms: int = 5000) -> None:
        """Finish the running job, drop the queued ones, stop the thread."""
        self._bodies.clear()
        self._callbacks.clear()
        self._thread.quit()
        if not self._thread.wait(timeout_ms):
            log.error("lane %s did not stop within %d ms", self.name, timeout_ms)

    @Slot(int, object)
    def _on_finished(self, job_id: int, result: Any) -> None:
        on_done, _ = self._callbacks.pop(job_id, (None, None))
        try:
            if on_done is not None:
                on_done(result)
        finally:
            self._maybe_idle()

    @Slot(int, object)
    def _on_failed(self, job_id: int, error: BaseException) -> None:
        _, on_failed = self._callbacks.pop(job_id, (None, None))
        try:
            if on_failed is not None:
                on_failed(error)
            else:
                log.error("lane %s: job failed", self.name, exc_info=error)
        finally:
            self._maybe_idle()

    def _maybe_idle(self) -> None:
        if not self._callbacks:
            self.idle.emit()
