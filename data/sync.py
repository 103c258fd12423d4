"""Sync with the community office: events go up, the roster and other gates' events come down.

One `sync_once` is: push this gate's events the target has not acknowledged, in batches,
each batch one office transaction (a UUID the office has is skipped), then the local
acknowledgement; pull the roster changes after the gate's cursor in one local transaction;
pull the other gates' events after the events cursor; look for quota breaches that only
the merged log shows. A push cut off anywhere is resent from the last acknowledgement:
nothing lost, nothing twice. Offline is normal: the error is recorded for the status bar,
the outbox is left as it was, and the next sync carries on.

It is Qt-free and opens its own connections when given a path, so the GUI runs it on a
worker thread (see docs/sync.md).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from data.device_key import create_device_key, public_text
from data.keyfile import device_key_path, key_path, read_private_key, write_private_key
from data.office import (
    EVENT_COLUMNS,
    OfficeDB,
    OfficeStore,
    SyncError,
    mask_url,
    open_office,
    sqlite_path,
    target_name,
    utc_now_text,
)
from data.secretfiles import (
    has_password,
    passfile_path,
    split_password,
    write_office_pepper,
    write_passfile,
)
from data.store import SqliteStore, parse_utc
from data.store_sync import RosterConflict
from kiosk import codec, messages
from kiosk.chain import GENESIS, event_hash, event_hash_values, signature_valid
from kiosk.clock import Clock, SystemClock
from kiosk.office import CardOffice, RosterError
from kiosk.policy import Policy
from kiosk.serial import new_community_id

log = logging.getLogger("sync")

BATCH = 5000  # events per office transaction: big enough to be fast, small enough to resend
LOCAL_ONLY_SETTINGS = ("sync.url", "sync.interval_s")  # a gate's own, never copied between sites

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class SyncCancelled(SyncError):
    """Stopped between two batches on request: everything acknowledged so far stays."""

    def __init__(self) -> None:
        super().__init__("sync_cancelled")


@dataclasses.dataclass
class SyncReport:
    """What one sync did, for the CLI's output and the GUI's log line."""

    target: str
    pushed: int = 0          # events the office did not have
    already_there: int = 0   # resent after a cut-off push: the office kept its copy
    roster_changes: int = 0  # households, cards and keys that came down
    pulled_events: int = 0   # other gates' events that came down
    issues: list[dict] = dataclasses.field(default_factory=list)  # gaps, chain breaks at the office
    breaches: list[str] = dataclasses.field(default_factory=list)  # event ids over the quota
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class SyncSummary:
    """The status bar's sync state. Offline for days is normal: `last_error` is calm words."""

    target: str | None          # None: no office configured (setting sync.url)
    last_success: dt.datetime | None
    waiting: int                # this gate's events the target has not acknowledged
    last_error: str | None      # plain words in the gate's language, None after a success


# -- the office side: init, key, sessions ------------------------------------------------

def office_key_path(url: str, given: str | Path | None = None) -> Path:
    """Where the office's signing key lives: --key, else beside a SQLite office file."""
    if given:
        return Path(given)
    path = sqlite_path(url)
    if path is None:
        raise SyncError("office_key_needed", target=target_name(url))
    return key_path(path)


def init_office(url: str, name: str, timezone: str = "Asia/Shanghai",
                start_date: dt.date | None = None, key_file: str | Path | None = None,
                clock: Clock | None = None) -> dict[str, str]:
    """A new office database and its signing key. SyncError('office_exists') rather than overwrite."""
    clock = clock or SystemClock()
    key = office_key_path(url, key_file)
    if key.exists():
        raise SyncError("office_exists", key)
    office = open_office(url, create=True)
    try:
        if office.community() is not None:
            raise SyncError("office_exists", target=office.name)
        signing_key = codec.new_signing_key()
        write_private_key(key, signing_key)
        now = clock.now()
        start = start_date or now.astimezone(Policy({"timezone": timezone}).timezone).date()
        public = signing_key.public_key()
        community_id = new_community_id()
        try:
            with office.transaction():
                office.found(community_id, name, {codec.key_id(public): codec.public_key_text(public)},
                             {"timezone": timezone, "quota.start_date": start.isoformat()}, now)
        except BaseException:
            key.unlink()  # no office, no key: a second try starts clean
            raise
        return {"office": office.name, "community": community_id, "name": name, "key": str(key)}
    finally:
        office.close()


