"""The printed serial and its check character."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.serial import ALPHABET, check_char, format_serial, new_serial, normalize_serial

bodies = st.text(ALPHABET, min_size=6, max_size=6)


@given(bodies, st.integers(0, 5), st.sampled_from(ALPHABET))
def test_every_single_wrong_character_is_caught(body, position, replacement):
    serial = body + check_char(body)
    typed = serial[:position] + replacement + serial[position + 1:]
    if typed != serial:
        assert normalize_serial(typed) is None


@given(bodies, st.integers(0, 5))
def test_every_swap_of_neighbours_is_caught(body, position):
    serial = body + check_char(body)
    typed = serial[:position] + serial[position + 1] + serial[position] + serial[position + 2:]
    if typed != serial:
        assert normalize_serial(typed) is None


@pytest.mark.parametrize("mangle", [
    str.lower, lambda s: s.replace("-", ""), lambda s: " " + s.replace("-", " ") + " ",
    lambda s: s.translate({i: i + 0xFEE0 for i in range(0x21, 0x7F)}),  # full-width
    lambda s: s.replace("1", "I").replace("0", "O"),
    lambda s: s.replace("1", "l"),
])
def test_typed_variants_normalise_to_the_printed_serial(mangle):
    serial = new_serial()
    assert normalize_serial(mangle(serial)) == serial


@pytest.mark.parametrize("typed", ["", "ABC", "12345678", "UUUU-UUU", "ABCD-EF!"])
def test_not_a_serial(typed):
    assert normalize_serial(typed) is None


def test_printed_form():
    serial = new_serial()
    assert len(serial) == 8 and serial[4] == "-" and format_serial(serial.replace("-", "")) == serial
