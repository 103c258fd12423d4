"""`kiosk`: the command line of DESIGN.md section 5, a thin layer over the services.

Exit codes are a contract: 0 allow (or success), 1 deny or retest, 2 bad usage or bad
input (a clear message on stderr, nothing written), 3 the database or the disk failed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from data.migrations import SchemaTooNew
from data.roster import RosterFileError, household_from_cells, parse_roster
from data.store import Conflict, NotInitialised
from kiosk import messages, policy
from kiosk.app import Gate, default_db_path, init_community, open_gate
from kiosk.checkpoint import BadInput
from kiosk.model import CardKind, Decision
from kiosk.office import RosterError
from kiosk.operators import OperatorError
from kiosk.ports import StorageError
from kiosk.serial import normalize_serial

EXIT_OK, EXIT_DENY, EXIT_BAD_INPUT, EXIT_STORAGE = 0, 1, 2, 3


class UsageError(Exception):
    """Bad input found by the CLI itself; the text is already in the user's language."""


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

    def command(name: str, help_text: str, parent=commands) -> argparse.ArgumentParser:
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

    roster = command("roster", "import the household roster").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = command("import", "import households from CSV or XLSX: all rows or none", roster)
    p.add_argument("file", type=Path)
    p.set_defaults(run=cmd_roster_import)

    card = command("card", "issue, revoke and re-issue pass cards").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = command("issue", "issue a card and print its JSON (serial, payload, ...)", card)
    p.add_argument("--household", required=True, help="the household id (from household add)")
    p.add_argument("--kind", required=True, choices=[k.value for k in CardKind])
    p.add_argument("--holder", default="", help="the holder's name (only its initial is shown)")
    p.add_argument("--valid-from", type=_date)
    p.add_argument("--valid-to", type=_date)
    p.add_argument("--qr-out", type=Path, help="also write the QR code as a PNG")
    p.set_defaults(run=cmd_card_issue)
    p = command("revoke", "revoke a card: it is refused at the gate from now on", card)
    p.add_argument("serial")
    p.set_defaults(run=cmd_card_revoke)
    p = command("reissue", "replace a lost card: same serial, next generation", card)
    p.add_argument("serial")
    p.add_argument("--qr-out", type=Path, help="also write the QR code as a PNG")
    p.set_defaults(run=cmd_card_reissue)

    p = command("scan", "decide one scan, record it, print the verdict JSON")
    p.add_argument("payload", help="the QR text, or the serial typed from the card")
    p.add_argument("--direction", required=True, help="in or out")
    p.add_argument("--temp", help="temperature in °C, e.g. 36.5")
    p.add_argument("--reason", help="reason for a special card's exit: medical, funeral, "
                   "volunteer, other")
    p.add_argument("--at", help="the time of the scan, ISO-8601 (default now)")
    p.add_argument("--operator", default="", help="the volunteer on duty")
    p.set_defaults(run=cmd_scan)

    p = command("decode", "decode QR codes in image files: one JSON line per image")
    p.add_argument("images", nargs="+", type=Path)
    p.set_defaults(run=cmd_decode, needs_db=False)

    p = command("status", "today's numbers: scans, out now, exits, fevers, unsynced")
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
    return parser


def _add_office_commands(command, commands) -> None:
    """Operators, exports, card sheets and the purge (issue 5; docs/leads-and-office.md)."""
    operator = command("operator", "gate volunteers, building leads and admins").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    p = command("add", "add an operator; the PIN is read from standard input", operator)
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=["volunteer", "lead", "admin"])
    p.add_argument("--building", action="append", default=[],
                   help="a building the lead is responsible for (repeat for several)")
    p.add_argument("--pin-stdin", action="store_true",
                   help="read the PIN (4-8 digits) from standard input, never from the command line")
    p.set_defaults(run=cmd_operator_add)
    p = command("list", "list operators: name, role, buildings, active", operator)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_operator_list)


# -- the commands ---------------------------------------------------------------------

def cmd_init(args, _gate) -> int:
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


def cmd_household_add(args, gate: Gate) -> int:
    cells = {"building": args.building.strip(), "unit": args.unit.strip(),
             "room": args.room.strip(), "head": args.head.strip(), "phone": args.phone.strip(),
             "members": str(args.members).strip()}
    household, errors = household_from_cells(0, cells)
    if errors:
        raise UsageError("\n".join(
            messages.roster_message(e.key, args.lang, value=e.value) for e in errors))
    try:
        gate.store.add_households([household], gate.clock.now())
    except Conflict:
        raise UsageError(messages.cli_message("duplicate_flat", args.lang,
                                              flat=household.flat)) from None
    print(household.id)
    return EXIT_OK


def cmd_roster_import(args, gate: Gate) -> int:
    existing = {(h.building, h.unit, h.room) for h in gate.store.households()}
    try:
        households, errors = parse_roster(args.file, existing)
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
    gate.store.add_households(households, gate.clock.now())
    print(messages.cli_message("roster_imported", args.lang, count=len(households)))
    return EXIT_OK


def cmd_card_issue(args, gate: Gate) -> int:
    issued = gate.office().issue(args.household.strip().upper(), CardKind(args.kind),
                                 args.holder, args.valid_from, args.valid_to)
    _print_issued(issued, args.qr_out)
    return EXIT_OK


