"""The office screen (`kiosk office gui`) in a real window: docs/screenshots/office-gui.png.

A sample office in a temporary folder (three buildings, compound surnames, life cards
issued at the office, two gates 北门 and 南门 enrolled from it that scanned a morning and
synced), opened with the office admin's PIN as `kiosk office gui` opens it. Starts its
own Xvfb unless DISPLAY is set (as scripts/screenshots.py); run from the repository:

    .venv/bin/python scripts/office_screenshot.py [--out docs/screenshots] [--tab log]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshots import start_xvfb  # noqa: E402 (scripts/ is not a package)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PIN = "135790"
TABS = {"log": 0, "incidents": 1, "households": 2, "operators": 3, "gates": 4}


def local(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 2, 12, hour, minute, tzinfo=SHANGHAI)


def sample_office(folder: Path):
    """The office's URL, key and clock, after a morning at two gates."""
    from data.office_admin import OfficeAdmin
    from data.sync import OfficeSession, enroll, init_office, sync_once
    from kiosk.app import open_gate
    from kiosk.clock import FixedClock
    from kiosk.model import Household

    clock = FixedClock(local(7))
    url, key = f"sqlite:///{folder}/office.db", folder / "office.key"
    init_office(url, "幸福里社区", key_file=key, clock=clock)
    session = OfficeSession(url, key, clock)
    names = ["欧阳娜", "司马光", "王芳", "张伟", "李娜", "诸葛明", "上官婷", "赵六", "东方白", "刘洋"]
    households = [Household(f"H{i:06d}", str(1 + i % 3), str(1 + i % 2), f"{1 + i // 6}0{1 + i % 4}",
                            name, f"1380000{i:04d}", 1 + i % 4) for i, name in enumerate(names)]
    session.import_households(households)
    admin = OfficeAdmin(session)
    admin.add_operator("社区办", "admin", PIN, (), by="script")
    admin.add_operator("张楼长", "lead", "246802", ("1",), by="script")
    issued, _ = admin.issue_missing("1", by="script")
    more, _ = admin.issue_missing("2", by="script")
    session.close()
    enroll(folder / "north.db", url, "北门", clock)
    enroll(folder / "south.db", url, "南门", clock)
    north, south = (open_gate(folder / f"{g}.db", clock=clock) for g in ("north", "south"))
    cards = [i.payload for i in issued + more]
    for n, payload in enumerate(cards):
        gate, back = (north, south) if n % 2 else (south, north)
        gate.service.scan(payload, "out", "36.5", operator="小王", at=local(7 + n % 4, 10 * (n % 6)))
        back.service.scan(payload, "in", "36.6", operator="老李", at=local(10 + n % 3, 5 * n % 60))
    south.service.scan(cards[0], "out", "37.8", operator="老李", at=local(15, 20))
    south.service.scan(cards[0], "out", "37.9", operator="老李", at=local(15, 27))
    south.service.scan("HELLO", "in", operator="老李", at=local(16))
    clock.set(local(17))
    sync_once(south, url, clock)
    sync_once(north, url, clock)
    north.close()
    south.close()
    clock.set(local(18))
    return url, key, clock


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--tab", default="log", choices=sorted(TABS))
    args = parser.parse_args()
    xvfb = None if os.environ.get("DISPLAY") else start_xvfb("1366x768")
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    try:
        return shoot(args.out, args.tab)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()


def shoot(out: Path, tab: str) -> int:
    from PySide6.QtCore import QEventLoop, QTimer

    from kiosk.app import office_screen
    from ui.office_run import OfficeApp

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    with tempfile.TemporaryDirectory(prefix="gatepost-office-") as folder:
        url, key, clock = sample_office(Path(folder))
        app = OfficeApp(office_screen(url, key, "zh", clock), "zh")
        app.show()
        wait(300)
        app.on_pin(PIN, "")
        while app.window is None:
            wait(100)
        window = app.window
        window.move(0, 0)
        window.tabs.setCurrentIndex(TABS[tab])
        wait(1500)
        frame = window.frameGeometry()
        name = "office-gui.png" if tab == "log" else f"office-gui-{tab}.png"
        shot = window.screen().grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height())
        shot.save(str(out / name))
        print(out / name, window.width(), window.height(), file=sys.stderr)
        window.close()
        app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
