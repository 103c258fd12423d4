"""`kiosk`: the command line of DESIGN.md section 5, a thin layer over the services.

Exit codes are a contract: 0 allow (or success), 1 deny or retest, 2 bad usage or bad
input (a clear message on stderr, nothing written), 3 the database or the disk failed.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from data.office import SyncError
from data.roster import RosterFileError, household_from_cells, parse_roster
from data.store import Conflict, NotInitialised, is_storage_failure, storage_errors
from kiosk import messages, policy
from kiosk.app import Gate, StartupFailed, default_db_path, init_community, open_gate, open_office_session
from kiosk.errors import ENVIRONMENT, BadInput, EnvironmentFailure, GatepostError
from kiosk.model import CardKind, CardStatus, Decision
from kiosk.ports import RosterSession
from kiosk.serial import normalize_household_id, normalize_serial

if TYPE_CHECKING:  # the office's, the exports' and the chain's code load when a command needs them
    from data.office import OfficeStore
    from data.sync import SyncReport
    from data.verify import ChainProblem, ChainReport
    from kiosk.office import IssuedCard
    from kiosk.operators import Operator
    from kiosk.roster_plan import RosterPlan
    from kiosk.startup import Finding

Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
# build_parser's `command(name, help_text, parent=commands)`: one subcommand's parser.
AddCommand: TypeAlias = Callable[..., argparse.ArgumentParser]
# What `main` hands a command: its gate, the office's database (--office) or nothing.
Opened: TypeAlias = "Gate | RosterSession | None"

EXIT_OK, EXIT_DENY, EXIT_BAD_INPUT, EXIT_STORAGE = 0, 1, 2, 3


class _Worded:
    """An error of the CLI's own whose text is already in the user's language."""

    def __init__(self, text: str):
        super().__init__("")  # type: ignore[call-arg]  # (the GatepostError kind mixed in after)
        self.args = (text,)

    def message(self, lang: str) -> str:
        return str(self)


class UsageError(_Worded, BadInput):
    """Bad input found by the CLI itself (exit 2)."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: use the form 2026-02-12") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk", description="Gatepost: the gate checkpoint kiosk (门岗出入登记).")
    parser.add_argument("--db", type=Path, help="the database (default: $KIOSK_DB, else "
                        "gate.db in the user's data directory)")
    parser.add_argument("--lang", choices=messages.LANGS, default="zh",
                        help="language of messages (default zh)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, parent: Subcommands = commands) -> argparse.ArgumentParser:
        return parent.add_parser(name, help=help_text, description=help_text)

    p = command("init", "create a new community database and its signing key")
    p.add_argument("--community", required=True, help="the community's name")
    p.add_argument("--timezone", default="Asia/Shanghai", help="IANA time zone (default Asia/Shanghai)")
    p.add_argument("--start-date", type=_date, help="first day of the quota windows (default today)")
    p.set_defaults(run=cmd_init)

    household = command("household", "register households").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = command("add", "register one household and print its id", household)
    p.add_argument("--building", required=True)
    p.add_argument("--unit", required=True)
    p.add_argument("--room", required=True)
    p.add_argument("--head", default="", help="the head of household's name")
    p.add_argument("--phone", default="")
    p.add_argument("--members", default="1", help="people in the household (1-30)")
    p.set_defaults(run=cmd_household_add)
    _office_target(p)

    roster = command("roster", "import the household roster").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = command("import", "import households from CSV or XLSX: all rows or none. An updated "
                "roster (changed, moved or removed households) is shown first and applied with "
                "--apply", roster)
    p.add_argument("file", type=Path)
    p.add_argument("--apply", action="store_true", help="apply an update that changes, moves or "
                   "removes households (their cards revoked), after its preview")
    p.add_argument("--dry-run", action="store_true", help="only show what the file would change")
    p.add_argument("--json", action="store_true", help="print the counts as JSON")
    p.set_defaults(run=cmd_roster_import)
    _office_target(p)

    card = command("card", "issue, revoke and re-issue pass cards").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = command("issue", "issue a card and print its JSON (serial, payload, ...)", card)
    p.add_argument("--household", required=True, help="the household id (from household add)")
    p.add_argument("--kind", required=True, choices=[k.value for k in CardKind])
    p.add_argument("--holder", default="", help="the holder's name (only its initial is shown)")
    p.add_argument("--valid-from", type=_date)
    p.add_argument("--valid-to", type=_date)
    p.add_argument("--qr-out", type=Path, metavar="FILE", help="also write the QR code as a PNG")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists (never the "
                   "database, a key or a backup)")
    p.set_defaults(run=cmd_card_issue)
    _office_target(p)
    p = command("revoke", "revoke a card: it is refused at the gate from now on", card)
    p.add_argument("serial")
    p.set_defaults(run=cmd_card_revoke)
    _office_target(p)
    p = command("reissue", "replace a lost card: a new card (new printed serial, next "
                "generation) for the same holder; the lost one is refused from now on", card)
    p.add_argument("serial")
    p.add_argument("--qr-out", type=Path, metavar="FILE", help="also write the QR code as a PNG")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists (never the "
                   "database, a key or a backup)")
    p.set_defaults(run=cmd_card_reissue)
    _office_target(p)

    p = command("scan", "decide one scan, record it, print the verdict JSON")
    p.add_argument("payload", help="the QR text, or the serial typed from the card")
    p.add_argument("--direction", required=True, help="in or out")
    p.add_argument("--temp", help="temperature in °C, e.g. 36.5")
    p.add_argument("--reason", help="reason for a special card's exit: medical, funeral, "
                   "volunteer, other")
    p.add_argument("--at", help="the time of the scan, ISO-8601 (default now)")
    p.add_argument("--operator", default="", help="the volunteer on duty")
    p.add_argument("--mask", help="mask check: yes, no or exempt (needed when mask.check is on)")
    p.set_defaults(run=cmd_scan)

    p = command("decode", "decode QR codes in image files: one JSON line per image")
    p.add_argument("images", nargs="+", type=Path)
    p.set_defaults(run=cmd_decode, needs_db=False)

    p = command("status", "today's numbers: scans, out now, exits, fevers, unsynced, outsiders refused")
    p.add_argument("--date", type=_date)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_status)

    policy_cmd = command("policy", "show or change the gate rules' settings").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = command("show", "list every setting with its value and meaning", policy_cmd)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_policy_show)
    p = command("set", "change one setting", policy_cmd)
    p.add_argument("key")
    p.add_argument("value")
    p.set_defaults(run=cmd_policy_set)
    _add_office_commands(command, commands)
    _add_sync_commands(command, commands)
    _add_reliability_commands(command, commands)
    return parser


