"""The composition root: wires the store, the clock and the services into one gate.

This is the one place (with the CLI) where `kiosk` meets `data`: the domain modules only
know the storage port.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from data.device_key import attach_device_key, create_device_key
from data.keyfile import device_key_path, key_path, read_private_key, write_private_key
from data.operators_store import SqliteOperatorStore
from data.outputs import OutputRefused as OutputRefused  # re-exported: the screens show its message
from data.secretfiles import read_office_pepper, read_pepper
from data.store import SqliteStore
from data.store import is_storage_failure as is_storage_failure  # re-exported: for the screens
from kiosk import codec, messages, startup
from kiosk.checkpoint import CheckpointService
from kiosk.clock import Clock, SystemClock
from kiosk.errors import BadInput
from kiosk.model import Verdict
from kiosk.office import CardOffice, RosterError
from kiosk.operators import PIN_COST, Operator, OperatorError, OperatorService, PinCost, PinLocked, Role
from kiosk.policy import Policy
from kiosk.ports import RosterSession, StorageError, SyncFailed
from kiosk.reports import GateReport, WaitingParcel, collected, new_report
from kiosk.serial import new_community_id
from kiosk.startup import Finding, GuardedClock, Severity
from kiosk.typed import TypedCard
from kiosk.typed import look_up as typed_look_up

if TYPE_CHECKING:  # imported where they are used: the office's and the exports' code load late
    from data.admin_queries import AdminQueries
    from data.backup import BackupInfo
    from data.export import ExportResult
    from data.sync import SyncReport, SyncSummary
    from data.verify import ChainReport
    from kiosk.audit import AuditEntry
    from kiosk.model import Card, Household
    from kiosk.roster_plan import RosterPlan


def default_db_path() -> Path:
    """$KIOSK_DB, else gate.db in the user's data directory."""
    env = os.environ.get("KIOSK_DB")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("gatepost", appauthor=False)) / "gate.db"


