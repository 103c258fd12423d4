"""The gate store's audit side: operators, the PIN lock-out, the audit log and this
gate's recorded device key.

Part of the store (data.store.SqliteStore inherits `AuditSide`): data/operators_store.py
(the OperatorStore of kiosk.operators) and data/device_key.py ask it; every statement they
need on the gate database is here, each write in one of the store's write transactions.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kiosk.audit import AuditEntry
from kiosk.chain import GENESIS, audit_hash, sign
from kiosk.operators import Operator, PinAttempt, Role, StoredOperator


def _utc_text(when: dt.datetime) -> str:
    from data.store import utc_text  # it imports this module

    return utc_text(when)


def _parse_utc(text: str) -> dt.datetime:
    from data.store import parse_utc  # it imports this module

    return parse_utc(text)


class AuditSide:
    """Operators, the PIN guard, the audit log, the device key row. Mixed into SqliteStore:
    `self` is the store."""

    if TYPE_CHECKING:  # the store's own, used here
        from kiosk.ports import Community

        db: Any
        signer: Any

        def _write(self) -> Any: ...
        def community(self) -> Community: ...

    # -- operators ------------------------------------------------------------------------

    def operators(self) -> list[StoredOperator]:
        rows = self.db.execute(
            "SELECT name, role, buildings, pin_hash, active, source FROM operators"
            " ORDER BY source = 'local', name")  # the office's first: they win a shared PIN
        return [StoredOperator(Operator(r[0], Role(r[1]), tuple(json.loads(r[2]))), r[3], bool(r[4]),
                               r[5]) for r in rows.fetchall()]

    def write_pulled_operators(self, rows: list[dict]) -> None:
        """Operators defined at the office (name, role, buildings, pin_hash, active,
        updated_utc), in the caller's transaction, each change with its audit line (at the
        office's time of the change). One of
        them replaces a local operator of the same name: the office defines it."""
        known = {s.operator.name: s for s in self.operators()}
        for r in rows:
            self.db.execute(
                "INSERT INTO operators (name, role, buildings, pin_hash, active, created_utc,"
                " updated_utc, source) VALUES (?, ?, ?, ?, ?, ?, ?, 'office') ON CONFLICT (name)"
                " DO UPDATE SET role = excluded.role, buildings = excluded.buildings, pin_hash ="
                " excluded.pin_hash, active = excluded.active, updated_utc = excluded.updated_utc,"
                " source = 'office'",
                [r["name"], r["role"], r["buildings"], r["pin_hash"], int(r["active"]),
                 r["updated_utc"], r["updated_utc"]])
            before = known.get(r["name"])
            action = ("operator_add" if before is None or before.source != "office"
                      else "operator_deactivate" if before.active and not r["active"]
                      else "pin_change" if before.pin_hash != r["pin_hash"] else None)
            if action is not None:
                self._write_entry(AuditEntry(_parse_utc(r["updated_utc"]), "office", action, r["name"],
                                             {"role": r["role"], "source": "office"}))

    def add_operator(self, stored: StoredOperator, audit: AuditEntry) -> None:
        """The operator and its audit line, in one transaction: both or neither."""
        op = stored.operator
        with self._write():
            self.db.execute(
                "INSERT INTO operators (name, role, buildings, pin_hash, active, created_utc,"
                " updated_utc) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [op.name, op.role.value, json.dumps(list(op.buildings), ensure_ascii=False),
                 stored.pin_hash, int(stored.active), _utc_text(audit.at_utc), _utc_text(audit.at_utc)])
            self._write_entry(audit)

    def set_operator_active(self, name: str, active: bool, audit: AuditEntry) -> None:
        with self._write():
            self.db.execute("UPDATE operators SET active = ?, updated_utc = ? WHERE name = ?",
                            [int(active), _utc_text(audit.at_utc), name])
            self._write_entry(audit)

    def set_pin_hash(self, name: str, pin_hash: str, audit: AuditEntry) -> None:
        with self._write():
            self._update_hash(name, pin_hash, audit.at_utc)
            self._write_entry(audit)

    def _update_hash(self, name: str, pin_hash: str, now: dt.datetime) -> None:
        self.db.execute("UPDATE operators SET pin_hash = ?, updated_utc = ? WHERE name = ?",
                        [pin_hash, _utc_text(now), name])

    # -- the PIN guard --------------------------------------------------------------------

    def pin_failures(self) -> tuple[int, dt.datetime | None]:
        row = self.db.execute("SELECT failures, locked_until_utc FROM pin_guard WHERE id = 1").fetchone()
        if row is None:
            return 0, None
        return row[0], _parse_utc(row[1]) if row[1] else None

    def count_pin_attempt(self, now: dt.datetime,
                          wait_after: Callable[[int], dt.timedelta]) -> PinAttempt:
        """Check the lock and count this attempt as a failure, in one write transaction.

        BEGIN IMMEDIATE takes the write lock before the count is read, so attempts from any
        number of processes are counted one after the other and none is lost; the count is
        written before the slow key derivation, and a right PIN clears it (pin_accepted).
        """
        with self._write():
            failures, until = self.pin_failures()
            if until is not None and until > now:
                return PinAttempt(failures, until, refused=True)
            failures += 1
            wait = wait_after(failures)
            until = now + wait if wait else None
            self.db.execute("UPDATE pin_guard SET failures = ?, locked_until_utc = ? WHERE id = 1",
                            [failures, _utc_text(until) if until else None])
        return PinAttempt(failures, until, refused=False)

    def pin_accepted(self, audit: AuditEntry, rehash: tuple[str, str] | None) -> None:
        """A right PIN: the count cleared, an old hash replaced, the login audited; one commit."""
        with self._write():
            self.db.execute("UPDATE pin_guard SET failures = 0, locked_until_utc = NULL WHERE id = 1")
            if rehash is not None:
                self._update_hash(*rehash, audit.at_utc)
            self._write_entry(audit)

    # -- the audit log --------------------------------------------------------------------

    def _write_entry(self, entry: AuditEntry) -> None:
        self.write_audit(entry.operator, entry.action, entry.target, entry.details, entry.at_utc)

    def audit(self, operator: str, action: str, target: str = "", details: dict | None = None,
              now: dt.datetime | None = None) -> None:
        """Append one line to the audit log, in its own transaction."""
        with self._write():
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
        row = {"id": used + 1, "at_utc": _utc_text(now), "operator": operator, "action": action,
               "target": target, "details": json.dumps(details or {}, ensure_ascii=False, sort_keys=True),
               "prev_hash": last[0] if last else GENESIS}
        row["hash"] = audit_hash(row["prev_hash"], row)
        row["signature"] = sign(self.signer, row["hash"])
        conn.execute("INSERT INTO audit (id, at_utc, operator, action, target, details, prev_hash, hash,"
                     " signature) VALUES (:id, :at_utc, :operator, :action, :target, :details,"
                     " :prev_hash, :hash, :signature)", row)
        conn.execute("INSERT INTO meta (key, value) VALUES ('audit_last_id', ?)"
                     " ON CONFLICT (key) DO UPDATE SET value = excluded.value", [str(row["id"])])

    def audit_entries(self, since: dt.datetime | None = None, limit: int = 1000) -> list[AuditEntry]:
        """The newest entries first."""
        sql, params = "SELECT at_utc, operator, action, target, details FROM audit", []
        if since is not None:
            sql, params = sql + " WHERE at_utc >= ?", [_utc_text(since)]
        rows = self.db.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]).fetchall()
        return [AuditEntry(_parse_utc(r[0]), r[1], r[2], r[3], json.loads(r[4])) for r in rows]

    # -- this gate's device key (data/device_key.py) --------------------------------------

    def recorded_public_key(self) -> str | None:
        """This gate's public key as its database records it, or None."""
        row = self.db.execute("SELECT public_key FROM device_keys WHERE device_id = ?",
                              [self.community().device_id]).fetchone()
        return row[0] if row else None

    def record_device_key(self, public: str, now: dt.datetime, audit: bool) -> int:
        """This gate's public key recorded (a key already recorded is kept), with an audit
        line if `audit`, in one transaction; returns the first device_seq it must sign."""
        device = self.community().device_id
        with self._write() as db:
            # Events recorded before the key existed stay unsigned: the ones after must not be.
            db.execute("INSERT INTO device_keys (device_id, public_key, signed_from_seq) VALUES (?, ?,"
                       " (SELECT COALESCE(MAX(device_seq), 0) + 1 FROM events WHERE device_id = ?))"
                       " ON CONFLICT (device_id) DO UPDATE SET public_key = excluded.public_key,"
                       " signed_from_seq = excluded.signed_from_seq WHERE device_keys.public_key IS NULL",
                       [device, public, device])
            since = db.execute("SELECT signed_from_seq FROM device_keys WHERE device_id = ?",
                               [device]).fetchone()[0]
            if audit:
                self.write_audit("system", "device_key_created", device,
                                 {"public_key": public, "signed_from_seq": since}, now)
        return since
