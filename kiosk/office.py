"""Issuing and revoking cards: the office's side of the roster.

One life card per household ("一户一卡"), enforced by the database too. A lost card is
re-issued as a new card: a new random printed serial, the next generation; the lost one
is revoked and names its replacement, so its QR code and its printed serial are both
refused at the gate. Each change and its audit line are one write transaction.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import codec
from kiosk.clock import Clock
from kiosk.errors import Refused
from kiosk.model import Card, CardKind, CardStatus, Household
from kiosk.policy import Policy
from kiosk.ports import Community
from kiosk.serial import new_serial

# How long a new card is valid when the office does not say: special cards are for a
# short need (a hospital visit), the others for a season of closed management.
DEFAULT_DAYS = {CardKind.LIFE: 90, CardKind.WORK: 90, CardKind.SPECIAL: 14}


class RosterError(Refused):
    """A card operation the roster's rules refuse; `key` names the message."""


class CardConflict(Exception):
    """The store refused a card row by a unique rule (a second active life card)."""


class RosterStore(Protocol):
    def community(self) -> Community: ...
    def settings(self) -> dict[str, str]: ...
    def household(self, household_id: str) -> Household | None: ...
    def card(self, serial: str) -> Card | None: ...
    def cards(self, household_id: str | None = None) -> list[Card]: ...

    def atomic(self) -> contextlib.AbstractContextManager[object]:
        """One write transaction that the writes below join (BEGIN IMMEDIATE on SQLite)."""
        ...

    def save_card(self, card: Card, now: dt.datetime) -> None:
        """Insert or replace the card's row; CardConflict when a unique rule refuses it."""
        ...

    def carry_passage(self, old_serial: str, new_serial: str) -> None:
        """The lost card's last passage becomes its replacement's (a no-op at the office)."""
        ...

    def audit_line(self, operator: str, action: str, target: str, details: dict[str, Any] | None,
                   now: dt.datetime) -> None:
        """One audit line, in the same transaction (a no-op where there is no audit log)."""
        ...