def _add_office_commands(command: AddCommand, commands: Subcommands) -> None:
    """Operators, exports, card sheets and the purge (issue 5; docs/leads-and-office.md)."""
    operator = command("operator", "gate volunteers, building leads and admins").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = command("add", "add an operator; the PIN is read from standard input", operator)
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=["volunteer", "lead", "admin"])
    p.add_argument("--building", action="append", default=[],
                   help="a building the lead is responsible for (repeat for several)")
    p.add_argument("--pin-stdin", action="store_true",
                   help="read the PIN from standard input, never from the command line (a volunteer: "
                   "4-8 digits; a lead or admin: 6-8)")
    p.set_defaults(run=cmd_operator_add)
    p = command("set-pin", "give an operator a new PIN, read from standard input", operator)
    p.add_argument("--name", required=True)
    p.add_argument("--pin-stdin", action="store_true", help="read the new PIN from standard input")
    p.set_defaults(run=cmd_operator_set_pin)
    p = command("deactivate", "stop an operator's PIN from working (the audit log keeps the name)",
                operator)
    p.add_argument("--name", required=True)
    p.set_defaults(run=cmd_operator_deactivate)
    p = command("list", "list operators: name, role, buildings, active", operator)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_operator_list)

    p = command("export", "the daily log of a day (or of --date..--to) as CSV, XLSX or PDF")
    _export_options(p, "names and the log")
    p.add_argument("--pin-stdin", action="store_true", help="export as the operator whose PIN is "
                   "on standard input (a lead: their buildings only, no phone numbers)")
    p.set_defaults(run=cmd_export)

    cards = command("cards", "printable card sheets").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = command("print", "A4 sheets of credit-card-size cards with crop marks, as PDF", cards)
    p.add_argument("--building", help="only this building's cards")
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="the PDF to write, owner-only")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists (never the "
                   "database, a key or a backup)")
    p.set_defaults(run=cmd_cards_print)

    p = command("purge", "delete synced events older than a date (the retention purge)")
    p.add_argument("--before", type=_date, required=True, help="delete events of local dates before this")
    p.add_argument("--force", action="store_true", help="delete unsynced events too")
    p.set_defaults(run=cmd_purge)

    p = command("gui", "the gate screen (PySide6): camera, hand scanner and typed card numbers")
    p.add_argument("--camera", default="0", metavar="INDEX|FILE",
                   help="camera index, video file or image folder (default 0; 'none': no camera)")
    p.add_argument("--fullscreen", action="store_true",
                   help="kiosk mode: leaving full screen or closing needs a lead's PIN")
    p.set_defaults(run=cmd_gui, needs_db=False)
    p = command("demo", "a demo community with its cards, then the gate screen fed by a simulated camera")
    p.add_argument("--dir", type=Path, help="keep the demo here (a new folder; default: a temporary "
                   "folder, removed on exit)")
    p.add_argument("--fullscreen", action="store_true")
    p.set_defaults(run=cmd_demo, needs_db=False)


# -- the commands ---------------------------------------------------------------------

def cmd_init(args: argparse.Namespace, _gate: object) -> int:
    path = args.db or default_db_path()
    try:
        timezone = policy.canonical("timezone", args.timezone)
    except policy.SettingError as refused:
        raise UsageError(messages.cli_message("bad_setting", args.lang, error=refused)) from None
    try:
        gate = init_community(path, args.community, timezone, args.start_date, lang=args.lang)
    except FileExistsError:
        raise UsageError(messages.cli_message("exists", args.lang, path=path)) from None
    community = gate.store.community()
    print(json.dumps({"db": str(path), "community": community.id, "name": community.name,
                      "device": community.device_id}, ensure_ascii=False))
    gate.close()
    return EXIT_OK


def cmd_household_add(args: argparse.Namespace, gate: RosterSession) -> int:
    cells = {"building": args.building.strip(), "unit": args.unit.strip(),
             "room": args.room.strip(), "head": args.head.strip(), "phone": args.phone.strip(),
             "members": str(args.members).strip()}
    household, errors = household_from_cells(0, cells)
    if errors:
        raise UsageError("\n".join(
            messages.roster_message(e.key, args.lang, value=e.value) for e in errors))
    assert household is not None, "cells without errors make a household"
    try:
        gate.store.add_households([household], gate.clock.now())
    except Conflict:
        raise UsageError(messages.cli_message("duplicate_flat", args.lang,
                                              flat=household.flat)) from None
    print(household.id)
    return EXIT_OK


def cmd_roster_import(args: argparse.Namespace, gate: RosterSession) -> int:
    """A first roster is imported as before; an update is planned (kiosk.roster_plan),
    shown, and applied only with --apply when it changes, moves or removes households."""
    from data.outputs import refuse_guarded_input
    from kiosk.roster_plan import plan_roster

    refuse_guarded_input(args.file, _guarded(args))  # reading it would drop SQLite's locks
    try:
        households, errors = parse_roster(args.file, set())
    except RosterFileError as refused:
        raise UsageError(messages.roster_message(refused.key, args.lang, value=refused.value)) from None
    except OSError as failure:
        raise UsageError(messages.cli_message("cannot_read", args.lang, path=args.file,
                                              error=failure.strerror or failure)) from None
    if errors:
        lines = [messages.cli_message("roster_errors", args.lang, count=len(errors))]
        lines += [messages.roster_message("line", args.lang, line=e.line,
                                          message=messages.roster_message(e.key, args.lang, value=e.value))
                  for e in errors]
        raise UsageError("\n".join(lines))
    plan = plan_roster(gate.store.households(include_left=True), households,
                       gate.store.left_household_ids())
    to_revoke = sum(1 for h in plan.removed for c in gate.store.cards(h.id)
                    if c.status is not CardStatus.REVOKED)
    applying = not args.dry_run and (plan.additions_only or args.apply) and not plan.empty
    counts = {**plan.counts(), "cards_revoked": to_revoke if applying else 0,
              "cards_to_revoke": to_revoke, "applied": applying}
    if not args.json and not plan.empty and not (plan.additions_only and applying):
        _print_plan(plan, to_revoke, args.lang)
    if applying:
        try:
            if plan.additions_only:
                gate.import_households(plan.added)  # a gate's or the office's own way (docs/sync.md)
            else:
                gate.apply_roster_plan(plan)
        except Conflict:
            raise UsageError(messages.roster_message("roster_conflict", args.lang)) from None
    if args.json:
        print(json.dumps(counts))
    elif plan.empty:
        print(messages.cli_message("roster_unchanged", args.lang, count=plan.unchanged))
    elif plan.additions_only and applying:
        print(messages.cli_message("roster_imported", args.lang, count=len(plan.added)))
    elif applying:
        print(messages.cli_message("roster_updated", args.lang, **counts))
    else:
        print(messages.cli_message("roster_preview_only", args.lang))
    return EXIT_OK


