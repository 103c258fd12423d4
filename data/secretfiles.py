"""The gate's secrets that must never be inside the database: owner-only files beside it.

- `gate.db.pepper`: 32 random bytes mixed into every PIN hash (kiosk/operators.py), so a
  stolen database file or backup alone does not let anyone guess a PIN.
- `gate.db.office-pepper`: the office's pepper for the operators defined at the office
  (their hashes come down with the roster); written by a sync, never in the database.
- `gate.db.pgpass`: the PostgreSQL office's password, as a libpq password file
  (host:port:database:user:password), handed to psycopg as `passfile`; the setting sync.url
  keeps the address without it, so `policy show`, the settings tab, backups and logs never
  carry the password.

Like the signing key (data/keyfile.py) they are mode 0600 from the first byte: written to a
private temporary file in the same folder, flushed, then linked or renamed into place, so
no reader ever sees a half-written file and no one else can ever read one.
"""
from __future__ import annotations

import os
import secrets
import urllib.parse
from pathlib import Path

PEPPER_BYTES = 32


def pepper_path(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".pepper")


def passfile_path(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".pgpass")


def _write_private(path: Path, data: bytes, replace: bool) -> bool:
    """Put `data` at `path`, mode 0600. Without `replace`, False when a file is there already."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(temporary, path)
            return True
        try:
            os.link(temporary, path)  # atomic, and refuses an existing file
        except FileExistsError:
            return False
        return True
    finally:
        temporary.unlink(missing_ok=True)


def read_pepper(db_path: str | Path) -> bytes:
    """The gate's PIN pepper, made on first use (two processes at once: one wins, both read it).

    OSError when the folder cannot take the file; ValueError for a damaged file.
    """
    path = pepper_path(db_path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        _write_private(path, secrets.token_bytes(PEPPER_BYTES), replace=False)
        data = path.read_bytes()
    if len(data) != PEPPER_BYTES:
        raise ValueError(f"{path} is damaged: {len(data)} bytes, not {PEPPER_BYTES}")
    return data


def office_pepper_path(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".office-pepper")


def read_office_pepper(db_path: str | Path) -> bytes | None:
    """The office's operator pepper as this gate last received it, or None (never synced
    since the office defined an operator, or a database restored without the file: the
    next sync writes it again)."""
    try:
        data = office_pepper_path(db_path).read_bytes()
    except FileNotFoundError:
        return None
    return data if len(data) == PEPPER_BYTES else None


def write_office_pepper(db_path: str | Path, pepper: bytes) -> None:
    """Keep the office's operator pepper beside the database (owner-only), if it changed."""
    if read_office_pepper(db_path) != pepper:
        _write_private(office_pepper_path(db_path), pepper, replace=True)


# -- the office password ------------------------------------------------------------------

def split_password(url: str) -> tuple[str, str | None]:
    """A postgresql:// URL without its password, and the password (None when it has none)."""
    url = url.strip()
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme.startswith("postgres") or parts.password is None:
        return url, None
    password = urllib.parse.unquote(parts.password)
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{parts.username}@{host}" if parts.username else host
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), password


def _field(text: str) -> str:
    """One passfile field: a backslash escapes ':' and '\\'."""
    return text.replace("\\", "\\\\").replace(":", "\\:")


def write_passfile(db_path: str | Path, url: str, password: str) -> Path:
    """The password for exactly that server, database and user, owner-only.

    A port or database the URL leaves out matches any (libpq's own defaults apply).
    """
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "localhost"
    port = str(parts.port) if parts.port else "*"
    database = urllib.parse.unquote(parts.path.lstrip("/")) or "*"
    user = urllib.parse.unquote(parts.username or "") or "*"
    line = ":".join(_field(f) for f in (host, port, database, user)) + ":" + _field(password)
    path = passfile_path(db_path)
    _write_private(path, (line + "\n").encode(), replace=True)
    return path


def has_password(db_path: str | Path) -> bool:
    return passfile_path(db_path).is_file()
