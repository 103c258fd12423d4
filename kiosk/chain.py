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
import operator
from collections.abc import Callable, Mapping, Sequence
from json.encoder import encode_basestring  # the C function json.dumps itself calls for a str
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
# Not covered: an event's input `source` (camera, wedge, typed, cli). Adding it
# would change the hash of every new event, and a gate or an office of the version before
# would then refuse them as forged while a community updates its gates one at a time. The
# source decides nothing about a passage (it only sorts a typed not-a-card into the slips),
# so an edited source can let nobody through and hide no passage.


# -- the canonical form: one encoder -------------------------------------------------------
# The hash covers json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).
# Calling json.dumps with options builds an encoder and a dict for every event: it was
# 23 s of verify-log's 35 s at a million events. The canonical text is written here instead
# from the keys' fixed sorted order and the values' own encoders, the very ones json's C
# encoder calls (str: encode_basestring, int and float: their repr); any other value (a
# bool, NaN, a str subclass) goes to the one reference encoder. Byte for byte the same text:
# tests/reliability/test_chain_chunks.py compares the two on random rows.

_REFERENCE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
_ORDER = sorted(range(len(CHAINED_FIELDS)), key=lambda i: CHAINED_FIELDS[i])
_KEYS = tuple(("{" if n == 0 else ",") + encode_basestring(CHAINED_FIELDS[i]) + ":"
              for n, i in enumerate(_ORDER))
_INFINITIES = (float("inf"), float("-inf"))
_SORTED = operator.itemgetter(*_ORDER)  # the values in the keys' sorted order


def _value(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    if kind is float and value == value and value not in _INFINITIES:
        return float.__repr__(value)
    return _REFERENCE.encode(value)  # what json.dumps does with anything else (or its TypeError)


def canonical(values: Sequence[Any]) -> str:
    """The chained fields (`values` in CHAINED_FIELDS order) as canonical JSON."""
    # Most fields are text or NULL: those two are encoded inline, without a call.
    return "".join([key + (encode_basestring(v) if type(v) is str else "null" if v is None else _value(v))
                    for key, v in zip(_KEYS, _SORTED(values), strict=True)]) + "}"


def canonical_reference(values: Sequence[Any]) -> str:
    """The canonical JSON by json.dumps itself: the definition `canonical` must match."""
    return json.dumps(dict(zip(CHAINED_FIELDS, values, strict=True)), sort_keys=True,
                      ensure_ascii=False, separators=(",", ":"))


def event_hash_values(previous: str, values: Sequence[Any]) -> str:
    """The chain hash of an event given as its chained fields in CHAINED_FIELDS order (a row
    read with those columns first, as verify-log and the office read them)."""
    return hashlib.sha256((previous + canonical(values)).encode("utf-8")).hexdigest()


def event_hash(previous: str, row: Mapping[str, Any]) -> str:
    return event_hash_values(previous, [row[f] for f in CHAINED_FIELDS])


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