class OfficeSession:
    """The office database where the CLI's household and card commands expect a gate.

    It has what those commands use, as kiosk.app.Gate has them: `store`, `clock`,
    `policy()`, `office()`, `import_households()` and `close()`.
    """

    def __init__(self, url: str, key_file: str | Path | None = None, clock: Clock | None = None,
                 lang: str = "zh"):
        self.url = url
        self.key_file = key_file
        self.clock = clock or SystemClock()
        self.lang = lang
        self.store = OfficeStore(open_office(url))

    def policy(self) -> Policy:
        return Policy(self.store.settings())

    def import_households(self, households: list) -> None:
        """The office's own store adds them, all or none, an id drawn again on a clash
        (docs/sync.md): a roster update of additions only."""
        from kiosk.roster_plan import RosterPlan

        self.apply_roster_plan(RosterPlan(households, [], [], [], 0))

    def apply_roster_plan(self, plan: Any) -> int:
        """A roster update, all or nothing, as one roster version (kiosk.roster_plan)."""
        from kiosk.serial import new_household_id

        return self.store.apply_roster_plan(plan, self.clock.now(), new_household_id)

    def office(self) -> CardOffice:
        path = office_key_path(self.url, self.key_file)
        key = read_private_key(path)
        if key is None:
            raise RosterError("no_signing_key", path=path)
        return CardOffice(self.store, self.clock, key)

    def close(self) -> None:
        self.store.close()


# -- the gate side ------------------------------------------------------------------------

def configured_url(store: SqliteStore) -> str:
    """The setting sync.url, never with a password.

    A gate enrolled before the password moved out of the settings still has it in the URL:
    the first read moves it to the owner-only password file beside the database.
    """
    url = store.settings().get("sync.url", "").strip()
    bare, password = split_password(url)
    if password is not None:
        write_passfile(store.path, bare, password)
        store.set_setting("sync.url", bare)
        log.info("the office password of %s moved out of the settings into %s", mask_url(url),
                 passfile_path(store.path))
    return bare


def connect_url(store: SqliteStore, url: str) -> str:
    """The URL to connect with: a PostgreSQL URL without a password gets the gate's password
    file as libpq's `passfile` parameter (libpq uses the file's line for that host, port,
    database and user). `mask_url` hides the parameter again wherever the URL is shown."""
    if not url.startswith(("postgresql://", "postgres://")) or split_password(url)[1] is not None:
        return url
    if not has_password(store.path):
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}passfile={urllib.parse.quote(str(passfile_path(store.path)), safe='/')}"


def enroll(path: str | Path, url: str, name: str = "", clock: Clock | None = None,
           progress: Progress | None = None) -> SyncReport:
    """A new gate database from the office: community, public keys, settings, roster; no private key.

    FileExistsError rather than overwrite. The gate's sync.url is set to `url` without its
    password; a PostgreSQL password goes to the owner-only file beside the database
    (data/secretfiles.py), and the first sync already connects through that file.
    """
    path = Path(path)
    clock = clock or SystemClock()
    if path.exists() or device_key_path(path).exists():
        raise FileExistsError(str(path))
    office = open_office(url)
    try:
        community = office.community()
        if community is None:
            raise SyncError("sync_no_office", target=office.name)
        keys = office.public_keys()
        settings = {k: v for k, v in office.settings().items() if k not in LOCAL_ONLY_SETTINGS}
    finally:
        office.close()
    first_key = next(iter(keys.items()))
    bare, password = split_password(url)
    store = SqliteStore(path, create=True)
    try:
        now = clock.now()
        if password is not None:
            write_passfile(path, bare, password)
        store.initialise(community.name, community.id, *first_key,
                         {**settings, "sync.url": bare}, now)
        device_key = create_device_key(store, now)  # the office learns its public key now
        office = open_office(url)
        try:
            with office.transaction():
                office.register_device(store.community().device_id, name, now, public_text(device_key))
        finally:
            office.close()
        store.name_devices({store.community().device_id: name})  # this gate's own name
        return sync_once(store, None, clock, progress)
    except BaseException:
        store.close()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), device_key_path(path),
                         passfile_path(path)):
            leftover.unlink(missing_ok=True)
        raise
    finally:
        store.close()


