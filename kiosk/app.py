"""The composition root: wires the store, the clock and the services into one gate.

This is the one place (with the CLI) where `kiosk` meets `data`: the domain modules only
know the storage port.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import platformdirs

from data.keyfile import key_path, read_private_key, write_private_key
from data.store import SqliteStore
from kiosk import codec
from kiosk.checkpoint import CheckpointService
from kiosk.clock import Clock, SystemClock
from kiosk.office import CardOffice, RosterError
from kiosk.policy import Policy
from kiosk.serial import new_community_id


def default_db_path() -> Path:
    """$KIOSK_DB, else gate.db in the user's data directory."""
    env = os.environ.get("KIOSK_DB")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("gatepost", appauthor=False)) / "gate.db"


class Gate:
    """One gate's database and the services over it."""

    def __init__(self, store: SqliteStore, clock: Clock, lang: str = "zh"):
        self.store = store
        self.clock = clock
        self.lang = lang
        self.service = CheckpointService(store, clock, lang)

    @property
    def path(self) -> Path:
        return self.store.path

    def policy(self) -> Policy:
        return Policy(self.store.settings())

    def today(self) -> dt.date:
        return self.clock.now().astimezone(self.policy().timezone).date()

    def status(self, date: dt.date | None = None) -> dict[str, int]:
        return self.store.status(date or self.today())

    def office(self) -> CardOffice:
        """Card issuing: needs the signing key file, which a scan-only gate does not have."""
        path = key_path(self.path)
        key = read_private_key(path)
        if key is None:
            raise RosterError("no_signing_key", path=path)
        return CardOffice(self.store, self.clock, key)

    def close(self) -> None:
        self.store.close()


def init_community(path: str | Path, name: str, timezone: str = "Asia/Shanghai",
                   start_date: dt.date | None = None, clock: Clock | None = None,
                   lang: str = "zh") -> Gate:
    """A new database and signing key. FileExistsError rather than overwrite either."""
    path = Path(path)
    clock = clock or SystemClock()
    if path.exists() or key_path(path).exists():
        raise FileExistsError(str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    signing_key = codec.new_signing_key()
    write_private_key(key_path(path), signing_key)
    store = SqliteStore(path, create=True)
    now = clock.now()
    start = start_date or now.astimezone(Policy({"timezone": timezone}).timezone).date()
    public = signing_key.public_key()
    store.initialise(name, new_community_id(), codec.key_id(public), codec.public_key_text(public),
                     {"timezone": timezone, "quota.start_date": start.isoformat()}, now)
    return Gate(store, clock, lang)


def open_gate(path: str | Path | None = None, lang: str = "zh", clock: Clock | None = None) -> Gate:
    """Open an existing gate database (NotInitialised if there is none)."""
    return Gate(SqliteStore(path or default_db_path()), clock or SystemClock(), lang)
