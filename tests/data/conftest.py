"""A real PostgreSQL server for the sync tests (marked `postgres`).

GATEPOST_TEST_PG (a URL) names a server to use; otherwise one is started for the session
on loopback from Debian's postgresql binaries (scripts/pg_temp.py) and stopped at the end.
Each test gets its own schema in it, so tests never see each other's office.
"""
from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import pg_temp  # noqa: E402 (scripts/ is not a package: the path above makes it importable)

from tests.community import Community, on_disk, resident_world  # noqa: E402


@pytest.fixture
def world(tmp_path) -> Community:
    """The domain tests' community (tests/community.py), on a real database file."""
    built = resident_world(on_disk(tmp_path / "gate.db"))
    yield built
    built.close()


@pytest.fixture(scope="session")
def pg_server():
    """The URL of a PostgreSQL database the tests may create schemas in."""
    given = os.environ.get("GATEPOST_TEST_PG")
    if given:
        yield given
        return
    if pg_temp.binaries() is None:
        pytest.skip("no PostgreSQL: install Debian's postgresql or set GATEPOST_TEST_PG")
    with pg_temp.TempPostgres() as url:
        yield url


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty schema for one test, as an office URL."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in pg_server else "?"
    yield f"{pg_server}{separator}options=-csearch_path%3D{schema}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def office_url(request, tmp_path):
    """Each sync test runs against both offices: the SQLite file and PostgreSQL."""
    if request.param == "sqlite":
        (tmp_path / "office").mkdir()  # the shared folder or the USB stick
        return f"sqlite:///{tmp_path}/office/office.db"
    return request.getfixturevalue("pg_url")
