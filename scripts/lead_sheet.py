"""Make the lead's sheet of a sample day (PDF, XLSX) and a PNG of its first page, for the docs.

    .venv/bin/python scripts/lead_sheet.py [--out DIR]   (needs pdftoppm: poppler-utils)

A community of 3 buildings (two units each, Chinese names with compound surnames), one day
of scans through the real checkpoint service: exits and entries, a fever cleared and one
confirmed, a forgotten reading (a slip), a quota denial lifted by the lead; and the
volunteers' reports: outsiders turned away, a resident with symptoms, two deliveries (one
collected by the lead). The PNGs go to docs/screenshots/lead-sheet.png and
lead-sheet-lists.png unless --out names a folder.
"""
from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data.export import export_log  # noqa: E402 (after the path)
from kiosk.app import init_community  # noqa: E402
from kiosk.clock import FixedClock  # noqa: E402
from kiosk.model import CardKind, Household  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 2, 12)
NAMES = ["欧阳明", "张伟", "王芳", "司马磊", "李娜", "刘洋", "诸葛亮", "陈静", "杨帆", "赵敏", "上官云",
         "黄磊"]


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 2, 12, hour, minute, tzinfo=ZONE)


def build(folder: Path):
    clock = FixedClock(at(6))
    gate = init_community(folder / "gate.db", "幸福里", start_date=dt.date(2026, 2, 10), clock=clock)
    homes = [Household(f"H{n:06d}", str(1 + n // 4), str(1 + n // 2 % 2), f"{1 + n % 2}01", NAMES[n],
                       f"1380000{n:04d}", 2) for n in range(12)]
    gate.store.add_households(homes, clock.now())
    cards = [gate.office().issue(h.id, CardKind.LIFE, h.head).payload for h in homes]
    scan = gate.service.scan
    for n in (0, 1, 3, 5, 6, 8, 9):  # out in the morning
        scan(cards[n], "out", "36.4", operator="小王", at=at(7 + n % 4, 5 * n))
    for n in (0, 1, 5, 8):  # back before noon
        scan(cards[n], "in", "36.6", operator="李阿姨", at=at(11, 3 * n))
    scan(cards[2], "in", "37.6", operator="李阿姨", at=at(12, 10))   # a fever, then cleared
    scan(cards[2], "in", "36.9", operator="李阿姨", at=at(12, 17))
    scan(cards[10], "in", "37.9", operator="李阿姨", at=at(13, 2))   # a fever confirmed
    scan(cards[10], "in", "38.1", operator="李阿姨", at=at(13, 9))
    scan(cards[4], "in", operator="小王", at=at(14))                 # no reading: a slip
    denied = scan(cards[0], "out", "36.5", operator="小王", at=at(15))  # quota used
    gate.operators().add("欧阳楼长", "lead", "246813", ("1", "2", "3"))
    lead = gate.authenticate("246813", "lead")
    clock.set(at(15, 2))
    gate.override(denied.event_id, lead, "送医复诊")
    for hour, minute, kind, extra in (
            (8, 40, "outsider_refused", {"count": 2, "note": "快递员"}),
            (10, 15, "delivery", {"flat": "1-1-101", "note": "蔬菜"}),
            (12, 30, "symptoms", {"flat": "2-2-201", "note": "咳嗽"}),
            (14, 20, "outsider_refused", {}),
            (16, 45, "delivery", {"flat": "3-1-201", "note": "药品"})):
        clock.set(at(hour, minute))
        report = gate.report(kind, "李阿姨", **extra)
        if kind == "delivery" and hour == 10:
            clock.set(at(11, 5))
            gate.collect_parcel(report.id, lead)
    clock.set(at(18))
    return gate, lead


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        gate, lead = build(Path(scratch))
        args.out.mkdir(parents=True, exist_ok=True)
        pdf, xlsx = args.out / "lead-sheet.pdf", args.out / "lead-sheet.xlsx"
        for fmt, path in (("pdf", pdf), ("xlsx", xlsx)):
            export_log(gate.store, gate.clock, lead, fmt, path, DAY, force=True)
        gate.close()
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "2", str(pdf),
                    str(args.out / "lead-sheet")], check=True)
    (args.out / "lead-sheet-1.png").replace(args.out / "lead-sheet.png")
    (args.out / "lead-sheet-2.png").replace(args.out / "lead-sheet-lists.png")
    pdf.unlink()
    xlsx.unlink()
    print(args.out / "lead-sheet.png", args.out / "lead-sheet-lists.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
