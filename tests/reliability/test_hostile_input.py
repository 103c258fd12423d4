"""Hostile input: every parser a stranger can reach gets garbage, and answers with a clear
refusal that changes nothing. Hypothesis drives the parsers; the counts go to the summary."""
from __future__ import annotations

import csv
import io
import sqlite3

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.office import SyncError
from data.roster import RosterFileError, parse_roster
from data.sync import sync_once
from kiosk import codec
from kiosk.checkpoint import BadInput, parse_temperature
from kiosk.cli import main
from kiosk.codec import CardCodeError
from kiosk.messages import verdict_text
from kiosk.serial import ALPHABET, check_char, normalize_serial
from scanners.wedge import WedgeParser
from tests.reliability.conftest import SCALE

EXAMPLES = 300 * SCALE
quick = settings(max_examples=EXAMPLES, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
scanner_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="GP1:ABCDEFGHIJKLMNOPQRSTUVWXYZ234567890 -：Ｇｐ１", max_size=220),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)


# -- the card's payload --------------------------------------------------------------------

@quick
@given(text=scanner_text)
def test_the_payload_parser_refuses_garbage_with_not_a_card(text, figures):
    try:
        codec.parse(text)
    except CardCodeError as refused:
        assert refused.reason == "not_a_card"
    figures.add("payload parser: random texts refused", 1)


