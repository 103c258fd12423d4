"""Issuing and revoking cards: the office's side of the roster.

One life card per household ("一户一卡"); a lost card is re-issued with the next
generation, which makes every older printed code `revoked` at the gate.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import codec
from kiosk.clock import Clock
from kiosk.model import Card, CardKind, CardStatus, Household
from kiosk.policy import Policy
from kiosk.serial import new_serial

# How long a new card is valid when the office does not say: special cards are for a
# short need (a hospital visit), the others for a season of closed management.
DEFAULT_DAYS = {CardKind.LIFE: 90, CardKind.WORK: 90, CardKind.SPECIAL: 14}


class RosterError(ValueError):
    """A card operation the roster's rules refuse; `key` names the message."""

    def __init__(self, key: str, **fields: object):
        super().__init__(key)
        self.key = key
        self.fields = fields


class RosterStore(Protocol):
    def community(self): ...
    def settings(self) -> dict[str, str]: ...
    def household(self, household_id: str) -> Household | None: ...
    def card(self, serial: str) -> Card | None: ...
    def cards(self, household_id: str | None = None) -> list[Card]: ...
    def save_card(self, card: Card, now: dt.datetime) -> None: ...


@dataclasses.dataclass(frozen=True)
class IssuedCard:
    card: Card
    household: Household
    payload: str

    def to_json(self) -> dict:
        """The JSON `kiosk card issue` prints (DESIGN.md section 5)."""
        return {
            "serial": self.card.serial, "generation": self.card.generation,
            "kind": self.card.kind.value, "household": self.card.household_id,
            "payload": self.payload, "valid_from": self.card.valid_from.isoformat(),
            "valid_to": self.card.valid_to.isoformat(),
        }


class CardOffice:
    def __init__(self, store: RosterStore, clock: Clock, signing_key: Ed25519PrivateKey):
        self.store = store
        self.clock = clock
        self.signing_key = signing_key

    def issue(self, household_id: str, kind: CardKind, holder: str = "",
              valid_from: dt.date | None = None, valid_to: dt.date | None = None) -> IssuedCard:
        household = self.store.household(household_id)
        if household is None:
            raise RosterError("unknown_household", value=household_id)
        if kind is CardKind.LIFE:
            for existing in self.store.cards(household_id):
                if existing.kind is CardKind.LIFE and existing.status is not CardStatus.REVOKED:
                    raise RosterError("second_life_card", household=household_id,
                                      serial=existing.serial)
        today = self._today()
        valid_from = valid_from or today
        valid_to = valid_to or valid_from + dt.timedelta(days=DEFAULT_DAYS[kind] - 1)
        if valid_from > valid_to:
            raise RosterError("bad_dates")
        serial = new_serial()
        while self.store.card(serial) is not None:  # 1 in a billion: draw again
            serial = new_serial()
        card = Card(serial, household_id, kind, 1, valid_from, valid_to, holder=holder.strip())
        self.store.save_card(card, self.clock.now())
        return IssuedCard(card, household, self.payload(card))

    def revoke(self, serial: str) -> Card:
        card = self._card(serial)
        if card.status is CardStatus.REVOKED:
            raise RosterError("already_revoked", value=serial)
        revoked = dataclasses.replace(card, status=CardStatus.REVOKED)
        self.store.save_card(revoked, self.clock.now())
        return revoked

    def set_status(self, serial: str, status: CardStatus) -> Card:
        changed = dataclasses.replace(self._card(serial), status=status)
        self.store.save_card(changed, self.clock.now())
        return changed

    def reissue(self, serial: str) -> IssuedCard:
        """The same serial, the next generation, active: every older printed code is refused."""
        card = self._card(serial)
        renewed = dataclasses.replace(card, generation=card.generation + 1,
                                      status=CardStatus.ACTIVE)
        self.store.save_card(renewed, self.clock.now())
        return IssuedCard(renewed, self.store.household(card.household_id), self.payload(renewed))

    def payload(self, card: Card) -> str:
        code = codec.CardCode(
            key_id=codec.key_id(self.signing_key.public_key()), community=self.store.community().id,
            serial=card.serial, generation=card.generation, household_id=card.household_id,
            kind=card.kind, valid_from=card.valid_from, valid_to=card.valid_to,
        )
        return codec.encode(code, self.signing_key)

    def _card(self, serial: str) -> Card:
        card = self.store.card(serial)
        if card is None:
            raise RosterError("unknown_serial", value=serial)
        return card

    def _today(self) -> dt.date:
        return self.clock.now().astimezone(Policy(self.store.settings()).timezone).date()
