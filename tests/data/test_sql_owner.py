"""The store is the only code that talks SQL to the gate database (issue 12, docs/architecture.md
"Who owns what"): outside the store's own modules, no statement is run and no connection is
reached for, in data/, kiosk/ or ui/. The office database's owner (data/office.py), the
migrations, and the backup's connections on a backup FILE are the named exceptions."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SQL = re.compile(r"\.execute(many)?\(|\.conn\b|\.cursor\(")
OWNERS = ("data/store.py", "data/store_*.py", "data/office.py", "data/migrations.py")
# Lines elsewhere that talk to another database than the gate's, each with why.
ELSEWHERE = {
    "data/sync.py": re.compile(r"\boffice\.execute(many)?\("),  # the office's open OfficeDB
    "data/backup.py": re.compile(r"\b(target|conn)\.execute\("),  # a backup FILE's own connection
}


def _sources() -> list[Path]:
    owned = {p for pattern in OWNERS for p in ROOT.glob(pattern)}
    return sorted(p for folder in ("data", "kiosk", "ui") for p in (ROOT / folder).rglob("*.py")
                  if p not in owned)


@pytest.mark.parametrize("source", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sql_on_the_gate_database_outside_the_store(source: Path):
    name = str(source.relative_to(ROOT))
    allowed = ELSEWHERE.get(name)
    found = [f"{name}:{number}: {line.strip()}"
             for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1)
             if SQL.search(line) and not (allowed and allowed.search(line))]
    assert found == []


def test_the_check_sees_a_statement_outside_the_store():
    line = '    rows = store.db.execute("SELECT id FROM households")'
    assert SQL.search(line) and not ELSEWHERE["data/sync.py"].search(line)
