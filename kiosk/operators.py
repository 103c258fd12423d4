"""Operators and their roles: who may scan, who may read a building's log, who runs the roster.

A PIN identifies the operator (a volunteer in gloves types digits, no name): 4 to 8 digits
for a volunteer, at least 6 for a lead or an admin, whose PIN opens exports and overrides.

PINs are kept only as scrypt hashes of HMAC(pepper, PIN): the pepper is a random secret in
an owner-only file beside the database (data/pepper.py), so a stolen database or backup
alone does not let anyone guess a PIN. Every hash of a gate shares one salt, so checking a
PIN costs one derivation however many operators there are, and the derivation can cost
what an attacker should pay (bench/pin_cost.py, docs/reliability.md "PIN guessing").
Old hashes (`scrypt$...`) keep verifying and are replaced at the next right PIN.

Because the PIN is the identity, the lock-out is the gate's, not one operator's, and it
holds across processes (the GUI, CLI commands): each attempt is counted in one write
transaction before the slow derivation. The first `FREE_FAILURES` wrong PINs in a row cost
nothing; after that each one closes PIN entry for a wait that doubles from
`FIRST_WAIT_S` up to `MAX_WAIT_S` (time from the injected clock), so a mistyping volunteer
delays the next try by seconds while a guesser gets about one try a minute. A right PIN
clears the count.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from typing import Any, Protocol

from kiosk.audit import AuditEntry
from kiosk.clock import Clock
from kiosk.errors import Refused

log = logging.getLogger("gate")

FREE_FAILURES = 3   # wrong PINs in a row before any wait
FIRST_WAIT_S = 1    # the wait after the first costly failure, doubling each time
MAX_WAIT_S = 60     # never longer: a volunteer's slips must not lock the leads out for minutes
MAX_DIGITS = 8

# scrypt n=2**17, r=8, p=1: 128 MiB and about 0.4 s a derivation on the reference machine
# (bench/pin_cost.py), once per PIN typed. With the pepper unknown no number of guesses
# helps; with database and pepper file both stolen, 10**6 PINs take days on two cores.


@dataclasses.dataclass(frozen=True)
class PinCost:
    """scrypt's parameters for new PIN hashes. The composition root passes the one the
    gate runs with (PIN_COST); tests of the rules pass a cheap one. A hash records its own
    parameters, so a hash of another cost still verifies and is replaced at the next right PIN."""

    n: int
    r: int
    p: int


PIN_COST = PinCost(n=2**17, r=8, p=1)
_MAXMEM = 2**28  # hashlib refuses more than 32 MiB unless told; the cost above needs 128 MiB
HASH_VERSION = "gp2"  # gp2$n$r$p$salt$hash over HMAC-SHA256(pepper, PIN); "scrypt$": version 1


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


class OperatorError(Refused):
    """An operator change or a PIN refused; `key` names the message (kiosk.messages.CLI)."""


class PinLocked(Exception):
    """PIN entry is closed after wrong PINs: no PIN is checked until `until` (UTC)."""

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
    # "local": added on this database; "office": defined at the office and pulled with the
    # roster, its hash peppered with the office's pepper (docs/leads-and-office.md)
    source: str = "local"


@dataclasses.dataclass(frozen=True)
class PinAttempt:
    """What the guard's transaction found: refused (locked until `until`) or counted."""

    failures: int                  # wrong PINs in a row, this attempt counted as one
    until: dt.datetime | None      # PIN entry closed until then (UTC), or None
    refused: bool                  # True: locked, nothing was counted or checked


class OperatorStore(Protocol):
    """Each write, with its audit line, is one transaction."""

    def operators(self) -> list[StoredOperator]: ...
    def add_operator(self, stored: StoredOperator, audit: AuditEntry) -> None: ...
    def set_operator_active(self, name: str, active: bool, audit: AuditEntry) -> None: ...
    def set_pin_hash(self, name: str, pin_hash: str, audit: AuditEntry) -> None: ...
    def pin_failures(self) -> tuple[int, dt.datetime | None]: ...
    def count_pin_attempt(self, now: dt.datetime,
                          wait_after: Callable[[int], dt.timedelta]) -> PinAttempt: ...
    def pin_accepted(self, audit: AuditEntry, rehash: tuple[str, str] | None) -> None: ...
    def audit(self, operator: str, action: str, target: str = "", details: dict[str, Any] | None = None,
              now: dt.datetime | None = None) -> None: ...


