"""The in-memory store (tests/memory_store.py) against the real one (data.store.SqliteStore).

The domain tests (tests/kiosk) run on the fake; these run the same scenarios on both and
compare what the checkpoint decided and what each store answers, so the fake cannot drift
from the real store without a test here failing.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.store import Conflict, SqliteStore
from kiosk import quota
from kiosk.model import CardKind, CardStatus, Household
from kiosk.office import RosterError
from kiosk.quota import QuotaRule
from tests.community import Community, in_memory, local, on_disk, resident_world
from tests.memory_store import MemoryStore

STORES = ["memory", "sqlite"]


def build(kind: str, tmp_path) -> Community:
    if kind == "memory":
        return resident_world(in_memory())
    return resident_world(on_disk(tmp_path / f"{kind}.db"))


@pytest.fixture(params=STORES)
def either(request, tmp_path) -> Community:
    """The domain tests' community on one store, then on the other."""
    built = build(request.param, tmp_path)
    yield built
    built.close()


@pytest.fixture
def both(tmp_path) -> tuple[Community, Community]:
    memory, real = build("memory", tmp_path), build("sqlite", tmp_path)
    assert isinstance(memory.store, MemoryStore) and isinstance(real.store, SqliteStore)
    yield memory, real
    real.close()


def shown(verdict) -> tuple:
    """What a volunteer sees of a verdict (its event id and serials are each store's own)."""
    data = verdict.to_json()
    gate_id = verdict.fields.get("gate_id")  # already_out names the gate: each store's own device
    message = data["message"].replace(gate_id, "<gate>") if gate_id else data["message"]
    return (data["decision"], data["reason"], message, tuple(verdict.warnings),
            verdict.duplicate, data.get("quota"), data.get("temperature"), verdict.at)


# One day at the gate, as (moment, what happens): every rule that reads the store. Each step
# returns a verdict or None; `ids` maps the store's event ids to step numbers.

def _reissued_in(w: Community) -> object:
    w.cards["life"] = w.office.reissue(w.life.card.serial)  # lost while out: still out
    return None


def _override_the_quota_denial(w: Community, denied: dict) -> object:
    return w.service.override(denied["quota"], "楼栋长王", "就医")


SCRIPT = [
    (local(10, 8), lambda w: w.scan(w.life, "out")),
    (local(10, 8, 0, 5), lambda w: w.scan(w.life, "out")),                  # the repeat guard
    (local(10, 8, 30), lambda w: w.scan(w.life, "out")),                    # already out
    (local(10, 9), lambda w: w.scan(w.life, "in", "37.8")),                 # a fever: retest
    (local(10, 9, 2), lambda w: w.scan(w.life, "in", "37.9")),              # too soon
    (local(10, 9, 10), lambda w: w.scan(w.life, "in", "37.9")),             # confirmed
    (local(10, 9, 40), lambda w: w.scan(w.life, "in", "36.5")),             # a first reading again
    (local(10, 10), lambda w: w.scan(w.life, "out")),                       # the quota is used
    (local(10, 10, 5), "override"),
    (local(10, 10, 30), lambda w: w.scan(w.work, "out", "36.4")),
    (local(10, 11), lambda w: w.scan(w.work, "in", "36.5")),
    (local(10, 11, 5), lambda w: (w.cards.update(work=w.office.reissue(w.work.card.serial)), None)[1]),
    (local(10, 11, 10), lambda w: w.scan(w.work, "out", "36.4")),           # the lineage's exit is used
    (local(10, 12), lambda w: w.scan(w.special, "out")),                    # no reason
    (local(10, 12, 1), lambda w: w.scan(w.special, "out", reason="medical")),
    (local(10, 13), _reissued_in),
    (local(10, 13, 5), lambda w: w.scan(w.life, "in", "36.6")),             # the passage was carried
    (local(11, 8), lambda w: w.scan(w.life, "out")),                        # same window: used
    (local(12, 8), lambda w: w.scan(w.life, "out")),                        # a new window
    (local(12, 8, 1), lambda w: w.scan("HELLO WORLD", "in")),
]


