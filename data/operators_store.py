"""Operators, the PIN lock-out and the audit log in the gate's SQLite database.

The storage side of `kiosk.operators` (its OperatorStore protocol). It writes through the
store's own transaction helper, so a failure here is a StorageError like any other.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from data.store import SqliteStore, parse_utc, utc_text
from kiosk.audit import AuditEntry
from kiosk.chain import GENESIS, audit_hash, sign
from kiosk.operators import Operator, PinAttempt, Role, StoredOperator


class SqliteOperatorStore:
    def __init__(self, store: SqliteStore):
        self.store = store

    @property
    def db(self):
        return self.store.db  # never kept: the store reopens its connection after a lost WAL

    def operators(self) -> list[StoredOperator]:
        rows = self.db.execute(
            "SELECT name, role, buildings, pin_hash, active FROM operators ORDER BY name")
        return [StoredOperator(Operator(r[0], Role(r[1]), tuple(json.loads(r[2]))), r[3], bool(r[4]))
                for r in rows.fetchall()]

    def add_operator(self, stored: StoredOperator, audit: AuditEntry) -> None:
        """The operator and its audit line, in one transaction: both or neither."""
        op = stored.operator
        with self.store._write():
            self.db.execute(
                "INSERT INTO operators (name, role, buildings, pin_hash, active, created_utc,"
                " updated_utc) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [op.name, op.role.value, json.dumps(list(op.buildings), ensure_ascii=False),
                 stored.pin_hash, int(stored.active), utc_text(audit.at_utc), utc_text(audit.at_utc)])
            self._write_entry(audit)

    def set_operator_active(self, name: str, active: bool, audit: AuditEntry) -> None:
        with self.store._write():
            self.db.execute("UPDATE operators SET active = ?, updated_utc = ? WHERE name = ?",
                            [int(active), utc_text(audit.at_utc), name])
            self._write_entry(audit)

    def set_pin_hash(self, name: str, pin_hash: str, audit: AuditEntry) -> None:
        with self.store._write():
            self._update_hash(name, pin_hash, audit.at_utc)
            self._write_entry(audit)

    def _update_hash(self, name: str, pin_hash: str, now: dt.datetime) -> None:
        self.db.execute("UPDATE operators SET pin_hash = ?, updated_utc = ? WHERE name = ?",
                        [pin_hash, utc_text(now), name])

    def pin_failures(self) -> tuple[int, dt.datetime | None]:
        row = self.db.execute("SELECT failures, locked_until_utc FROM pin_guard WHERE id = 1").fetchone()
        if row is None:
            return 0, None
        return row[0], parse_utc(row[1]) if row[1] else None

    def count_pin_attempt(self, now: dt.datetime,
                          wait_after: Callable[[int], dt.timedelta]) -> PinAttempt:
        """Check the lock and count this attempt as a failure, in one write transaction.

        BEGIN IMMEDIATE takes the write lock before the count is read, so attempts from any
        number of processes are counted one after the other and none is lost; the count is
        written before the slow key derivation, and a right PIN clears it (pin_accepted).
        """
        with self.store._write():
            failures, until = self.pin_failures()
            if until is not None and until > now:
                return PinAttempt(failures, until, refused=True)
            failures += 1
            wait = wait_after(failures)
            until = now + wait if wait else None
            self.db.execute("UPDATE pin_guard SET failures = ?, locked_until_utc = ? WHERE id = 1",
                            [failures, utc_text(until) if until else None])
        return PinAttempt(failures, until, refused=False)

    def pin_accepted(self, audit: AuditEntry, rehash: tuple[str, str] | None) -> None:
        """A right PIN: the count cleared, an old hash replaced, the login audited; one commit."""
        with self.store._write():
            self.db.execute("UPDATE pin_guard SET failures = 0, locked_until_utc = NULL WHERE id = 1")
            if rehash is not None:
                self._update_hash(*rehash, audit.at_utc)
            self._write_entry(audit)

    def _write_entry(self, entry: AuditEntry) -> None:
        self.write_audit(entry.operator, entry.action, entry.target, entry.details, entry.at_utc)

    def audit(self, operator: str, action: str, target: str = "", details: dict | None = None,
              now: dt.datetime | None = None) -> None:
        """Append one line to the audit log, in its own transaction."""
        with self.store._write():
            self.write_audit(operator, action, target, details, now or dt.datetime.now(dt.UTC))

    def write_audit(self, operator: str, action: str, target: str, details: dict | None,
                    now: dt.datetime) -> None:
        """The same, inside a transaction the caller holds (the purge: one commit for both).

        The one writer of the audit log: each line is chained to the one before (kiosk.chain
        audit_hash) and signed with the device key, and meta 'audit_last_id' remembers the
        highest id used, so lines deleted or edited after the fact are found (data/verify.py).
        """
        conn = self.db.conn
        last = conn.execute("SELECT hash FROM audit WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1"
                            ).fetchone()
        used = conn.execute("SELECT MAX(COALESCE((SELECT MAX(id) FROM audit), 0),"
                            " COALESCE((SELECT CAST(value AS INTEGER) FROM meta"
                            " WHERE key = 'audit_last_id'), 0))").fetchone()[0]
        row = {"id": used + 1, "at_utc": utc_text(now), "operator": operator, "action": action,
               "target": target, "details": json.dumps(details or {}, ensure_ascii=False, sort_keys=True),
               "prev_hash": last[0] if last else GENESIS}
        row["hash"] = audit_hash(row["prev_hash"], row)
        row["signature"] = sign(self.store.signer, row["hash"])
        conn.execute("INSERT INTO audit (id, at_utc, operator, action, target, details, prev_hash, hash,"
                     " signature) VALUES (:id, :at_utc, :operator, :action, :target, :details,"
                     " :prev_hash, :hash, :signature)", row)
        conn.execute("INSERT INTO meta (key, value) VALUES ('audit_last_id', ?)"
                     " ON CONFLICT (key) DO UPDATE SET value = excluded.value", [str(row["id"])])

    def audit_entries(self, since: dt.datetime | None = None, limit: int = 1000) -> list[AuditEntry]:
        """The newest entries first."""
        sql, params = "SELECT at_utc, operator, action, target, details FROM audit", []
        if since is not None:
            sql, params = sql + " WHERE at_utc >= ?", [utc_text(since)]
        rows = self.db.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]).fetchall()
        return [AuditEntry(parse_utc(r[0]), r[1], r[2], r[3], json.loads(r[4])) for r in rows]
