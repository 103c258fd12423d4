"""The gate screen's figures (docs/performance.md, "Gate screen"):

1. latency from a decoded frame to the verdict painted (median, p95 ms), through the real
   path: GateWindow.submit_scan → the gate lane → SQLite with fsync → the verdict area painted;
2. the preview's frame rate while 1280x720 frames are decoded (ScanWorker + CameraFeed);
3. the resident memory of the running screen before and after N simulated scans.

    .venv/bin/python bench/gui_latency.py [--scans 10000] [--latency-scans 300]
        [--db-copy-of DIR [--households 10000]]

With `--db-copy-of`, the screen runs on a copy of a gate database bench/scale.py built
(DIR holds its gate.db and key files; the copy is the bench's own, the original is never
opened), its cards scanned by their payloads as bench/scale.py's Scanner does, out and back
in. The screen makes the day's backup as it opens: the verdicts painted while it copies
are counted apart, and the latency figures are taken after it.

Runs offscreen unless QT_QPA_PLATFORM says otherwise (xcb under Xvfb for a real window).
"""
from __future__ import annotations

import argparse
import collections
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description="gate screen latency, preview fps and memory")
    parser.add_argument("--scans", type=int, default=10_000)
    parser.add_argument("--latency-scans", type=int, default=300)
    parser.add_argument("--fps-seconds", type=float, default=5.0)
    parser.add_argument("--db-copy-of", type=Path, help="a folder holding a gate.db bench/scale.py built")
    parser.add_argument("--households", type=int, default=10_000, help="the households it was built with")
    args = parser.parse_args()

    import cv2
    from PySide6.QtCore import QEventLoop, QTimer

    from data.demo_frames import card_frame, desk
    from kiosk.app import create_demo, open_gate
    from scanners.sources import FolderSource
    from ui.run import GateApp
    from ui.sound import Sounds

    work = Path(tempfile.mkdtemp(prefix="gatepost-bench-"))
    if args.db_copy_of is not None:
        db_path, cards = big_gate(args.db_copy_of, work / "copy", args.households)
    else:
        db_path = create_demo(work / "demo").db
        gate = open_gate(db_path)
        cards = Cards([(c.serial, None) for c in gate.store.cards() if c.status.value == "active"])
        gate.close()

    frames = work / "hd"
    frames.mkdir()
    cv2.imwrite(str(frames / "a.png"), card_frame("GP1:NOT-A-CARD-FOR-THE-BENCH", "life", "X", "1-1-101", 1))
    cv2.imwrite(str(frames / "b.png"), desk(2))

    def wait_until(condition, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        loop = QEventLoop()
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the gate screen did not answer")
            QTimer.singleShot(1, loop.quit)
            loop.exec()

    # The camera shows a code that is no card, so the preview and decoder run flat out
    # while the scans of the benchmark are typed.
    app = GateApp(db_path, "zh", lambda: FolderSource(frames, hold_s=0.5, fps=30.0),
                  sounds=Sounds(player=None))
    app.camera.guard.window_s = 1e9  # the same non-card once: the bench's scans are its own
    window = app.window
    window.resize(1600, 900)
    app.show()

    painted: list[float] = []
    window.verdict_painted.connect(lambda seen_at: painted.append((time.perf_counter() - seen_at) * 1000))
    shown = [0]  # a count, not the outcomes: the bench must not hold 10,000 verdicts itself
    reasons: collections.Counter[str] = collections.Counter()  # what the timed scans were told

    def count(outcome) -> None:
        shown[0] += 1
        reasons[outcome.verdict.reason if outcome.verdict is not None else str(outcome.failure)] += 1

    window.verdict_shown.connect(count)

    def scan_one(i: int, seen_at: float | None = None) -> None:
        payload, direction = cards.next(i)
        window.direction.set_direction(direction)
        window.keypad.set_reading("36.5")
        window.submit_scan(payload, cards.source, seen_at)

    def timed_scan(i: int) -> None:
        before = len(painted)
        scan_one(i, time.perf_counter())
        wait_until(lambda: len(painted) > before)

    # 0. the day's backup, which the screen starts as it opens: scans one at a time beside it
    backup_done: list[float] = []
    for signal in (app.maintenance.backed_up, app.maintenance.warned, app.maintenance.damaged):
        signal.connect(lambda *_: backup_done.append(time.perf_counter()))
    backup_started = time.perf_counter()
    i = 0
    while not backup_done:
        timed_scan(i)
        i += 1
    beside_backup = sorted(painted)
    backup_s = backup_done[0] - backup_started
    painted.clear()

    # 1. latency, one scan at a time (the way people pass the gate)
    wait_until(lambda: shown[0] >= i)  # the last verdict is painted before it is counted shown
    reasons.clear()
    for i in range(args.latency_scans):
        timed_scan(i)
    latency = sorted(painted)
    told = ", ".join(f"{reason} {n}" for reason, n in reasons.most_common())
    median = statistics.median(latency)
    p95 = latency[int(len(latency) * 0.95) - 1]

    # 2. preview frame rate while decoding
    start_frames, start_decoded = window.preview.frames_painted, app.camera.stats.frames_decoded
    started = time.perf_counter()
    wait_until(lambda: time.perf_counter() - started >= args.fps_seconds, args.fps_seconds + 5)
    elapsed = time.perf_counter() - started
    fps = (window.preview.frames_painted - start_frames) / elapsed
    decoded_fps = (app.camera.stats.frames_decoded - start_decoded) / elapsed

    # 3. memory before and after N scans (submitted in small batches; every one is recorded)
    def scan_batch(count: int) -> None:
        target = shown[0] + count
        for i in range(count):
            scan_one(i)
        wait_until(lambda: shown[0] >= target, 120)

    scan_batch(500)  # warm-up: caches, the first pages of the database
    before_mib = rss_mib()
    started = time.perf_counter()
    done = 0
    while done < args.scans:
        batch = min(200, args.scans - done)
        scan_batch(batch)
        done += batch
    scans_s = time.perf_counter() - started
    after_mib = rss_mib()

    app.window.hide()
    app.close()
    print(f"database: {db_path.stat().st_size / 1e6:.0f} MB"
          + (f" (a copy of {args.db_copy_of})" if args.db_copy_of else " (the demo)"))
    if beside_backup:
        print(f"beside the day's backup ({backup_s:.1f} s from the window's start): "
              f"{len(beside_backup)} verdicts painted, median {statistics.median(beside_backup):.1f} ms, "
              f"p95 {beside_backup[int(len(beside_backup) * 0.95) - 1]:.1f} ms, "
              f"longest {beside_backup[-1]:.1f} ms (the screen's first verdict included)")
    print(f"decoded frame -> verdict painted: median {median:.1f} ms, p95 {p95:.1f} ms "
          f"({len(latency)} scans: {told})")
    print(f"preview: {fps:.1f} fps painted, {decoded_fps:.1f} frames/s decoded at 1280x720")
    print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"memory: {before_mib:.1f} MiB before, {after_mib:.1f} MiB after {args.scans} scans "
          f"({(after_mib - before_mib) / before_mib * 100:+.1f}%), {args.scans / scans_s:.0f} scans/s")
    sys.stdout.flush()
    shutil.rmtree(work, ignore_errors=True)  # a copy of a big database is 700 MB with its backup
    os._exit(0)  # see scripts/screenshots.py: skip PySide6's teardown once the figures are out