def _print_plan(plan: RosterPlan, to_revoke: int, lang: str) -> None:
    """The preview of a roster update: the counts, then one line a household."""
    print(messages.cli_message("roster_plan", lang, **plan.counts(), cards_to_revoke=to_revoke))
    for h in plan.added:
        print(messages.cli_message("roster_plan_added", lang, flat=h.flat, head=h.head))
    for old, new in plan.changed:
        print(messages.cli_message("roster_plan_changed", lang, flat=new.flat, head=new.head,
                                   was=f"{old.head} {old.phone} {old.members}".strip(),
                                   now=f"{new.head} {new.phone} {new.members}".strip()))
    for old, new in plan.moved:
        print(messages.cli_message("roster_plan_moved", lang, flat=old.flat, to=new.flat, head=new.head))
    for h in plan.removed:
        print(messages.cli_message("roster_plan_removed", lang, flat=h.flat, head=h.head))


# Card commands write their audit line in the change's own transaction (kiosk.office); on
# the office database (`--office`, an OfficeSession) there is no audit log to write.

def cmd_card_issue(args: argparse.Namespace, gate: RosterSession) -> int:
    _check_qr_out(args)
    household = normalize_household_id(args.household)
    if household is None:
        raise UsageError(messages.cli_message("unknown_household", args.lang, value=args.household))
    issued = gate.office().issue(household, CardKind(args.kind),
                                 args.holder, args.valid_from, args.valid_to, by=_os_user())
    _print_issued(issued, args)
    return EXIT_OK


def cmd_card_revoke(args: argparse.Namespace, gate: RosterSession) -> int:
    card = gate.office().revoke(_serial(args.serial, args.lang), by=_os_user())
    print(json.dumps({"serial": card.serial, "generation": card.generation,
                      "status": card.status.value}))
    return EXIT_OK


def cmd_card_reissue(args: argparse.Namespace, gate: RosterSession) -> int:
    """The new card's JSON, as `issue` prints it: its printed serial is not the lost one's."""
    _check_qr_out(args)
    issued = gate.office().reissue(_serial(args.serial, args.lang), by=_os_user())
    _print_issued(issued, args)
    return EXIT_OK


def _print_issued(issued: IssuedCard, args: argparse.Namespace) -> None:
    if args.qr_out is not None:
        from data.cardimage import write_qr_png  # only when asked: segno is not needed otherwise

        with _writing_errors(args.qr_out, args.lang):
            write_qr_png(issued.payload, args.qr_out, scale=8, databases=_guarded(args),
                         force=args.force)
    print(json.dumps(issued.to_json(), ensure_ascii=False))


def _check_qr_out(args: argparse.Namespace) -> None:
    """A refused --qr-out refuses the command before a card is issued (nothing written)."""
    if args.qr_out is not None:
        from data.outputs import check_output

        check_output(args.qr_out, _guarded(args), args.force)


def _guarded(args: argparse.Namespace) -> list[Path]:
    """The databases whose files no output may touch: this gate's, and an office file's
    (with its key) when --office names one."""
    databases = [args.db or default_db_path()]
    office = getattr(args, "office", None)
    if office:
        from data.office import sqlite_path
        from data.sync import office_key_path

        if sqlite_path(office) is not None:
            databases.append(sqlite_path(office))
        if sqlite_path(office) is not None or getattr(args, "key", None):  # a key: guarded too
            databases.append(office_key_path(office, getattr(args, "key", None)))
    return databases


class DiskFailed(_Worded, EnvironmentFailure):
    """The disk under an output failed (full): exit 3."""


@contextlib.contextmanager
def _writing_errors(path: Path, lang: str) -> Iterator[None]:
    """An output that cannot be written: exit 3 for a full disk, else exit 2 (a bad path)."""
    from data.outputs import disk_failed

    try:
        yield
    except OSError as failure:
        if disk_failed(failure):
            raise DiskFailed(messages.cli_message("disk_full", lang, path=path,
                                                  error=failure.strerror or failure)) from None
        raise UsageError(messages.cli_message("cannot_write", lang, path=path,
                                              error=failure.strerror or failure)) from None


def _serial(text: str, lang: str) -> str:
    serial = normalize_serial(text)
    if serial is None:
        raise UsageError(messages.cli_message("unknown_serial", lang, value=text))
    return serial


def cmd_scan(args: argparse.Namespace, gate: Gate) -> int:
    at = None
    if args.at:
        try:
            at = dt.datetime.fromisoformat(args.at.strip())
        except ValueError:
            raise UsageError(messages.cli_message("bad_time", args.lang, value=args.at)) from None
        if at.tzinfo is None:  # a local time at the gate
            at = at.replace(tzinfo=gate.policy().timezone)
    verdict = gate.scan(args.payload, args.direction.strip().lower(), args.temp,
                        args.reason, args.operator, at, args.mask, source="cli")
    print(json.dumps(verdict.to_json(args.lang), ensure_ascii=False))
    return EXIT_OK if verdict.decision is Decision.ALLOW else EXIT_DENY


def cmd_decode(args: argparse.Namespace, _gate: object) -> int:
    from scanners.decode import decode_files  # OpenCV loads only for this command

    for result in decode_files([str(p) for p in args.images]):
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return EXIT_OK


def cmd_status(args: argparse.Namespace, gate: Gate) -> int:
    counts = gate.status(args.date)
    if args.json:
        print(json.dumps(counts))
    else:
        width = max(map(len, counts))
        for key, value in counts.items():
            print(f"{key:<{width}}  {value}")
    return EXIT_OK


def cmd_policy_show(args: argparse.Namespace, gate: Gate) -> int:
    values = gate.policy().as_dict()
    if args.json:
        print(json.dumps(values, ensure_ascii=False))
        return EXIT_OK
    width = max(map(len, values))
    passfile = gate.sync_password_file()
    for setting in policy.SETTINGS:
        meaning = setting.help(args.lang)
        value = values[setting.key]
        if setting.key == "sync.url" and passfile is not None:  # that it is set, never what
            value += " " + messages.cli_message("sync_password_set", args.lang, path=passfile.name)
        print(f"{setting.key:<{width}}  {value:<16}  {meaning}")
    return EXIT_OK


def cmd_policy_set(args: argparse.Namespace, gate: Gate) -> int:
    try:
        value = policy.canonical(args.key, args.value)
    except policy.SettingError as refused:
        raise UsageError(messages.cli_message("bad_setting", args.lang, error=refused)) from None
    gate.change_settings({args.key: value}, _os_user())  # the setting and its audit line together
    print(f"{args.key} = {value}")
    return EXIT_OK


