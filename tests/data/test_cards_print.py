"""Card sheets: rendered with pdftoppm, their QR codes read back by the project's own decoder."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from data.cardsheet import print_cards
from kiosk import cli
from kiosk.app import init_community
from kiosk.clock import FixedClock
from kiosk.model import CardKind, Household
from scanners.decode import decode_image_file

NOW = dt.datetime(2026, 2, 12, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def gate(tmp_path):
    clock = FixedClock(NOW)
    gate = init_community(tmp_path / "gate.db", "幸福里", clock=clock)
    households = [Household(f"H0000{i}1", "3" if i < 5 else "5", "1", f"{i}01") for i in range(1, 8)]
    gate.store.add_households(households, clock.now())
    office = gate.office()
    # Valid for years: the CLI test below runs on the wall clock, whatever day CI runs on.
    valid = {"valid_from": dt.date(2026, 2, 1), "valid_to": dt.date(2099, 12, 31)}
    issued = [office.issue(h.id, CardKind.LIFE, holder="张三", **valid) for h in households]
    issued.append(office.issue(households[0].id, CardKind.WORK, holder="Li Si", **valid))
    issued.append(office.issue(households[1].id, CardKind.SPECIAL, **valid))
    office.revoke(issued[2].card.serial)  # a revoked card is not printed
    gate.issued = issued
    yield gate
    gate.close()


def test_printed_qr_codes_decode_from_the_rendered_page(gate, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    out = tmp_path / "cards.pdf"
    count, pages = print_cards(gate.store, gate.office(), gate.clock, out, building="3")
    assert (count, pages) == (5, 1)  # 4 life cards of building 3 (one revoked) + work + special
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(out), str(tmp_path / "page")], check=True)
    decoded = decode_image_file(str(tmp_path / "page-1.png"))
    expected = {i.payload for i in gate.issued if i.household.building == "3"} - {gate.issued[2].payload}
    assert set(decoded["payloads"]) == expected


def test_a_card_shows_kind_flat_initial_dates_and_serial(gate, tmp_path):
    out = tmp_path / "cards.pdf"
    print_cards(gate.store, gate.office(), gate.clock, out, building="3")
    text = PdfReader(out).pages[0].extract_text()
    work = gate.issued[7].card
    assert "工作卡" in text and "特殊卡" in text and "生活卡" in text
    assert "1-101" in text and "持卡人：张" in text and "持卡人：L" in text
    assert "张三" not in text and "Li Si" not in text  # the initial only
    assert f"{work.valid_from} 至 {work.valid_to}" in text
    assert work.serial in text and gate.issued[2].card.serial not in text


def test_eight_cards_fill_a_page(gate, tmp_path):
    out = tmp_path / "all.pdf"
    count, pages = print_cards(gate.store, gate.office(), gate.clock, out)
    assert (count, pages) == (8, 1)
    gate.office().issue("H000071", CardKind.WORK)
    assert print_cards(gate.store, gate.office(), gate.clock, out, force=True) == (9, 2)
    assert len(PdfReader(out).pages) == 2


def test_cli_prints_cards_and_audits_it(gate, tmp_path, capsys):
    out = tmp_path / "b5.pdf"
    assert cli.main(["--db", str(gate.path), "cards", "print", "--building", "5", "--out", str(out)]) == 0
    assert "已生成 3 张卡片（1 页）" in capsys.readouterr().out
    row = gate.store.db.execute("SELECT action, details FROM audit ORDER BY id DESC").fetchone()
    assert row[0] == "cards_print" and json.loads(row[1])["cards"] == 3
    assert cli.main(["--db", str(gate.path), "--lang", "en", "cards", "print", "--building", "9",
                     "--out", str(tmp_path / "none.pdf")]) == 2
    assert "No active cards" in capsys.readouterr().err
    assert not (tmp_path / "none.pdf").exists()