def sync_once(gate_or_path: Any, url: str | None = None, clock: Clock | None = None,
              progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
              batch_size: int = BATCH) -> SyncReport:
    """Push, pull, check: one full sync with one target. SyncError when it could not finish.

    `gate_or_path` is a Gate, a SqliteStore, or the gate database's path (then this call
    opens and closes its own connection: what a worker thread needs). `url` defaults to
    the gate's setting sync.url. The failure is recorded for `summary` before it is raised.
    """
    clock = clock or SystemClock()
    store, owned = _open_store(gate_or_path)
    try:
        url = (url or configured_url(store)).strip()
        if not url:
            raise SyncError("sync_no_target")
        name = target_name(url)
        started = time.perf_counter()
        report = SyncReport(name)
        try:
            _sync(store, connect_url(store, url), report, clock, progress or _no_progress,
                  cancelled or (lambda: False), batch_size)
        except SyncCancelled:
            raise
        except SyncError as failure:
            failure.target = failure.target or name
            if failure.key not in ("sync_bad_url", "sync_no_target"):
                _record_failure(store, name, failure, clock.now())
            log.info("sync with %s failed: %s", name, failure)  # offline is normal
            raise
        report.seconds = round(time.perf_counter() - started, 3)
        log.info("sync with %s: %d pushed, %d already there, %d roster changes, %d events pulled,"
                 " %d issues, %d breaches in %.1f s", name, report.pushed, report.already_there,
                 report.roster_changes, report.pulled_events, len(report.issues),
                 len(report.breaches), report.seconds)
        return report
    finally:
        if owned:
            store.close()


def summary(store: SqliteStore, lang: str = "zh") -> SyncSummary:
    """Last success, events waiting and the last error in plain words, for the status bar."""
    url = configured_url(store)
    if not url:
        return SyncSummary(None, None, store.unsynced_for(""), None)
    name = target_name(url)
    state = store.sync_target(name)
    success = parse_utc(state["last_success_utc"]) if state["last_success_utc"] else None
    error = None
    if state["last_error"]:
        failure = json.loads(state["last_error"])
        error = messages.cli_message(failure["key"], lang, target=name, detail=failure["detail"])
    return SyncSummary(name, success, store.unsynced_for(name), error)


def _no_progress(stage: str, done: int, total: int) -> None:
    """No one is watching (a test, the GUI's background timer)."""


def _open_store(gate_or_path: Any) -> tuple[SqliteStore, bool]:
    if isinstance(gate_or_path, SqliteStore):
        return gate_or_path, False
    if hasattr(gate_or_path, "store"):
        return gate_or_path.store, False
    return SqliteStore(gate_or_path), True


def _sync(store: SqliteStore, url: str, report: SyncReport, clock: Clock, progress: Progress,
          cancelled: Callable[[], bool], batch_size: int) -> None:
    office = open_office(url, create=True)
    try:
        now = clock.now()
        with office.transaction():
            community = office.community()
            if community is None:  # a new office file: this gate's community founds it
                _seed_office(office, store, now)
                community = office.community()
                assert community is not None, "the office was seeded just now"
        if community.id != store.community().id:
            raise SyncError("sync_other_community", target=office.name)
        name = report.target
        _start_outbox(store, name, office.office_id())
        _push(store, office, report, clock, progress, cancelled, batch_size)
        _pull_roster(store, office, report)
        households = _pull_events(store, office, report, progress, cancelled, batch_size)
        # From the earliest exit that came down (with the windows reaching back before it):
        # the exits before it were checked when they were recorded or pulled, and each
        # household's whole history made this check grow with the log (issue 14).
        since = min((parse_utc(at) for at in households.values()), default=None)
        report.breaches = store.record_quota_breaches(set(households), since=since)
        store.record_sync_success(name, clock.now())
    finally:
        office.close()


