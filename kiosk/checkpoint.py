"""The checkpoint service: one scan in, one verdict out, one event kept.

The order of the checks is DESIGN.md section 3's, and the first that fails decides. Every
scan is recorded (the repeat guard's duplicates aside) before its verdict is returned, so
a verdict a volunteer has seen is already on disk.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import math
import secrets
import zoneinfo
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

from kiosk import quota as quota_rules
from kiosk.clock import Clock
from kiosk.codec import CardCodeError, Verifier, public_key_from_text
from kiosk.errors import BadInput
from kiosk.model import (
    OVERRIDABLE,
    SOURCES,
    Card,
    CardKind,
    CardStatus,
    Decision,
    Direction,
    Event,
    Household,
    Quota,
    Readings,
    Verdict,
)
from kiosk.policy import Policy
from kiosk.ports import Store
from kiosk.quota import QuotaRule
from kiosk.reports import parse_mask
from kiosk.serial import looks_like_serial, normalize_serial

log = logging.getLogger("gate")

# What a check decides when it fails: (decision, reason code, the message's fields).
Outcome: TypeAlias = tuple[Decision, str, Mapping[str, Any]]
# A store query for the exits that count: (household id or serial, since, until).
ExitsQuery: TypeAlias = Callable[[str, dt.datetime, dt.datetime], list[dt.datetime]]

# Readings that are not a person's temperature (DESIGN.md section 3).
FAHRENHEIT = (90.0, 110.0)
PLAUSIBLE = (34.0, 43.0)
LOW_BELOW = 36.0


def parse_temperature(text: str | float | None) -> float | None:
    """A reading as typed: '36.5', '36,5', ' 36.5 ℃'. BadInput if it is not a number."""
    if text is None or text == "":
        return None
    if isinstance(text, int | float):
        value = float(text)
    else:
        cleaned = text.strip().replace(",", ".").rstrip("℃°CcFf ").strip()
        try:
            value = float(cleaned)
        except ValueError:
            raise BadInput("bad_temperature", value=text) from None
    if not math.isfinite(value):
        raise BadInput("bad_temperature", value=text)
    return round(value, 1)


@dataclasses.dataclass
class _Scan:
    """What is known about one scan as the checks go on."""

    at_utc: dt.datetime
    at_local: dt.datetime
    direction: Direction
    temperature: float | None
    exit_reason: str | None
    operator: str
    payload_digest: str
    source: str = ""
    card: Card | None = None
    household: Household | None = None
    readings: Readings | None = None
    quota: Quota | None = None
    warnings: tuple[str, ...] = ()
    incident: str | None = None
    exits: list[dt.datetime] | None = None  # the quota's exits in the window, once looked up
    mask: str | None = None  # yes / no / exempt, as tapped


class CheckpointService:
    """Decides and records scans. Everything it needs is passed in.

    Language-free: a verdict carries its reason and fields; the edges render it.
    """

    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock
        self._keys: dict[str, str] | None = None
        self._cached_verifier: Verifier | None = None
        self._settings: dict[str, str] | None = None
        self._cached_policy: Policy | None = None

    # -- the public operations ----------------------------------------------------------

    def scan(self, payload: str, direction: Direction | str, temperature: float | str | None = None,
             reason: str | None = None, operator: str = "", at: dt.datetime | None = None,
             mask: str | None = None, source: str = "") -> Verdict:
        """Decide one scan and record it. BadInput for bad usage; StorageError if not recorded.

        `source` is where the payload came from (kiosk.model.SOURCES: camera, wedge, typed,
        cli): the event keeps it, and a typed payload that is not a card is a slip.

        The decision and its event are made in one write transaction: what the rules read
        (quota, passages, the retest's first reading, the repeat guard) cannot change
        between the two, so two scans at the same instant, from any two processes, decide
        one after the other. The verdict is returned only after the commit.
        """
        with self.store.decision():
            return self._scan(payload, direction, temperature, reason, operator, at, mask, source)

    def _scan(self, payload: str, direction: Direction | str, temperature: float | str | None,
              reason: str | None, operator: str, at: dt.datetime | None,
              mask: str | None = None, source: str = "") -> Verdict:
        if source not in ("", *SOURCES):
            raise ValueError(f"unknown scan source {source!r}")  # a caller's bug, not a user's
        policy = self._policy()
        try:
            direction = Direction(direction)
        except ValueError:
            raise BadInput("bad_direction") from None
        reading = parse_temperature(temperature)
        mask = parse_mask(mask)
        if reason is not None:
            reason = reason.strip().lower() or None
        if reason is not None and reason not in policy.special_reasons:
            raise BadInput("bad_reason", value=reason, choices=", ".join(policy.special_reasons))
        now = at if at is not None else self.clock.now()
        scan = _Scan(
            at_utc=now.astimezone(dt.UTC), at_local=now.astimezone(policy.timezone),
            direction=direction, temperature=reading, exit_reason=reason, operator=operator,
            payload_digest=hashlib.sha256(payload.encode("utf-8", "replace")).hexdigest(),
            mask=mask,
            source=source,
        )
        outcome = self._decide(payload, scan, policy)
        if isinstance(outcome, Verdict):  # the repeat guard: shown again, not recorded
            return outcome
        decision, reason_code, fields = outcome
        return self._record(scan, decision, reason_code, fields)

    def override(self, event_id: str, operator: str, reason: str,
                 at: dt.datetime | None = None) -> Verdict:
        """A lead lets a denied person through: a new event that points at the denied one.

        In one write transaction, so one denial is let through once, whoever asks at once.
        """
        with self.store.decision():
            return self._override(event_id, operator, reason, at)

    def _override(self, event_id: str, operator: str, reason: str, at: dt.datetime | None) -> Verdict:
        denied = self.store.event(event_id)
        if denied is None or denied.decision is Decision.ALLOW or not reason.strip():
            raise BadInput("bad_event", value=event_id)
        if denied.reason not in OVERRIDABLE:
            raise BadInput("not_overridable", reason=denied.reason)
        if self.store.is_overridden(event_id):  # one denial, one passage
            raise BadInput("already_overridden", value=event_id)
        policy = self._policy()
        now = at if at is not None else self.clock.now()
        card = self.store.card(denied.serial) if denied.serial else None
        household = self.store.household(denied.household_id) if denied.household_id else None
        scan = _Scan(
            at_utc=now.astimezone(dt.UTC), at_local=now.astimezone(policy.timezone),
            direction=denied.direction, temperature=None, exit_reason=denied.exit_reason,
            operator=operator, payload_digest=denied.payload_digest or "", card=card,
            household=household, readings=_readings(denied.temp_first, denied.temp_second),
        )
        return self._record(scan, Decision.ALLOW, denied.reason, {"operator": operator},
                            override_of=denied.id, override_reason=reason.strip())

    def retest_queue(self, at: dt.datetime | None = None) -> list[Event]:
        """First fever readings still waiting for their retest, oldest first."""
        policy = self._policy()
        now = (at or self.clock.now()).astimezone(dt.UTC)
        since = now - dt.timedelta(seconds=policy.retest_window_s)
        waiting = []
        for first in self.store.fever_retests(since):
            if first.serial is None:  # a fever reading is always taken on a card
                continue
            pending = _pending_fever(self.store.card_events(first.serial, since), since)
            if pending is not None and pending.id == first.id:
                waiting.append(first)
        return waiting

    # -- the checks, in order ---------------------------------------------------------

    def _decide(self, payload: str, scan: _Scan, policy: Policy) -> Outcome | Verdict:
        """(decision, reason, message fields), or a Verdict when the repeat guard answers."""
        try:
            card, generation, valid_from, valid_to = self._identify(payload)
        except CardCodeError as refused:
            return Decision.DENY, refused.reason, {}
        scan.card = card
        scan.household = self.store.household(card.household_id)
        if card.status is not CardStatus.ACTIVE:
            return Decision.DENY, card.status.value, {}
        if generation < card.generation:
            # A lost card's old code: recorded as the generation scanned, with its flat.
            scan.card = dataclasses.replace(card, generation=generation)
            return Decision.DENY, "revoked", {}
        today = scan.at_local.date()
        if today > valid_to:
            return Decision.DENY, "expired", {"valid_to": valid_to.isoformat()}
        if today < valid_from:
            return Decision.DENY, "not_yet_valid", {"valid_from": valid_from.isoformat()}

        # Up to the scan's own time: a scan recorded with an earlier --at must not see
        # what came after it.
        recent = [e for e in self.store.card_events(
            card.serial, scan.at_utc - dt.timedelta(seconds=policy.retest_window_s))
            if e.at_utc <= scan.at_utc]
        repeat = self._repeat(recent, scan, policy)
        if repeat is not None:
            return repeat

        scan.quota = self._quota(card, scan, policy, consuming=False)
        failed = self._check_temperature(recent, scan, policy)
        if failed is not None:
            return failed
        failed = self._check_mask(scan, policy)
        if failed is not None:
            return failed
        failed = self._check_passback(card, scan, policy)
        if failed is not None:
            return failed
        if scan.direction is Direction.IN:
            return Decision.ALLOW, "ok", {}
        return self._check_kind(card, scan, policy)

    def _identify(self, payload: str) -> tuple[Card, int, dt.date, dt.date]:
        """Steps 1 to 3: the roster's card for a QR text or a typed serial, with the
        generation and validity dates the scanned code carries."""
        if looks_like_serial(payload):  # typed by hand from the card
            serial = normalize_serial(payload)
            if serial is None:
                raise CardCodeError("not_a_card")
            card = self.store.card(serial)
            if card is None:
                raise CardCodeError("unknown_card")
            return card, card.generation, card.valid_from, card.valid_to
        code = self._verifier().verify(payload)
        card = self.store.card(code.serial)
        if card is None or card.household_id != code.household_id or code.generation > card.generation:
            raise CardCodeError("unknown_card")
        return card, code.generation, code.valid_from, code.valid_to

    def _policy(self) -> Policy:
        """The settings as a Policy, built again only when a setting changed."""
        settings = self.store.settings()
        if self._cached_policy is None or settings != self._settings:
            self._cached_policy, self._settings = Policy(settings), settings
        return self._cached_policy

    def _verifier(self) -> Verifier:
        """The community's public keys, loaded again only when the roster's keys change."""
        keys = self.store.public_keys()
        if self._cached_verifier is None or self._keys != keys:
            loaded = {kid: public_key_from_text(text) for kid, text in keys.items()}
            self._cached_verifier = Verifier(self.store.community().id, loaded)
            self._keys = keys
        return self._cached_verifier

    def _repeat(self, recent: list[Event], scan: _Scan, policy: Policy) -> Verdict | None:
        """Step 5: the same card, same direction, moments after its last allowed passage.

        Only the last: out, back in and out again within the guard is a new exit to
        decide (and to count), not the first exit's verdict shown again."""
        since = scan.at_utc - dt.timedelta(seconds=policy.repeat_guard_s)
        for event in reversed(recent):
            if event.at_utc < since:
                break
            if event.decision is not Decision.ALLOW:
                continue
            if event.direction is not scan.direction or event.verdict is None:
                return None  # the other way (or recorded before verdicts were kept): decide
            log.info("repeat guard: %s %s within %ss", event.serial, event.direction,
                     policy.repeat_guard_s)
            return dataclasses.replace(
                _verdict_from_event(event, scan.card, scan.household), duplicate=True)
        return None

    def _check_temperature(self, recent: list[Event], scan: _Scan, policy: Policy) -> Outcome | None:
        """Step 6: a reading where one is needed, plausible, and the fever retest."""
        since = scan.at_utc - dt.timedelta(seconds=policy.retest_window_s)
        first = _pending_fever(recent, since)
        required = (scan.direction is Direction.IN or policy.exit_temperature_required
                    or first is not None)
        t = scan.temperature
        if t is None:
            return (Decision.DENY, "temperature_required", {}) if required else None
        shown = {"reading": t}
        if FAHRENHEIT[0] <= t <= FAHRENHEIT[1]:
            return Decision.DENY, "temperature_unit", shown
        if not PLAUSIBLE[0] <= t <= PLAUSIBLE[1]:
            return Decision.DENY, "temperature_implausible", shown
        if t < LOW_BELOW:
            return Decision.DENY, "temperature_low", shown
        if first is None:
            scan.readings = Readings(first=t)
            if t >= policy.fever_c:
                return Decision.RETEST, "fever_retest", {
                    **shown, "wait_min": math.ceil(policy.retest_wait_s / 60)}
            return None
        scan.readings = Readings(first=first.temp_first, second=t)
        waited = (scan.at_utc - first.at_utc).total_seconds()
        if waited < policy.retest_wait_s:
            return Decision.RETEST, "retest_too_soon", {
                "remaining_min": math.ceil((policy.retest_wait_s - waited) / 60),
                "first": first.temp_first}
        if t >= policy.fever_c:
            scan.incident = "fever_confirmed"
            return Decision.DENY, "fever_confirmed", shown
        return None

    @staticmethod
    def _check_mask(scan: _Scan, policy: Policy) -> Outcome | None:
        """Step 6b (setting mask.check): the volunteer tapped whether a mask is
        worn. Not tapped, or "no" (mask.rule slip), is a slip: hand out a mask, scan again.
        With mask.rule deny, "no" is the rule's denial `mask_required`."""
        if not policy.mask_check:
            return None
        if scan.mask is None:
            return Decision.DENY, "mask_unconfirmed", {}
        if scan.mask == "no":
            return Decision.DENY, "mask_required" if policy.mask_denies else "mask_missing", {}
        return None

    def _check_passback(self, card: Card, scan: _Scan, policy: Policy) -> Outcome | None:
        """Step 7: a card goes out, then in; never out twice."""
        last = self.store.last_passage(card.serial)
        is_out = last is not None and last.direction is Direction.OUT
        reset = policy.daily_reset
        if last is not None and is_out and reset is not None:
            local_reset = dt.datetime.combine(scan.at_local.date(), reset, scan.at_local.tzinfo)
            if local_reset > scan.at_local:
                local_reset -= dt.timedelta(days=1)
            is_out = last.at_utc >= local_reset.astimezone(dt.UTC)
        if scan.direction is Direction.OUT and is_out:
            assert last is not None, "a card is out by its last passage"
            scan.incident = "already_out"  # a copied card, or a card lent out: counted
            # Since when and through which gate: the volunteer can tell a copied card (out
            # through another gate an hour ago) from a resident who forgot to scan back in.
            return Decision.DENY, "already_out", {
                "out_at": last.at_utc.astimezone(policy.timezone).isoformat(timespec="seconds"),
                "gate": last.gate, "gate_id": last.device_id[:8].upper()}
        if scan.direction is Direction.IN and not is_out:
            scan.warnings = ("entry_without_exit",)
        return None

    def _check_kind(self, card: Card, scan: _Scan, policy: Policy) -> Outcome:
        """Step 8: the card kind's own rule, for exits."""
        kind = card.kind
        if kind is CardKind.SPECIAL:
            if scan.exit_reason is None:
                return Decision.DENY, "reason_required", {}
            return Decision.ALLOW, "ok", {}
        if kind is CardKind.WORK:
            start, end = policy.work_hours
            if not start <= scan.at_local.time() < end:
                return Decision.DENY, "outside_hours", {"hours": f"{start:%H:%M}-{end:%H:%M}"}
        quota = scan.quota
        assert quota is not None, "life and work cards have a quota"
        if quota.used >= quota.limit:
            code = "quota_used" if kind is CardKind.LIFE else "work_quota_used"
            return Decision.DENY, code, {"next_exit": quota.next_exit}
        scan.quota = self._quota(card, scan, policy, consuming=True)
        return Decision.ALLOW, "ok", {}

    # -- quota ------------------------------------------------------------------------

    def _quota(self, card: Card, scan: _Scan, policy: Policy, consuming: bool) -> Quota | None:
        """The quota state of this card's household (life) or of the card (work).

        With `consuming`, the state after this exit is allowed (`used` counts it).
        """
        kind = card.kind
        tz = policy.timezone
        extra = 1 if consuming else 0
        if kind is CardKind.WORK:
            today = scan.at_local.date()
            start, end = _local_day_bounds(today, today, tz)
            used_today = len(self._exits(scan, self.store.card_exits, card.serial, start, end)) + extra
            limit = policy.work_exits
            next_day = (today + dt.timedelta(days=1)).isoformat() if used_today >= limit else None
            return Quota(used_today, limit, today.isoformat(), today.isoformat(), next_day)
        if kind is not CardKind.LIFE:
            return None
        rule = QuotaRule.life(policy)
        window = quota_rules.window_at(rule, scan.at_utc)
        # The store's answer is a superset; `quota_rules.counted` decides which exits count,
        # the same function the sync's breach check uses.
        exits = self._exits(scan, self.store.life_exits, card.household_id, window.start_utc,
                            window.end_utc + dt.timedelta(seconds=1))
        used = quota_rules.counted(rule, exits, scan.at_utc)
        if consuming:
            used = [*used, scan.at_utc]
        next_exit = quota_rules.next_exit(rule, used, scan.at_utc)
        if rule.mode == "rolling":
            return Quota(len(used), rule.limit, window.start_utc.astimezone(tz).isoformat(timespec="seconds"),
                         scan.at_local.isoformat(timespec="seconds"), next_exit)
        assert window.first_day is not None and window.last_day is not None, "a calendar window"
        return Quota(len(used), rule.limit, window.first_day.isoformat(), window.last_day.isoformat(),
                     next_exit)

    @staticmethod
    def _exits(scan: _Scan, query: ExitsQuery, key: str, since: dt.datetime,
               until: dt.datetime) -> list[dt.datetime]:
        """The store's answer, asked once per scan: the quota is looked at before and after."""
        if scan.exits is None:
            scan.exits = query(key, since, until)
        return scan.exits

    # -- recording --------------------------------------------------------------------

    def _record(self, scan: _Scan, decision: Decision, reason: str, fields: Mapping[str, Any],
                override_of: str | None = None, override_reason: str | None = None) -> Verdict:
        if reason == "ok" and scan.direction is Direction.OUT and scan.quota is not None:
            fields = {"used": scan.quota.used, "limit": scan.quota.limit}
        card, household = scan.card, scan.household
        event_id = time_ordered_uuid(scan.at_utc)
        verdict = Verdict(
            decision=decision, reason=reason, fields=fields, warnings=scan.warnings,
            event_id=event_id, card=card, household=household, quota=scan.quota,
            temperature=scan.readings, direction=scan.direction, at=scan.at_local,
            override_of=override_of, mask=scan.mask, source=scan.source,
        )
        event = Event(
            id=event_id, device_id=self.store.community().device_id,
            at_utc=scan.at_utc, at_local=scan.at_local, direction=scan.direction,
            decision=decision, reason=reason, warnings=scan.warnings,
            serial=card.serial if card else None, generation=card.generation if card else None,
            household_id=card.household_id if card else None, kind=card.kind if card else None,
            temp_first=scan.readings.first if scan.readings else None,
            temp_second=scan.readings.second if scan.readings else None,
            exit_reason=scan.exit_reason, operator=scan.operator, override_of=override_of,
            override_reason=override_reason, payload_digest=scan.payload_digest,
            verdict=verdict.record(), mask=scan.mask, source=scan.source,
        )
        self.store.record(event, incident=scan.incident)
        log.info("%s %s %s %s", decision.value, reason, scan.direction.value,
                 card.serial if card else "-")
        return verdict


def time_ordered_uuid(when: dt.datetime) -> str:
    """A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits.

    Event ids are unique like any UUID, but new ones sort after old ones, so the unique
    index on events.id grows at its right edge instead of touching a random page of a
    million-row index on every scan: fewer pages written per durable commit.
    """
    millis = int(when.timestamp() * 1000) & ((1 << 48) - 1)
    rand = secrets.randbits(74)  # one draw from the system's source for both random fields
    value = (millis << 80) | (0x7 << 76) | ((rand >> 62) << 64) | (0b10 << 62) | (rand & ((1 << 62) - 1))
    digits = f"{value:032x}"  # str(uuid.UUID(int=value)) without building the object
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def _local_day_bounds(first: dt.date, last: dt.date,
                      tz: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[start of `first`, start of the day after `last`) in UTC."""
    start = dt.datetime.combine(first, dt.time(), tz).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz).astimezone(dt.UTC)
    return start, end


def _readings(first: float | None, second: float | None) -> Readings | None:
    return Readings(first, second) if first is not None or second is not None else None


def _pending_fever(recent: list[Event], since: dt.datetime) -> Event | None:
    """The first fever reading still waiting for its retest, if any.

    A fever_retest event opens the wait; a later scan that took the second reading
    (anything but 'too soon') closes it. Outside the retest window it lapses, and the
    next reading is a first reading again.
    """
    pending = None
    for event in recent:
        if event.at_utc < since:
            continue
        if event.reason == "fever_retest" and event.override_of is None:
            pending = event
        elif pending is not None and event.temp_second is not None and event.reason != "retest_too_soon":
            pending = None
    return pending


def _verdict_from_event(event: Event, card: Card | None, household: Household | None) -> Verdict:
    """The verdict a recorded event showed, to show it again (in the language of now)."""
    shown = event.verdict or {}
    quota = Quota(**shown["quota"]) if shown.get("quota") else None
    temperature = Readings(**shown["temperature"]) if shown.get("temperature") else None
    if "fields" in shown:
        fields = shown["fields"]
    else:  # recorded before verdicts kept their fields: an allowed passage's sentence
        # needs only what the event holds (the repeat guard repeats allowed passages only)
        fields = {"operator": event.operator} if event.override_of else (
            {"used": quota.used, "limit": quota.limit} if quota and event.direction is Direction.OUT
            else {})
    return Verdict(
        decision=event.decision, reason=event.reason, fields=fields,
        warnings=tuple(event.warnings), event_id=event.id, card=card, household=household,
        quota=quota, temperature=temperature, direction=event.direction, at=event.at_local,
        override_of=event.override_of, mask=shown.get("mask"), source=event.source,
    )
