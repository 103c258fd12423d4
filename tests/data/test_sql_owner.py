"""Each database has one owner (issue 12, docs/architecture.md "Who owns what").

The store is the only code that talks SQL to the gate database: outside the store's own
modules, no statement is run and no connection is reached for, in data/, kiosk/ or ui/. The
office database's owner (data/office.py), the migrations, and the backup's connections on a
backup FILE are the named exceptions.

data/office.py (OfficeDB, OfficeStore) is the only code that talks SQL to the office
database: elsewhere an office is asked through a named OfficeDB method, never handed a
statement."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SQL = re.compile(r"\.execute(many)?\(|\.conn\b|\.cursor\(")
OWNERS = ("data/store.py", "data/store_*.py", "data/office.py", "data/migrations.py")
# Lines elsewhere that talk to another database than the gate's, each with why.
ELSEWHERE = {
    "data/backup.py": re.compile(r"\b(target|conn)\.execute\("),  # a backup FILE's own connection
}

OFFICE_OWNER = ROOT / "data" / "office.py"
# OfficeDB's statement calls (it adds query and scalar to the DB-API ones) and its connection.
OFFICE_SQL = re.compile(r"\.(execute(many)?|query|scalar)\(|\.conn\b|\.cursor\(")
# A module that opens an office or is handed one names one of these; whatever it calls the
# connection, it runs no statement at all.
REACHES_OFFICE = re.compile(r"\b(OfficeDB|open_office|OfficeStore)\b")
# In any module, the store's included: a statement on something called an office.
ON_AN_OFFICE = re.compile(r"\boffice\w*(\.\w+)*\.((execute(many)?|query|scalar)\(|conn\b|cursor\()")


def _sources(*owners: str) -> list[Path]:
    owned = {p for pattern in owners for p in ROOT.glob(pattern)}
    return sorted(p for folder in ("data", "kiosk", "ui") for p in (ROOT / folder).rglob("*.py")
                  if p not in owned)


def _found(source: Path, pattern: re.Pattern, allowed: re.Pattern | None = None) -> list[str]:
    name = str(source.relative_to(ROOT))
    return [f"{name}:{number}: {line.strip()}"
            for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1)
            if pattern.search(line) and not (allowed and allowed.search(line))]


@pytest.mark.parametrize("source", _sources(*OWNERS), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sql_on_the_gate_database_outside_the_store(source: Path):
    assert _found(source, SQL, ELSEWHERE.get(str(source.relative_to(ROOT)))) == []


@pytest.mark.parametrize("source", _sources("data/office.py"), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sql_on_the_office_database_outside_data_office(source: Path):
    found = _found(source, ON_AN_OFFICE)
    if REACHES_OFFICE.search(source.read_text(encoding="utf-8")):
        found += _found(source, OFFICE_SQL)
    assert found == []


def test_the_modules_that_reach_the_office_are_checked():
    reaching = {str(p.relative_to(ROOT)) for p in _sources("data/office.py")
                if REACHES_OFFICE.search(p.read_text(encoding="utf-8"))}
    assert {"data/sync.py", "kiosk/cli.py"} <= reaching


def test_the_check_sees_a_statement_outside_the_store():
    line = '    rows = store.db.execute("SELECT id FROM households")'
    assert SQL.search(line) and not ELSEWHERE["data/backup.py"].search(line)


@pytest.mark.parametrize(("line", "statement"), [
    ('    rows = office.query("SELECT * FROM devices")', True),
    ('    office.execute("UPDATE devices SET name = ?", [name])', True),
    ('    self.office.executemany("INSERT INTO settings VALUES (?, ?)", rows)', True),
    ('    total = int(office_db.scalar("SELECT COUNT(*) FROM events"))', True),
    ('    with session.office.conn.cursor() as cursor:', True),
    ('    rows = office.events_after(cursor, device, batch_size)', False),
    ('    office.record_issues(issues, stamp)', False),
])
def test_the_check_sees_a_statement_on_an_office(line: str, statement: bool):
    assert bool(ON_AN_OFFICE.search(line)) is statement
    assert bool(OFFICE_SQL.search(line)) is statement  # what a module holding an office may not do
