"""A holder's initial keeps a compound surname whole (issue 15): one function for the gate
screen, the admin screens and the lead's sheet."""
from __future__ import annotations

import datetime as dt

import pytest

from data.export import daylog
from kiosk.model import Card, CardKind, holder_initial


@pytest.mark.parametrize("name, initial", [
    ("欧阳娜", "欧阳"), ("司马光", "司马"), ("诸葛明", "诸葛"), ("上官婉儿", "上官"), ("东方白", "东方"),
    ("张伟", "张"), ("欧", "欧"), (" 欧阳修 ", "欧阳"), ("", ""), (None, ""), ("Li Na", "L"),
])
def test_the_initial_is_the_surname_compound_ones_whole(name, initial):
    assert holder_initial(name) == initial


def test_a_cards_initial_and_the_sheets_are_the_same_function():
    card = Card("ABCD-EFG", "H1", CardKind.LIFE, 1, dt.date(2026, 2, 1), dt.date(2026, 3, 1), holder="司马光")
    assert card.holder_initial == "司马"
    assert daylog.holder_initial is holder_initial
