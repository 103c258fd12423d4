"""What the domain needs from storage, as a protocol that `data` implements.

The checkpoint service asks small, indexed questions (this card's recent events, this
household's exits in a window) so a verdict never scans the whole event table.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from kiosk.errors import EnvironmentFailure
from kiosk.model import Card, Direction, Event, Household, LogFilter

if TYPE_CHECKING:  # these import the ports themselves
    from kiosk.audit import AuditEntry
    from kiosk.clock import Clock
    from kiosk.office import CardOffice
    from kiosk.operators import Operator
    from kiosk.policy import Policy
    from kiosk.reports import WaitingParcel
    from kiosk.roster_plan import RosterPlan


class StorageError(EnvironmentFailure):
    """The database or the disk failed: the scan was not recorded (exit code 3).

    Kept apart from bugs: a full disk or a pulled USB stick is something a volunteer can
    meet, and the screen says "record on paper" instead of showing a verdict. `str()` is
    the detail (for the log); the sentence is `sentence` of kiosk.messages.CLI.
    """

    sentence: ClassVar[str] = "storage_failed"

    def __init__(self, detail: object = ""):
        super().__init__(self.sentence, error=detail)
        self.args = (detail,)


class StoredTextDamaged(StorageError):
    """A text stored in the database is not valid UTF-8: the file is damaged (a bad sector,
    a flipped bit). Never decoded leniently: garbled text must not pass as a name, a serial
    or a decision. The remedy is a restore from a backup (docs/reliability.md)."""

    sentence = "stored_text_damaged"

    def __init__(self) -> None:
        super().__init__("stored text is not valid UTF-8 (database damaged)")


class SyncFailed(RuntimeError):
    """A sync with the office could not finish; the text is the calm sentence to show.

    Offline for days is normal at a gate: this is information, not an alarm.
    """


class Cancelled(Exception):
    """Long work (an export, a sync) stopped because the person asked; nothing was kept."""


@dataclasses.dataclass(frozen=True)
class Community:
    id: str
    name: str
    device_id: str


@dataclasses.dataclass(frozen=True)
class Passage:
    """A card's last allowed passage: is it out, and since when."""

    direction: Direction
    at_utc: dt.datetime
    event_id: str
    # The gate it went through: its device id, and its name as the office knows
    # it ("" when this gate has not learnt one: the verdict then shows the id's short form).
    device_id: str = ""
    gate: str = ""


class Store(Protocol):
    def decision(self) -> AbstractContextManager[object]:
        """One write transaction around a scan's reads and its event: nothing the rules
        read can change before the event is committed (and `record` joins it)."""
        ...

    def community(self) -> Community: ...

    def public_keys(self) -> dict[str, str]:
        """key id → public key text (base 32)."""
        ...

    def settings(self) -> dict[str, str]: ...

    def card(self, serial: str) -> Card | None:
        """The card's current generation, whatever its status."""
        ...

    def household(self, household_id: str) -> Household | None: ...

    def last_passage(self, serial: str) -> Passage | None: ...

    def card_events(self, serial: str, since_utc: dt.datetime) -> list[Event]:
        """This card's events since a moment, oldest first (a short list: minutes)."""
        ...

    def life_exits(self, household_id: str, since_utc: dt.datetime,
                   until_utc: dt.datetime) -> list[dt.datetime]:
        """Allowed life-card exits of the household in [since, until), oldest first."""
        ...

    def card_exits(self, serial: str, since_utc: dt.datetime,
                   until_utc: dt.datetime) -> list[dt.datetime]:
        """Allowed exits of one card in [since, until), oldest first."""
        ...

    def record(self, event: Event, incident: str | None = None) -> None:
        """Append the event (and an incident, if any) durably, in one transaction."""
        ...

    def event(self, event_id: str) -> Event | None: ...

    def is_overridden(self, event_id: str) -> bool:
        """Has a lead already let this denied scan through?"""
        ...

    def fever_retests(self, since_utc: dt.datetime) -> list[Event]:
        """First fever readings (reason fever_retest) since a moment, oldest first."""
        ...


