"""Screenshots of the gate screen in a real window (docs/screenshots/), for the README and
docs/gate-screen.md. Starts its own Xvfb unless DISPLAY is set; run from the repository:

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--size 1366x768] [--only idle,deny]

`--size` is the screen's (Xvfb's, with no window manager: a kiosk session): the window
takes its whole available geometry, as `kiosk gui` does. 1080x1920 is a portrait screen.
Shots at a size other than the default 1600x900 are named `NAME-WxH.png`.

The scans are typed into the screen's one scan path with a fixed clock, so the pictures
are the same every time; the preview shows a demo card (its decoder is switched off so it
does not scan on its own).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


DEFAULT_SIZE = "1600x900"
SHOTS = ("idle", "allow", "deny", "retest", "fever-queue", "special-reason", "action-needed",
         "camera-missing", "english", "record-on-paper", "typed-confirm", "serial-keyboard",
         "sign-in", "sign-in-pin", "report-dialog", "parcels", "mask-check")


def start_xvfb(size: str) -> subprocess.Popen:
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", f"{size}x24",
                             "-nolisten", "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        display = pipe.readline().strip()
    os.environ["DISPLAY"] = f":{display}"
    return xvfb


class NoDecoder:
    """The preview shows a card, but the screenshots' scans are typed."""

    has_fallback = False

    def decode(self, _frame):
        return []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--size", default=DEFAULT_SIZE, help="the screen, WIDTHxHEIGHT (1080x1920: portrait)")
    parser.add_argument("--only", default=",".join(SHOTS), help="comma-separated shots: " + ", ".join(SHOTS))
    args = parser.parse_args()
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = only - set(SHOTS)
    if unknown or not re.fullmatch(r"\d{3,4}x\d{3,4}", args.size):
        parser.error(f"unknown shots {sorted(unknown)}" if unknown
                     else "--size is WIDTHxHEIGHT, e.g. 1366x768")
    xvfb = None if os.environ.get("DISPLAY") else start_xvfb(args.size)
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    try:
        code = shoot(args.out, only, "" if args.size == DEFAULT_SIZE else f"-{args.size}")
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()
    sys.exit(code)