@dataclasses.dataclass(frozen=True)
class IssuedCard:
    card: Card
    household: Household
    payload: str

    def to_json(self) -> dict[str, Any]:
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
              valid_from: dt.date | None = None, valid_to: dt.date | None = None,
              by: str | None = None) -> IssuedCard:
        """A new card. With `by` (the operator), its audit line in the same transaction.

        The life-card check and the insert are one write transaction, and the database's
        unique index refuses what a concurrent writer slipped in (PostgreSQL offices).
        """
        today = self._today()
        valid_from = valid_from or today
        valid_to = valid_to or valid_from + dt.timedelta(days=DEFAULT_DAYS[kind] - 1)
        if valid_from > valid_to:
            raise RosterError("bad_dates")
        try:
            with self.store.atomic():
                household = self._household(household_id)
                if kind is CardKind.LIFE:
                    existing = self._active_life(household_id)
                    if existing is not None:
                        raise RosterError("second_life_card", household=household_id,
                                          serial=existing.serial)
                card = Card(self._fresh_serial(), household_id, kind, 1, valid_from, valid_to,
                            holder=holder.strip())
                self.store.save_card(card, self.clock.now())
                self._audit(by, "card_issue", card.serial, {"kind": kind.value,
                                                            "household": household_id})
        except CardConflict:
            existing = self._active_life(household_id)
            raise RosterError("second_life_card", household=household_id,
                              serial=existing.serial if existing else "") from None
        return IssuedCard(card, household, self.payload(card))

    def revoke(self, serial: str, by: str | None = None) -> Card:
        with self.store.atomic():
            card = self._card(serial)
            if card.status is CardStatus.REVOKED:
                raise RosterError("already_revoked", value=serial)
            revoked = dataclasses.replace(card, status=CardStatus.REVOKED)
            self.store.save_card(revoked, self.clock.now())
            self._audit(by, "card_revoke", serial, {"generation": card.generation})
        return revoked

    def set_status(self, serial: str, status: CardStatus, by: str | None = None) -> Card:
        """Suspend or activate a card (a replaced card stays revoked: re-issue instead)."""
        action = "card_suspend" if status is CardStatus.SUSPENDED else "card_activate"
        try:
            with self.store.atomic():
                card = self._card(serial)
                if card.replaced_by is not None:
                    raise RosterError("already_replaced", value=serial, new=card.replaced_by)
                changed = dataclasses.replace(card, status=status)
                self.store.save_card(changed, self.clock.now())
                self._audit(by, action, serial, {"generation": card.generation,
                                                 "status": status.value})
        except CardConflict:  # a revoked life card activated beside the household's new one
            existing = self._active_life(card.household_id)
            raise RosterError("second_life_card", household=card.household_id,
                              serial=existing.serial if existing else "") from None
        return changed

    def reissue(self, serial: str, by: str | None = None) -> IssuedCard:
        """A lost card replaced by a new card: a new printed serial, the next generation.

        The lost card is revoked and names its replacement; the replacement keeps the
        household, kind, holder, validity and lineage, and the lost card's passage (out or
        in). All of it, and the audit line, in one write transaction.
        """
        with self.store.atomic():
            card = self._card(serial)
            if card.replaced_by is not None:
                raise RosterError("already_replaced", value=serial, new=card.replaced_by)
            household = self._household(card.household_id)
            now = self.clock.now()
            renewed = dataclasses.replace(card, serial=self._fresh_serial(),
                                          generation=card.generation + 1,
                                          status=CardStatus.ACTIVE, replaced_by=None,
                                          lineage=card.line)
            # The lost card first: the life-card index must never see two active ones.
            self.store.save_card(dataclasses.replace(card, status=CardStatus.REVOKED,
                                                     replaced_by=renewed.serial), now)
            self.store.save_card(renewed, now)
            self.store.carry_passage(card.serial, renewed.serial)
            self._audit(by, "card_reissue", renewed.serial, {"generation": renewed.generation,
                                                             "replaces": card.serial})
        return IssuedCard(renewed, household, self.payload(renewed))

    def issue_missing(self, households: list[Household], kind: CardKind = CardKind.LIFE,
                      by: str | None = None) -> list[IssuedCard]:
        """A card of `kind` to each of `households` that holds no active or suspended card
        of that kind, all in one write transaction: one refused card and none is issued."""
        issued: list[IssuedCard] = []
        with self.store.atomic():
            for household in households:
                held = [c for c in self.store.cards(household.id)
                        if c.kind is kind and c.status is not CardStatus.REVOKED]
                if not held:
                    issued.append(self.issue(household.id, kind, household.head, by=by))
        return issued

    def payload(self, card: Card) -> str:
        code = codec.CardCode(
            key_id=codec.key_id(self.signing_key.public_key()), community=self.store.community().id,
            serial=card.serial, generation=card.generation, household_id=card.household_id,
            kind=card.kind, valid_from=card.valid_from, valid_to=card.valid_to,
        )
        return codec.encode(code, self.signing_key)

    def _fresh_serial(self) -> str:
        serial = new_serial()
        while self.store.card(serial) is not None:  # 1 in a billion: draw again
            serial = new_serial()
        return serial

    def _active_life(self, household_id: str) -> Card | None:
        return next((c for c in self.store.cards(household_id)
                     if c.kind is CardKind.LIFE and c.status is not CardStatus.REVOKED), None)

    def _audit(self, by: str | None, action: str, target: str, details: dict[str, Any]) -> None:
        if by is not None:
            self.store.audit_line(by, action, target, details, self.clock.now())

    def _card(self, serial: str) -> Card:
        card = self.store.card(serial)
        if card is None:
            raise RosterError("unknown_serial", value=serial)
        return card

    def _household(self, household_id: str) -> Household:
        household = self.store.household(household_id)
        if household is None:
            raise RosterError("unknown_household", value=household_id)
        return household

    def _today(self) -> dt.date:
        return self.clock.now().astimezone(Policy(self.store.settings()).timezone).date()
