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

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from data.keyfile import device_key_path, read_private_key, write_private_key
from data.operators_store import SqliteOperatorStore
from data.store import SqliteStore
from kiosk import codec

log = logging.getLogger("db")


def public_text(key: Ed25519PrivateKey) -> str:
    return codec.public_key_text(key.public_key())


def recorded_public_key(store: SqliteStore) -> str | None:
    """This gate's public key as its database records it, or None."""
    row = store.db.execute("SELECT public_key FROM device_keys WHERE device_id = ?",
                           [store.community().device_id]).fetchone()
    return row[0] if row else None


def device_public_keys(conn) -> dict[str, tuple[Ed25519PublicKey | None, int]]:
    """Every device this database knows: its public key (None: not known) and the first
    device_seq that must be signed."""
    keys = {}
    for device, text, since in conn.execute(
            "SELECT device_id, public_key, signed_from_seq FROM device_keys").fetchall():
        try:
            public = codec.public_key_from_text(text) if text else None
        except ValueError:  # a damaged key text verifies nothing
            public = None
        keys[device] = (public, since)
    return keys


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
    device, public = store.community().device_id, public_text(key)
    store.signer = key.sign  # the audit line below is signed with it already
    with store.transaction() as db:
        # Events recorded before the key existed stay unsigned: the ones after must not be.
        db.execute("INSERT INTO device_keys (device_id, public_key, signed_from_seq) VALUES (?, ?,"
                   " (SELECT COALESCE(MAX(device_seq), 0) + 1 FROM events WHERE device_id = ?))"
                   " ON CONFLICT (device_id) DO UPDATE SET public_key = excluded.public_key,"
                   " signed_from_seq = excluded.signed_from_seq WHERE device_keys.public_key IS NULL",
                   [device, public, device])
        since = db.execute("SELECT signed_from_seq FROM device_keys WHERE device_id = ?",
                           [device]).fetchone()[0]
        if audit:
            SqliteOperatorStore(store).write_audit("system", "device_key_created", device,
                                                   {"public_key": public, "signed_from_seq": since}, now)
    if audit:
        log.warning("device %s: a new device key, signing from event %d on", device, since)