class HouseholdRegister(Protocol):
    """The households of a gate's store or of the office's (data.office.OfficeStore)."""

    def households(self, building: str | None = None, include_left: bool = False) -> list[Household]: ...
    def add_households(self, households: Iterable[Household], now: dt.datetime) -> None: ...
    def left_household_ids(self) -> set[str]: ...
    def cards(self, household_id: str | None = None) -> list[Card]: ...


class RosterSession(Protocol):
    """What the CLI's household and card commands work on: a gate (kiosk.app.Gate), or
    with `--office` the office's database (data.sync.OfficeSession), which has no
    scans, operators or audit log."""

    @property
    def store(self) -> HouseholdRegister: ...
    @property
    def clock(self) -> Clock: ...
    def office(self) -> CardOffice: ...
    def import_households(self, households: list[Household]) -> None: ...
    def apply_roster_plan(self, plan: RosterPlan) -> int:
        """A roster update, all or nothing; returns the cards revoked (kiosk.roster_plan)."""
        ...
    def close(self) -> None: ...


class AdminReads(Protocol):
    """The admin screens' read side over one gate (data.admin_queries.AdminQueries)."""

    lang: str

    def log_ids(self, f: LogFilter) -> Any:
        """The matching events' seqs in time order (an array of 8-byte integers)."""
        ...

    def log_rows(self, seqs: list[int]) -> dict[int, Any]:
        """seq → the cells of the lead's log, in `lang`."""
        ...

    def log_headers(self) -> list[str]: ...

    def buildings(self) -> list[str]: ...

    def hourly(self, day: dt.date, buildings: tuple[str, ...] | None
               ) -> tuple[list[tuple[int, int]], list[float]]: ...

    def incidents(self, day: dt.date, buildings: tuple[str, ...] | None) -> list[tuple[Any, ...]]: ...

    def day_counts(self, day: dt.date, buildings: tuple[str, ...] | None) -> dict[str, int]:
        """The day's scans, exits, entries, denials (the rules' only), slips and retests."""
        ...

    def out_now(self, buildings: tuple[str, ...] | None) -> list[tuple[Any, ...]]: ...

    def find_households(self, text: str) -> list[Household]: ...


class AdminServices(Protocol):
    """Exactly what the admin screens ask of a gate (kiosk.app.Gate implements it).

    The screens never hold one: ui.adminclient.AdminClient opens it on its lane's thread
    and runs every call there, so no SQL and no fsync ever runs on the GUI thread.
    """

    def today(self) -> dt.date: ...

    def policy(self) -> Policy: ...

    def admin(self, lang: str | None = None) -> AdminReads: ...

    def cards(self, household_id: str) -> list[Card]: ...

    def office(self) -> CardOffice:
        """Card issuing, each change with its audit line (RosterError without the signing key)."""
        ...

    def change_settings(self, changes: dict[str, str],
                        operator: Operator | str) -> dict[str, str | None]: ...

    def audit_entries(self, limit: int = 1000) -> list[AuditEntry]: ...

    def sync_password_file(self) -> Path | None: ...

    # issue 17: the parcels waiting at the gate, and handing one over
    def waiting_parcels(self, buildings: tuple[str, ...] | None) -> list[WaitingParcel]: ...

    def collect_parcel(self, report_id: str, operator: Operator) -> None: ...

    def export_log(self, operator: Operator, fmt: str, out: Path, first: dt.date,
                   last: dt.date | None = None, building: str | None = None, progress: Any = None,
                   cancelled: Any = None, force: bool = False, lang: str | None = None) -> Any: ...


class OfficeServices(AdminServices, Protocol):
    """What the office screen asks of the office database besides the admin screens' reads
    and card changes (data.office_admin.OfficeAdmin; issue 15)."""

    def authenticate(self, pin: str) -> Operator | None: ...

    def gates(self) -> list[dict[str, Any]]: ...

    def issue_missing(self, building: str | None, by: str) -> tuple[list[Any], int]: ...

    def print_cards(self, out: Path, building: str | None, new: bool, by: str, force: bool,
                    lang: str) -> tuple[int, int]: ...

    def operator_rows(self) -> list[tuple[str, str, tuple[str, ...], bool]]: ...

    def add_operator(self, name: str, role: str, pin: str, buildings: tuple[str, ...],
                     by: str) -> Operator: ...

    def deactivate_operator(self, name: str, by: str) -> None: ...

    def change_pin(self, name: str, pin: str, by: str) -> None: ...
