"""One error model: every refusal Gatepost means to make is a GatepostError.

A GatepostError names its sentence (`key`, in the catalogue table `table` of
kiosk.messages) and the sentence's `fields`; the edges render it in the reader's language.
Its `kind` decides what the edges do, in one mapping each (kiosk/cli.py `exit_code`,
ui/gateclient.py `_failure`):

| kind          | CLI                         | gate screen                               |
|---------------|-----------------------------|-------------------------------------------|
| `bad_input`   | exit 2, the sentence        | a notice: check the input                 |
| `refused`     | exit 2, the sentence        | a notice                                  |
| `environment` | exit 3, the sentence        | "record on paper" (disk, database, office)|
| anything else | a bug: the traceback        | a crash report and "a program error"      |

The older names (BadInput in kiosk.checkpoint, RosterError, OperatorError, BackupRefused,
OutputRefused, SyncError, RosterFileError, StorageError) are kept as these kinds'
subclasses, so their callers and tests keep working.
"""
from __future__ import annotations

from typing import Any, ClassVar

BAD_INPUT, REFUSED, ENVIRONMENT = "bad_input", "refused", "environment"


class GatepostError(Exception):
    """A refusal or failure that a person can meet; never a bug."""

    kind: ClassVar[str] = REFUSED
    table: ClassVar[str] = "cli"  # which table of kiosk.messages holds `key`

    def __init__(self, key: str, **fields: Any):
        super().__init__(key)
        self.key = key
        self.fields = fields

    def message(self, lang: str) -> str:
        """The sentence for the person who meets it, in `lang`."""
        from kiosk import messages  # the words are read at the edge, when shown

        return messages.error_message(self.table, self.key, lang, **self.fields)


class BadInput(GatepostError, ValueError):
    """Bad usage or bad input (exit code 2): nothing is decided and nothing is written."""

    kind = BAD_INPUT


class Refused(GatepostError, ValueError):
    """A well-formed request the rules refuse (exit code 2): nothing is written."""

    kind = REFUSED


class EnvironmentFailure(GatepostError, RuntimeError):
    """The database, the disk or the office failed (exit code 3): record on paper."""

    kind = ENVIRONMENT


def kind_of(error: BaseException) -> str | None:
    """The error's kind, or None for a bug (an exception Gatepost did not mean to raise)."""
    return error.kind if isinstance(error, GatepostError) else None