def wait_after(failures: int) -> dt.timedelta:
    """How long PIN entry stays closed after `failures` wrong PINs in a row."""
    if failures <= FREE_FAILURES:
        return dt.timedelta(0)
    return dt.timedelta(seconds=min(FIRST_WAIT_S * 2 ** (failures - FREE_FAILURES - 1), MAX_WAIT_S))


def min_digits(role: Role | str) -> int:
    """A volunteer's PIN only signs in at the gate; a lead's or admin's opens the logs."""
    return 4 if Role(role) is Role.VOLUNTEER else 6


def _derive(pin: str, salt: bytes, n: int, r: int, p: int, pepper: bytes | None) -> bytes | None:
    """The key, or None for parameters no hash of ours has (a hash changed by hand)."""
    secret = pin.encode() if pepper is None else hmac.new(pepper, pin.encode(), hashlib.sha256).digest()
    try:
        return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, dklen=32, maxmem=_MAXMEM)
    except ValueError:
        return None


def _parts(stored: str) -> tuple[str, int, int, int, bytes, str] | None:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        return scheme, int(n), int(r), int(p), bytes.fromhex(salt), digest
    except ValueError:
        return None


def hash_pin(pin: str, pepper: bytes, salt: bytes | None = None, cost: PinCost = PIN_COST) -> str:
    """'gp2$n$r$p$salt-hex$hash-hex': the version and parameters travel with the hash."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = _derive(pin, salt, cost.n, cost.r, cost.p, pepper)
    assert digest is not None  # PIN_COST fits _MAXMEM
    return f"{HASH_VERSION}${cost.n}${cost.r}${cost.p}${salt.hex()}${digest.hex()}"


def is_current(stored: str, cost: PinCost = PIN_COST) -> bool:
    """Is this hash of the current version and `cost`? (If not: rehashed at the next right PIN.)"""
    parts = _parts(stored)
    return parts is not None and parts[:4] == (HASH_VERSION, cost.n, cost.r, cost.p)


def matching(pin: str, hashes: list[str], pepper: bytes | list[bytes | None]) -> list[int]:
    """The indexes of `hashes` that `pin` opens, at one derivation per (version, cost, salt,
    pepper). `pepper` is one for all, or one per hash (None: a hash that cannot be checked
    here, an office operator's before the office's pepper came down)."""
    peppers = pepper if isinstance(pepper, list) else [pepper] * len(hashes)
    derived: dict[tuple[str, int, int, int, bytes, bytes | None], str] = {}
    found = []
    for index, stored in enumerate(hashes):
        parts = _parts(stored)
        if parts is None or parts[0] not in ("scrypt", HASH_VERSION):
            continue
        scheme, n, r, p, salt, digest = parts
        secret = peppers[index]
        if secret is None and scheme == HASH_VERSION:
            continue
        key = (scheme, n, r, p, salt, secret if scheme == HASH_VERSION else None)
        if key not in derived:
            key_bytes = _derive(pin, salt, n, r, p, secret if scheme == HASH_VERSION else None)
            derived[key] = key_bytes.hex() if key_bytes is not None else ""
        if derived[key] and hmac.compare_digest(derived[key], digest):
            found.append(index)
    return found


def verify_pin(pin: str, stored: str, pepper: bytes) -> bool:
    return bool(matching(pin, [stored], pepper))


def check_pin_shape(pin: str, role: Role | str = Role.VOLUNTEER) -> str:
    """The PIN as stored: digits only (a keypad, gloves), at least `min_digits(role)`, at most 8."""
    pin = pin.strip()
    low = min_digits(role)
    if not (pin.isascii() and pin.isdigit() and low <= len(pin) <= MAX_DIGITS):
        raise OperatorError("bad_pin", low=low, high=MAX_DIGITS)
    return pin


class OperatorService:
    """Adds operators, checks PINs, keeps the lock-out. Everything it needs is passed in.

    `pepper` is the gate's secret from outside the database (data/pepper.py); `cost` the
    scrypt parameters of new hashes (PIN_COST unless the composition root says otherwise).
    """

    def __init__(self, store: OperatorStore, clock: Clock, pepper: bytes, cost: PinCost = PIN_COST,
                 office_pepper: bytes | None = None):
        self.store = store
        self.clock = clock
        self.pepper = pepper
        self.cost = cost
        self.office_pepper = office_pepper  # for the operators pulled from the office

    def _peppers(self, stored: list[StoredOperator]) -> list[bytes | None]:
        return [self.office_pepper if s.source == "office" else self.pepper for s in stored]

    def _local(self, name: str) -> StoredOperator:
        """An operator this database may change: one defined at the office is changed there."""
        stored, _ = self._stored(name)
        if stored.source == "office":
            raise OperatorError("office_operator", value=name)
        return stored

    def _gate_salt(self, existing: list[StoredOperator]) -> bytes:
        """The salt every current hash of this gate shares, or a new one for the first."""
        for stored in existing:
            if stored.source == "office":
                continue
            parts = _parts(stored.pin_hash)
            if parts is not None and is_current(stored.pin_hash, self.cost):
                return parts[4]
        return secrets.token_bytes(16)

    def _new_hash(self, pin: str, existing: list[StoredOperator], skip: str = "") -> str:
        """The PIN's hash; OperatorError when another active operator has this PIN already."""
        others = [s for s in existing if s.active and s.operator.name != skip]
        # The PIN is the identity, so two operators may not share one.
        if matching(pin, [s.pin_hash for s in others], self._peppers(others)):
            raise OperatorError("pin_in_use")
        return hash_pin(pin, self.pepper, self._gate_salt(existing), self.cost)

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
        pin = check_pin_shape(pin, role)
        existing = self.store.operators()
        if any(s.operator.name == name for s in existing):
            raise OperatorError("operator_exists", value=name)
        pin_hash = self._new_hash(pin, existing)
        operator = Operator(name, role, buildings)
        self.store.add_operator(StoredOperator(operator, pin_hash), AuditEntry(
            self.clock.now(), by, "operator_add", name,
            {"role": role.value, "buildings": list(buildings)}))
        return operator

    def _stored(self, name: str) -> tuple[StoredOperator, list[StoredOperator]]:
        existing = self.store.operators()
        for stored in existing:
            if stored.operator.name == name:
                return stored, existing
        raise OperatorError("unknown_operator", value=name)

    def deactivate(self, name: str, by: str = "") -> None:
        self._local(name)
        self.store.set_operator_active(name, False, AuditEntry(
            self.clock.now(), by, "operator_deactivate", name, {}))

    def change_pin(self, name: str, pin: str, by: str = "") -> None:
        """A new PIN for an operator (forgotten, or seen by someone): the old one stops working."""
        stored, existing = self._local(name), self.store.operators()
        pin = check_pin_shape(pin, stored.operator.role)
        pin_hash = self._new_hash(pin, existing, skip=name)
        self.store.set_pin_hash(name, pin_hash, AuditEntry(
            self.clock.now(), by, "pin_change", name, {}))

    def operators(self) -> list[StoredOperator]:
        return self.store.operators()

    def locked_until(self) -> dt.datetime | None:
        """When PIN entry opens again, or None if it is open now."""
        _, until = self.store.pin_failures()
        return until if until is not None and until > self.clock.now() else None

    def authenticate(self, pin: str, role: Role | str = Role.VOLUNTEER) -> Operator | None:
        """The active operator with this PIN and at least `role`, or None.

        PinLocked while PIN entry is closed. The attempt is counted as a failure (and the
        wait it earns set) before the PIN is checked, in one write transaction, so
        processes trying at once each see the others' attempts; a right PIN then clears
        the count. A wrong PIN, or the PIN of an operator whose role is too low, stays a failure.
        """
        role = Role(role)
        now = self.clock.now()
        attempt = self.store.count_pin_attempt(now, wait_after)
        if attempt.refused:
            assert attempt.until is not None, "a refused attempt is locked until a moment"
            raise PinLocked(attempt.until)
        existing = [s for s in self.store.operators() if s.active]
        found = matching(pin.strip(), [s.pin_hash for s in existing], self._peppers(existing))
        match = existing[found[0]] if found else None
        if match is not None and match.operator.may(role):
            rehash, details = None, {}
            # an old hash: store the current kind now (an office operator's is the office's)
            if not is_current(match.pin_hash, self.cost) and match.source != "office":
                rehash = (match.operator.name, hash_pin(pin.strip(), self.pepper,
                                                        self._gate_salt(existing), self.cost))
            if len(pin.strip()) < min_digits(match.operator.role):  # set before the rule
                details = {"short_pin": True}
                log.warning("%s signs in with a PIN shorter than %d digits: change it",
                            match.operator.name, min_digits(match.operator.role))
            self.store.pin_accepted(
                AuditEntry(now, match.operator.name, "login", role.value, details), rehash)
            return match.operator
        self.store.audit(match.operator.name if match else "", "login_failed", role.value,
                         {"failures": attempt.failures, "locked": attempt.until is not None}, now)
        log.warning("wrong PIN for role %s (%d in a row)%s", role.value, attempt.failures,
                    f", PIN entry closed for {wait_after(attempt.failures).seconds} s"
                    if attempt.until else "")
        return None
