"""Start-up checks: is this database fit to decide scans, and can its clock be trusted?

Pure rules over facts the storage side gathers (data/verify.py): the domain decides what
a finding means, the data layer only measures. Findings are plain values; the CLI prints
them on stderr and the gate screen shows them to the volunteer.

The clock: a verdict depends on "now" (quota windows, the retest wait, card validity).
A kiosk whose clock jumped back (a dead CMOS battery, a volunteer fixing the time zone by
hand) would reopen a household's quota window. So the gate never runs earlier than the
newest event it has recorded: `GuardedClock` carries on from that moment, and the jump
is reported and written to the audit log.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
from collections.abc import Sequence

from kiosk.clock import Clock

log = logging.getLogger("gate")

# A jump back smaller than this is an NTP correction, not worth a word to the volunteer
# (the guard still keeps time monotonic).
CLOCK_TOLERANCE = dt.timedelta(seconds=2)


class Severity(enum.StrEnum):
    ERROR = "error"      # the gate must not decide scans on this database
    WARNING = "warning"  # the gate works, and the volunteer is told


@dataclasses.dataclass(frozen=True)
class Finding:
    """One result of the start-up checks; `key` names its message in kiosk.messages.STARTUP."""

    key: str
    severity: Severity
    fields: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class StartupFacts:
    """What the data layer measured when the gate opened."""

    schema_version: int
    expected_schema: int
    public_keys: int
    newest_event_utc: dt.datetime | None   # this device's newest event
    now_utc: dt.datetime                   # the system clock, unguarded
    integrity: str | None = None           # 'ok', SQLite's complaint, or None when not checked
    # Stored texts that are not valid UTF-8, (table, row, column); only `kiosk check` looks.
    damaged_text: tuple[tuple[str, int, str], ...] = ()


def damage(integrity: str | None,
           damaged_text: Sequence[tuple[str, object, str]] = ()) -> list[Finding]:
    """The findings that say the file itself is damaged: nothing else about it can be trusted."""
    findings: list[Finding] = []
    if integrity is not None and integrity != "ok":
        findings.append(Finding("integrity_failed", Severity.ERROR, {"detail": integrity[:200]}))
    if damaged_text:
        table, row, column = damaged_text[0]
        findings.append(Finding("stored_text_damaged", Severity.ERROR, {
            "table": table, "row": str(row), "column": column, "count": str(len(damaged_text))}))
    return findings


def check(facts: StartupFacts) -> list[Finding]:
    """The findings for these facts, errors first. A damaged file gives only its damage:
    the other facts were read from it, or not at all."""
    findings = damage(facts.integrity, facts.damaged_text)
    if findings:
        return findings
    if facts.schema_version != facts.expected_schema:
        findings.append(Finding("schema_mismatch", Severity.ERROR, {
            "found": str(facts.schema_version), "expected": str(facts.expected_schema)}))
    if facts.public_keys == 0:
        findings.append(Finding("no_public_key", Severity.ERROR))
    newest = facts.newest_event_utc
    behind = clock_behind(newest, facts.now_utc)
    if newest is not None and behind is not None:
        findings.append(Finding("clock_jumped_back", Severity.WARNING, {
            "newest": newest.isoformat(timespec="seconds"),
            "now": facts.now_utc.isoformat(timespec="seconds"),
            "minutes": str(max(1, round(behind.total_seconds() / 60)))}))
    return sorted(findings, key=lambda f: f.severity is not Severity.ERROR)


def clock_behind(newest: dt.datetime | None, now: dt.datetime) -> dt.timedelta | None:
    """How far the clock is behind the newest event, if that is more than a correction."""
    if newest is None or newest - now <= CLOCK_TOLERANCE:
        return None
    return newest - now


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]


class GuardedClock:
    """A clock that never runs earlier than `floor` nor earlier than it has already said.

    When the inner clock is behind, time carries on from the last moment known (the
    newest event at start-up, or the last reading) at the inner clock's pace, so quota
    windows are not reopened and the retest wait still elapses. `jumps` lists every jump
    back larger than the tolerance: (what the inner clock said, what we said instead).
    """

    def __init__(self, inner: Clock, floor: dt.datetime | None = None):
        self.inner = inner
        self._offset = dt.timedelta(0)
        self._last = floor
        self.jumps: list[tuple[dt.datetime, dt.datetime]] = []

    def now(self) -> dt.datetime:
        raw = self.inner.now()
        shifted = raw + self._offset
        if self._last is not None and shifted < self._last:
            # Never back: carry on from the last moment known.
            if self._last - shifted > CLOCK_TOLERANCE:
                self.jumps.append((raw, self._last))
                log.warning("clock jumped back: %s, carrying on from %s", raw.isoformat(),
                            self._last.isoformat())
            self._offset += self._last - shifted
            shifted = self._last
        elif self._offset and self._last is not None and raw >= self._last:
            # The inner clock has caught up (someone set it right): follow it again.
            self._offset = dt.timedelta(0)
            shifted = raw
        self._last = shifted
        return shifted

    @property
    def shifted(self) -> dt.timedelta:
        """How far ahead of the inner clock this clock now runs (0 when it trusts it)."""
        return self._offset
