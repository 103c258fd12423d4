"""This gate's own Ed25519 device key (issue 13): it signs every event and audit line.

Made at `kiosk init` and `kiosk gate enroll`, kept in its own owner-only file beside the
database (data/keyfile.py device_key_path), never in the database nor in a backup. Its
public key is recorded in the database's device_keys table, with the first device_seq
that must be signed (events recorded before the key existed stay unsigned), and the office
learns it at enrolment or, for a gate older than the key, at its next push.

A gate without a key file and without a recorded key (a 0.1.0 database) gets a key at its
next start, with an audit line. A recorded key whose file is gone or differs is a start-up
error: the gate could no longer sign, and the office would refuse what it records.
"""
from __future__ import annotations

import datetime as dt
import logging

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from data.keyfile import device_key_path, read_private_key, write_private_key
from data.store import SqliteStore
from data.store_chain import device_public_keys
from kiosk import codec

__all__ = ["attach_device_key", "create_device_key", "device_public_keys", "public_text",
           "recorded_public_key"]

log = logging.getLogger("db")


def public_text(key: Ed25519PrivateKey) -> str:
    return codec.public_key_text(key.public_key())


def recorded_public_key(store: SqliteStore) -> str | None:
    """This gate's public key as its database records it, or None."""
    return store.recorded_public_key()


def create_device_key(store: SqliteStore, now: dt.datetime, audit: bool = False) -> Ed25519PrivateKey:
    """A new device key: its file (refusing to overwrite one), its public key recorded."""
    key = Ed25519PrivateKey.generate()
    write_private_key(device_key_path(store.path), key)
    _record(store, key, now, audit)
    return key


def attach_device_key(store: SqliteStore, now: dt.datetime, create_missing: bool = True) -> str | None:
    """Give the store its signer. Returns None, or the start-up problem's key
    (`device_key_missing`, `device_key_mismatch`). Without `create_missing` nothing is written."""
    path = device_key_path(store.path)
    try:
        key = read_private_key(path)
    except ValueError:  # not an Ed25519 key, or not a key file at all
        return "device_key_mismatch"
    recorded = recorded_public_key(store)
    if key is None:
        if recorded is not None:
            return "device_key_missing"
        if create_missing:
            create_device_key(store, now, audit=True)
        return None
    if recorded is None:  # the file was made but the database not told (a cut at init)
        if create_missing:
            _record(store, key, now, audit=True)
        return None
    if recorded != public_text(key):
        return "device_key_mismatch"
    store.signer = key.sign
    return None


def _record(store: SqliteStore, key: Ed25519PrivateKey, now: dt.datetime, audit: bool) -> None:
    store.signer = key.sign  # the audit line below is signed with it already
    since = store.record_device_key(public_text(key), now, audit)
    if audit:
        log.warning("device %s: a new device key, signing from event %d on",
                    store.community().device_id, since)