def _read_pin(args: argparse.Namespace) -> str:
    """The PIN from standard input: hidden at a terminal, one line from a pipe."""
    if not getattr(args, "pin_stdin", False):
        raise UsageError(messages.cli_message("no_pin", args.lang))
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("PIN: ")
    return sys.stdin.readline().strip()


def cmd_operator_add(args: argparse.Namespace, gate: Gate) -> int:
    operator = gate.operators().add(args.name, args.role, _read_pin(args), tuple(args.building),
                                    by=_os_user())
    print(messages.cli_message("operator_added", args.lang, name=operator.name,
                               role=operator.role.value))
    return EXIT_OK


def cmd_operator_set_pin(args: argparse.Namespace, gate: Gate) -> int:
    gate.operators().change_pin(args.name, _read_pin(args), by=_os_user())
    print(messages.cli_message("pin_changed", args.lang, name=args.name))
    return EXIT_OK


def cmd_operator_deactivate(args: argparse.Namespace, gate: Gate) -> int:
    gate.operators().deactivate(args.name, by=_os_user())
    print(messages.cli_message("operator_deactivated", args.lang, name=args.name))
    return EXIT_OK


def cmd_operator_list(args: argparse.Namespace, gate: Gate) -> int:
    return _print_operators(args, [{"name": s.operator.name, "role": s.operator.role.value,
                                    "buildings": list(s.operator.buildings), "active": s.active,
                                    "source": s.source} for s in gate.operators().operators()])


def _print_operators(args: argparse.Namespace, rows: list[dict[str, Any]]) -> int:
    """`operator list` on a gate and at the office: JSON, or a line each."""
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    elif not rows:
        print(messages.cli_message("no_operators", args.lang), file=sys.stderr)
    else:
        for row in rows:
            state = ("" if row["active"] else "  (inactive)") + (
                "  (office)" if row.get("source") == "office" else "")
            print(f"{row['name']}\t{row['role']}\t{','.join(row['buildings']) or '*'}{state}")
    return EXIT_OK


def _cli_operator(args: argparse.Namespace, gate: Gate) -> Operator:
    """Who exports: the operator of the PIN on stdin, else whoever holds the database file.

    The CLI runs on the office machine with the database's own file rights, so without a
    PIN it acts as an admin under the login name; the audit log says which.
    """
    from kiosk.operators import Operator, PinLocked, Role

    if not getattr(args, "pin_stdin", False):
        return Operator(_os_user(), Role.ADMIN)
    pin = _read_pin(args)
    zone = gate.policy().timezone  # the community's clock on the wall, not this machine's
    try:
        operator = gate.operators().authenticate(pin, "lead")
    except PinLocked as locked:
        shown = locked.until.astimezone(zone).strftime("%H:%M:%S")
        raise UsageError(messages.cli_message("pin_locked", args.lang, until=shown)) from None
    if operator is None:
        until = gate.pin_locked_until()
        if until is not None:  # this wrong PIN closed PIN entry for a while
            raise UsageError(messages.cli_message("wrong_pin_wait", args.lang,
                                                  until=until.strftime("%H:%M:%S")))
        raise UsageError(messages.cli_message("wrong_pin", args.lang))
    return operator