@settings(max_examples=max(100, EXAMPLES // 5), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=scanner_text)
def test_a_scanned_garbage_text_is_denied_and_moves_no_card(community, text, figures):
    before = community.gate.store.db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
    community.clock.advance(seconds=11)  # past the repeat guard
    try:
        verdict = community.gate.service.scan(text, "out", "36.5")
    except BadInput:
        raise AssertionError(f"a payload is never bad usage: {text!r}") from None
    assert verdict.decision.value == "deny"
    assert verdict_text(verdict, "zh")  # a sentence for the volunteer
    assert community.gate.store.db.execute("SELECT COUNT(*) FROM passages").fetchone()[0] == before
    figures.add("checkpoint: random scans denied, recorded, no passage", 1)


# -- typed serials ---------------------------------------------------------------------------

@quick
@given(body=st.text(alphabet=ALPHABET, min_size=6, max_size=6), position=st.integers(0, 6),
       wrong=st.sampled_from(ALPHABET))
def test_a_typed_serial_with_one_wrong_character_is_refused(body, position, wrong, figures):
    serial = body + check_char(body)
    typed = serial[:position] + wrong + serial[position + 1:]
    if typed != serial:
        assert normalize_serial(typed) is None
        figures.add("typed serials with one wrong character refused", 1)


@pytest.mark.parametrize("typed, expected", [
    ("7k3q9ad", None),                  # wrong check character
    ("I0L0O00", None),                  # look-alikes fold to 1010000, whose check is not 0
    ("U000000", None),                  # U is not in the alphabet
    ("0000-000", "0000-000"),           # all zeros: check character 0
    ("０００００００", "0000-000"),     # full-width digits from a Chinese IME
    (" 0000 000 ", "0000-000"),
    ("O0OO-OOO", "0000-000"),           # letter O for zero
    ("", None), ("-------", None), ("0000-0000", None),
])
def test_typed_serials_fold_what_people_type_and_refuse_the_rest(typed, expected, figures):
    assert normalize_serial(typed) == expected
    figures.add("typed serial cases checked", 1)


@quick
@given(text=st.text(max_size=20))
def test_the_serial_parser_never_fails_on_any_text(text, figures):
    result = normalize_serial(text)
    assert result is None or (len(result) == 8 and result[4] == "-")
    figures.add("serial parser: random texts", 1)


# -- the temperature field -------------------------------------------------------------------

@pytest.mark.parametrize("typed, code, reason", [
    ("LO", 2, None), ("HI", 2, None), ("NaN", 2, None), ("inf", 2, None), ("36.5.1", 2, None),
    ("", 1, "temperature_required"),
    ("36,5", 0, "ok"), ("36.5℃", 0, "ok"), (" 36.5 °C", 0, "ok"),
    ("98.6°F", 1, "temperature_unit"), ("373", 1, "temperature_implausible"),
    ("-36.5", 1, "temperature_implausible"), ("0", 1, "temperature_implausible"),
    ("35.2", 1, "temperature_low"), ("1e3", 1, "temperature_implausible"),
])
def test_the_temperature_field_refuses_what_is_not_a_reading(community, capsys, typed, code, reason,
                                                            figures):
    community.gate.close()
    before = sqlite3.connect(str(community.path)).execute("SELECT COUNT(*) FROM events").fetchone()[0]

    got = main(["--db", str(community.path), "--lang", "en", "scan", community.life[0].payload,
                "--direction", "in", "--temp", typed, "--at", "2026-02-10T09:00"])

    out, err = capsys.readouterr()
    assert got == code, err
    after = sqlite3.connect(str(community.path)).execute("SELECT COUNT(*) FROM events").fetchone()[0]
    if code == 2:
        assert "is not a number" in err and after == before  # bad input: nothing written
    else:
        assert f'"reason": "{reason}"' in out
    figures.add("temperature field cases checked", 1)


@quick
@given(text=st.text(max_size=12))
def test_the_temperature_parser_gives_a_number_or_bad_input(text, figures):
    try:
        value = parse_temperature(text)
    except BadInput:
        pass
    else:
        assert value is None or value == value  # never NaN
    figures.add("temperature parser: random texts", 1)


# -- the keyboard wedge ----------------------------------------------------------------------

keys = st.one_of(st.characters(), st.sampled_from(["Enter", "Tab", "Shift", "Backspace", "Escape",
                                                   "CapsLock", "\r", "", "F1", "Left"]))


@quick
@given(presses=st.lists(st.tuples(keys, st.floats(0, 0.3)), max_size=50))
def test_the_wedge_parser_never_fails_and_loses_no_typing(presses, figures):
    parser = WedgeParser()
    t = 0.0
    for key, gap in presses:
        t += gap
        action = parser.feed(key, t)
        assert action.scanned is None or len(action.scanned) >= 6
    parser.poll(t + 10)
    assert parser.held == ""  # everything held was either a scan or given back
    figures.add("wedge parser: random key sequences", 1)


# -- the roster importer ---------------------------------------------------------------------

def households(path) -> int:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("SELECT COUNT(*) FROM households").fetchone()[0]
    finally:
        conn.close()


def write_xlsx(path, rows) -> None:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)


ROSTERS = {
    "empty.csv": b"",
    "only_header.csv": "楼栋,单元,房号\n".encode(),
    "wrong_columns.csv": "name,age\n张三,40\n".encode(),
    "utf16.csv": "楼栋,单元,房号\n1,1,101\n".encode("utf-16"),
    "binary.csv": bytes(range(256)) * 4,
    "formula.csv": "楼栋,单元,房号,户主\n1,1,101,=HYPERLINK(\"http://x\")\n".encode(),
    "formula_plus.csv": "楼栋,单元,房号\n+1,1,101\n".encode(),
    "bad_members.csv": "楼栋,单元,房号,人数\n1,1,101,三\n".encode(),
    "duplicate.csv": "楼栋,单元,房号\n1,1,101\n1,1,101\n".encode(),
    "roster.pdf": b"%PDF-1.4",
    "carriage_return.csv": b"\r\x00",  # found by Hypothesis: was a csv.Error traceback
    "huge_field.csv": "楼栋,单元,房号\n1,1,\"".encode() + b"9" * 200_000 + b"\"\n",
    "broken.xlsx": b"PK\x03\x04 not really a zip",
}


@pytest.mark.parametrize("name", sorted(ROSTERS))
def test_a_bad_roster_file_is_refused_with_a_clear_message_and_nothing_imported(community, tmp_path,
                                                                                 capsys, name, figures):
    path = tmp_path / name
    path.write_bytes(ROSTERS[name])
    community.gate.close()
    before = households(community.path)

    code = main(["--db", str(community.path), "--lang", "en", "roster", "import", str(path)])

    err = capsys.readouterr().err
    assert code == 2 and err.strip() and "Traceback" not in err
    assert households(community.path) == before
    figures.add("bad roster files refused", 1)


def test_a_gbk_roster_from_excel_is_read(community, tmp_path, capsys):
    path = tmp_path / "gbk.csv"
    path.write_bytes("楼栋,单元,房号,户主\n5,2,501,赵六\n".encode("gbk"))
    community.gate.close()
    assert main(["--db", str(community.path), "roster", "import", str(path)]) == 0
    assert households(community.path) == 5


def test_an_xlsx_with_wrong_columns_is_refused(community, tmp_path, capsys):
    write_xlsx(tmp_path / "r.xlsx", [["姓名", "电话"], ["张三", "13800000000"]])
    community.gate.close()
    code = main(["--db", str(community.path), "--lang", "en", "roster", "import", str(tmp_path / "r.xlsx")])
    assert code == 2 and "Missing required columns" in capsys.readouterr().err


def test_a_100000_row_roster_with_one_bad_row_imports_nothing(community, tmp_path, capsys, figures):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["楼栋", "单元", "房号", "人数"])
    for i in range(100_000):
        writer.writerow([f"B{i // 1000}", "1", f"{i % 1000 + 1000}", "3" if i != 77_777 else "31"])
    (tmp_path / "big.csv").write_text(buffer.getvalue(), encoding="utf-8")
    community.gate.close()

    code = main(["--db", str(community.path), "--lang", "en", "roster", "import", str(tmp_path / "big.csv")])

    err = capsys.readouterr().err
    assert code == 2 and "line 77779:" in err  # the header is line 1
    assert households(community.path) == 4
    figures.add("roster rows checked in one 100,000-row file", 100_000)


