"""One error model (kiosk/errors.py): each kind has one exit code and one sentence, whoever
raises it; a bug is not passed off as one of them."""
from __future__ import annotations

import pytest

from data.backup import BackupRefused
from data.migrations import SchemaTooNew
from data.office import SyncError
from data.outputs import OutputRefused
from data.roster import RosterFileError
from data.store import WalLost
from kiosk.checkpoint import BadInput
from kiosk.cli import exit_code
from kiosk.errors import BAD_INPUT, ENVIRONMENT, REFUSED, GatepostError, kind_of
from kiosk.office import RosterError
from kiosk.operators import OperatorError
from kiosk.policy import SettingError
from kiosk.ports import StorageError, StoredTextDamaged
from tests.cli.test_cli import run

CASES = [
    (BadInput("bad_temperature", value="abc"), BAD_INPUT, 2, "Temperature 'abc' is not a number"),
    (SettingError("quota.window_days: a number from 1 to 30"), BAD_INPUT, 2, "Setting refused"),
    (RosterFileError("roster_empty"), BAD_INPUT, 2, "The file holds no households"),
    (RosterError("unknown_household", value="H1"), REFUSED, 2, "No such household: H1"),
    (OperatorError("wrong_pin"), REFUSED, 2, "Wrong PIN"),
    (OutputRefused("output_exists", path="a.csv"), REFUSED, 2, "a.csv already exists"),
    (BackupRefused("backup_missing", path="b.db"), REFUSED, 2, "No backup file at b.db"),
    (SyncError("sync_other_community", target="o.db"), REFUSED, 2, "o.db belongs to another"),
    (SyncError("sync_unreachable", "timeout", "o.db"), ENVIRONMENT, 3, "Cannot reach"),
    (StorageError("disk I/O error"), ENVIRONMENT, 3, "disk I/O error. Record on paper"),
    (StoredTextDamaged(), ENVIRONMENT, 3, "Record on paper"),
    (WalLost([]), ENVIRONMENT, 3, "journal file was replaced"),
    (SchemaTooNew("schema 99"), ENVIRONMENT, 3, "schema 99"),
]


@pytest.mark.parametrize(("error", "kind", "code", "sentence"), CASES,
                         ids=[f"{type(c[0]).__name__}-{c[0].key}" for c in CASES])
def test_each_kind_has_one_exit_code_and_a_sentence_in_each_language(error, kind, code, sentence):
    assert isinstance(error, GatepostError) and kind_of(error) == kind
    assert exit_code(error) == code
    assert sentence in error.message("en")
    assert error.message("zh") and error.message("zh") != error.message("en")


def test_a_bug_is_none_of_the_kinds():
    assert kind_of(ZeroDivisionError()) is None and kind_of(KeyError("x")) is None


# -- the same kinds at the command line: exit code and stderr --------------------------

def test_bad_input_exits_2_with_the_sentence_in_lang(tmp_path):
    db = tmp_path / "gate.db"
    assert run(db, "init", "--community", "幸福里").returncode == 0
    result = run(db, "scan", "GP1:X", "--direction", "out", "--temp", "abc", lang="en")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == "Temperature 'abc' is not a number, e.g. 36.5"


def test_a_refusal_exits_2_with_the_sentence(tmp_path):
    db = tmp_path / "gate.db"
    assert run(db, "init", "--community", "幸福里").returncode == 0
    result = run(db, "card", "issue", "--household", "H999999", "--kind", "life", lang="zh")
    assert result.returncode == 2 and result.stderr.strip() == "查无此户：H999999"


def test_an_environment_failure_exits_3_without_a_traceback(tmp_path):
    db = tmp_path / "gate.db"
    assert run(db, "init", "--community", "幸福里").returncode == 0
    result = run(db, "sync", "--to", "postgresql://nobody@127.0.0.1:1/office?connect_timeout=2",
                 lang="en")
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Cannot reach the community office")


def test_a_damaged_database_exits_3_and_says_record_on_paper(tmp_path):
    db = tmp_path / "gate.db"
    db.write_bytes(b"SQLite format 3\x00" + b"\xff" * 8000)  # a header, then garbage pages
    result = run(db, "status", lang="en")
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert "record on paper" in result.stderr.lower()