def run_script(w: Community) -> tuple[list, dict[str, int]]:
    seen, ids, denied = [], {}, {}
    for step, (when, action) in enumerate(SCRIPT):
        w.at(when)
        verdict = _override_the_quota_denial(w, denied) if action == "override" else action(w)
        if verdict is None:
            seen.append(None)
            continue
        if verdict.reason == "quota_used":
            denied.setdefault("quota", verdict.event_id)
        ids.setdefault(verdict.event_id, step)
        seen.append(shown(verdict))
    return seen, ids


def answers(w: Community, ids: dict[str, int]) -> dict:
    """What the store answers about the day, with event ids as step numbers."""
    store, since, until = w.store, local(9, 0), local(13, 0)
    by_step = lambda events: [ids.get(e.id) for e in events]  # noqa: E731 (local helper)
    return {
        "status_10": store.status(dt.date(2026, 2, 10)),
        "status_12": store.status(dt.date(2026, 2, 12)),
        "passages": {name: dataclasses.replace(store.last_passage(c.card.serial), event_id=ids.get(
            store.last_passage(c.card.serial).event_id),
            device_id=store.last_passage(c.card.serial).device_id == store.community().device_id)
            if store.last_passage(c.card.serial) else None
            for name, c in w.cards.items()},
        "life_exits": store.life_exits(w.household.id, since, until),
        "work_exits": store.card_exits(w.work.card.serial, since, until),
        "card_events": by_step(store.card_events(w.life.card.serial, since)),
        "fever_retests": by_step(store.fever_retests(since)),
        "retest_queue": by_step(w.service.retest_queue(local(10, 9, 1))),
        "overridden": sorted(ids[i] for i in ids if store.is_overridden(i)),
        # sorted here: the stores order by serial, and serials are random
        "cards": sorted((c.kind, c.generation, c.status, c.replaced_by is not None,
                         c.line == c.serial) for c in store.cards(w.household.id)),
    }


def test_the_same_day_gets_the_same_verdicts_and_answers_on_both_stores(both):
    memory, real = both
    memory_seen, memory_ids = run_script(memory)
    real_seen, real_ids = run_script(real)
    for step, (a, b) in enumerate(zip(memory_seen, real_seen, strict=True)):
        assert a == b, f"step {step}: the stores disagree"
    assert answers(memory, memory_ids) == answers(real, real_ids)
    # and the day really went through the rules it is meant to exercise
    reasons = [s[1] for s in memory_seen if s]
    assert {"ok", "already_out", "fever_retest", "retest_too_soon", "fever_confirmed", "quota_used",
            "work_quota_used", "reason_required", "not_a_card"} <= set(reasons)
    assert any(s and s[4] for s in memory_seen)  # a duplicate shown again


def _incident_kinds(w: Community) -> list[str]:
    if isinstance(w.store, MemoryStore):
        return sorted(kind for _, kind in w.store.incidents())
    return sorted(r[0] for r in w.store.db.execute("SELECT kind FROM incidents"))


def test_incidents_are_the_same_on_both_stores(both):
    for w in both:
        run_script(w)
    memory, real = both
    assert _incident_kinds(memory) == _incident_kinds(real) == [
        "already_out", "fever_confirmed"]


def test_quota_breaches_are_found_once_on_both_stores(either):
    w = either
    w.set("life.exits_per_window", "2")
    for hour in (8, 10):
        assert w.at(local(10, hour)).scan(w.life, "out").allowed
        assert w.at(local(10, hour, 30)).scan(w.life, "in", "36.5").allowed
    assert w.at(local(10, 11)).scan(w.life, "out").reason == "quota_used"
    assert _breached(w) == []  # exits decided as they came are within the quota
    w.set("life.exits_per_window", "1")  # the office lowers the quota: the second exit is beyond it
    second = w.store.card_events(w.life.card.serial, local(10, 10))[0]
    assert w.store.record_quota_breaches({w.household.id}) == [second.id]
    assert w.store.record_quota_breaches({w.household.id}) == []  # once
    assert _breached(w) == [second.id]