class Gate:
    """One gate's database and the services over it."""

    def __init__(self, store: SqliteStore, clock: Clock, lang: str = "zh", pin_cost: PinCost = PIN_COST):
        self.store = store
        self.clock = clock
        self.lang = lang
        self.pin_cost = pin_cost  # scrypt's cost for new PIN hashes (kiosk.operators.PinCost)
        self.service = CheckpointService(store, clock)  # language-free: the edges render verdicts
        self.findings: list[Finding] = []  # the start-up checks' results (open_gate)
        self.damage: Finding | None = None  # a periodic check found the file damaged
        self.clock_floor: dt.datetime | None = None  # the newest event at start-up (open_gate)

    @property
    def path(self) -> Path:
        return self.store.path

    def scan(self, payload: str, direction: str, temperature: float | str | None = None,
             reason: str | None = None, operator: str = "", at: dt.datetime | None = None,
             mask: str | None = None, source: str = "") -> Verdict:
        """The checkpoint's scan, unless a check found this database damaged: then
        StartupFailed (a StorageError: "record on paper"), never a verdict. `source`: camera,
        wedge, typed or cli (kiosk.model.SOURCES)."""
        if self.damage is not None:
            raise StartupFailed([self.damage])
        return self.service.scan(payload, direction, temperature, reason, operator, at, mask, source)

    def mark_damaged(self, finding: Finding) -> None:
        """No more verdicts from this gate (until it is restored and opened again)."""
        self.damage = finding

    def policy(self) -> Policy:
        return Policy(self.store.settings())

    def today(self) -> dt.date:
        return self.clock.now().astimezone(self.policy().timezone).date()

    def status(self, date: dt.date | None = None) -> dict[str, int]:
        day = date or self.today()
        counts = self.store.status(day)
        counts["outsiders_today"] = self.store.outsiders_on(day)  # its own small query
        return counts

    # -- the gate's own reports (issue 17, kiosk/reports.py) ---------------------------

    def report(self, kind: str, operator: str, count: int = 1, flat: str | None = None,
               note: str | None = None) -> GateReport:
        """Record what the volunteer saw (an outsider refused, a delivery for a flat, ...).

        BadInput for a bad kind, count or note, or a flat that is not registered; StorageError
        when it could not be recorded ("record on paper")."""
        if self.damage is not None:
            raise StartupFailed([self.damage])
        report = new_report(kind, operator, self.clock.now(), self.policy().timezone, count, flat, note)
        if report.flat is not None:
            f = report.flat
            household = self.store.household_by_flat(f.building, f.unit, f.room)
            if household is None:
                raise BadInput("unknown_flat", flat=f.text)
            report = dataclasses.replace(report, household_id=household.id)
        self.store.record_report(report)
        return report

    def flats(self) -> list[tuple[str, str, str]]:
        """Every registered flat (building, unit, room), for the report dialog's picker."""
        return [(h.building, h.unit, h.room) for h in self.store.households()]

    def waiting_parcels(self, buildings: tuple[str, ...] | None) -> list[WaitingParcel]:
        """Deliveries at the gate not collected yet, of these buildings (None: all)."""
        return self.store.waiting_parcels(buildings)

    def collect_parcel(self, report_id: str, operator: Operator) -> None:
        """A lead hands a waiting parcel over: a "collected" report and an audit line.
        A lead closes only their buildings' parcels."""
        if not operator.may(Role.LEAD):
            raise OperatorError("role_too_low", role=Role.LEAD.value)
        building = self.store.delivery_building(report_id)
        if building is not None and not operator.sees(building):
            raise OperatorError("not_your_building", building=building)
        now = self.clock.now()
        self.store.close_delivery(collected(report_id, operator.name, now, self.policy().timezone), now)

    def import_households(self, households: list[Household]) -> None:
        """A roster import's households, all or none; ids drawn again on a clash, in the
        import's transaction (data.roster). Conflict when a flat is registered already."""
        from data.roster import import_households

        import_households(self.store, households, self.clock.now())

    def apply_roster_plan(self, plan: RosterPlan) -> int:
        """A roster update (kiosk.roster_plan), all or nothing; returns the cards revoked."""
        from kiosk.serial import new_household_id

        return self.store.apply_roster_plan(plan, self.clock.now(), new_household_id)

    def typed_card(self, typed: str) -> TypedCard:
        """What a typed serial names, shown before the scan counts (kiosk.typed.TypedCard)."""
        return typed_look_up(self.store, typed)

    def office(self) -> CardOffice:
        """Card issuing: needs the signing key file, which a scan-only gate does not have."""
        path = key_path(self.path)
        key = read_private_key(path)
        if key is None:
            raise RosterError("no_signing_key", path=path)
        return CardOffice(self.store, self.clock, key)

    # -- operators and the audit log (issue 5) ----------------------------------------

    def operators(self) -> OperatorService:
        """The operators over this gate's store and its PIN pepper (made on first use)."""
        try:
            pepper = read_pepper(self.path)
            office_pepper = read_office_pepper(self.path)  # the office's operators' (docs/sync.md)
        except (OSError, ValueError) as failure:
            raise StorageError(f"PIN pepper: {failure}") from failure
        return OperatorService(SqliteOperatorStore(self.store), self.clock, pepper, self.pin_cost,
                               office_pepper)

    def authenticate(self, pin: str, role: str = "volunteer") -> Operator | None:
        """The operator with this PIN and at least `role` ("volunteer" < "lead" < "admin").

        None for a wrong PIN, a role too low, or while PIN entry is closed (after 3 wrong
        PINs in a row, a wait that doubles from 1 s to 60 s); `pin_locked_until()` tells
        the screen which it was.
        """
        try:
            return self.operators().authenticate(pin, role)
        except PinLocked:
            return None

    # -- who is on duty (issue 11): the volunteer signed in at the gate screen -----------

    def duty_names(self) -> list[str]:
        """The active operators' names, volunteers first: who may sign in at the gate."""
        active = [s.operator for s in self.operators().operators() if s.active]
        return [o.name for o in sorted(active, key=lambda o: (o.role.rank, o.name))]

    def sign_in(self, name: str, pin: str) -> Operator | None:
        """`name` signs in with their PIN: the Operator, with a "sign_in" audit line; None for
        a wrong PIN, another operator's PIN, or while PIN entry is closed (pin_locked_until).
        Any active operator may be on duty; every event then carries their name."""
        operator = self.authenticate(pin, "volunteer")
        if operator is None:
            return None
        if operator.name != name:  # a right PIN, but someone else's: never on duty as `name`
            self.audit(operator, "login_failed", "sign_in", {"picked": name})
            return None
        self.audit(operator, "sign_in", self.store.community().device_id)
        return operator

    def sign_out(self, name: str) -> None:
        """The volunteer on duty leaves (or hands over): an audit line."""
        self.audit(name, "sign_out", self.store.community().device_id)

    def admin(self, lang: str | None = None) -> AdminQueries:
        """The admin screens' read side (data.admin_queries.AdminQueries) over this gate's store,
        its words in `lang` (else the gate's)."""
        from data.admin_queries import AdminQueries

        return AdminQueries(self.store, lang or self.lang)

    def cards(self, household_id: str) -> list[Card]:
        """Every card of a household, each generation (kiosk.model.Card)."""
        return self.store.cards(household_id)

    def export_log(self, operator: Operator, fmt: str, out: Path, first: dt.date,
                   last: dt.date | None = None, building: str | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   cancelled: Callable[[], bool] | None = None, force: bool = False,
                   lang: str | None = None) -> ExportResult:
        """The daily log as csv/xlsx/pdf for what `operator` may see, its words in `lang`
        (else the gate's); audited (data.export). An existing `out` is replaced only with
        `force`; the database's files never."""
        from data.export import export_log

        return export_log(self.store, self.clock, operator, fmt, out, first, last, building,
                          lang or self.lang, progress, cancelled, force)

    def audit_entries(self, limit: int = 1000) -> list[AuditEntry]:
        """The newest lines of the audit log first (kiosk.audit.AuditEntry)."""
        return SqliteOperatorStore(self.store).audit_entries(limit=limit)

    def sync_password_file(self) -> Path | None:
        """The owner-only file holding the office's password, where one is set (never the password)."""
        from data.secretfiles import has_password, passfile_path

        return passfile_path(self.path) if has_password(self.path) else None

    def pin_locked_until(self) -> dt.datetime | None:
        """When PIN entry opens again, in the community's time zone, or None if it is open."""
        until = self.operators().locked_until()
        return until.astimezone(self.policy().timezone) if until is not None else None

    def audit(self, operator: Operator | str, action: str, target: str = "",
              details: dict[str, Any] | None = None) -> None:
        """One line in the audit log (kiosk.audit.ACTIONS names the actions)."""
        name = operator.name if isinstance(operator, Operator) else operator
        SqliteOperatorStore(self.store).audit(name, action, target, details, self.clock.now())

    def change_settings(self, changes: dict[str, str],
                        operator: Operator | str) -> dict[str, str | None]:
        """Write settings (already canonical, kiosk.policy) and one audit line each, all in
        one transaction: every change with its line, or none. Returns the old values (None:
        not set before)."""
        name = operator.name if isinstance(operator, Operator) else operator
        with self.store.atomic():
            previous = self.policy().as_dict()
            for key, value in changes.items():
                self.store.set_setting(key, value)
                self.store.audit_line(name, "setting_change", key,
                                      {"from": previous.get(key), "to": value}, self.clock.now())
        return {key: previous.get(key) for key in changes}

    def override(self, event_id: str, operator: Operator, reason: str) -> Verdict:
        """A lead or admin lets a denied person through: the new event and an audit line."""
        if not operator.may(Role.LEAD):
            raise OperatorError("role_too_low", role=Role.LEAD.value)
        denied = self.store.event(event_id)
        household = self.store.household(denied.household_id) if denied and denied.household_id else None
        building = household.building if household else None
        if denied is not None and not operator.sees(building):  # a lead overrides for their buildings
            raise OperatorError("not_your_building", building=building or "-")
        with self.store.decision():  # the override's event and its audit line commit together
            verdict = self.service.override(event_id, operator.name, reason)
            self.audit(operator, "override", event_id, {"reason": reason.strip(),
                                                       "event": verdict.event_id})
        return verdict

    def sync_summary(self) -> SyncSummary:
        """The status bar's sync state (data.sync.SyncSummary): last success, events
        waiting, last error in plain words. Reads the local database only: never waits on
        the network, so the GUI thread may call it."""
        from data.sync import summary  # the sync module pulls in the office's code

        return summary(self.store, self.lang)

    # -- start-up checks, backups, the event chain (issue 7; docs/reliability.md) ----

    def backup_if_due(self) -> BackupInfo | None:
        """Today's online backup (data.backup), unless it exists: at most one a local day.

        Returns its BackupInfo, or None when not due. A backup that cannot be written (a
        full disk) is a warning among `findings`; a damaged database is an error.
        """
        info, findings = _backup_if_due(self.store, self.today())
        self.findings += findings
        return info

    def verify_log(self, progress: Callable[[int, int], None] | None = None) -> ChainReport:
        """The tamper-evident chain walked end to end (data.verify.ChainReport)."""
        return self.store.verify_log(progress, device_key_path(self.path))

    def close(self) -> None:
        self.store.close()


