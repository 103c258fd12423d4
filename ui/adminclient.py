"""The admin screens' one door into the gate: every call runs on the "admin" lane.

The lane's thread opens its own services (kiosk.ports.AdminServices, a Gate with its own
SQLite connection) on first use, as ui/gateclient.py does for the gate screen: the GUI
thread never runs a query, a card change's fsync or an export. Each call takes an
`on_done(result)` and an `on_failed(error)`, both run on the GUI thread; the widgets see
plain values (tuples, Households, Cards), never a Gate or a store.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QObject

from kiosk import audit, policy
from kiosk.model import Card, LogFilter
from kiosk.office import CardOffice
from kiosk.operators import Operator
from kiosk.ports import AdminServices, OfficeServices
from ui.admin.models import PAGE
from ui.tasks import Lane

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


@dataclasses.dataclass(frozen=True)
class LogAnswer:
    """One filter's answer: the matching seqs, the chart's numbers, the headers and the first page."""

    ids: Any  # array.array("q") of seqs, in time order
    counts: list[tuple[int, int]]
    fevers: list[float]
    headers: list[str]
    first_rows: dict[int, Any]
    day_counts: dict[str, int] = dataclasses.field(default_factory=dict)  # AdminReads.day_counts


@dataclasses.dataclass(frozen=True)
class SettingsAnswer:
    values: dict[str, str]
    passfile: Path | None  # where the office's password is kept, if one is set


class AdminClient(QObject):
    """Runs the admin screens' questions and changes on their own thread, in order.

    One per process (the composition root builds it); every admin window uses it, and
    `close()` at the end stops its lane and closes its services on no other thread.
    """

    def __init__(self, opener: Callable[[], AdminServices], today: Callable[[], dt.date],
                 db_path: Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._opener = opener
        self.db_path = db_path  # the file dialogs start beside it and never offer it
        self._services: AdminServices | None = None  # touched only on the lane's thread
        self.today = today  # the community's date now: a clock, no database
        self.lane = Lane("admin", self)

    def _worker(self) -> AdminServices:
        if self._services is None:
            self._services = self._opener()
        return self._services

    def call(self, body: Callable[[AdminServices], Any], on_done: Done | None = None,
             on_failed: Failed | None = None) -> int:
        """Run `body(services)` on the lane; its result or error comes back on the GUI thread."""
        return self.lane.submit(lambda: body(self._worker()), on_done, on_failed)

    def office_call(self, body: Callable[[OfficeServices], Any], on_done: Done | None = None,
                    on_failed: Failed | None = None) -> int:
        """`call` for the office screen, whose services are the office's (kiosk.ports.OfficeServices)."""
        return self.call(lambda services: body(cast(OfficeServices, services)), on_done, on_failed)

    # -- the log --------------------------------------------------------------------------

    def log(self, f: LogFilter, lang: str, on_done: Done, on_failed: Failed) -> int:
        """The filter's seqs, the day's hourly counts (in the chosen buildings), the headers
        and the first page of rows in `lang`: a `LogAnswer`."""
        def body(services: AdminServices) -> LogAnswer:
            queries = services.admin(lang)
            ids = queries.log_ids(f)
            counts, fevers = queries.hourly(f.day, f.buildings)
            return LogAnswer(ids, counts, fevers, queries.log_headers(),
                             queries.log_rows(list(ids[:PAGE])), queries.day_counts(f.day, f.buildings))

        return self.call(body, on_done, on_failed)

    def log_rows(self, seqs: list[int], lang: str, on_done: Done, on_failed: Failed) -> int:
        """seq → the row's cells, for one page the view is showing."""
        return self.call(lambda services: services.admin(lang).log_rows(seqs), on_done, on_failed)

    def buildings(self, on_done: Done, on_failed: Failed) -> int:
        return self.call(lambda services: services.admin().buildings(), on_done, on_failed)

    def export(self, operator: Operator, fmt: str, out: Path, day: dt.date, building: str | None,
               lang: str, progress: Callable[[int, int], None], cancelled: Callable[[], bool],
               force: bool, on_done: Done, on_failed: Failed) -> int:
        """The day's log to a file (data.export), audited; `progress` is called on the lane's thread."""
        def body(services: AdminServices):
            return services.export_log(operator, fmt, out, day, None, building, progress=progress,
                                       cancelled=cancelled, force=force, lang=lang)

        return self.call(body, on_done, on_failed)

    # -- incidents, who is out, the audit log ---------------------------------------------

    def incidents(self, day: dt.date, buildings: tuple[str, ...] | None, on_done: Done,
                  on_failed: Failed) -> int:
        return self.call(lambda services: services.admin().incidents(day, buildings), on_done, on_failed)

    def out_now(self, buildings: tuple[str, ...] | None, on_done: Done, on_failed: Failed) -> int:
        """(flat, kind, serial, holder initial, out since as "MM-DD HH:MM" local) of every card out."""
        def body(services: AdminServices) -> list[tuple]:
            zone = services.policy().timezone
            return [(flat, kind, serial, initial, since.astimezone(zone).strftime("%m-%d %H:%M"))
                    for flat, kind, serial, initial, since in services.admin().out_now(buildings)]

        return self.call(body, on_done, on_failed)

    def audit_entries(self, on_done: Done, on_failed: Failed, lang: str = "zh") -> int:
        """The newest 1,000 audit lines as (local time, operator, action, target, details): the
        time in the community's zone, the action and the details in words (kiosk.audit.describe)."""
        def body(services: AdminServices) -> list[tuple]:
            zone = services.policy().timezone
            return [(e.at_utc.astimezone(zone).strftime("%m-%d %H:%M:%S"), e.operator,
                     audit.action_words(e.action, lang), e.target, audit.describe(e.details, lang))
                    for e in services.audit_entries()]

        return self.call(body, on_done, on_failed)

    # -- households and cards -------------------------------------------------------------

    def find_households(self, text: str, on_done: Done, on_failed: Failed) -> int:
        return self.call(lambda services: services.admin().find_households(text), on_done, on_failed)

    def cards(self, household_id: str, on_done: Done, on_failed: Failed) -> int:
        return self.call(lambda services: services.cards(household_id), on_done, on_failed)

    def change_card(self, change: Callable[[CardOffice], Card], on_done: Done, on_failed: Failed) -> int:
        """`change(office)` on the lane: the card change and its audit line, one transaction
        (kiosk.office.CardOffice); `on_done(card)`."""
        return self.call(lambda services: change(services.office()), on_done, on_failed)

    # -- settings -------------------------------------------------------------------------

    def settings(self, on_done: Done, on_failed: Failed) -> int:
        """Every setting's value now, and the office's password file if one is set."""
        return self.call(lambda services: SettingsAnswer(services.policy().as_dict(),
                                                         services.sync_password_file()),
                         on_done, on_failed)

    def save_settings(self, edited: dict[str, str], operator: Operator, on_done: Done,
                      on_failed: Failed) -> int:
        """Write the values that differ from the stored ones, each with its audit line, all
        or none; `on_done(count)`. A value out of range fails with kiosk.policy.SettingError
        and nothing is written."""
        def body(services: AdminServices) -> int:
            current = services.policy().as_dict()
            changes = {key: policy.canonical(key, value) for key, value in edited.items()
                       if value.strip() != current[key]}
            if changes:
                services.change_settings(changes, operator)
            return len(changes)

        return self.call(body, on_done, on_failed)

    # -------------------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Calls whose callbacks have not run yet (tests wait for 0)."""
        return self.lane.pending

    def close(self) -> None:
        """Stop the lane, then close its services: the thread is gone, so nothing else uses them."""
        self.lane.stop()
        if self._services is not None:
            close = getattr(self._services, "close", None)
            if close is not None:
                close()
            self._services = None