def test_a_backdated_exit_that_puts_a_later_one_beyond_the_rolling_quota_is_found_at_once(either):
    # The checkpoint counts the 48 hours before a rolling exit, so a scan recorded with an
    # earlier time is allowed, and the exit after it is the one beyond the quota.
    w = either
    w.set("quota.mode", "rolling")
    later = w.at(local(10, 12)).scan(w.life, "out")
    assert w.at(local(10, 12, 30)).scan(w.life, "in", "36.5").allowed
    assert w.scan(w.life, "out", at=local(10, 11)).allowed
    assert _breached(w) == [later.event_id]


def _breached(w: Community) -> list[str]:
    """The events with a quota_breach incident."""
    if isinstance(w.store, MemoryStore):
        return [event_id for event_id, kind in w.store.incidents() if kind == "quota_breach"]
    return [r[0] for r in w.store.db.execute("SELECT event_id FROM incidents WHERE kind = 'quota_breach'")]


def test_a_second_life_card_is_refused_and_a_flat_registers_once_on_both_stores(either):
    w = either
    with pytest.raises(RosterError) as refused:
        w.issue(w.household, CardKind.LIFE)
    assert refused.value.key == "second_life_card"
    with pytest.raises(Conflict):
        w.add(Household("H999999", "3", "2", "301"))  # the same flat under another id
    w.office.revoke(w.life.card.serial)
    assert w.issue(w.household, CardKind.LIFE).card.status is CardStatus.ACTIVE


def test_a_failed_transaction_leaves_nothing_on_both_stores(either):
    w = either
    before = (w.store.cards(), w.store.settings())
    with pytest.raises(LookupError), w.store.atomic():
        w.office.revoke(w.life.card.serial)
        w.set("life.exits_per_window", "5")
        raise LookupError("a failure before the commit")
    assert (w.store.cards(), w.store.settings()) == before


def test_a_reissued_card_is_out_where_the_lost_one_was_on_both_stores(either):
    w = either
    assert w.at(local(10, 8)).scan(w.life, "out").allowed
    renewed = w.office.reissue(w.life.card.serial)
    assert w.store.last_passage(w.life.card.serial) is None
    assert w.store.last_passage(renewed.card.serial).direction.value == "out"
    assert w.at(local(10, 9)).scan(renewed, "out").reason == "already_out"
    assert w.at(local(10, 9, 1)).scan(renewed, "in", "36.5").warnings == ()


_rooms = itertools.count(500)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mode=st.sampled_from(["calendar", "rolling"]),
       offsets=st.lists(st.integers(0, 5 * 24 * 60), min_size=1, max_size=8, unique=True))
def test_the_checkpoint_and_the_breach_check_agree_on_both_stores(either, mode, offsets):
    """The checkpoint decides each exit (and comes back in); what it allowed is no breach
    for the store's check, and each quota denial is one for it."""
    world = either
    world.set("quota.mode", mode)
    rule = QuotaRule.life(world.policy())
    household = world.new_household(str(next(_rooms)))
    card = world.at(local(10, 8)).issue(household, CardKind.LIFE)
    allowed_exits: list[dt.datetime] = []
    for minutes in sorted(offsets):
        at = local(12) + dt.timedelta(minutes=minutes)
        verdict = world.at(at).scan(card, "out")
        if verdict.allowed:
            allowed_exits.append(at)
        else:
            assert verdict.reason == "quota_used"
            history = [(str(i), a, False) for i, a in enumerate(allowed_exits)]
            assert quota.beyond_quota(rule, [*history, ("denied", at, False)]) == ["denied"]
        world.at(at + dt.timedelta(seconds=30)).scan(card, "in", temp="36.5")
    assert world.store.record_quota_breaches({household.id}) == []
    assert len(allowed_exits) >= 1
