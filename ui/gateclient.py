"""The gate screen's one door into the services: every call runs on the "gate" lane.

The lane's thread opens its own Gate (its own SQLite connection) on first use, so the
GUI thread never waits on the fsync of a scan and the connection is never shared
between threads. The widgets see plain values: a `ScanOutcome`, a `Snapshot`.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from kiosk.app import Gate, is_storage_failure
from kiosk.errors import ENVIRONMENT, GatepostError, kind_of
from kiosk.model import Event, Verdict
from ui.crash import CrashReports
from ui.tasks import Lane

log = logging.getLogger("gate")


@dataclasses.dataclass(frozen=True)
class ScanRequest:
    """One scan as the screen asks for it; `source` is camera, wedge or typed."""

    payload: str
    direction: str
    temperature: str | None = None
    reason: str | None = None
    operator: str = ""
    source: str = "typed"
    seen_at: float = dataclasses.field(default_factory=time.perf_counter)
    mask: str | None = None  # yes / no / exempt, tapped on the mask check


# What the screen shows when there is no verdict (ScanOutcome.failure), by the error
# model's kinds (kiosk/errors.py): the one mapping of errors to screen states.
NOTICE, STORAGE, BUG = "bad_input", "storage", "bug"


def screen_failure(error: BaseException) -> str:
    """NOTICE (bad input or a refusal: a calm sentence), STORAGE (the disk, the database:
    record on paper) or BUG (anything else: a program error, with a crash report)."""
    kind = kind_of(error)
    if kind is None and is_storage_failure(error):
        kind = ENVIRONMENT  # met below the store: a missing file, a damaged page
    if kind is None:
        return BUG
    return STORAGE if kind == ENVIRONMENT else NOTICE


@dataclasses.dataclass(frozen=True)
class ScanOutcome:
    """A verdict, or why there is none: `failure` is NOTICE, STORAGE or BUG; `error` is
    what happened (a GatepostError's sentence is rendered by the screen, in its language)."""

    request: ScanRequest
    verdict: Verdict | None = None
    failure: str | None = None
    error: BaseException | None = None

    @property
    def notice(self) -> GatepostError | None:
        return self.error if isinstance(self.error, GatepostError) else None


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """What the status bar and the retest queue show, read in one lane job."""

    now: dt.datetime
    status: dict[str, int]
    retest_queue: list[Event]
    retest_wait_s: int
    retest_window_s: int
    sync: Any  # gate.sync_summary(): data.sync.SyncSummary, or None when it could not be read
    flats: dict[str, str] = dataclasses.field(default_factory=dict)  # household id → flat
    mask_check: bool = False  # setting mask.check: the gate screen shows the mask's one tap
    deny_clear_s: int = 30  # gate.deny_clear_s: how long a deny stays on screen (0: until tapped)


class GateClient(QObject):
    """Runs the checkpoint service on its own thread.

    Signals:
        scanned(ScanOutcome): a scan or an override was decided (or failed).
        snapshot_ready(Snapshot): fresh numbers for the status bar and the retest queue.
    """

    scanned = Signal(object)
    snapshot_ready = Signal(object)

    def __init__(self, opener: Callable[[], Gate], parent: QObject | None = None,
                 crash_reports: CrashReports | None = None):
        super().__init__(parent)
        self._opener = opener
        self.crash_reports = crash_reports  # where a bug's report goes (None: the log only)
        self._gate: Gate | None = None  # touched only on the lane's thread
        self.lane = Lane("gate", self)

    def _worker_gate(self) -> Gate:
        if self._gate is None:
            self._gate = self._opener()
        return self._gate

    # -- scans ----------------------------------------------------------------------

    def scan(self, request: ScanRequest) -> None:
        def body() -> Verdict:
            return self._worker_gate().scan(  # refused once a check found the file damaged
                request.payload, request.direction, request.temperature, request.reason,
                request.operator, mask=request.mask, source=request.source)

        self.lane.submit(body, lambda v: self.scanned.emit(ScanOutcome(request, v)),
                         lambda e: self.scanned.emit(self._failure(request, e)))

    def override(self, event_id: str, operator, reason: str, request: ScanRequest) -> None:
        """A lead (an authenticated Operator) lets a denied person through; the outcome
        arrives on `scanned`, and the override is in the audit log."""
        def body() -> Verdict:
            return self._worker_gate().override(event_id, operator, reason)

        self.lane.submit(body, lambda v: self.scanned.emit(ScanOutcome(request, v)),
                         lambda e: self.scanned.emit(self._failure(request, e)))

    def look_up_typed(self, typed: str, on_done: Callable[[Any], None],
                      on_failed: Callable[[BaseException], None]) -> None:
        """What a typed serial names (kiosk.typed.TypedCard), read on the lane."""
        self.lane.submit(lambda: self._worker_gate().typed_card(typed), on_done, on_failed)

    def _failure(self, request: ScanRequest, error: BaseException) -> ScanOutcome:
        failure = screen_failure(error)
        if failure == STORAGE:
            log.error("scan not recorded: %s", error)
        elif failure == BUG:
            self.report_bug(error, f"scan from {request.source}, direction {request.direction}")
        return ScanOutcome(request, failure=failure, error=error)

    def report_bug(self, error: BaseException, context: str = "") -> None:
        """A bug: its traceback in the log and a crash report the next start tells about."""
        log.error("program error (%s)", context or "gate", exc_info=error)
        if self.crash_reports is not None:
            self.crash_reports.record(error, context)

    # -- the rest -------------------------------------------------------------------

    def authenticate(self, pin: str, role: str, on_done: Callable[[Any, Any], None]) -> None:
        """`on_done(operator or None, locked_until or None)` on the GUI thread."""
        def body():
            gate = self._worker_gate()
            operator = gate.authenticate(pin, role)
            return operator, (None if operator is not None else gate.pin_locked_until())

        def failed(error: BaseException) -> None:
            log.error("PIN check failed", exc_info=error)
            on_done(None, None)

        self.lane.submit(body, lambda result: on_done(*result), failed)

    def refresh(self) -> None:
        """Read the status bar's numbers and the retest queue; emits `snapshot_ready`."""
        def body() -> Snapshot:
            gate = self._worker_gate()  # the daily backup is not made here: ui/maintenance.py
            policy = gate.policy()
            queue = gate.service.retest_queue()
            flats = {}
            for event in queue:
                household = gate.store.household(event.household_id) if event.household_id else None
                if household is not None:
                    flats[household.id] = household.flat
            return Snapshot(gate.clock.now(), gate.status(), queue, policy.retest_wait_s,
                            policy.retest_window_s, _sync_summary(gate), flats, policy.mask_check,
                            policy.deny_clear_s)

        def failed(error: BaseException) -> None:
            log.error("status not read: %s", error)
            self.snapshot_ready.emit(None)

        self.lane.submit(body, self.snapshot_ready.emit, failed)

    def set_lang(self, lang: str) -> None:
        """The language of the sentences the lane's Gate writes itself (the sync state of
        the status bar). Verdicts and refusals are language-free: the screen renders them."""
        def body() -> None:
            self._worker_gate().lang = lang

        self.lane.submit(body)

    def call(self, body: Callable[[Gate], Any], on_done: Callable[[Any], None] | None = None,
             on_failed: Callable[[BaseException], None] | None = None) -> int:
        """Run any `body(gate)` on the lane (for screens that need one more question)."""
        return self.lane.submit(lambda: body(self._worker_gate()), on_done, on_failed)

    def close(self) -> None:
        """Stop the lane, then close its Gate: the thread is gone, so nothing else uses it."""
        self.lane.stop()
        if self._gate is not None:
            self._gate.close()
            self._gate = None


def _sync_summary(gate: Gate) -> Any:
    """The sync state; None (and a log line) if it cannot be read: the gate scans on."""
    try:
        return gate.sync_summary()
    except Exception:  # noqa: BLE001 (a broken sync state must not hide the scan counts)
        log.exception("sync state not read")
        return None
