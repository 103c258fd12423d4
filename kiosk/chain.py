"""The tamper-evident event log: each event's hash covers the one before it.

Per device, in device_seq order: hash = sha256(previous hash + the event's fields as
canonical JSON). Editing or removing an event after the fact breaks every hash after it,
which `kiosk verify-log` and the office's sync check find. Since the hash is public, each
event is also signed with its gate's device key (below), so an event added with its hash
computed afresh is found too (issue 13).
"""
from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS = "0" * 64

# The fields the hash covers: everything that says what happened (not local bookkeeping
# such as the database's own row number).
CHAINED_FIELDS = (
    "id", "device_id", "device_seq", "at_utc", "at_local", "local_date", "direction",
    "decision", "reason", "warnings", "serial", "generation", "household_id", "kind",
    "temp_first", "temp_second", "exit_reason", "operator", "override_of", "override_reason",
    "payload_digest", "verdict",
)
# Not covered: an event's input `source` (camera, wedge, typed, cli; h-slips). Adding it
# would change the hash of every new event, and a gate or an office of the version before
# would then refuse them as forged while a community updates its gates one at a time. The
# source decides nothing about a passage (it only sorts a typed not-a-card into the slips),
# so an edited source can let nobody through and hide no passage.


def event_hash(previous: str, row: Mapping[str, Any]) -> str:
    canonical = json.dumps({f: row[f] for f in CHAINED_FIELDS}, sort_keys=True,
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((previous + canonical).encode("utf-8")).hexdigest()


# -- signatures (issue 13): each gate's own Ed25519 device key -----------------------------
# A signature is over a chain hash (its 64 hex characters), so one signature also covers
# the whole history before that event. The audit log and the purge markers hash their
# own fields under a distinct prefix, so no hash of one kind can stand for another.

Signer = Callable[[bytes], bytes]  # Ed25519PrivateKey.sign: message -> 64-byte signature


def sign(signer: Signer | None, digest: str) -> str | None:
    """The signature of one chain hash as text, or None where no key was given."""
    if signer is None:
        return None
    return base64.b64encode(signer(digest.encode("ascii"))).decode("ascii")


def signature_valid(public_key: Ed25519PublicKey | None, digest: str, signature: str | None) -> bool:
    if public_key is None or not signature:
        return False
    try:
        public_key.verify(base64.b64decode(signature, validate=True), digest.encode("ascii"))
    except (InvalidSignature, ValueError):
        return False
    return True


AUDIT_FIELDS = ("id", "at_utc", "operator", "action", "target", "details")


def audit_hash(previous: str, row: Mapping[str, Any]) -> str:
    canonical = json.dumps({f: row[f] for f in AUDIT_FIELDS}, sort_keys=True,
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(("audit\n" + previous + canonical).encode("utf-8")).hexdigest()


PURGE_FIELDS = ("device_id", "through_seq", "through_hash", "used_seq", "kept_seq", "purged_utc")


def purge_hash(row: Mapping[str, Any]) -> str:
    canonical = json.dumps({f: row[f] for f in PURGE_FIELDS}, sort_keys=True,
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(("purge\n" + canonical).encode("utf-8")).hexdigest()