def cmd_card_revoke(args, gate: Gate) -> int:
    card = gate.office().revoke(_serial(args.serial, args.lang))
    print(json.dumps({"serial": card.serial, "generation": card.generation,
                      "status": card.status.value}))
    return EXIT_OK


def cmd_card_reissue(args, gate: Gate) -> int:
    _print_issued(gate.office().reissue(_serial(args.serial, args.lang)), args.qr_out)
    return EXIT_OK


def _print_issued(issued, qr_out: Path | None) -> None:
    if qr_out is not None:
        from data.cardimage import write_qr_png  # only when asked: segno is not needed otherwise

        write_qr_png(issued.payload, qr_out)
    print(json.dumps(issued.to_json(), ensure_ascii=False))


def _serial(text: str, lang: str) -> str:
    serial = normalize_serial(text)
    if serial is None:
        raise UsageError(messages.cli_message("unknown_serial", lang, value=text))
    return serial


def cmd_scan(args, gate: Gate) -> int:
    at = None
    if args.at:
        try:
            at = dt.datetime.fromisoformat(args.at.strip())
        except ValueError:
            raise UsageError(messages.cli_message("bad_time", args.lang, value=args.at)) from None
        if at.tzinfo is None:  # a local time at the gate
            at = at.replace(tzinfo=gate.policy().timezone)
    verdict = gate.service.scan(args.payload, args.direction.strip().lower(), args.temp,
                                args.reason, args.operator, at)
    print(json.dumps(verdict.to_json(), ensure_ascii=False))
    return EXIT_OK if verdict.decision is Decision.ALLOW else EXIT_DENY


def cmd_decode(args, _gate) -> int:
    from scanners.decode import decode_files  # OpenCV loads only for this command

    for result in decode_files([str(p) for p in args.images]):
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return EXIT_OK


def cmd_status(args, gate: Gate) -> int:
    counts = gate.status(args.date)
    if args.json:
        print(json.dumps(counts))
    else:
        width = max(map(len, counts))
        for key, value in counts.items():
            print(f"{key:<{width}}  {value}")
    return EXIT_OK


def cmd_policy_show(args, gate: Gate) -> int:
    values = gate.policy().as_dict()
    if args.json:
        print(json.dumps(values, ensure_ascii=False))
        return EXIT_OK
    width = max(map(len, values))
    for setting in policy.SETTINGS:
        meaning = setting.help_zh if args.lang == "zh" else setting.help_en
        print(f"{setting.key:<{width}}  {values[setting.key]:<16}  {meaning}")
    return EXIT_OK


def cmd_policy_set(args, gate: Gate) -> int:
    try:
        value = policy.canonical(args.key, args.value)
    except policy.SettingError as refused:
        raise UsageError(messages.cli_message("bad_setting", args.lang, error=refused)) from None
    gate.store.set_setting(args.key, value)
    print(f"{args.key} = {value}")
    return EXIT_OK


def _read_pin(args) -> str:
    """The PIN from standard input: hidden at a terminal, one line from a pipe."""
    if not getattr(args, "pin_stdin", False):
        raise UsageError(messages.cli_message("no_pin", args.lang))
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("PIN: ")
    return sys.stdin.readline().strip()


def cmd_operator_add(args, gate: Gate) -> int:
    operator = gate.operators().add(args.name, args.role, _read_pin(args), tuple(args.building),
                                    by=_os_user())
    print(messages.cli_message("operator_added", args.lang, name=operator.name,
                               role=operator.role.value))
    return EXIT_OK


def cmd_operator_list(args, gate: Gate) -> int:
    rows = [{"name": s.operator.name, "role": s.operator.role.value,
             "buildings": list(s.operator.buildings), "active": s.active}
            for s in gate.operators().operators()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    elif not rows:
        print(messages.cli_message("no_operators", args.lang), file=sys.stderr)
    else:
        for row in rows:
            state = "" if row["active"] else "  (inactive)"
            print(f"{row['name']}\t{row['role']}\t{','.join(row['buildings']) or '*'}{state}")
    return EXIT_OK


def _os_user() -> str:
    """Who ran a CLI command, for the audit log: the CLI runs with the database file's rights."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in a bare container
        return "cli"


# -- running a command ----------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    run: Callable = args.run
    lang = args.lang
    gate = None
    try:
        if getattr(args, "needs_db", True) and run is not cmd_init:
            gate = open_gate(args.db, lang)
        return run(args, gate)
    except UsageError as refused:
        return _fail(str(refused), EXIT_BAD_INPUT)
    except BadInput as refused:
        return _fail(refused.message(lang), EXIT_BAD_INPUT)
    except (RosterError, OperatorError) as refused:
        return _fail(messages.cli_message(refused.key, lang, **refused.fields), EXIT_BAD_INPUT)
    except NotInitialised:
        return _fail(messages.cli_message("no_database", lang, path=args.db or default_db_path()),
                     EXIT_BAD_INPUT)
    except (StorageError, SchemaTooNew) as failure:
        return _fail(messages.cli_message("storage_failed", lang, error=failure), EXIT_STORAGE)
    finally:
        if gate is not None:
            gate.close()


def _fail(message: str, code: int) -> int:
    print(message, file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