def init_community(path: str | Path, name: str, timezone: str = "Asia/Shanghai",
                   start_date: dt.date | None = None, clock: Clock | None = None,
                   lang: str = "zh", pin_cost: PinCost = PIN_COST) -> Gate:
    """A new database and signing key. FileExistsError rather than overwrite either."""
    path = Path(path)
    clock = clock or SystemClock()
    if path.exists() or key_path(path).exists() or device_key_path(path).exists():
        raise FileExistsError(str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    signing_key = codec.new_signing_key()
    write_private_key(key_path(path), signing_key)
    store = SqliteStore(path, create=True)
    now = clock.now()
    start = start_date or now.astimezone(Policy({"timezone": timezone}).timezone).date()
    public = signing_key.public_key()
    store.initialise(name, new_community_id(), codec.key_id(public), codec.public_key_text(public),
                     {"timezone": timezone, "quota.start_date": start.isoformat()}, now)
    create_device_key(store, now)  # this gate's own key: it signs every event (issue 13)
    return Gate(store, clock, lang, pin_cost)


def open_office_session(url: str, key_file: str | Path | None = None, lang: str = "zh",
                        clock: Clock | None = None) -> RosterSession:
    """The office database where the CLI's household and card commands expect a gate
    (data.sync.OfficeSession, typed as what those commands may use of it)."""
    from data.sync import OfficeSession  # the office's code, only for office commands

    return OfficeSession(url, key_file, clock, lang)


@dataclasses.dataclass(frozen=True)
class OfficeScreen:
    """What `kiosk office gui` needs before its window: how the admin lane opens the office
    (data.office_admin.OfficeAdmin, one per lane thread), the community's date now, and the
    office file the file dialogs must never offer (None for PostgreSQL)."""

    open_worker: Callable[[], Any]
    today: Callable[[], dt.date]
    path: Path | None


def office_screen(url: str, key_file: str | Path | None = None, lang: str = "zh",
                  clock: Clock | None = None) -> OfficeScreen:
    """Check the office database once (unreachable: SyncError, exit 3, before any window; a
    gate's file: exit 2) and read its time zone; the lane opens its own connection later."""
    from data.office import sqlite_path
    from data.office_admin import OfficeAdmin
    from data.sync import OfficeSession

    clock = clock or SystemClock()
    session = OfficeSession(url, key_file, clock, lang)
    try:
        zone = session.policy().timezone
    finally:
        session.close()

    def open_worker() -> Any:
        return OfficeAdmin(OfficeSession(url, key_file, clock, lang), lang)

    return OfficeScreen(open_worker, lambda: clock.now().astimezone(zone).date(), sqlite_path(url))


def open_gate(path: str | Path | None = None, lang: str = "zh", clock: Clock | None = None,
              checks: bool = True, pin_cost: PinCost = PIN_COST, backup: bool = True,
              autocheckpoint: bool = True) -> Gate:
    """Open an existing gate database (NotInitialised if there is none).

    With `checks` (the default) the start-up checks run (kiosk.startup): schema, public
    key, the clock against the newest event (a clock that jumped back is recorded in the
    audit log, and the gate's clock carries on from that event instead), and, once a
    local day, an online backup whose copy passes SQLite's integrity check. Errors raise
    StartupFailed (a StorageError: exit code 3, "record on paper"); warnings are in
    `gate.findings` for the screen and the CLI to show. Without `backup` the day's backup
    is the caller's to make (the gate screen makes it off its lanes: backup_in_background);
    without `autocheckpoint` the connection leaves its WAL to a second connection
    (checkpoint_in_background: the gate lane's).
    """
    from data.verify import startup_facts

    raw = clock or SystemClock()
    store = SqliteStore(path or default_db_path(), autocheckpoint=autocheckpoint)
    if not checks:
        attach_device_key(store, raw.now(), create_missing=False)  # reads, never writes
        return Gate(store, raw, lang, pin_cost)
    try:
        # The device key signs what this gate records; a 0.1.0 database gets one now.
        key_problem = attach_device_key(store, raw.now())
        facts = startup_facts(store, raw.now())
        gate = Gate(store, GuardedClock(raw, facts.newest_event_utc), lang, pin_cost)
        gate.clock_floor = facts.newest_event_utc
        gate.findings = startup.check(facts)
        if key_problem:
            gate.findings.insert(0, Finding(key_problem, Severity.ERROR,
                                            {"path": str(device_key_path(store.path))}))
        for finding in gate.findings:
            if finding.key == "clock_jumped_back":
                gate.audit("system", "clock_jumped_back", "", finding.fields)
        if backup and not startup.errors(gate.findings):
            gate.backup_if_due()
        failed = startup.errors(gate.findings)
        if failed:
            raise StartupFailed(failed)
    except BaseException:
        store.close()
        raise
    return gate


@dataclasses.dataclass(frozen=True)
class GateProcess:
    """One gate process, assembled once (the composition root: `start_gate_process`).

    The start-up checks have run, once; each thread that needs the database (the gate
    lane, the admin lane) opens its own Gate with `open_worker`: its own SQLite
    connection, the checks not again, the same guarded clock.
    """

    path: Path
    lang: str
    raw_clock: Clock
    clock_floor: dt.datetime | None  # the newest event at start-up: no worker's clock runs behind it
    findings: list[Finding]  # the start-up checks' warnings, for the screen to show once
    community: str
    timezone: dt.tzinfo
    sync_interval_s: int

    def open_worker(self, lang: str | None = None) -> Gate:
        """A Gate for one thread (a lane's), never shared with another (nor its clock)."""
        return open_gate(self.path, lang or self.lang, self.guarded_clock(), checks=False)

    def open_gate_lane(self) -> Gate:
        """The gate lane's Gate: its commits never checkpoint the WAL (a second connection
        does, off the lane: checkpoint_in_background), so no scan pays for one."""
        return open_gate(self.path, self.lang, self.guarded_clock(), checks=False,
                         autocheckpoint=False)

    def guarded_clock(self) -> GuardedClock:
        """A clock for one thread that never runs behind the newest event at start-up."""
        return GuardedClock(self.raw_clock, self.clock_floor)

    def today(self) -> dt.date:
        """The community's date now (its time zone as read at start-up): no database."""
        return self.raw_clock.now().astimezone(self.timezone).date()


def start_gate_process(path: str | Path, lang: str = "zh", clock: Clock | None = None) -> GateProcess:
    """Run the start-up checks once (open_gate: NotInitialised, StartupFailed) and keep what
    the process is built from; the checking connection is closed again. The day's backup is
    not made here (it took 18 s before the first window at a million events): the screen
    makes it on its maintenance lane (backup_in_background)."""
    raw = clock or SystemClock()
    gate = open_gate(path, lang, raw, backup=False)
    try:
        policy = gate.policy()
        return GateProcess(gate.path, lang, raw, gate.clock_floor, list(gate.findings),
                           gate.store.community().name, policy.timezone,
                           int(policy.text("sync.interval_s")))
    finally:
        gate.close()


def sync_in_background(path: str | Path, lang: str = "zh", clock: Clock | None = None,
                       cancelled: Callable[[], bool] | None = None) -> SyncReport | None:
    """One sync of the gate at `path` with its configured office, for a worker thread.

    Opens its own connections (never the GUI's), so it may run beside the gate screen.
    Returns the data.sync.SyncReport, or None when no office is configured; raises
    SyncFailed with the sentence to show when the office cannot be reached.
    """
    from data.office import SyncError
    from data.sync import sync_once

    try:
        return sync_once(path, clock=clock, cancelled=cancelled)
    except SyncError as failure:
        if failure.key == "sync_no_target":
            return None
        raise SyncFailed(messages.cli_message(failure.key, lang, target=failure.target,
                                              detail=failure.detail)) from failure


def _backup_if_due(store: SqliteStore, today: dt.date,
                   progress: Callable[[int, int], None] | None = None,
                   ) -> tuple[BackupInfo | None, list[Finding]]:
    """The day's backup (data.backup) and what it found: a damaged database is an error,
    a backup that cannot be written (a full disk) a warning."""
    from data.backup import BackupRefused, backup_if_due

    try:
        return backup_if_due(store, today, progress), []
    except BackupRefused as damaged:
        return None, [Finding("integrity_failed", Severity.ERROR,
                              {"detail": str(damaged.fields.get("detail", ""))})]
    except StorageError as failure:
        return None, [Finding("backup_failed", Severity.WARNING, {"detail": str(failure)})]


def backup_in_background(path: str | Path, today: dt.date,
                         progress: Callable[[int, int], None] | None = None) -> list[Finding]:
    """The day's backup unless it exists, for a worker thread: its own connection, never
    the gate lane's, the copy in steps of one snapshot, so the scans go on beside it.
    `progress(copied, total)` after each step. The findings (none when all went well)."""
    from data.backup import backup_is_due

    if not backup_is_due(Path(path), today):
        return []
    try:
        store = SqliteStore(path)
    except StorageError as failure:
        return [Finding("backup_failed", Severity.WARNING, {"detail": str(failure)})]
    try:
        return _backup_if_due(store, today, progress)[1]
    finally:
        store.close()


def checkpoint_in_background(path: str | Path) -> tuple[int, int]:
    """A passive WAL checkpoint from a connection of its own, for a worker thread: the gate
    lane's connection never checkpoints (open_gate_lane). Returns (frames, copied)."""
    store = SqliteStore(path)
    try:
        return store.checkpoint()
    finally:
        store.close()


# The gate screen checks its database while it runs (ui/integrity_timer.py): the full
# integrity check and a pass over every stored text each hour (6-7 s at a million events,
# off the GUI thread), the quick check after each sync (0.8 s). docs/reliability.md.
INTEGRITY_PERIOD_S = 3600


def check_in_background(path: str | Path, full: bool, clock: Clock | None = None) -> list[Finding]:
    """SQLite's integrity check (full, with the text pass; or quick) for a worker thread.

    Opens its own connection, never the GUI's nor the scans'. The findings of damage, or
    [] for a sound file; a file that cannot even be opened is damage too.
    """
    from data.store_chain import check_file

    try:
        result, damaged = check_file(path, full, (clock or SystemClock()).now())
    except sqlite3.DatabaseError as failure:
        return startup.damage(str(failure))
    return startup.damage(result, damaged)


class StartupFailed(StorageError):
    """The start-up checks found this database unfit to decide scans."""

    def __init__(self, findings: list[Finding]):
        super().__init__(", ".join(f.key for f in findings))
        self.findings = findings


# -- the demo community (`kiosk demo`) --------------------------------------------------

DEMO_PIN = "246810"  # the demo lead's PIN: printed by `kiosk demo`, never used outside a demo
# The demo's gate volunteers and their PINs (4 digits, a volunteer's minimum): the gate
# screen opens on the sign-in, and `kiosk demo` prints these.
DEMO_VOLUNTEERS = (("志愿者李", "1357"), ("志愿者陈", "2468"))
DEMO_HOLDERS = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊",
                "赵敏", "黄勇", "周杰", "吴霞", "徐涛", "孙丽")