def shoot(out: Path, only: set[str], suffix: str) -> int:
    from PySide6.QtCore import QEventLoop, QTimer

    from kiosk.app import create_demo, open_gate
    from kiosk.clock import FixedClock
    from scanners.sources import FolderSource, SourceUnavailable
    from ui.camera import CameraFeed
    from ui.run import GateApp
    from ui.sound import Sounds

    out.mkdir(parents=True, exist_ok=True)
    clock = FixedClock(dt.datetime(2026, 2, 12, 1, 30, tzinfo=dt.UTC))  # 09:30 in Shanghai
    demo = create_demo(Path(tempfile.mkdtemp(prefix="gatepost-shots-")) / "demo", clock=clock)
    gate = open_gate(demo.db, clock=clock)
    life = [c for c in gate.store.cards() if c.kind.value == "life" and c.generation == 1
            and c.status.value == "active"]
    special = [c for c in gate.store.cards() if c.kind.value == "special"]
    flats = {c.serial: gate.store.household(c.household_id).flat for c in gate.store.cards()}
    gate.close()
    one_card = Path(tempfile.mkdtemp()) / "frames"
    one_card.mkdir()
    (one_card / "card.png").write_bytes((demo.frames / "00a-card.png").read_bytes())

    def camera_ok():
        return FolderSource(one_card, fps=15.0)

    def camera_missing():
        raise SourceUnavailable("no camera at index 0")

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def run(name: str, camera, steps, lang: str = "zh", signed_in: bool = True) -> None:
        if name not in only:  # the scans still happen: later shots build on them
            gate_app = GateApp(demo.db, lang, None, clock=clock, sounds=Sounds(player=None))
            steps(gate_app)
            wait(300)
            gate_app.close()
            gate_app.window.deleteLater()
            return
        gate_app = GateApp(demo.db, lang, camera, clock=clock, sounds=Sounds(player=None))
        window = gate_app.window
        gate_app.show()  # the screen's available geometry, as `kiosk gui` shows it
        wait(800)
        if signed_in:  # a volunteer on duty (ui/sign_in.py): the names closed, theirs on the status bar
            if window.sign_in.picker is not None:
                window.sign_in.picker.close()
            window.set_operator(demo.volunteers[0][0])
        steps(gate_app)
        wait(900)
        # The screen under the window, so a dialog over it is in the picture too.
        frame = window.frameGeometry()
        window.screen().grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height()).save(
            str(out / f"{name}{suffix}.png"))
        print(out / f"{name}{suffix}.png", window.width(), window.height(), file=sys.stderr)
        window.hide()
        gate_app.close()
        window.deleteLater()
        wait(100)

    def type_number(gate_app, serial: str, keyboard: bool = False, check: bool = True) -> None:
        """A number typed by hand (on the on-screen keyboard), then 查验: the confirmation."""
        window = gate_app.window
        window.keyboard_button.setChecked(keyboard)
        window.serial_entry.setText(serial)
        if check:
            window._submit_typed()
        wait(600)

    def break_disk(gate_app) -> None:
        """The database turns read-only under the worker (as a failing SD card does)."""
        gate_app.client.call(lambda gate: gate.store.db.execute("PRAGMA query_only = ON"))

    def on_lane(gate_app, body) -> None:
        """Something done on the gate lane (a setting, a report), before the next step."""
        gate_app.client.call(body)
        gate_app.client.refresh()
        wait(500)

    def report_dialog(gate_app) -> None:
        """报告: a delivery for a flat, its flat picked, a preset note (issue 17)."""
        window = gate_app.window
        window.open_report()
        wait(500)
        dialog = window.report_dialog
        dialog.kind.pick("delivery")
        dialog.pick_flat(parcel_flat)
        dialog.note.setText("一箱蔬菜，放在门卫室")

    def parcels(gate_app) -> None:
        """The demo lead's admin screen, on the parcels waiting at the gate."""
        from kiosk.operators import Operator, Role
        from ui.admin import open_admin

        on_lane(gate_app, lambda gate: (
            gate.report("delivery", "小李", flat=parcel_flat, note="一箱蔬菜"),
            gate.report("delivery", "小李", flat=other_flat, note="药品，冷藏")))
        lead = Operator("示范楼栋长", Role.LEAD, ("1", "2", "3"))  # the demo's lead
        admin = open_admin(gate_app.admin_client, lead, gate_app.window)
        admin.resize(1180, 700)
        admin.move(gate_app.window.frameGeometry().topLeft())
        admin.tabs.setCurrentWidget(admin.parcels_tab)
        wait(800)

    def pin_pad(gate_app) -> None:
        """A volunteer's name tapped: their PIN pad, two digits in (ui/sign_in.py)."""
        window = gate_app.window
        if window.sign_in.picker is None:  # not shown: the names are read on the lane
            wait(1000)
        window.sign_in.picker.buttons[demo.volunteers[0][0]].click()
        wait(300)
        for key in "13":
            window.sign_in.pin_dialog.press(key)

    def scan(gate_app, serial: str, direction: str, temp: str | None = None) -> None:
        window = gate_app.window
        window.direction.set_direction(direction)
        window.keypad.set_reading(temp or "")
        window.submit_scan(serial, "typed")
        wait(400)

    import ui.run as run_module
    original_feed = run_module.CameraFeed
    run_module.CameraFeed = lambda factory: CameraFeed(factory, decoder=NoDecoder())
    try:
        a, b, c = life[0].serial, life[1].serial, life[2].serial
        run("sign-in", camera_ok, lambda g: None, signed_in=False)
        run("sign-in-pin", camera_ok, pin_pad, signed_in=False)
        run("idle", camera_ok, lambda g: None)
        run("allow", camera_ok, lambda g: scan(g, a, "out", "36.5"))
        clock.advance(minutes=40)
        run("deny", camera_ok, lambda g: (scan(g, a, "in", "36.4"), clock.advance(minutes=30),
                                         scan(g, a, "out", "36.6")))
        run("retest", camera_ok, lambda g: scan(g, b, "in", "37.8"))
        clock.advance(minutes=2)
        # A long queue, every wait over: the 该复测了 banner over the table, the keys where they were.
        run("fever-queue", camera_ok, lambda g: (scan(g, c, "in", "38.1"),
                                                 scan(g, life[6].serial, "in", "37.9"),
                                                 scan(g, life[7].serial, "in", "38.4"),
                                                 clock.advance(minutes=5), g.client.refresh(), wait(1500)))
        run("special-reason", camera_ok, lambda g: scan(g, special[0].serial, "out"))
        run("action-needed", camera_ok, lambda g: scan(g, life[5].serial, "in"))  # no reading
        run("camera-missing", camera_missing, lambda g: None)
        clock.advance(minutes=1)
        run("english", camera_ok, lambda g: scan(g, life[3].serial, "in", "95.0"), lang="en")
        run("record-on-paper", camera_ok, lambda g: (break_disk(g), scan(g, b, "out", "36.5")))
        run("typed-confirm", camera_ok, lambda g: type_number(g, life[4].serial))
        run("serial-keyboard", camera_ok, lambda g: type_number(g, life[4].serial[:6], keyboard=True,
                                                                check=False))
        # issue 17: the gate's own reports, the parcels, the mask check
        parcel_flat, other_flat = flats[life[1].serial], flats[life[2].serial]
        run("report-dialog", camera_ok, report_dialog)
        run("parcels", camera_ok, parcels)
        run("mask-check", camera_ok, lambda g: (
            on_lane(g, lambda gate: gate.store.set_setting("mask.check", "on")),
            scan(g, life[5].serial, "out", "36.5")))
    finally:
        run_module.CameraFeed = original_feed
    print({s: flats[s] for s in (a, b, c)}, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