@settings(max_examples=max(50, EXAMPLES // 5), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(content=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)))
def test_the_roster_parser_refuses_random_files_cleanly(tmp_path_factory, content, figures):
    path = tmp_path_factory.mktemp("roster") / "random.csv"
    path.write_bytes(content)
    try:
        parse_roster(path, set())
    except RosterFileError:
        pass
    figures.add("roster parser: random files", 1)


# -- sync replies ----------------------------------------------------------------------------

@pytest.mark.parametrize("damage", ["truncated", "garbage", "text"])
def test_a_damaged_office_file_is_refused_and_the_gate_keeps_its_events(community, tmp_path, damage,
                                                                         figures):
    url = f"sqlite:///{tmp_path}/office.db"
    community.gate.service.scan(community.life[0].payload, "out", "36.5")
    sync_once(community.gate, url, community.clock)
    community.clock.advance(minutes=5)
    community.gate.service.scan(community.life[0].payload, "in", "36.5")
    office = tmp_path / "office.db"
    if damage == "truncated":
        office.write_bytes(office.read_bytes()[:5000])
    elif damage == "garbage":
        office.write_bytes(b"SQLite format 3\0" + bytes(range(256)) * 30)
    else:
        office.write_text("office,events\n1,2\n")
    for suffix in ("-wal", "-shm"):
        office.with_name("office.db" + suffix).unlink(missing_ok=True)
    unsynced = community.gate.status()["unsynced"]

    with pytest.raises(SyncError):
        sync_once(community.gate, url, community.clock)

    assert community.gate.status()["unsynced"] == unsynced == 1
    assert community.gate.verify_log().intact
    figures.add("damaged office replies refused", 1)


def test_a_duplicated_push_is_stored_once(community, tmp_path, figures):
    url = f"sqlite:///{tmp_path}/office.db"
    community.gate.service.scan(community.life[0].payload, "out", "36.5")
    first = sync_once(community.gate, url, community.clock)
    community.gate.store.db.conn.execute("UPDATE sync_targets SET acked_seq = 0")  # the ack was lost
    again = sync_once(community.gate, url, community.clock)
    assert (first.pushed, again.pushed, again.already_there) == (1, 0, 1)
    figures.add("duplicated pushes stored once", 1)
