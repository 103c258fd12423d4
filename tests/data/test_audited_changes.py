"""Every card change and setting change is written with its audit line in one transaction:
both are there, or (a failure between the two) neither is."""
from __future__ import annotations

import json

import pytest

from kiosk.model import CardKind, CardStatus
from kiosk.ports import StorageError

BY = "admin:小李"


CHANGES = {
    "card_issue": lambda w: w.gate.office().issue("H000401", CardKind.LIFE, by=BY).card.serial,
    "card_revoke": lambda w: w.gate.office().revoke(w.work.card.serial, by=BY).serial,
    "card_reissue": lambda w: w.gate.office().reissue(w.work.card.serial, by=BY).card.serial,
    "card_suspend": lambda w: w.gate.office().set_status(w.work.card.serial, CardStatus.SUSPENDED,
                                                         by=BY).serial,
    "setting_change": lambda w: next(iter(w.gate.change_settings({"quota.window_days": "3"}, BY))),
}


def roster(w) -> list[tuple]:
    conn = w.gate.store.db.conn
    return [tuple(r) for r in conn.execute("SELECT * FROM cards ORDER BY serial")] + [
        tuple(r) for r in conn.execute("SELECT * FROM settings ORDER BY key")] + [
        tuple(r) for r in conn.execute("SELECT * FROM passages ORDER BY serial")]


def audit(w) -> list[tuple]:
    return [tuple(r) for r in w.gate.store.db.execute(
        "SELECT operator, action, target, details FROM audit ORDER BY id")]


def refuse_audit_lines(w) -> None:
    """The disk fails just as the audit line is written: after the change, before COMMIT."""
    def refuse():
        raise OSError("disk I/O error")

    conn = w.gate.store.db.conn
    conn.create_function("refuse", 0, refuse)
    conn.execute("CREATE TEMP TRIGGER refuse_audit BEFORE INSERT ON audit BEGIN SELECT refuse(); END")


@pytest.mark.parametrize("action", CHANGES)
def test_a_change_and_its_audit_line_are_written_together(world, action):
    world.new_household("401")
    before = roster(world)

    target = CHANGES[action](world)

    assert roster(world) != before
    operator, written, line_target, details = audit(world)[-1]
    assert (operator, written, line_target) == (BY, action, target)
    assert isinstance(json.loads(details), dict)


@pytest.mark.parametrize("action", CHANGES)
def test_a_failure_between_the_change_and_its_audit_line_leaves_neither(world, action):
    world.new_household("401")
    assert world.scan(world.work, "out").reason == "ok"  # a passage a re-issue would carry
    before, lines = roster(world), audit(world)
    refuse_audit_lines(world)

    with pytest.raises(StorageError):
        CHANGES[action](world)

    assert roster(world) == before and audit(world) == lines
    assert not world.gate.store.db.conn.in_transaction
