"""The tamper-evident event log: each event's hash covers the one before it.

Per device, in device_seq order: hash = sha256(previous hash + the event's fields as
canonical JSON). Editing or removing an event after the fact breaks every hash after it,
which `kiosk verify-log` and the office's sync check find.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

GENESIS = "0" * 64

# The fields the hash covers: everything that says what happened (not local bookkeeping
# such as the database's own row number).
CHAINED_FIELDS = (
    "id", "device_id", "device_seq", "at_utc", "at_local", "local_date", "direction",
    "decision", "reason", "warnings", "serial", "generation", "household_id", "kind",
    "temp_first", "temp_second", "exit_reason", "operator", "override_of", "override_reason",
    "payload_digest", "verdict",
)


def event_hash(previous: str, row: Mapping[str, Any]) -> str:
    canonical = json.dumps({f: row[f] for f in CHAINED_FIELDS}, sort_keys=True,
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((previous + canonical).encode("utf-8")).hexdigest()
