"""Operators, the PIN lock-out and the audit log in the gate's SQLite database.

The storage side of `kiosk.operators` (its OperatorStore protocol), over the store: the
statements are the store's own (data/store_audit.py), so a failure here is a StorageError
like any other.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from data.store import SqliteStore
from kiosk.audit import AuditEntry
from kiosk.operators import PinAttempt, StoredOperator


class SqliteOperatorStore:
    def __init__(self, store: SqliteStore):
        self.store = store

    def operators(self) -> list[StoredOperator]:
        return self.store.operators()

    def add_operator(self, stored: StoredOperator, audit: AuditEntry) -> None:
        """The operator and its audit line, in one transaction: both or neither."""
        self.store.add_operator(stored, audit)

    def set_operator_active(self, name: str, active: bool, audit: AuditEntry) -> None:
        self.store.set_operator_active(name, active, audit)

    def set_pin_hash(self, name: str, pin_hash: str, audit: AuditEntry) -> None:
        self.store.set_pin_hash(name, pin_hash, audit)

    def pin_failures(self) -> tuple[int, dt.datetime | None]:
        return self.store.pin_failures()

    def count_pin_attempt(self, now: dt.datetime,
                          wait_after: Callable[[int], dt.timedelta]) -> PinAttempt:
        """Check the lock and count this attempt as a failure, in one write transaction."""
        return self.store.count_pin_attempt(now, wait_after)

    def pin_accepted(self, audit: AuditEntry, rehash: tuple[str, str] | None) -> None:
        """A right PIN: the count cleared, an old hash replaced, the login audited; one commit."""
        self.store.pin_accepted(audit, rehash)

    def audit(self, operator: str, action: str, target: str = "", details: dict | None = None,
              now: dt.datetime | None = None) -> None:
        """Append one line to the audit log, in its own transaction."""
        self.store.audit(operator, action, target, details, now)

    def write_audit(self, operator: str, action: str, target: str, details: dict | None,
                    now: dt.datetime) -> None:
        """The same, inside a transaction the caller holds."""
        self.store.write_audit(operator, action, target, details, now)

    def audit_entries(self, since: dt.datetime | None = None, limit: int = 1000) -> list[AuditEntry]:
        """The newest entries first."""
        return self.store.audit_entries(since, limit)
