"""The admin screens over the community office's database (`kiosk office gui`, issue 15).

The gate's admin screens read one gate through kiosk.ports.AdminReads and change it through
AdminServices (data.admin_queries, kiosk.app.Gate). The office database holds every gate's
events, the roster, the gates and the office's operators, but no passages, no audit log,
no settings screen of its own and no parcels waiting at a gate. So:

- `OfficeReads` answers what the office can: the merged day log of every gate (a row per
  event with its gate, OfficeDB.day_seqs / rows_at, formatted as `office export` does), its
  chart and counts, incidents across gates (events and the gates' reports), the roster.
  `out_now` is not answered: the office screen has no such tab (each gate's own has it).
- `OfficeAdmin` is the services: the same card changes (kiosk.office.CardOffice), the
  bulk issue and the new cards' print of `kiosk office card issue-missing` and
  `office cards print --new`, the office's operators (`office operator ...`), the gates
  and their last sync (`office status`), and the merged export (`office export`).

The screens hold none of this: ui.adminclient.AdminClient runs it on its lane.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from data.export.daylog import split_slips
from data.export.office_log import OFFICE_COLUMNS, office_line
from data.office import sqlite_path
from data.sync import OfficeSession, office_key_path
from kiosk.errors import Refused
from kiosk.messages import log_text
from kiosk.model import Card, CardKind, Household, LogFilter
from kiosk.office import CardOffice, IssuedCard
from kiosk.operators import PIN_COST, Operator, OperatorService, PinCost, Role
from kiosk.policy import Policy

# The screen's columns: the merged log's without the date (one day) and without the head
# and phone (the households tab has them).
SCREEN_COLUMNS = tuple(c for c in OFFICE_COLUMNS if c not in ("date", "head", "phone"))
_DROPPED = [OFFICE_COLUMNS.index(c) for c in ("date", "head", "phone")]
RETEST_REASONS = ("fever_retest", "retest_too_soon")


class OfficeReads:
    """kiosk.ports.AdminReads over the office database, in `lang`."""

    def __init__(self, session: OfficeSession, lang: str = "zh"):
        self.session = session
        self.db = session.store.office
        self.lang = lang

    def log_ids(self, f: LogFilter) -> list[int]:
        return self.db.day_seqs(f.day, f.buildings, f.direction, f.decision)

    def log_rows(self, seqs: list[int]) -> dict[int, tuple]:
        """office_seq → the cells (SCREEN_COLUMNS); a slip reads "action needed"."""
        out = {}
        for seq, *row in self.db.rows_at(seqs):  # office_line words a slip's decision itself
            cells = [c for i, c in enumerate(office_line(tuple(row), self.lang, numbers=False))
                     if i not in _DROPPED]
            out[int(seq)] = tuple(cells)
        return out

    def log_headers(self) -> list[str]:
        return [log_text(f"col_{c}", self.lang) for c in SCREEN_COLUMNS]

    def buildings(self) -> list[str]:
        return sorted(self.db.building_names(), key=lambda b: (len(b), b))

    def _figures(self, day: dt.date, buildings: tuple[str, ...] | None) -> dict[str, Any]:
        return self.db.log_figures(day, day, buildings)

    def hourly(self, day: dt.date, buildings: tuple[str, ...] | None
               ) -> tuple[list[tuple[int, int]], list[float]]:
        from data.export.daylog import hour_table

        figures = self._figures(day, buildings)
        counts = hour_table([(int(h), d, int(n)) for h, d, n in figures["hourly"]])
        fevers = [int(hm[:2]) + int(hm[3:5]) / 60 for (hm,) in figures["fever_hours"]]
        return counts, fevers

    def day_counts(self, day: dt.date, buildings: tuple[str, ...] | None) -> dict[str, int]:
        figures = self._figures(day, buildings)
        # (reason, source, count): the source tells a typed number that is no card (a slip)
        retests = sum(int(n) for reason, _source, n in figures["denials"] if reason in RETEST_REASONS)
        denials, slips = split_slips([(reason, source or "", int(n))
                                      for reason, source, n in figures["denials"]
                                      if reason not in RETEST_REASONS])
        return {"scans": figures["scans"], "exits": figures["exits"], "entries": figures["entries"],
                "denials": sum(n for _, n in denials), "slips": sum(n for _, n in slips),
                "retests": retests}

    def incidents(self, day: dt.date, buildings: tuple[str, ...] | None) -> list[tuple]:
        """(time, kind, flat, serial, readings or reason, operator, gate) of every gate."""
        out = []
        for r in self.db.day_incidents(day, buildings):
            flat = f"{r[3]}-{r[4]}-{r[5]}" if r[3] is not None else ""
            readings = " / ".join(f"{float(t):.1f}" for t in (r[7], r[8]) if t is not None)
            kind = "override" if r[2] else r[1]
            out.append((r[0], kind, flat, r[6] or "", (r[9] if r[2] else readings) or "", r[10] or "", r[11]))
        names = {d["device_id"]: d["name"] or d["device_id"] for d in self.db.device_status()}
        for report in self.db.gate_reports(day.isoformat(), day.isoformat(), buildings):
            if report["kind"] == "collected":
                continue
            flat = (f"{report['building']}-{report['unit']}-{report['room']}"
                    if report["building"] is not None else "")
            count, note = int(report["count"]), report["note"] or ""
            detail = f"×{count} {note}".strip() if count > 1 else note
            out.append((report["at_local"][11:19], report["kind"], flat, "", detail, report["operator"],
                        names.get(report["device_id"], report["device_id"])))
        return sorted(out, key=lambda row: row[0])

    def out_now(self, buildings: tuple[str, ...] | None) -> list[tuple]:
        """Not held at the office (each gate's passages are its own): the tab is hidden."""
        raise NotImplementedError("the office holds no passages")

    def find_households(self, text: str, limit: int = 200) -> list[Household]:
        """By flat ("3-2-301", "3-2", "3") or by a card's serial, as at the gate."""
        text = text.strip().upper()
        store = self.session.store
        households = store.households()
        if not text:
            return households[:limit]
        compact = text.replace("-", "")
        if len(compact) == 7 and compact.isalnum():
            card = store.card(f"{compact[:4]}-{compact[4:]}")
            if card is not None:
                found = store.household(card.household_id)
                return [found] if found is not None else []
        parts = text.split("-")
        keys = ("building", "unit", "room")
        return [h for h in households
                if all(getattr(h, k) == p for k, p in zip(keys, parts, strict=False))][:limit]


class OfficeAdmin:
    """What the office screen asks of the office database (kiosk.ports.AdminServices where it
    applies, and the office's own work). Opened on the admin lane's thread."""

    def __init__(self, session: OfficeSession, lang: str = "zh", pin_cost: PinCost = PIN_COST):
        self.session = session
        self.lang = lang
        self.pin_cost = pin_cost  # what a new PIN's hash costs (a PIN is checked at its own hash's)

    @property
    def store(self):
        return self.session.store

    def today(self) -> dt.date:
        today: dt.date = self.session.clock.now().astimezone(self.policy().timezone).date()
        return today

    def policy(self) -> Policy:
        return self.session.policy()

    def admin(self, lang: str | None = None) -> OfficeReads:
        return OfficeReads(self.session, lang or self.lang)

    def cards(self, household_id: str) -> list[Card]:
        return self.store.cards(household_id)

    def office(self) -> CardOffice:
        """Card changes on the office's roster (RosterError without the signing key); the
        office database has no audit log, so they write none (as `card ... --office`)."""
        return self.session.office()

    # -- who may open it ------------------------------------------------------------------

    def operators_service(self) -> OperatorService:
        from data.office import OfficeOperatorStore

        return OperatorService(OfficeOperatorStore(self.store), self.session.clock,
                               self.store.operator_pepper(), self.pin_cost)

    def authenticate(self, pin: str) -> Operator | None:
        """An office operator with the admin role and this PIN, or None."""
        return self.operators_service().authenticate(pin, Role.ADMIN)

    # -- the office's own work ------------------------------------------------------------

    def gates(self) -> list[dict[str, Any]]:
        """What `office status` shows a gate: name, device id, last sync (UTC text), events
        held, events today (the community's date)."""
        devices = self.store.device_status()
        today = self.store.status_counts(self.today().isoformat())["events_today"]
        for device in devices:
            device["events_today"] = today.get(device["device_id"], 0)
        return devices

    def issue_missing(self, building: str | None, by: str,
                      kind: CardKind = CardKind.LIFE) -> tuple[list[IssuedCard], int]:
        """`office card issue-missing`: a card to every household (of `building`) that has none
        of `kind`, all or none; returns the issued cards and how many households there were."""
        households = self.store.households(building)
        return self.office().issue_missing(households, kind, by=by), len(households)

    def guarded(self) -> list[Path]:
        """The office file and its key: no output ever goes onto them."""
        path = sqlite_path(self.session.url)
        files = [office_key_path(self.session.url, self.session.key_file)] if (
            path is not None or self.session.key_file) else []
        return ([path] if path is not None else []) + files

    def print_cards(self, out: Path, building: str | None, new: bool, by: str, force: bool,
                    lang: str) -> tuple[int, int]:
        """`office cards print [--new]`: (cards, pages), the printed ones marked; NothingToPrint
        when there is none."""
        return print_office_cards(self.session, out, building, new, lang, by, force, self.guarded())

    def operator_rows(self) -> list[tuple[str, str, tuple[str, ...], bool]]:
        return [(s.operator.name, s.operator.role.value, s.operator.buildings, s.active)
                for s in self.store.operators()]

    def add_operator(self, name: str, role: str, pin: str, buildings: tuple[str, ...], by: str) -> Operator:
        return self.operators_service().add(name, role, pin, buildings, by=by)

    def deactivate_operator(self, name: str, by: str) -> None:
        self.operators_service().deactivate(name, by=by)

    def change_pin(self, name: str, pin: str, by: str) -> None:
        self.operators_service().change_pin(name, pin, by=by)

    def export_log(self, operator: Operator, fmt: str, out: Path, first: dt.date,
                   last: dt.date | None = None, building: str | None = None, progress: Any = None,
                   cancelled: Any = None, force: bool = False, lang: str | None = None) -> Any:
        """The merged log of every gate (`office export`), never onto the office's files."""
        from data.export import ExportCancelled
        from data.export.office_log import export_office_log
        from kiosk.ports import Cancelled

        try:
            return export_office_log(self.store.office, fmt, out, first, last, building, lang or self.lang,
                                     now=self.session.clock.now(), guarded=self.guarded(), force=force,
                                     progress=progress, cancelled=cancelled)
        except ExportCancelled:
            raise Cancelled() from None

    def close(self) -> None:
        self.session.close()


class NothingToPrint(Refused):
    """No card to print (all printed already, with --new): exit 2 and its sentence."""

    def __init__(self) -> None:
        super().__init__("no_cards")


def print_office_cards(session: OfficeSession, out: Path, building: str | None, new: bool, lang: str,
                       by: str, force: bool, guarded: list[Path],
                       progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """The card sheets of the office's roster (every valid card, or with `new` only those
    never printed), then their printed mark: `office cards print` and the office screen."""
    from data.cardsheet import print_cards, printable_cards

    store: Any = session.store  # an OfficeStore where the card sheet reads a store's roster
    today = session.clock.now().astimezone(session.policy().timezone).date()
    cards = printable_cards(store, today, building)
    if new:
        printed = store.printed_serials()
        cards = [(c, h) for c, h in cards if c.serial not in printed]
    if not cards:
        raise NothingToPrint()
    count, pages = print_cards(store, session.office(), session.clock, out, building, lang, operator=by,
                               force=force, guarded=tuple(guarded), cards=cards, progress=progress)
    store.mark_printed([c.serial for c, _ in cards], session.clock.now())
    return count, pages
