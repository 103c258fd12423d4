"""The office tests of the CLI use the sync tests' offices: a SQLite file and a real
PostgreSQL (scripts/pg_temp.py), one schema a test."""
from tests.data.conftest import office_url, pg_server, pg_url  # noqa: F401 (fixtures, shared)