class Cards:
    """The payloads to scan and which way each card goes next: out, then back in."""

    def __init__(self, payloads: list[tuple[str, bool | None]]):
        self.payloads = payloads
        self.out = [bool(was_out) for _payload, was_out in payloads]
        self.alternate = payloads[0][1] is None  # the demo's: no passage known, out and in in turn
        self.source = "typed" if self.alternate else "camera"  # the demo's serials, or QR payloads

    def next(self, i: int) -> tuple[str, str]:
        n = i % len(self.payloads)
        if self.alternate:
            return self.payloads[n][0], "out" if i % 2 == 0 else "in"
        direction = "in" if self.out[n] else "out"
        self.out[n] = not self.out[n]  # the bench's cards are let through (bench/scale.py build)
        return self.payloads[n][0], direction


def big_gate(source: Path, folder: Path, households: int, count: int = 2000) -> tuple[Path, Cards]:
    """A copy of the gate database in `source` (never opened in place: opening writes), and
    `count` of its cards' payloads, as bench/scale.py's Scanner makes them."""
    from bench.scale import bench_cards
    from kiosk.app import open_gate

    folder.mkdir(parents=True)
    for file in source.iterdir():  # a closed database: its WAL is folded in, a copy is whole
        if file.name.startswith("gate.db") and not file.name.endswith(".checked"):
            shutil.copy(file, folder / file.name)
    os.sync()  # else the kernel writes the copy out half a minute later, amid the figures
    path = folder / "gate.db"
    gate = open_gate(path, backup=False)  # the screen makes the day's backup, as it does
    try:
        office = gate.office()
        chosen = random.Random(7).sample(bench_cards(households), count)
        payloads = []
        for serial, _household in chosen:
            last = gate.store.last_passage(serial)
            payloads.append((office.payload(gate.store.card(serial)),
                             last is not None and last.direction.value == "out"))
    finally:
        gate.close()
    return path, Cards(payloads)


if __name__ == "__main__":
    sys.exit(main())