def _seed_office(office: OfficeDB, store: SqliteStore, now: dt.datetime) -> None:
    """An empty target becomes this community's office, with the gate's roster as its start."""
    community = store.community()
    settings = {k: v for k, v in store.settings().items() if k not in LOCAL_ONLY_SETTINGS}
    office.found(community.id, community.name, store.public_keys(), settings, now)
    households, cards = store.roster_rows()
    version = office.bump_roster()
    office.upsert_households(households, version)
    office.upsert_cards(cards, version)
    log.info("office %s founded from this gate's roster", office.name)


def _start_outbox(store: SqliteStore, name: str, office_id: str) -> None:
    """The target's outbox row; a different office at the same address starts from zero."""
    if store.start_outbox(name, office_id):
        log.warning("%s is another office than last time: sending everything again", name)


def _record_failure(store: SqliteStore, name: str, failure: SyncError, now: dt.datetime) -> None:
    """Only the error and the attempt's time: the outbox's acknowledgements stay as they were."""
    store.record_sync_failure(name, failure.key, failure.detail, now)


# -- push ---------------------------------------------------------------------------------

_SEQ, _ID = EVENT_COLUMNS.index("device_seq"), EVENT_COLUMNS.index("id")
_PREV, _HASH = EVENT_COLUMNS.index("prev_hash"), EVENT_COLUMNS.index("chain_hash")
_SIG = EVENT_COLUMNS.index("signature")


def _push(store: SqliteStore, office: OfficeDB, report: SyncReport, clock: Clock,
          progress: Progress, cancelled: Callable[[], bool], batch_size: int) -> None:
    """This gate's unacknowledged events, oldest first, one office transaction per batch."""
    name, device = report.target, store.community().device_id
    acked = store.sync_target(name)["acked_seq"]
    total, done = store.unsynced_for(name), 0
    offered = store.own_device_key()
    while True:
        rows = store.own_events_after(acked, batch_size)
        if not rows:
            break
        values: list[Sequence[Any]] = [r[1:] for r in rows]
        stamp = utc_now_text(clock.now())
        with office.transaction():
            office.lock_events()
            # the office keeps only what the device key signed; the events before
            # the first forged one go in, the forged one and those after it do not.
            # Each event's hash from its fields, once per batch: the signature shortcut
            # and the chain check both read it (it was computed twice).
            content_ok = [event_hash_values(v[_PREV], v) == v[_HASH] for v in values]
            forged = _first_forged(office, device, offered, values, content_ok)
            good = values[:forged] if forged is not None else values
            issues = _check_chain(office, device, good, stamp, content_ok) if good else []
            inserted = office.insert_events(good, stamp) if good else 0
            if forged is not None:
                issues.append(_record_forged(office, device, values[forged], stamp))
        # Acknowledged only after the office committed: a cut between the two resends the
        # batch, and the office skips the UUIDs it has.
        if good:
            acked = rows[len(good) - 1][0]
            store.ack_target(name, acked)
        report.pushed += inserted
        report.already_there += len(good) - inserted
        report.issues += issues
        if forged is not None:
            raise SyncError("sync_forged_event", values[forged][_SEQ], target=name)
        done += len(values)
        progress("push", done, total)
        if cancelled():
            raise SyncCancelled
    _push_reports(store, office, name, clock, batch_size)


def _push_reports(store: SqliteStore, office: OfficeDB, name: str, clock: Clock,
                  batch_size: int) -> None:
    """The gate's own reports (issue 17) after its events, in the same push:
    acknowledged per target after the office committed; a re-push skips known ids."""
    while rows := store.own_reports_after(name, batch_size):
        with office.transaction():
            office.insert_reports([r[1:] for r in rows], utc_now_text(clock.now()))
        store.ack_reports(name, rows[-1][0])


