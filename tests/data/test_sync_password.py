"""The office's PostgreSQL password never sits in the settings: `gate enroll` keeps it in an
owner-only libpq password file beside the database, and every shown URL is masked."""
from __future__ import annotations

import os
import sqlite3
import urllib.parse

import pytest

from data.office import mask_url
from data.secretfiles import passfile_path
from kiosk.app import init_community
from kiosk.cli import main

PASSWORD = "S3cret:p@ss/wörd"  # the characters a URL and a passfile must both escape


@pytest.mark.parametrize("url, shown", [
    ("postgresql://gate:pw@office.example:5432/jiedao", "postgresql://gate@office.example:5432/jiedao"),
    ("postgres://gate:p%40ss@Office.example/jiedao?sslmode=require",
     "postgres://gate@Office.example/jiedao?sslmode=require"),
    ("postgresql://gate:pw@host:notaport/db", "postgresql://gate@host:notaport/db"),  # malformed
    ("postgresql://gate:p@ss@host/db", "postgresql://gate@host/db"),  # an unescaped '@'
    ("pgsql://gate:pw@host/db", "pgsql://gate@host/db"),  # a wrong scheme, masked all the same
    ("postgresql://gate@host/db?password=pw&sslmode=require", "postgresql://gate@host/db?sslmode=require"),
    ("postgresql://gate@host/db?passfile=/var/gate.db.pgpass", "postgresql://gate@host/db"),
    ("sqlite:///mnt/usb/office.db", "sqlite:///mnt/usb/office.db"),
    ("sqlite:///mnt/a:b@c/office.db", "sqlite:///mnt/a:b@c/office.db"),
])
def test_a_shown_url_never_has_its_password(url, shown):
    assert mask_url(url) == shown


@pytest.mark.parametrize("args", [
    ["sync", "--to", "pgsql://gate:topsecret@host/db"],                  # a bad URL
    ["sync", "--to", "postgresql://gate:topsecret@127.0.0.1:1/gatepost"],  # nothing listens there
    ["policy", "set", "sync.url", "postgresql://gate:topsecret@host/db"],  # refused, as before
    ["policy", "set", "sync.url", "postgresql://gate@host/db?password=topsecret"],
])
def test_messages_never_echo_a_password(tmp_path, capsys, args):
    gate = init_community(tmp_path / "gate.db", "幸福里")
    gate.close()
    assert main(["--db", str(tmp_path / "gate.db"), "--lang", "en", *args]) in (2, 3)
    out, err = capsys.readouterr()
    assert err and "topsecret" not in out + err


def _require_password(pg_server: str, schema_url: str) -> str:
    """A role that must log in with PASSWORD (scram) on the test server; its office URL."""
    import psycopg

    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS gate_pw")
        conn.execute("CREATE ROLE gate_pw LOGIN SUPERUSER PASSWORD %s".replace("%s", "'" +
                     PASSWORD.replace("'", "''") + "'"))
        hba = conn.execute("SHOW hba_file").fetchone()[0]
        lines = ["host all gate_pw 127.0.0.1/32 scram-sha-256", "host all all 127.0.0.1/32 trust",
                 "local all all trust"]
        values = ", ".join(f"('{line}')" for line in lines)
        conn.execute(f"COPY (VALUES {values}) TO '{hba}'")
        conn.execute("SELECT pg_reload_conf()")
    parts = urllib.parse.urlsplit(schema_url)
    netloc = f"gate_pw:{urllib.parse.quote(PASSWORD, safe='')}@{parts.hostname}:{parts.port}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


@pytest.mark.postgres
def test_enroll_keeps_the_password_in_an_owner_only_file_and_syncs_through_it(
        tmp_path, pg_server, pg_url, capsys):
    if os.environ.get("GATEPOST_TEST_PG"):
        pytest.skip("changes pg_hba.conf: only on the tests' own temporary server")
    north = init_community(tmp_path / "north.db", "幸福里")
    north.close()
    assert main(["--db", str(tmp_path / "north.db"), "sync", "--to", pg_url]) == 0  # founds the office
    with_password = _require_password(pg_server, pg_url)
    bare = mask_url(with_password)
    south = tmp_path / "south.db"
    assert main(["--db", str(tmp_path / "other.db"), "--lang", "en", "gate", "enroll", "--from",
                 bare]) == 3  # the server really asks for the password
    capsys.readouterr()

    assert main(["--db", str(south), "--lang", "en", "gate", "enroll", "--from", with_password,
                 "--name", "南门"]) == 0

    passfile = passfile_path(south)
    assert passfile.stat().st_mode & 0o777 == 0o600
    assert PASSWORD.replace("\\", "\\\\").replace(":", "\\:") in passfile.read_text()
    conn = sqlite3.connect(south)
    stored = conn.execute("SELECT value FROM settings WHERE key = 'sync.url'").fetchone()[0]
    conn.close()
    assert stored == bare
    for part in (south, tmp_path / "south.db-wal"):  # nowhere in the database, nor its backups
        if part.exists():
            assert PASSWORD.encode() not in part.read_bytes()
            assert urllib.parse.quote(PASSWORD, safe="").encode() not in part.read_bytes()
    assert main(["--db", str(south), "--lang", "en", "policy", "show"]) == 0
    shown = capsys.readouterr().out
    assert "a password is set" in shown and "S3cret" not in shown
    assert main(["--db", str(south), "--lang", "en", "sync"]) == 0  # through the password file
    assert "S3cret" not in "".join(capsys.readouterr())


@pytest.mark.postgres
def test_a_password_left_in_an_older_gates_setting_moves_to_the_file(tmp_path, pg_server, pg_url,
                                                                      capsys):
    if os.environ.get("GATEPOST_TEST_PG"):
        pytest.skip("changes pg_hba.conf: only on the tests' own temporary server")
    gate = init_community(tmp_path / "gate.db", "幸福里")
    with_password = _require_password(pg_server, pg_url)
    gate.store.set_setting("sync.url", with_password)  # as `gate enroll` stored it before
    gate.close()

    assert main(["--db", str(tmp_path / "gate.db"), "--lang", "en", "sync"]) == 0

    conn = sqlite3.connect(tmp_path / "gate.db")
    assert conn.execute("SELECT value FROM settings WHERE key = 'sync.url'").fetchone()[0] \
        == mask_url(with_password)
    conn.close()
    assert passfile_path(tmp_path / "gate.db").stat().st_mode & 0o777 == 0o600
    assert main(["--db", str(tmp_path / "gate.db"), "--lang", "en", "sync"]) == 0
