"""A throwaway PostgreSQL server on loopback, for the sync tests and the sync benchmark.

Uses Debian's postgresql binaries (/usr/lib/postgresql/<version>/bin). PostgreSQL refuses
to run as root, so under root (CI) the data directory belongs to the `postgres` system
user and every server command runs through `runuser -u postgres`. The server listens on
127.0.0.1 only, on a free port, with its unix socket inside its own temporary directory,
and trusts local connections: it holds nothing but test data and is deleted on stop.

Run it by hand to get a server for poking at: `.venv/bin/python scripts/pg_temp.py`
prints the URL and keeps the server up until Enter.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def binaries() -> Path | None:
    """The newest installed PostgreSQL bin directory, or None where there is none."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TempPostgres:
    """`with TempPostgres() as url:` a fresh server and database; gone afterwards."""

    def __init__(self, database: str = "gatepost", durable: bool = False):
        self.database = database
        self.durable = durable  # fsync on: the benchmark measures what a real office pays
        self.bin = binaries()
        if self.bin is None:
            raise FileNotFoundError("no PostgreSQL binaries under /usr/lib/postgresql")
        self.root = Path(tempfile.mkdtemp(prefix="gatepost-pg-"))
        self.port = _free_loopback_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, text=True)

    def start(self) -> str:
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        data = self.root / "data"
        self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
                   f" -c fsync={'on' if self.durable else 'off'}")
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.root / "log"),
                  "-o", options, "-w", "-t", "60", "start")
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        return self.url

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.database}"

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate",
                      "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> str:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


if __name__ == "__main__":
    with TempPostgres() as url:
        print(url, flush=True)
        input("PostgreSQL is up; press Enter to stop it. ")
