"""A lost card is re-issued as a new card: the old one is dead by its QR code and by its
printed serial; the holder's passage and a work card's exit of the day carry over."""
from __future__ import annotations

import pytest

from kiosk.model import CardStatus, Decision
from kiosk.office import RosterError
from tests.community import local


def test_a_reissued_card_is_a_new_card_for_the_same_holder(world):
    lost = world.life.card

    renewed = world.office.reissue(lost.serial).card

    assert renewed.serial != lost.serial and renewed.generation == lost.generation + 1
    assert (renewed.household_id, renewed.kind, renewed.holder, renewed.valid_from, renewed.valid_to) == (
        lost.household_id, lost.kind, lost.holder, lost.valid_from, lost.valid_to)
    old_row = world.store.card(lost.serial)
    assert old_row.status is CardStatus.REVOKED and old_row.replaced_by == renewed.serial
    assert world.store.card(renewed.serial).status is CardStatus.ACTIVE


@pytest.mark.parametrize("how", ["qr", "typed"])
def test_the_lost_card_is_refused_by_its_code_and_by_its_printed_serial(world, how):
    lost = world.life
    renewed = world.office.reissue(lost.card.serial)
    world.at(local(10, 9))

    verdict = world.scan(lost.payload if how == "qr" else lost.card.serial, "out")

    assert (verdict.decision, verdict.reason) == (Decision.DENY, "revoked")
    assert verdict.household.flat == "3-2-301"
    assert world.scan(renewed, "out").reason == "ok"


def test_a_card_lost_while_out_is_still_out_after_the_reissue(world):
    world.at(local(10, 9))
    assert world.scan(world.life, "out").reason == "ok"

    renewed = world.office.reissue(world.life.card.serial)

    world.at(local(10, 11))
    assert world.scan(renewed, "out").reason == "already_out"
    back = world.scan(renewed, "in", temp="36.5")
    assert back.decision is Decision.ALLOW and back.warnings == ()
    assert world.status()["out_now"] == 0


def test_a_work_cards_exit_of_the_day_counts_for_its_replacement(world):
    world.at(local(10, 9))
    assert world.scan(world.work, "out").reason == "ok"
    assert world.scan(world.work, "in", temp="36.5").reason == "ok"

    renewed = world.office.reissue(world.work.card.serial)

    world.at(local(10, 13))
    assert world.scan(renewed, "out").reason == "work_quota_used"
    world.at(local(11, 9))
    assert world.scan(renewed, "out").reason == "ok"


def test_a_replaced_card_cannot_be_reissued_or_activated_again(world):
    office = world.office
    renewed = office.reissue(world.life.card.serial).card

    for change in (lambda: office.reissue(world.life.card.serial),
                   lambda: office.set_status(world.life.card.serial, CardStatus.ACTIVE)):
        with pytest.raises(RosterError) as refused:
            change()
        assert refused.value.key == "already_replaced" and refused.value.fields["new"] == renewed.serial
    assert [c.serial for c in world.store.cards(world.household.id)
            if c.kind.value == "life" and c.status is CardStatus.ACTIVE] == [renewed.serial]


def test_a_card_reissued_twice_keeps_its_lineage(world):
    office = world.office
    second = office.reissue(world.work.card.serial).card
    third = office.reissue(second.serial).card

    assert third.generation == 3 and third.line == second.line == world.work.card.serial
