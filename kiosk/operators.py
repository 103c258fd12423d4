"""Operators and their roles: who may scan, who may read a building's log, who runs the roster.

A PIN identifies the operator (a volunteer in gloves types four to eight digits, no name).
PINs are kept only as salted scrypt hashes. Because the PIN is the identity, the lock-out
is the gate's, not one operator's: after `MAX_FAILURES` wrong PINs in a row, every PIN is
refused for `LOCK_SECONDS` (time from the injected clock), which is what stops someone at
the kiosk from trying PINs one after another.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import hmac
import logging
import secrets
from typing import Protocol

from kiosk.clock import Clock

log = logging.getLogger("gate")

MAX_FAILURES = 5
LOCK_SECONDS = 300
PIN_DIGITS = (4, 8)

# scrypt at n=2**14, r=8: about 16 MiB and some 30 ms a try, so a stolen database costs an
# attacker hours per PIN, while the kiosk (a dozen operators at most) answers at once.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class Role(enum.StrEnum):
    """Ordered: each role may do what the ones before it may."""

    VOLUNTEER = "volunteer"  # scans only
    LEAD = "lead"            # building lead: their buildings' logs and exports, overrides
    ADMIN = "admin"          # the office: roster, cards, settings, every building

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: Role | str) -> bool:
        return self.rank >= Role(other).rank


class OperatorError(ValueError):
    """An operator change refused; `key` names the message (kiosk.messages.OPERATOR)."""

    def __init__(self, key: str, **fields: object):
        super().__init__(key)
        self.key = key
        self.fields = fields


class PinLocked(Exception):
    """Too many wrong PINs: no PIN is checked until `until` (UTC)."""

    def __init__(self, until: dt.datetime):
        super().__init__(until.isoformat())
        self.until = until


@dataclasses.dataclass(frozen=True)
class Operator:
    name: str
    role: Role
    buildings: tuple[str, ...] = ()  # a lead's buildings; empty for an admin means every one

    def may(self, role: Role | str) -> bool:
        return self.role.at_least(role)

    @property
    def all_buildings(self) -> bool:
        return self.role is Role.ADMIN and not self.buildings

    def sees(self, building: str | None) -> bool:
        """May this operator read rows of that building? (Rows of no building: admins only.)"""
        if self.all_buildings:
            return True
        return building is not None and building in self.buildings

    def visible_buildings(self, wanted: str | None) -> tuple[str, ...] | None:
        """The buildings an export or a screen shows: None means all of them.

        OperatorError when the operator asks for a building that is not theirs.
        """
        if wanted is not None:
            if not self.sees(wanted):
                raise OperatorError("not_your_building", building=wanted)
            return (wanted,)
        return None if self.all_buildings else self.buildings


@dataclasses.dataclass(frozen=True)
class StoredOperator:
    operator: Operator
    pin_hash: str
    active: bool = True


class OperatorStore(Protocol):
    def operators(self) -> list[StoredOperator]: ...
    def add_operator(self, stored: StoredOperator, now: dt.datetime) -> None: ...
    def set_operator_active(self, name: str, active: bool, now: dt.datetime) -> None: ...
    def pin_failures(self) -> tuple[int, dt.datetime | None]: ...
    def set_pin_failures(self, failures: int, locked_until: dt.datetime | None) -> None: ...
    def audit(self, operator: str, action: str, target: str = "", details: dict | None = None,
              now: dt.datetime | None = None) -> None: ...


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """'scrypt$n$r$p$salt-hex$hash-hex': the parameters travel with the hash."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, dklen=32, maxmem=64 * 2**20, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                               p=int(p), dklen=32, maxmem=64 * 2**20)
    return hmac.compare_digest(candidate.hex(), digest)


def check_pin_shape(pin: str) -> str:
    """The PIN as stored: digits only, 4 to 8 of them (a keypad, gloves)."""
    pin = pin.strip()
    low, high = PIN_DIGITS
    if not (pin.isascii() and pin.isdigit() and low <= len(pin) <= high):
        raise OperatorError("bad_pin", low=low, high=high)
    return pin


class OperatorService:
    """Adds operators, checks PINs, keeps the lock-out. Everything it needs is passed in."""

    def __init__(self, store: OperatorStore, clock: Clock):
        self.store = store
        self.clock = clock

    def add(self, name: str, role: Role | str, pin: str, buildings: tuple[str, ...] = (),
            by: str = "") -> Operator:
        name = name.strip()
        if not name or len(name) > 40:
            raise OperatorError("bad_operator_name", value=name)
        try:
            role = Role(role)
        except ValueError:
            raise OperatorError("bad_role", value=role) from None
        buildings = tuple(dict.fromkeys(b.strip() for b in buildings if b.strip()))
        if role is Role.LEAD and not buildings:
            raise OperatorError("lead_needs_building")
        pin = check_pin_shape(pin)
        existing = self.store.operators()
        if any(s.operator.name == name for s in existing):
            raise OperatorError("operator_exists", value=name)
        # The PIN is the identity, so two operators may not share one.
        if any(s.active and verify_pin(pin, s.pin_hash) for s in existing):
            raise OperatorError("pin_in_use")
        operator = Operator(name, role, buildings)
        now = self.clock.now()
        self.store.add_operator(StoredOperator(operator, hash_pin(pin)), now)
        self.store.audit(by, "operator_add", name, {"role": role.value, "buildings": list(buildings)},
                         now)
        return operator

    def deactivate(self, name: str, by: str = "") -> None:
        if not any(s.operator.name == name for s in self.store.operators()):
            raise OperatorError("unknown_operator", value=name)
        now = self.clock.now()
        self.store.set_operator_active(name, False, now)
        self.store.audit(by, "operator_deactivate", name, {}, now)

    def operators(self) -> list[StoredOperator]:
        return self.store.operators()

    def locked_until(self) -> dt.datetime | None:
        """When PIN entry opens again, or None if it is open now."""
        _, until = self.store.pin_failures()
        return until if until is not None and until > self.clock.now() else None

    def authenticate(self, pin: str, role: Role | str = Role.VOLUNTEER) -> Operator | None:
        """The active operator with this PIN and at least `role`, or None.

        PinLocked while the gate is locked out. A wrong PIN, or the PIN of an operator whose
        role is too low, counts as a failure; the fifth in a row locks PIN entry.
        """
        role = Role(role)
        now = self.clock.now()
        failures, until = self.store.pin_failures()
        if until is not None and until > now:
            raise PinLocked(until)
        if until is not None:  # the lock has run out: start counting again
            failures = 0
        match = None
        for stored in self.store.operators():
            if stored.active and verify_pin(pin.strip(), stored.pin_hash):
                match = stored.operator
                break
        if match is not None and match.may(role):
            self.store.set_pin_failures(0, None)
            self.store.audit(match.name, "login", role.value, {}, now)
            return match
        failures += 1
        locked = now + dt.timedelta(seconds=LOCK_SECONDS) if failures >= MAX_FAILURES else None
        self.store.set_pin_failures(failures, locked)
        self.store.audit(match.name if match else "", "login_failed", role.value,
                         {"failures": failures, "locked": locked is not None}, now)
        log.warning("wrong PIN for role %s (%d in a row)%s", role.value, failures,
                    ", PIN entry locked" if locked else "")
        return None
