"""A gate that closes a descriptor of its own database, for test_gate_screen_kills.py (issue 10).

    python issue10_child.py DB FIRST_PAYLOAD SECOND_PAYLOAD

Driven line by line on stdin, so the parent decides when each step happens:
  start     scan FIRST_PAYLOAD (out): prints "shown EVENT_ID DECISION"
  "touch"   open(DB, "rb").read(100) and close it, as Qt's file dialog does (icons, MIME
            sniffing): closing any descriptor on the file drops every POSIX lock this
            process holds on it, SQLite's included. Prints "touched".
  "scan"    scan SECOND_PAYLOAD (out): "shown EVENT_ID DECISION" once `scan` returned, or
            "refused [EVENT_ID ...]" if the store raised StorageError (the screen then says
            "record on paper"; a lost WAL names the events it wrote again)
then waits for the SIGKILL. A "shown" line is a verdict a volunteer could have seen.
"""
from __future__ import annotations

import sys

from kiosk.app import open_gate
from kiosk.ports import StorageError


def say(text: str) -> None:
    print(text, flush=True)


def main() -> None:
    db, first, second = sys.argv[1:4]
    gate = open_gate(db)
    verdict = gate.service.scan(first, "out", "36.5")
    say(f"shown {verdict.event_id} {verdict.decision.value}")
    for command in sys.stdin:
        if command.strip() == "touch":
            with open(db, "rb") as database:
                database.read(100)
            say("touched")
        elif command.strip() == "scan":
            try:
                verdict = gate.service.scan(second, "out", "36.5")
            except StorageError as failure:
                say(" ".join(["refused", *getattr(failure, "event_ids", [])]))
            else:
                say(f"shown {verdict.event_id} {verdict.decision.value}")


if __name__ == "__main__":
    main()
