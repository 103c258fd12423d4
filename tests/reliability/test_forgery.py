"""Forgery and replay: a forged, altered or re-signed card never opens the gate; a
photocopied card used by a second person is caught by anti-passback and counted."""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import random

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import codec
from kiosk.codec import CardCodeError, Verifier
from kiosk.model import CardKind, Decision
from kiosk.text import clean_scanned
from tests.reliability.conftest import SCALE

FORGERIES = 10_000 * SCALE
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def sign_with(code: codec.CardCode, key: Ed25519PrivateKey) -> str:
    """A code signed with someone else's key, under the community's key id (a stolen id)."""
    body = codec._body(code)  # the exact signed text: what a forger would reproduce
    return body + base64.b32encode(key.sign(body.encode("ascii"))).decode().rstrip("=")


def forgeries(genuine: str, code: codec.CardCode, rng: random.Random):
    """Mutated texts and re-signed variants of one genuine card, in equal turns."""
    thief = Ed25519PrivateKey.generate()
    own_id = dataclasses.replace(code, key_id=codec.key_id(thief.public_key()))
    changes = [
        lambda c: dataclasses.replace(c, valid_to=c.valid_to + dt.timedelta(days=rng.randint(1, 400))),
        lambda c: dataclasses.replace(c, kind=rng.choice([CardKind.SPECIAL, CardKind.WORK])),
        lambda c: dataclasses.replace(c, generation=c.generation + rng.randint(1, 9)),
        lambda c: dataclasses.replace(c, household_id="H" + "".join(rng.choices(B32[:20], k=6))),
        lambda c: c,
    ]
    while True:
        turn = rng.randrange(4)
        if turn == 0:  # one to three characters changed anywhere
            chars = list(genuine)
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(len(chars))
                chars[i] = rng.choice(B32 + "0189:")
            text = "".join(chars)
            if clean_scanned(text) != genuine:
                yield "mutated", text
        elif turn == 1:  # the signature of another card, or its bits shuffled
            body, signature = genuine[:-103], genuine[-103:]
            shuffled = "".join(rng.sample(signature, len(signature)))
            if shuffled != signature:
                yield "signature_swapped", body + shuffled
        elif turn == 2:  # a field changed and signed again with a thief's key under our key id
            yield "resigned_stolen_id", sign_with(rng.choice(changes)(code), thief)
        else:  # a complete card of the thief's own key
            altered = rng.choice(changes)(own_id)
            yield "resigned_own_key", codec.encode(altered, thief)


def test_ten_thousand_forgeries_are_all_refused(community, figures):
    genuine = community.life[0].payload
    code, _, _ = codec.parse(genuine)
    store = community.gate.store
    verifier = Verifier(store.community().id,
                        {k: codec.public_key_from_text(v) for k, v in store.public_keys().items()})
    assert verifier.verify(genuine) == code
    rng = random.Random(7)
    counts: dict[str, int] = {}
    through_the_gate = 0
    for n, (kind, text) in zip(range(FORGERIES), forgeries(genuine, code, rng), strict=False):
        try:
            accepted = verifier.verify(text)
        except CardCodeError as refused:
            assert refused.reason in ("not_a_card", "bad_signature", "wrong_community")
            counts[kind] = counts.get(kind, 0) + 1
        else:
            raise AssertionError(f"forgery accepted: {kind} {text} → {accepted}")
        if n % 50 == 0:  # and a sample through the whole checkpoint, recorded as a denial
            community.clock.advance(minutes=1)
            verdict = community.gate.service.scan(text, "out", "36.5")
            assert verdict.decision is Decision.DENY
            through_the_gate += 1
    assert sum(counts.values()) == FORGERIES
    assert store.last_passage(community.life[0].card.serial) is None  # nobody went out
    for kind, count in counts.items():
        figures.add(f"forged payloads refused: {kind}", count)
    figures.add("forged payloads scanned through the checkpoint, all denied", through_the_gate)


def test_a_photocopied_card_is_caught_by_anti_passback_and_counted_as_an_incident(community, figures):
    card = community.life[1].payload
    first = community.gate.service.scan(card, "out", "36.5")
    community.clock.advance(minutes=3)  # the copy's holder, at the gate a little later

    second = community.gate.service.scan(card, "out", "36.6")

    assert first.decision is Decision.ALLOW
    assert (second.decision, second.reason) == (Decision.DENY, "already_out")
    incidents = community.gate.store.db.execute(
        "SELECT event_id, kind FROM incidents").fetchall()
    assert [tuple(r) for r in incidents] == [(second.event_id, "already_out")]
    figures.add("photocopied cards caught by anti-passback (incident recorded)", 1)
