"""The card's QR text: round trips, refusals, and what scanners do to text."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import segno
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk import codec
from kiosk.model import CardKind
from kiosk.serial import ALPHABET, check_char, format_serial, new_community_id, new_serial

KEY = codec.new_signing_key()
KEY_ID = codec.key_id(KEY.public_key())
COMMUNITY = new_community_id()
VERIFIER = codec.Verifier(COMMUNITY, {KEY_ID: KEY.public_key()})

serials = st.text(ALPHABET, min_size=6, max_size=6).map(lambda b: format_serial(b + check_char(b)))
dates = st.dates(dt.date(2020, 1, 1), dt.date(2099, 12, 31))
cards = st.builds(
    codec.CardCode, key_id=st.just(KEY_ID), community=st.just(COMMUNITY), serial=serials,
    generation=st.integers(1, 9999), household_id=st.sampled_from([6, 10]).flatmap(
        lambda n: st.text(ALPHABET, min_size=n, max_size=n)).map("H".__add__),
    kind=st.sampled_from(CardKind), valid_from=dates, valid_to=dates,
)


@given(cards)
def test_any_card_round_trips(card):
    assert VERIFIER.verify(codec.encode(card, KEY)) == card


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(cards, st.data())
def test_any_change_to_a_signed_payload_is_refused(card, data):
    payload = codec.encode(card, KEY)
    position = data.draw(st.integers(0, len(payload) - 1))
    replacement = data.draw(st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ:"))
    changed = payload[:position] + replacement + payload[position + 1:]
    if changed.upper() == payload:
        return
    with pytest.raises(codec.CardCodeError) as refused:
        VERIFIER.verify(changed)
    assert refused.value.reason in {"not_a_card", "wrong_community", "bad_signature"}


@given(st.text(max_size=400))
def test_random_text_is_not_a_card(text):
    with pytest.raises(codec.CardCodeError) as refused:
        VERIFIER.verify(text)
    assert refused.value.reason == "not_a_card"


@pytest.mark.parametrize("household", ["HZZZZZZ", "HZZZZZZZZZZ"])  # 0.1.0's ids and today's
def test_payload_fits_qr_version_7_at_m_in_alphanumeric_mode(household):
    card = codec.CardCode(KEY_ID, COMMUNITY, new_serial(), 9999, household, CardKind.SPECIAL,
                          dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    qr = segno.make_qr(codec.encode(card, KEY), error="m", boost_error=False)
    assert qr.version <= 7 and qr.mode == "alphanumeric"


def test_payload_carries_nothing_personal():
    card = codec.CardCode(KEY_ID, COMMUNITY, new_serial(), 1, "H123456", CardKind.LIFE,
                          dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    fields = codec.encode(card, KEY).split(":")
    assert len(fields) == 10 and fields[0] == "GP1"


def test_another_communitys_key_is_wrong_community():
    other = codec.new_signing_key()
    card = codec.CardCode(codec.key_id(other.public_key()), COMMUNITY, new_serial(), 1, "H123456",
                          CardKind.LIFE, dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    with pytest.raises(codec.CardCodeError) as refused:
        VERIFIER.verify(codec.encode(card, other))
    assert refused.value.reason == "wrong_community"


def test_encode_refuses_a_key_id_of_another_key():
    card = codec.CardCode("AAAAAAAA", COMMUNITY, new_serial(), 1, "H123456", CardKind.LIFE,
                          dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    with pytest.raises(ValueError):
        codec.encode(card, KEY)


def test_key_ids_differ_between_keys():
    assert len({codec.key_id(codec.new_signing_key().public_key()) for _ in range(50)}) == 50


def test_a_replayed_code_with_a_changed_kind_is_refused():
    card = codec.CardCode(KEY_ID, COMMUNITY, new_serial(), 1, "H123456", CardKind.LIFE,
                          dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    payload = codec.encode(card, KEY)
    special = codec.encode(dataclasses.replace(card, kind=CardKind.SPECIAL), KEY)
    forged = special[: special.rindex(":") + 1] + payload[payload.rindex(":") + 1:]
    with pytest.raises(codec.CardCodeError) as refused:
        VERIFIER.verify(forged)
    assert refused.value.reason == "bad_signature"