def _office_device_key(office: OfficeDB, device: str, offered: Any) -> tuple[Any, int]:
    """The device's public key at the office and the first device_seq it signs.

    The office learns a key at enrolment; a gate that had none then (founded by `kiosk
    init`, or older than the device key) has it learnt at its first push: trust on first
    use (docs/sync.md). A key once learnt is never replaced: a gate offering another one
    is refused.
    """
    row = office.device_key(device)
    if row is None:
        office.add_device(device)
        row = {"public_key": None, "signed_from_seq": 1}
    known, since = row["public_key"], int(row["signed_from_seq"])
    if known is None and offered is not None and offered[0]:
        known, since = offered[0], int(offered[1])
        office.learn_device_key(device, known, since)
        log.warning("office %s learnt the device key of %s (trust on first use)", office.name, device)
    elif known is not None and offered is not None and offered[0] and offered[0] != known:
        raise SyncError("sync_device_key_changed", device, target=office.name)
    return (codec.public_key_from_text(known) if known else None), since


def _first_forged(office: OfficeDB, device: str, offered: Any, values: list[Sequence[Any]],
                  content_ok: list[bool]) -> int | None:
    """The index of the first event in the batch that the device's key did not sign."""
    public, since = _office_device_key(office, device, offered)
    if _linked(values, content_ok) and signature_valid(public, values[-1][_HASH], values[-1][_SIG]):
        # The newest event's signature covers its chain hash, which covers every event
        # before it in the batch: one check instead of 5000 (each costs about 110 us).
        return None
    for index, v in enumerate(values):
        if v[_SIG] is None and v[_SEQ] < since:
            continue  # recorded before the device had a key
        if not signature_valid(public, v[_HASH], v[_SIG]):
            return index
    return None


def _linked(values: list[Sequence[Any]], content_ok: list[bool]) -> bool:
    """Every event's fields give its chain hash and it follows the one before it."""
    if not all(content_ok):
        return False
    for index, v in enumerate(values):
        if index and (v[_PREV] != values[index - 1][_HASH] or v[_SEQ] != values[index - 1][_SEQ] + 1):
            return False
    return True


def _record_forged(office: OfficeDB, device: str, v: Sequence[Any], stamp: str) -> dict:
    issue = {"device_id": device, "kind": "forged", "first_seq": v[_SEQ], "last_seq": v[_SEQ],
             "detail": v[_ID]}
    office.record_forged(device, v[_SEQ], v[_ID], stamp)  # once per event, however often resent
    log.warning("device %s: event %s (%s) refused, its signature does not verify", device, v[_SEQ], v[_ID])
    return issue


def _check_chain(office: OfficeDB, device: str, values: list[Sequence[Any]], stamp: str,
                 content_ok: list[bool]) -> list[dict]:
    """The office's check of one device's batch: gaps, broken hashes, reused numbers.

    `content_ok[i]`: whether values[i]'s fields give its chain hash. Records what it finds
    in device_issues (same transaction) and returns it.
    """
    head = office.device_head(device)
    if head is None:
        office.add_device(device)
        head_seq, head_hash = 0, GENESIS
    else:
        head_seq, head_hash = int(head["head_seq"]), head["head_hash"]
    issues: list[dict] = []

    def issue(kind: str, first: int, last: int, detail: str = "") -> None:
        issues.append({"device_id": device, "kind": kind, "first_seq": first, "last_seq": last,
                       "detail": detail})

    resent = [v for v in values if v[_SEQ] <= head_seq]
    if resent:
        known = office.event_ids_between(device, resent[0][_SEQ], resent[-1][_SEQ])
        for v in resent:
            if v[_ID] not in known:  # the number is taken by another event: a restored backup?
                issue("seq_reused", v[_SEQ], v[_SEQ], json.dumps(dict(zip(EVENT_COLUMNS, v, strict=True)),
                                                                  ensure_ascii=False))
    for v, whole in zip(values, content_ok, strict=False):  # values may stop at a forged event
        seq = v[_SEQ]
        if seq <= head_seq:
            continue
        if seq != head_seq + 1:
            issue("gap", head_seq + 1, seq - 1)
        elif v[_PREV] != head_hash:
            issue("chain_break", seq, seq, "prev_hash")
        if not whole:
            issue("chain_break", seq, seq, "content")
        head_seq, head_hash = seq, v[_HASH]
    office.move_head(device, head_seq, head_hash, stamp)
    if issues:
        office.record_issues(issues, stamp)
        for i in issues:
            log.warning("device %s: %s at %s-%s", device, i["kind"], i["first_seq"], i["last_seq"])
    return issues