@dataclasses.dataclass(frozen=True)
class Demo:
    """What `create_demo` made: the database, the card images and the simulated camera's frames."""

    directory: Path
    db: Path
    cards: Path    # one QR PNG per card, named by serial
    frames: Path   # 1280x720 frames, card and empty desk in turn, for a folder source
    lead: str
    lead_pin: str
    volunteers: tuple[tuple[str, str], ...] = DEMO_VOLUNTEERS  # (name, PIN) each


def create_demo(directory: str | Path, clock: Clock | None = None) -> Demo:
    """A demo community in `directory`: 3 buildings, 12 households, life, work and special
    cards (one life card lost and re-issued, so its old code is refused), a demo lead with
    PIN 246810, the cards' QR images, and camera frames that show some of the cards in turn."""
    from data.cardimage import write_qr_png  # segno and OpenCV: only for the demo
    from data.demo_frames import write_frames
    from kiosk.model import CardKind, Household
    from kiosk.serial import new_household_id

    directory = Path(directory)
    gate = init_community(directory / "demo.db", "示范小区", clock=clock)
    try:
        households = [Household(new_household_id(), str(building), "1", f"{floor}01",
                                head=DEMO_HOLDERS[(building - 1) * 4 + floor - 1], members=3)
                      for building in (1, 2, 3) for floor in (1, 2, 3, 4)]
        gate.store.add_households(households, gate.clock.now())
        office = gate.office()
        life = [office.issue(h.id, CardKind.LIFE, h.head) for h in households]
        work = [office.issue(h.id, CardKind.WORK, h.head) for h in households[1:4]]
        special = [office.issue(h.id, CardKind.SPECIAL, h.head) for h in households[6:8]]
        lost = life[5]
        reissued = office.reissue(lost.card.serial)  # the old printed code is now refused
        lead = "示范楼栋长"
        gate.operators().add(lead, "lead", DEMO_PIN, buildings=("1", "2", "3"))
        for name, pin in DEMO_VOLUNTEERS:
            gate.operators().add(name, "volunteer", pin)

        cards = directory / "cards"
        cards.mkdir(parents=True, exist_ok=True)
        for issued in [*life[:5], reissued, *life[6:], *work, *special]:
            write_qr_png(issued.payload, cards / f"{issued.card.serial}.png")
        shown = [life[0], work[0], lost, special[0], life[1], reissued, life[2]]
        write_frames([(i.payload, i.card.kind.value, i.card.serial, i.household.flat) for i in shown],
                     directory / "frames")
    finally:
        gate.close()
    return Demo(directory, directory / "demo.db", cards, directory / "frames", lead, DEMO_PIN)
