"""Roster upkeep: what an updated roster file changes, before anything is written.

The office re-imports its whole roster (or one building's) when families move in, move
out or change a phone number. `plan_roster` compares the file's households with the
database's and sorts each into added, changed, moved, removed or unchanged; the store
applies a plan all or nothing (docs/leads-and-office.md "Roster upkeep").

How a row finds its household (the flat is the identity when in doubt, since cards are
issued per flat, "一户一卡"):
1. the same flat and the same head of household: the same household (changed when its
   phone or members differ);
2. the same head and phone (both given) at another flat: the household moved, keeping
   its id and cards, when the flat it moves to is free or its holder moves too;
3. the same flat, another head: the same household, changed (a new head or new tenants);
4. anything else in the file is added; a household of a building the file lists that no
   row matched is removed (it left: its cards are revoked, its history stays). Buildings
   the file does not list are left alone, so a roster of building 3 updates building 3.

A household that left earlier and whose flat is in the file again counts as changed (it
is back on the roster, under its old id).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from kiosk.model import Household

Flat = tuple[str, str, str]


def flat_of(household: Household) -> Flat:
    return household.building, household.unit, household.room


@dataclasses.dataclass(frozen=True)
class RosterPlan:
    added: list[Household]
    changed: list[tuple[Household, Household]]   # (as stored, as the file says): same id
    moved: list[tuple[Household, Household]]     # (as stored, at its new flat): same id
    removed: list[Household]
    unchanged: int

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.moved or self.removed)

    @property
    def additions_only(self) -> bool:
        return not (self.changed or self.moved or self.removed)

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "changed": len(self.changed), "moved": len(self.moved),
                "removed": len(self.removed), "unchanged": self.unchanged}


def _same_details(a: Household, b: Household) -> bool:
    return (a.head, a.phone, a.members) == (b.head, b.phone, b.members)


def plan_roster(current: Iterable[Household], incoming: Iterable[Household],
                left: Iterable[str] = ()) -> RosterPlan:
    """The plan that makes the database's roster the file's. `current`: every household
    stored (those that left too); `left`: the ids of those that left; `incoming`: the
    file's households, one per flat (data.roster.parse_roster checks that)."""
    stored = list(current)
    gone = set(left)
    rows = list(incoming)
    by_flat = {flat_of(h): h for h in stored}
    matched: dict[str, Household] = {}   # household id -> the row it becomes
    pending: list[Household] = []
    for row in rows:  # 1. same flat, same head
        old = by_flat.get(flat_of(row))
        if old is not None and old.head == row.head:
            matched[old.id] = row
        else:
            pending.append(row)
    # 2. moved: same head and phone elsewhere, into a flat that is free or whose holder moves too
    by_person = {(h.head, h.phone): h for h in stored
                 if h.id not in matched and h.id not in gone and h.head and h.phone}
    moves = {}
    for row in pending:
        old = by_person.get((row.head, row.phone))
        if old is not None and flat_of(old) != flat_of(row):
            moves[old.id] = row
    while True:
        blocked = [hid for hid, row in moves.items()
                   if (holder := by_flat.get(flat_of(row))) is not None and holder.id not in moves]
        if not blocked:
            break
        for hid in blocked:
            del moves[hid]
    moved_rows = {id(row) for row in moves.values()}
    added, changed = [], []
    for row in pending:
        if id(row) in moved_rows:
            continue
        old = by_flat.get(flat_of(row))  # 3. same flat, another head
        if old is not None and old.id not in matched and old.id not in moves:
            matched[old.id] = row
        else:
            added.append(row)  # 4.
    by_id = {h.id: h for h in stored}
    unchanged = 0
    for hid, row in matched.items():
        old = by_id[hid]
        if _same_details(old, row) and hid not in gone:
            unchanged += 1
        else:
            changed.append((old, dataclasses.replace(row, id=hid)))
    moved = [(by_id[hid], dataclasses.replace(row, id=hid)) for hid, row in moves.items()]
    buildings = {row.building for row in rows}
    removed = [h for h in stored if h.id not in matched and h.id not in moves and h.id not in gone
               and h.building in buildings]
    order = flat_of
    return RosterPlan(sorted(added, key=order), sorted(changed, key=lambda p: order(p[1])),
                      sorted(moved, key=lambda p: order(p[1])), sorted(removed, key=order), unchanged)