# -- pull ---------------------------------------------------------------------------------

def _pull_roster(store: SqliteStore, office: OfficeDB, report: SyncReport) -> None:
    """Roster rows changed since the cursor, from one office snapshot, in one local transaction."""
    cursor = store.sync_target(report.target)["roster_cursor"]
    with office.transaction(snapshot=True):
        version = office.roster_version()
        pepper = office.meta("operator_pepper")
        if version == cursor:
            _keep_office_pepper(store, pepper)
            return
        keys, households, cards = office.roster_changes_after(cursor)
        operators = office.operators_after(cursor)
    _keep_office_pepper(store, pepper)  # before the hashes it checks
    try:
        store.apply_roster(report.target, version, keys, households, cards, operators)
    except RosterConflict as clash:  # a flat this gate registered itself under another id
        raise SyncError("sync_roster_conflict", clash) from None
    report.roster_changes += len(keys) + len(households) + len(cards) + len(operators)


def _keep_office_pepper(store: SqliteStore, pepper: str | None) -> None:
    """The office operators' pepper, in its file beside the gate's database (written again
    if a restore left it behind); never in the database or its backups."""
    if pepper is not None:
        try:
            write_office_pepper(store.path, bytes.fromhex(pepper))
        except OSError as failure:
            raise SyncError("sync_failed", f"office pepper: {failure}") from failure


def _pull_events(store: SqliteStore, office: OfficeDB, report: SyncReport, progress: Progress,
                 cancelled: Callable[[], bool], batch_size: int) -> dict[str, str]:
    """Other gates' events after the cursor, up to the office's newest event now; returns
    the households whose life exits came down, each with its earliest such exit's at_utc.

    The cursor then moves to that newest event, past this gate's own: left at the last
    event another gate recorded, every later sync walked (and counted) this gate's own
    events after it again, the whole log at an office no other gate pushes to."""
    device = store.community().device_id
    cursor = store.sync_target(report.target)["events_cursor"]
    newest = office.newest_event_seq()
    total = office.count_events_after(cursor, device, newest)
    households: dict[str, str] = {}
    keys = _pull_device_keys(store, office, report) if total else {}
    while total:
        rows = office.events_after(cursor, device, batch_size, newest)
        if not rows:
            break
        cursor = rows[-1]["office_seq"]
        rows = _authentic(rows, keys, report)  # a forged event never comes in
        for household, at in store.apply_pulled_events(report.target, cursor, rows).items():
            households[household] = min(households.get(household, at), at)
        report.pulled_events += len(rows)
        progress("pull", report.pulled_events, total)
        if cancelled():
            raise SyncCancelled
    if cursor < newest:
        store.move_events_cursor(report.target, newest)
    return households


def _pull_device_keys(store: SqliteStore, office: OfficeDB, report: SyncReport) -> dict:
    """The other gates' public keys the office hands out, pinned here once learnt."""
    own = store.community().device_id
    devices = office.device_keys_except(own)
    names = {d["device_id"]: d["name"] for d in devices}
    own_name = office.device_name(own)  # this gate's own, where the office names it
    if own_name:
        names[own] = own_name
    return store.pin_device_keys([(d["device_id"], d["public_key"], int(d["signed_from_seq"]))
                                  for d in devices], names)


def _authentic(rows: list[dict], keys: dict, report: SyncReport) -> list[dict]:
    """The pulled events whose hash matches their fields and whose device key signed them
    (or that were recorded before their device had a key); the others are reported."""
    kept = []
    for r in rows:
        public, since = keys.get(r["device_id"], (None, None))
        legacy = since is not None and r["signature"] is None and r["device_seq"] < since
        if event_hash(r["prev_hash"], r) == r["chain_hash"] and (
                legacy or signature_valid(public, r["chain_hash"], r["signature"])):
            kept.append(r)
            continue
        report.issues.append({"device_id": r["device_id"], "kind": "forged", "first_seq": r["device_seq"],
                              "last_seq": r["device_seq"], "detail": r["id"]})
        log.warning("refused event %s of device %s from the office: not signed by its device key",
                    r["id"], r["device_id"])
    return kept
