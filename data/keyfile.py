"""Private keys in their own files beside the database, mode 0600: the office's card
signing key, and each gate's device key (device_key_path).

Never inside the database or the event log, so a synced or backed-up log cannot leak it,
and a gate that only scans can run without the file at all.
"""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)


def key_path(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".key")


def device_key_path(db_path: str | Path) -> Path:
    """The gate's own Ed25519 device key (issue 13): it signs this gate's events and audit
    lines. Its own file, owner-only, never in the database nor in a backup, like the card key."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".device-key")


def write_private_key(path: Path, key: Ed25519PrivateKey) -> None:
    """Create the key file, owner-only from the first byte; refuse to overwrite one."""
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
        out.flush()
        os.fsync(out.fileno())


def read_private_key(path: Path) -> Ed25519PrivateKey | None:
    """The signing key, or None where this machine has none (a gate that only scans)."""
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        return None
    key = load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 key")
    return key