class _TerminalBar:
    """A progress bar on stderr, drawn only when stderr is a terminal.

    Called as `bar(done, total)` (exports) or `bar(stage, done, total)` (sync).
    """

    def __init__(self) -> None:
        self.shown = sys.stderr.isatty()

    def __call__(self, *progress: Any) -> None:
        *stage, done, total = progress
        if self.shown and total:
            filled = 30 * done // total
            label = f"{stage[0]:<4} " if stage else ""
            sys.stderr.write(f"\r{label}[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


def cmd_export(args: argparse.Namespace, gate: Gate) -> int:
    from data.export import ExportCancelled, FontMissing, export_log
    from data.outputs import check_output

    if args.to is not None and args.to < args.date:
        raise UsageError(messages.cli_message("bad_date", args.lang, value=args.to))
    operator = _cli_operator(args, gate)
    check_output(args.out, _guarded(args), args.force)  # before the PIN and the work
    bar = _TerminalBar()
    try:
        with _writing_errors(args.out, args.lang):
            result = export_log(gate.store, gate.clock, operator, args.format, args.out, args.date,
                                args.to, args.building, args.lang, progress=bar, force=args.force)
    except FontMissing:
        raise UsageError(messages.cli_message("no_font", args.lang)) from None
    except ExportCancelled:
        raise UsageError(messages.cli_message("cancelled", args.lang)) from None
    finally:
        bar.close()
    print(messages.cli_message("exported", args.lang, count=result.rows, path=result.path))
    return EXIT_OK


def cmd_cards_print(args: argparse.Namespace, gate: Gate) -> int:
    from data.cardsheet import print_cards
    from data.export import FontMissing

    try:
        with _writing_errors(args.out, args.lang):
            count, pages = print_cards(gate.store, gate.office(), gate.clock, args.out, args.building,
                                       args.lang, operator=_os_user(), force=args.force,
                                       guarded=tuple(_guarded(args)))
    except FontMissing:
        raise UsageError(messages.cli_message("no_font", args.lang)) from None
    if count == 0:
        raise UsageError(messages.cli_message("no_cards", args.lang))
    print(messages.cli_message("cards_printed", args.lang, count=count, pages=pages, path=args.out))
    return EXIT_OK


def cmd_purge(args: argparse.Namespace, gate: Gate) -> int:
    from data.retention import UnsyncedEvents, purge

    try:
        deleted = purge(gate.store, gate.clock, args.before, args.force, operator=_os_user())
    except UnsyncedEvents as refused:
        raise UsageError(messages.cli_message("purge_unsynced", args.lang, count=refused.count,
                                              date=args.before)) from None
    print(messages.cli_message("purged", args.lang, count=deleted, date=args.before))
    return EXIT_OK


def _os_user() -> str:
    """Who ran a CLI command, for the audit log: the CLI runs with the database file's rights."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in a bare container
        return "cli"


def _office_target(p: argparse.ArgumentParser) -> None:
    """Household and card commands can work on the office database instead (docs/sync.md)."""
    p.add_argument("--office", metavar="URL", help="work on the community office's database "
                   "(sqlite:///path or postgresql://…) instead of this gate's")
    p.add_argument("--key", type=Path, help="the office's signing key file (default: beside a "
                   "SQLite office file; required for PostgreSQL)")


def _add_sync_commands(command: AddCommand, commands: Subcommands) -> None:
    """Sync with the community office, the office's database, enrolling a gate (issue 6; docs/sync.md)."""
    p = command("sync", "push this gate's events to the office, pull the roster and other gates' events")
    p.add_argument("--to", metavar="URL", help="sqlite:///path/office.db or postgresql://user@host/db "
                   "(default: the setting sync.url)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(run=cmd_sync)

    office = command("office", "the community office's database").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = command("init", "create the office database and its signing key", office)
    p.add_argument("--office", metavar="URL", required=True)
    p.add_argument("--community", required=True, help="the community's name")
    p.add_argument("--timezone", default="Asia/Shanghai", help="IANA time zone (default Asia/Shanghai)")
    p.add_argument("--start-date", type=_date, help="first day of the quota windows (default today)")
    p.add_argument("--key", type=Path, help="where to write the signing key (default: beside a SQLite "
                   "office file; required for PostgreSQL)")
    p.set_defaults(run=cmd_office_init, needs_db=False)
    _add_office_work(command, office)
    _add_office_export(command, office)

    gate = command("gate", "set up this gate").add_subparsers(dest="action", metavar="ACTION", required=True)
    p = command("enroll", "a new gate database from the office: community, public keys, settings, "
                "roster (no signing key)", gate)
    p.add_argument("--from", dest="source", metavar="URL", required=True)
    p.add_argument("--name", default="", help="this gate's name at the office, e.g. 北门")
    p.set_defaults(run=cmd_gate_enroll, needs_db=False)


def _sync_message(key: str, lang: str, target: str = "", detail: object = "", **fields: object) -> str:
    return messages.cli_message(key, lang, target=target, detail=detail, **fields)


def _breach_line(gate: Gate | None, event_id: str, lang: str) -> str:
    """A quota breach as a volunteer reads it: the flat and the local time of the exit
    (the event id only when this gate cannot name them)."""
    event = gate.store.event(event_id) if gate is not None else None
    household = None
    if gate is not None and event is not None and event.household_id:
        household = gate.store.household(event.household_id)
    if event is None or household is None:
        return _sync_message("sync_breach", lang, event=event_id)
    return messages.cli_message("sync_breach_flat", lang, flat=household.flat,
                                at=event.at_local.strftime("%m-%d %H:%M"))


def _print_sync_report(report: SyncReport, lang: str, as_json: bool, gate: Gate | None = None) -> None:
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(_sync_message("sync_done", lang, report.target, pushed=report.pushed,
                            already_there=report.already_there, roster_changes=report.roster_changes,
                            pulled_events=report.pulled_events))
    for issue in report.issues:
        print(_sync_message(f"sync_issue_{issue['kind']}", lang, device=issue["device_id"],
                            first=issue["first_seq"], last=issue["last_seq"]), file=sys.stderr)
    for event_id in report.breaches:
        print(_breach_line(gate, event_id, lang), file=sys.stderr)


def cmd_sync(args: argparse.Namespace, gate: Gate) -> int:
    from data.sync import SyncCancelled, sync_once

    bar = _TerminalBar()
    try:
        report = sync_once(gate, args.to, gate.clock, progress=bar)
    except (SyncCancelled, KeyboardInterrupt):
        print(_sync_message("sync_cancelled", args.lang), file=sys.stderr)
        return 130  # stopped by the user (Ctrl-C): the usual shell code; nothing is lost
    finally:
        bar.close()
    _print_sync_report(report, args.lang, args.json, gate)
    return EXIT_OK


def cmd_office_init(args: argparse.Namespace, _gate: object) -> int:
    from data.sync import init_office

    try:
        timezone = policy.canonical("timezone", args.timezone)
    except policy.SettingError as refused:
        raise UsageError(messages.cli_message("bad_setting", args.lang, error=refused)) from None
    created = init_office(args.office, args.community, timezone, args.start_date, args.key)
    print(json.dumps(created, ensure_ascii=False))
    return EXIT_OK


def _add_office_work(command: AddCommand, office: Subcommands) -> None:
    """The office's own work on its database (issue 15; docs/leads-and-office.md)."""
    def target(p: argparse.ArgumentParser, required: bool = True) -> None:
        p.add_argument("--office", metavar="URL", required=required, default=os.environ.get(
            "KIOSK_OFFICE") or None, help="the office database: sqlite:///path/office.db or "
            "postgresql://user@host/db" + ("" if required else " (default: $KIOSK_OFFICE)"))

    p = command("status", "the office's gates and their last sync, events per gate today, "
                "households, cards, gaps and chain breaks", office)
    target(p, required=False)
    p.add_argument("--json", action="store_true", help="print it as JSON")
    p.set_defaults(run=cmd_office_status, needs_db=False)
    p = command("households", "the office's household list: flat, head, members, cards", office)
    target(p)
    p.add_argument("--building", help="only this building")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_office_households, needs_db=False)
    cards = command("cards", "the office's card sheets", office).add_subparsers(
        dest="what", metavar="ACTION", required=True)
    p = command("print", "A4 card sheets from the office's roster, as PDF", cards)
    target(p)
    p.add_argument("--building", help="only this building's cards")
    p.add_argument("--new", action="store_true", help="only the cards not printed yet")
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="the PDF to write, owner-only")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument("--key", type=Path, help="the office's signing key file (default: beside a "
                   "SQLite office file; required for PostgreSQL)")
    p.set_defaults(run=cmd_office_cards_print, needs_db=False)
    card = command("card", "bulk card work at the office", office).add_subparsers(
        dest="what", metavar="ACTION", required=True)
    p = command("issue-missing", "a card to every household that has none of that kind "
                "(all or nothing)", card)
    target(p)
    p.add_argument("--building", help="only this building's households")
    p.add_argument("--kind", default="life", choices=[k.value for k in CardKind])
    p.add_argument("--key", type=Path, help="the office's signing key file (default: beside a "
                   "SQLite office file; required for PostgreSQL)")
    p.set_defaults(run=cmd_office_issue_missing, needs_db=False)
    operator = command("operator", "operators defined at the office: they reach every gate "
                       "with the roster at its next sync", office).add_subparsers(
        dest="what", metavar="ACTION", required=True)
    p = command("add", "add an operator for every gate; the PIN is read from standard input",
                operator)
    target(p)
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=["volunteer", "lead", "admin"])
    p.add_argument("--building", action="append", default=[], help="a lead's building (repeat)")
    p.add_argument("--pin-stdin", action="store_true", help="read the PIN from standard input")
    p.set_defaults(run=cmd_office_operator_add, needs_db=False)
    p = command("set-pin", "a new PIN for an office operator, read from standard input", operator)
    target(p)
    p.add_argument("--name", required=True)
    p.add_argument("--pin-stdin", action="store_true", help="read the new PIN from standard input")
    p.set_defaults(run=cmd_office_operator_set_pin, needs_db=False)
    p = command("deactivate", "stop an office operator's PIN on every gate", operator)
    target(p)
    p.add_argument("--name", required=True)
    p.set_defaults(run=cmd_office_operator_deactivate, needs_db=False)
    p = command("list", "the office's operators: name, role, buildings, active", operator)
    target(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_office_operator_list, needs_db=False)
    # issue 15: the admin screens on the office database
    p = command("gui", "the office screen: the merged log of every gate, incidents, households "
                "and cards, operators, gates; an office admin's PIN opens it", office)
    target(p)
    p.add_argument("--key", type=Path, help="the office's signing key file (default: beside a "
                   "SQLite office file; required for PostgreSQL)")
    p.set_defaults(run=cmd_office_gui, needs_db=False)


