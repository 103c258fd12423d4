"""The gate screen's figures (docs/performance.md, "Gate screen"):

1. latency from a decoded frame to the verdict painted (median, p95 ms), through the real
   path: GateWindow.submit_scan → the gate lane → SQLite with fsync → the verdict area painted;
2. the preview's frame rate while 1280x720 frames are decoded (ScanWorker + CameraFeed);
3. the resident memory of the running screen before and after N simulated scans.

    .venv/bin/python bench/gui_latency.py [--scans 10000] [--latency-scans 300]

Runs offscreen unless QT_QPA_PLATFORM says otherwise (xcb under Xvfb for a real window).
"""
from __future__ import annotations

import argparse
import os
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
    args = parser.parse_args()

    import cv2
    from PySide6.QtCore import QEventLoop, QTimer

    from data.demo_frames import card_frame, desk
    from kiosk.app import create_demo, open_gate
    from scanners.sources import FolderSource
    from ui.run import GateApp
    from ui.sound import Sounds

    work = Path(tempfile.mkdtemp(prefix="gatepost-bench-"))
    demo = create_demo(work / "demo")
    gate = open_gate(demo.db)
    serials = [c.serial for c in gate.store.cards() if c.status.value == "active"]
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
    app = GateApp(demo.db, "zh", lambda: FolderSource(frames, hold_s=0.5, fps=30.0),
                  sounds=Sounds(player=None))
    app.camera.guard.window_s = 1e9  # the same non-card once: the bench's scans are its own
    window = app.window
    window.resize(1600, 900)
    app.show()

    painted: list[float] = []
    window.verdict_painted.connect(lambda seen_at: painted.append((time.perf_counter() - seen_at) * 1000))
    shown = [0]  # a count, not the outcomes: the bench must not hold 10,000 verdicts itself

    def count(_outcome) -> None:
        shown[0] += 1

    window.verdict_shown.connect(count)

    # 1. latency, one scan at a time (the way people pass the gate)
    for i in range(args.latency_scans):
        before = len(painted)
        window.direction.set_direction("out" if i % 2 == 0 else "in")
        window.keypad.set_reading("36.5")
        window.submit_scan(serials[i % len(serials)], "typed", time.perf_counter())
        wait_until(lambda before=before: len(painted) > before)
    latency = sorted(painted)
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
            window.direction.set_direction("out" if i % 2 == 0 else "in")
            window.keypad.set_reading("36.5")
            window.submit_scan(serials[i % len(serials)], "typed")
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
    print(f"decoded frame -> verdict painted: median {median:.1f} ms, p95 {p95:.1f} ms "
          f"({len(latency)} scans)")
    print(f"preview: {fps:.1f} fps painted, {decoded_fps:.1f} frames/s decoded at 1280x720")
    print(f"memory: {before_mib:.1f} MiB before, {after_mib:.1f} MiB after {args.scans} scans "
          f"({(after_mib - before_mib) / before_mib * 100:+.1f}%), {args.scans / scans_s:.0f} scans/s")
    sys.stdout.flush()
    os._exit(0)  # see scripts/screenshots.py: skip PySide6's teardown once the figures are out


if __name__ == "__main__":
    sys.exit(main())
