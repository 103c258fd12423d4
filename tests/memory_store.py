"""The storage port in memory: plain dicts and lists, no SQLite, for the domain tests.

It answers what kiosk.ports.Store and kiosk.office.RosterStore ask the way data.store.SqliteStore
does (passages, the repeat guard's recent events, card events, life and work exits with the
re-issue lineage, incidents and quota breaches, overrides), and a write transaction rolls
everything back when it fails. tests/data/test_store_contract.py runs the same scenarios on
both stores and compares the answers, so this fake cannot drift from the real store unseen.

What it does not have: the event chain and signatures, sync, operators and the PIN guard,
retention: those are the real store's own tests.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Iterable, Iterator

from data.store import Conflict
from kiosk import quota as quota_rules
from kiosk.model import Card, CardKind, CardStatus, Decision, Direction, Event, Household, is_slip
from kiosk.office import CardConflict
from kiosk.policy import Policy
from kiosk.ports import Community, Passage


@dataclasses.dataclass
class _State:
    settings: dict[str, str]
    households: dict[str, Household]
    cards: dict[str, Card]
    events: list[Event]
    passages: dict[str, Passage]
    incidents: list[tuple[str, str]]  # (event id, kind)
    audit: list[tuple[str, str, str, dict]]  # (operator, action, target, details)

    def copy(self) -> _State:
        # Every value is immutable (frozen dataclasses, str): copying the containers is a snapshot.
        return _State(dict(self.settings), dict(self.households), dict(self.cards), list(self.events),
                      dict(self.passages), list(self.incidents), list(self.audit))


class MemoryStore:
    """One gate's database, in memory. `public_key` is the community's key (base 32 text)."""

    def __init__(self, name: str, community_id: str, key_id: str, public_key: str,
                 settings: dict[str, str]):
        self._community = Community(community_id, name, str(uuid.uuid4()))
        self._keys = {key_id: public_key}
        self._state = _State(dict(settings), {}, {}, [], {}, [], [])
        self._depth = 0

    # -- transactions: nested ones join the outer one; a failure restores the snapshot --

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        snapshot = self._state.copy() if self._depth == 0 else None
        self._depth += 1
        try:
            yield
        except BaseException:
            if snapshot is not None:
                self._state = snapshot
            raise
        finally:
            self._depth -= 1

    def decision(self):
        return self._write()

    def atomic(self):
        return self._write()

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    # -- community, keys, settings ---------------------------------------------------

    def community(self) -> Community:
        return self._community

    def public_keys(self) -> dict[str, str]:
        return dict(self._keys)

    def settings(self) -> dict[str, str]:
        return dict(self._state.settings)

    def set_setting(self, key: str, value: str) -> None:
        with self._write():
            self._state.settings[key] = value

    def audit_line(self, operator: str, action: str, target: str, details: dict | None,
                   now: dt.datetime) -> None:
        with self._write():
            self._state.audit.append((operator, action, target, dict(details or {})))

    def audit_lines(self) -> list[tuple[str, str, str, dict]]:
        return list(self._state.audit)

    # -- households and cards --------------------------------------------------------

    def add_households(self, households: Iterable[Household], now: dt.datetime) -> None:
        """All or none: a flat (or an id) already registered refuses the whole batch."""
        with self._write():
            for h in households:
                flats = {(o.building, o.unit, o.room) for o in self._state.households.values()}
                if h.id in self._state.households or (h.building, h.unit, h.room) in flats:
                    raise Conflict(f"household {h.id} ({h.flat}) already registered")
                self._state.households[h.id] = h

    def household(self, household_id: str) -> Household | None:
        return self._state.households.get(household_id)

    def households(self, building: str | None = None) -> list[Household]:
        found = [h for h in self._state.households.values() if building in (None, h.building)]
        return sorted(found, key=lambda h: (h.building, h.unit, h.room))

    def card(self, serial: str) -> Card | None:
        return self._state.cards.get(serial)

    def cards(self, household_id: str | None = None) -> list[Card]:
        found = [c for c in self._state.cards.values() if household_id in (None, c.household_id)]
        return sorted(found, key=lambda c: (c.household_id, c.kind.value, c.serial))

    def save_card(self, card: Card, now: dt.datetime) -> None:
        """Insert or replace; CardConflict for a second life card that is not revoked
        (the real store's unique index cards_one_life)."""
        if card.kind is CardKind.LIFE and card.status is not CardStatus.REVOKED:
            for other in self._state.cards.values():
                if (other.serial != card.serial and other.household_id == card.household_id
                        and other.kind is CardKind.LIFE and other.status is not CardStatus.REVOKED):
                    raise CardConflict(f"second life card for {card.household_id}")
        with self._write():
            self._state.cards[card.serial] = dataclasses.replace(card, lineage=card.line)

    def carry_passage(self, old_serial: str, new_serial: str) -> None:
        """The lost card's passage onto its replacement, unless that has a newer one."""
        with self._write():
            passages = self._state.passages
            old = passages.pop(old_serial, None)
            if old is not None and (new_serial not in passages or old.at_utc > passages[new_serial].at_utc):
                passages[new_serial] = old

    # -- the event log ---------------------------------------------------------------

    def record(self, event: Event, incident: str | None = None) -> None:
        with self._write():
            own = [e for e in self._state.events if e.device_id == event.device_id]
            self._state.events.append(_as_stored(event, len(own) + 1))
            if event.decision is Decision.ALLOW and event.serial:
                self._state.passages[event.serial] = Passage(event.direction, event.at_utc, event.id,
                                                             event.device_id)
            if incident:
                self._state.incidents.append((event.id, incident))
            if (event.decision is Decision.ALLOW and event.kind is CardKind.LIFE
                    and event.direction is Direction.OUT and event.household_id):
                self.record_quota_breaches({event.household_id}, since=event.at_utc)

    def record_quota_breaches(self, households: set[str], since: dt.datetime | None = None) -> list[str]:
        if not households:
            return []
        rule = quota_rules.QuotaRule.life(Policy(self.settings()))
        start = (quota_rules.window_at(rule, since).start_utc - dt.timedelta(days=rule.window_days)
                 if since is not None else dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
        found = []
        with self._write():
            for household in sorted(households):
                exits = [(e.id, e.at_utc, e.override_of is not None) for e in self._state.events
                         if e.household_id == household and e.kind is CardKind.LIFE
                         and e.decision is Decision.ALLOW and e.direction is Direction.OUT
                         and e.at_utc >= start]
                for event_id in quota_rules.beyond_quota(rule, exits):
                    if (event_id, "quota_breach") not in self._state.incidents:
                        self._state.incidents.append((event_id, "quota_breach"))
                        found.append(event_id)
        return found

    def incidents(self) -> list[tuple[str, str]]:
        """(event id, kind), in the order they were recorded."""
        return list(self._state.incidents)

    def events(self) -> list[Event]:
        return list(self._state.events)

    def event(self, event_id: str) -> Event | None:
        return next((e for e in self._state.events if e.id == event_id), None)

    def last_passage(self, serial: str) -> Passage | None:
        return self._state.passages.get(serial)

    def card_events(self, serial: str, since_utc: dt.datetime) -> list[Event]:
        found = [e for e in self._state.events if e.serial == serial and e.at_utc >= since_utc]
        return sorted(found, key=lambda e: e.at_utc)  # stable: ties keep the recorded order

    def life_exits(self, household_id: str, since_utc: dt.datetime,
                   until_utc: dt.datetime) -> list[dt.datetime]:
        return sorted(e.at_utc for e in self._state.events
                      if e.household_id == household_id and e.kind is CardKind.LIFE
                      and e.decision is Decision.ALLOW and e.direction is Direction.OUT
                      and since_utc <= e.at_utc < until_utc)

    def card_exits(self, serial: str, since_utc: dt.datetime,
                   until_utc: dt.datetime) -> list[dt.datetime]:
        """By the card's lineage: a work card re-issued today has used today's exit too."""
        card = self.card(serial)
        if card is None:
            return []
        line = {c.serial for c in self._state.cards.values() if c.line == card.line}
        return sorted(e.at_utc for e in self._state.events
                      if e.serial in line and e.decision is Decision.ALLOW
                      and e.direction is Direction.OUT and since_utc <= e.at_utc < until_utc)

    def is_overridden(self, event_id: str) -> bool:
        return any(e.override_of == event_id for e in self._state.events)

    def fever_retests(self, since_utc: dt.datetime) -> list[Event]:
        found = [e for e in self._state.events if e.reason == "fever_retest" and e.at_utc >= since_utc]
        return sorted(found, key=lambda e: e.at_utc)

    # -- the numbers on the status bar (no sync here: every event is unsynced) --------

    def status(self, local_date: dt.date) -> dict[str, int]:
        events = self._state.events
        on_day = [e for e in events if e.at_local.date() == local_date]
        ids = {e.id: e for e in on_day}
        return {
            "scans_today": len(on_day),
            "out_now": sum(p.direction is Direction.OUT for p in self._state.passages.values()),
            "exits_today": sum(e.decision is Decision.ALLOW and e.direction is Direction.OUT
                               for e in on_day),
            "fevers_today": sum(kind == "fever_confirmed" and event_id in ids
                                for event_id, kind in self._state.incidents),
            "unsynced": sum(e.device_id == self._community.device_id for e in events),
            "slips_today": sum(e.decision is Decision.DENY and is_slip(e.reason, e.source) for e in on_day),
            "denials_today": sum(e.decision is Decision.DENY and not is_slip(e.reason, e.source)
                                 for e in on_day),
        }

    def close(self) -> None:
        pass


def _as_stored(event: Event, device_seq: int) -> Event:
    """The event as the real store gives it back: local time to the second with a fixed
    offset, the verdict through JSON (tuples become lists), the device's sequence number."""
    at_local = dt.datetime.fromisoformat(event.at_local.isoformat(timespec="seconds"))
    verdict = json.loads(json.dumps(event.verdict, ensure_ascii=False)) if event.verdict else None
    return dataclasses.replace(event, at_local=at_local, verdict=verdict, device_seq=device_seq,
                               warnings=tuple(event.warnings))