@contextlib.contextmanager
def _office_session(args: argparse.Namespace) -> Iterator[Any]:
    """The office database of --office, as data.sync.OfficeSession; closed after."""
    if not args.office:
        raise UsageError(messages.cli_message("no_office_url", args.lang))
    session = open_office_session(args.office, getattr(args, "key", None), args.lang)
    try:
        yield session
    finally:
        session.close()


def _office_today(session: Any) -> dt.date:
    """Today in the community's time zone (the office's setting), not the machine's."""
    today: dt.date = session.clock.now().astimezone(session.policy().timezone).date()
    return today


def cmd_office_status(args: argparse.Namespace, _gate: object) -> int:
    with _office_session(args) as session:
        store: OfficeStore = session.store
        devices = store.device_status()
        issues = store.issues()
        counts = store.status_counts(_office_today(session).isoformat())
    for device in devices:
        device["events_today"] = counts["events_today"].get(device["device_id"], 0)
    shown = {"devices": devices, "issues": issues, "households": counts["households"],
             "cards": counts["cards"]}
    if args.json:
        print(json.dumps(shown, ensure_ascii=False))
        return EXIT_OK
    never = messages.cli_message("sync_never", args.lang)
    for device in devices:
        print(messages.cli_message("office_status_gate", args.lang, name=device["name"] or "-",
                                   device=device["device_id"], last=device["last_push_utc"] or never,
                                   events=device["events"], today=device["events_today"]))
    active = sum(by_status.get("active", 0) for by_status in counts["cards"].values())
    print(messages.cli_message("office_status_roster", args.lang, households=counts["households"],
                               cards=active, issues=len(issues)))
    return EXIT_OK


def cmd_office_households(args: argparse.Namespace, _gate: object) -> int:
    with _office_session(args) as session:
        households = session.store.households(args.building)
        cards: dict[str, list[Any]] = {}
        for card in session.store.cards():
            if card.status is not CardStatus.REVOKED:
                cards.setdefault(card.household_id, []).append(card)
    rows = [{"id": h.id, "building": h.building, "unit": h.unit, "room": h.room, "flat": h.flat,
             "head": h.head, "phone": h.phone, "members": h.members,
             "cards": {k.value: sum(1 for c in cards.get(h.id, []) if c.kind is k) for k in CardKind}}
            for h in households]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return EXIT_OK
    for row in rows:
        held = [messages.cli_message(f"office_card_{kind}", args.lang, count=n)
                for kind, n in row["cards"].items() if n]
        kinds = ("，" if args.lang == "zh" else ", ").join(held) or messages.cli_message(
            "office_no_cards", args.lang)
        print(messages.cli_message("office_household", args.lang, building=row["building"],
                                   unit=row["unit"], room=row["room"], head=row["head"] or "-",
                                   members=row["members"], cards=kinds))
    print(messages.cli_message("office_households_total", args.lang, count=len(rows)), file=sys.stderr)
    return EXIT_OK


def cmd_office_cards_print(args: argparse.Namespace, _gate: object) -> int:
    from data.export import FontMissing
    from data.office_admin import print_office_cards

    with _office_session(args) as session:
        try:
            with _writing_errors(args.out, args.lang):
                count, pages = print_office_cards(session, args.out, args.building, args.new, args.lang,
                                                  _os_user(), args.force, list(_guarded(args)))
        except FontMissing:
            raise UsageError(messages.cli_message("no_font", args.lang)) from None
    print(messages.cli_message("cards_printed", args.lang, count=count, pages=pages, path=args.out))
    return EXIT_OK


def cmd_office_issue_missing(args: argparse.Namespace, _gate: object) -> int:
    with _office_session(args) as session:
        households = session.store.households(args.building)
        issued = session.office().issue_missing(households, CardKind(args.kind), by=_os_user())
    print(messages.cli_message("issued_missing", args.lang, count=len(issued),
                               kind=messages.log_text(args.kind, args.lang),
                               had=len(households) - len(issued), households=len(households)))
    return EXIT_OK


def _office_operators(session: Any) -> Any:
    from data.office import OfficeOperatorStore
    from kiosk.operators import OperatorService

    return OperatorService(OfficeOperatorStore(session.store), session.clock,
                           session.store.operator_pepper())


def cmd_office_operator_add(args: argparse.Namespace, _gate: object) -> int:
    pin = _read_pin(args)
    with _office_session(args) as session:
        operator = _office_operators(session).add(args.name, args.role, pin, tuple(args.building),
                                                  by=_os_user())
    print(messages.cli_message("operator_added", args.lang, name=operator.name, role=operator.role.value))
    return EXIT_OK


def cmd_office_operator_set_pin(args: argparse.Namespace, _gate: object) -> int:
    pin = _read_pin(args)
    with _office_session(args) as session:
        _office_operators(session).change_pin(args.name, pin, by=_os_user())
    print(messages.cli_message("pin_changed", args.lang, name=args.name))
    return EXIT_OK


def cmd_office_operator_deactivate(args: argparse.Namespace, _gate: object) -> int:
    with _office_session(args) as session:
        _office_operators(session).deactivate(args.name, by=_os_user())
    print(messages.cli_message("operator_deactivated", args.lang, name=args.name))
    return EXIT_OK


def cmd_office_operator_list(args: argparse.Namespace, _gate: object) -> int:
    with _office_session(args) as session:
        stored = session.store.operators()
    return _print_operators(args, [{"name": s.operator.name, "role": s.operator.role.value,
                                    "buildings": list(s.operator.buildings), "active": s.active}
                                   for s in stored])


def cmd_office_gui(args: argparse.Namespace, _gate: object) -> int:
    from kiosk.app import office_screen

    _need_a_screen(args.lang)
    screen = office_screen(args.office, args.key, args.lang)  # unreachable: exit 3, before any window
    from ui.office_run import run_office  # Qt loads only for the screen

    return run_office(screen, args.lang)


def _add_office_export(command: AddCommand, office: Subcommands) -> None:
    """The community's merged log from the office database (issue 15; docs/leads-and-office.md)."""
    p = command("export", "the community's log of a day (or of --date..--to), every gate merged, "
                "as CSV, XLSX or PDF", office)
    p.add_argument("--office", metavar="URL", required=True)
    _export_options(p, "names and phone numbers")
    p.set_defaults(run=cmd_office_export, needs_db=False)


def _export_options(p: argparse.ArgumentParser, holds: str) -> None:
    """The options the gate's export and the office's share: days, building, format, file."""
    p.add_argument("--date", type=_date, required=True, help="the local date, e.g. 2026-02-12")
    p.add_argument("--to", type=_date, help="last date of a range (default: --date alone)")
    p.add_argument("--building", help="only this building's rows")
    p.add_argument("--format", required=True, choices=["csv", "xlsx", "pdf"])
    p.add_argument("--out", type=Path, required=True, metavar="FILE",
                   help=f"the file to write, owner-only (0600): it holds {holds}")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists (never a "
                   "database, a key or a backup)")


def _office_export_guarded(args: argparse.Namespace) -> list[Path]:
    """What an office export may never write onto: this machine's gate database, and a SQLite
    office file with its key beside it (a PostgreSQL office has no file here; reading it
    needs no key, unlike the card commands' _guarded)."""
    from data.office import sqlite_path
    from data.sync import office_key_path

    databases = [args.db or default_db_path()]
    office_file = sqlite_path(args.office)
    if office_file is not None:
        databases += [office_file, office_key_path(args.office, None)]
    return databases


def cmd_office_export(args: argparse.Namespace, _gate: object) -> int:
    from data.export import ExportCancelled, FontMissing
    from data.export.office_log import export_office_log
    from data.office import open_office
    from data.outputs import check_output

    if args.to is not None and args.to < args.date:
        raise UsageError(messages.cli_message("bad_date", args.lang, value=args.to))
    guarded = _office_export_guarded(args)
    check_output(args.out, guarded, args.force)  # before connecting
    office = open_office(args.office)
    bar = _TerminalBar()
    try:
        with _writing_errors(args.out, args.lang):
            result = export_office_log(office, args.format, args.out, args.date, args.to, args.building,
                                       args.lang, guarded=guarded, force=args.force, progress=bar)
    except FontMissing:
        raise UsageError(messages.cli_message("no_font", args.lang)) from None
    except ExportCancelled:
        raise UsageError(messages.cli_message("cancelled", args.lang)) from None
    finally:
        bar.close()
        office.close()
    print(messages.cli_message("exported", args.lang, count=result.rows, path=result.path))
    return EXIT_OK


def cmd_gate_enroll(args: argparse.Namespace, _gate: object) -> int:
    from data.sync import enroll

    path = args.db or default_db_path()
    try:
        report = enroll(path, args.source, args.name, progress=_TerminalBar())
    except FileExistsError:
        raise UsageError(messages.cli_message("exists", args.lang, path=path)) from None
    print(_sync_message("enrolled", args.lang, report.target, path), file=sys.stderr)
    _print_sync_report(report, args.lang, as_json=True)
    return EXIT_OK


def _need_a_screen(lang: str) -> None:
    """Qt aborts the whole process without a display: say so in a sentence instead."""
    if (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        raise UsageError(messages.cli_message("no_display", lang))


def cmd_gui(args: argparse.Namespace, _gate: object) -> int:
    from ui.run import run_gui  # Qt loads only for the gate screen

    _need_a_screen(args.lang)
    camera = None if args.camera.strip().lower() == "none" else args.camera.strip()
    return run_gui(args.db or default_db_path(), args.lang, camera, args.fullscreen)


def cmd_demo(args: argparse.Namespace, _gate: object) -> int:
    import tempfile

    from kiosk.app import create_demo
    from scanners.sources import FolderSource
    from ui.run import run_gui

    _need_a_screen(args.lang)
    with tempfile.TemporaryDirectory(prefix="gatepost-demo-") as scratch:
        directory = args.dir or Path(scratch) / "demo"
        if directory.exists():
            raise UsageError(messages.cli_message("exists", args.lang, path=directory))
        demo = create_demo(directory)
        print(messages.cli_message("demo_ready", args.lang, path=demo.directory, lead=demo.lead,
                                   pin=demo.lead_pin), file=sys.stderr)
        print(messages.cli_message("demo_volunteers", args.lang, volunteers=", ".join(
            f"{name} {pin}" for name, pin in demo.volunteers)), file=sys.stderr)
        # Each card is held up for 3 s, then the empty desk for 3 s: time to read the verdict.
        camera = lambda: FolderSource(demo.frames, hold_s=3.0, fps=15.0)  # noqa: E731 (a factory)
        return run_gui(demo.db, args.lang, camera, args.fullscreen)


def _add_reliability_commands(command: AddCommand, commands: Subcommands) -> None:
    """The event chain, start-up checks, backups and restore (issue 7; docs/reliability.md)."""
    p = command("verify-log", "walk the tamper-evident event chain: events edited or removed after the fact")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(run=cmd_verify_log, needs_db=False)
    p = command("check", "the start-up checks in full: SQLite integrity, schema, public key, clock, chain")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.set_defaults(run=cmd_check, needs_db=False)
    p = command("backup", "an online backup of the database (SQLite backup API), owner-only")
    p.add_argument("--to", type=Path, metavar="FILE", help="the backup file, outside the backups "
                   "folder (default: today's daily backup in backups/ beside the database, or "
                   "$KIOSK_BACKUP_DIR, replaced if taken already today)")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists (never the "
                   "database, a key or a backup)")
    p.set_defaults(run=cmd_backup, needs_db=False)
    p = command("restore", "put a backup in place of the database: checked first, the old one kept")
    p.add_argument("file", type=Path, help="the backup file")
    p.add_argument("--force", action="store_true",
                   help="restore even if the database holds events the backup lacks (they are lost)")
    p.set_defaults(run=cmd_restore, needs_db=False)


def _print_findings(findings: list[Finding], lang: str) -> None:
    for finding in findings:
        print(messages.startup_message(finding.key, lang, **finding.fields), file=sys.stderr)


def _problem_line(problem: ChainProblem, lang: str) -> str:
    return messages.startup_message(f"log_problem_{problem.kind}", lang, device=problem.device_id,
                                    first=problem.first_seq, last=problem.last_seq, event=problem.event_id,
                                    column=problem.column)


def _print_chain(report: ChainReport, lang: str, as_json: bool) -> int:
    first = report.first_break  # None exactly when the chain is intact
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    elif first is None:
        print(messages.startup_message("log_intact", lang, devices=report.devices, events=report.events))
    else:
        print(messages.startup_message("log_broken", lang, count=len(report.problems),
                                       device=first.device_id, first=first.first_seq, kind=first.kind))
    if not as_json:
        for problem in report.problems:
            print(_problem_line(problem, lang), file=sys.stderr)
    return EXIT_OK if report.intact else EXIT_DENY


def cmd_verify_log(args: argparse.Namespace, _gate: object) -> int:
    gate = open_gate(args.db, args.lang, checks=False)  # a damaged log must still be readable
    try:
        bar = _TerminalBar()
        try:
            report = gate.verify_log(progress=bar)
        except sqlite3.DatabaseError as failure:  # pages too damaged to read on: no chain to judge
            return _damaged_file(failure, args.lang)
        finally:
            bar.close()
        code = _print_chain(report, args.lang, args.json)
        return EXIT_STORAGE if report.damaged else code  # damage: restore, rather than inquire
    finally:
        gate.close()


def _damaged_file(failure: sqlite3.DatabaseError, lang: str) -> int:
    return _fail(messages.startup_message("integrity_failed", lang, detail=failure), EXIT_STORAGE)


def cmd_check(args: argparse.Namespace, _gate: object) -> int:
    from data.verify import startup_facts
    from kiosk import startup

    gate = open_gate(args.db, args.lang, checks=False)
    try:
        store, facts, chain = gate.store, None, None
        try:
            with storage_errors():
                result = store.integrity()
                # Integrity checks do not look inside text: one pass over every table does.
                findings = startup.damage(result, store.damaged_text() if result == "ok" else ())
                if not findings:
                    facts = startup_facts(gate.store, gate.clock.now(), result)
                    findings = startup.check(facts)
            chain = gate.verify_log() if not startup.errors(findings) else None
        except sqlite3.DatabaseError as failure:
            return _damaged_file(failure, args.lang)
    finally:
        gate.close()
    if args.json:
        print(json.dumps({"findings": [{"key": f.key, "severity": f.severity.value, **f.fields}
                                       for f in findings],
                          "chain": chain.to_json() if chain else None}, ensure_ascii=False))
    else:
        _print_findings(findings, args.lang)
        if facts is not None and not startup.errors(findings):  # damage alone leaves no facts
            print(messages.startup_message("check_ok", args.lang, schema=facts.schema_version,
                                           keys=facts.public_keys))
    if startup.errors(findings):
        return EXIT_STORAGE
    if chain is not None and not args.json:
        return _print_chain(chain, args.lang, as_json=False)
    return EXIT_OK if chain is None or chain.intact else EXIT_DENY


def cmd_backup(args: argparse.Namespace, _gate: object) -> int:
    from data.backup import BackupRefused, backup, backup_signing_key, daily_path

    gate = open_gate(args.db, args.lang, checks=False)
    try:
        dest = args.to or daily_path(gate.path, gate.today())
        try:
            with _writing_errors(dest, args.lang):
                info = backup(gate.store, dest, force=args.force, daily=args.to is None)
                saved_key = backup_signing_key(gate.path, dest, args.force) if args.to else None
        except BackupRefused as refused:
            print(messages.startup_message(refused.key, args.lang, **refused.fields), file=sys.stderr)
            return EXIT_STORAGE
    finally:
        gate.close()
    print(messages.startup_message("backup_done", args.lang, path=info.path, events=info.events))
    if saved_key is not None:
        print(messages.startup_message("backup_key_done", args.lang, path=saved_key))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, _gate: object) -> int:
    from data.backup import BackupRefused, restore

    path = args.db or default_db_path()
    try:
        info = restore(args.file, path, args.force)
    except BackupRefused as refused:
        raise UsageError(messages.startup_message(refused.key, args.lang, **refused.fields)) from None
    print(messages.startup_message("restored", args.lang, path=args.file, events=info.events))
    return EXIT_OK


# -- running a command ----------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    run: Callable[[argparse.Namespace, Opened], int] = args.run
    lang = args.lang
    bad = _undecodable_argument(args)
    if bad is not None:  # a surrogate-escaped argv: no hash, no database row can hold it
        return _fail(messages.cli_message("bad_argument_text", lang, option=bad), EXIT_BAD_INPUT)
    gate: Opened = None
    try:
        if getattr(args, "office", None) and getattr(args, "needs_db", True):
            gate = open_office_session(args.office, args.key, lang)  # household and card commands
        elif getattr(args, "needs_db", True) and run is not cmd_init:
            gate = opened = open_gate(args.db, lang)
            _print_findings(opened.findings, lang)  # start-up warnings (a clock behind, a failed backup)
        return run(args, gate)
    except StartupFailed as failure:  # one sentence per finding
        _print_findings(failure.findings, lang)
        return EXIT_STORAGE
    except Exception as error:
        known = _known_error(error, args)
        if known is None:
            raise  # a bug (a constraint the code should have kept, ...): the traceback is wanted
        return _fail(known.message(lang), exit_code(known))
    finally:
        if gate is not None:
            gate.close()


def exit_code(error: GatepostError) -> int:
    """The one mapping of the error model (kiosk/errors.py) to the exit codes of DESIGN.md 5."""
    return EXIT_STORAGE if error.kind == ENVIRONMENT else EXIT_BAD_INPUT


def _known_error(error: Exception, args: argparse.Namespace) -> GatepostError | None:
    """`error` as the error model sees it; None for a bug. Errors of the libraries below
    (no database file, a damaged page met outside a write) are named here, at the edge."""
    if isinstance(error, SyncError):
        error.target = error.target or getattr(args, "to", None) or getattr(args, "office", None) or ""
    if isinstance(error, GatepostError):
        return error
    if isinstance(error, NotInitialised):
        return BadInput("no_database", path=args.db or default_db_path())
    if isinstance(error, sqlite3.DatabaseError) and is_storage_failure(error):
        return DamagedFile("integrity_failed", detail=error)
    return None


class DamagedFile(EnvironmentFailure):
    """A damaged database page met outside a write transaction (exit 3)."""

    table = "startup"


def _undecodable_argument(args: argparse.Namespace) -> str | None:
    """The option whose text is not valid Unicode (bytes that are not UTF-8 on the command
    line arrive as lone surrogates), or None. Paths are left alone: they are file names."""
    for name, value in vars(args).items():
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            if isinstance(text, str):
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    return name if name in _POSITIONAL else "--" + name.replace("_", "-")
    return None


_POSITIONAL = ("payload", "serial", "key", "value", "file", "images")


def _fail(message: str, code: int) -> int:
    print(message, file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
