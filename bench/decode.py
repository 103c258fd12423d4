"""Benchmark every QR pipeline side by side: still images, camera streams, camera sequences.

Usage (from the repository):

    .venv/bin/python bench/decode.py [--shared ../shared] [--cards DIR] [--passes 1]
                                     [--per-category 24] [--seeds 6] [--json FILE]

Sets: shared/qr-bench's synthetic cards (gen_cards.py, fixed seed; generated into a
temporary folder unless --cards names an earlier output) at 1280x720 and 640x480, its
real samples (qrcode-1..6), bench/card_photos.py's renders of the printed card (glare,
shadow, crease, sleeve, phone, perspective, blur, bright spot, mixed; seeded, written as
JPEG files), and the frames with no code. OpenCV on one thread.

Still pipelines are timed from the file (reading it included, as `kiosk decode` does);
camera pipelines from the frame in memory, each through a whole set in order with its
own state, as through a camera's frames. Per set: read rate, wrong payloads, median and
p95 ms, and the union of every still pipeline ("any known decoder" here). Then the
camera sequences (bench/card_photos.sequence: a card moving in, held with glare, tilted,
in a sleeve; 30 frames at 30 fps): how soon each camera pipeline first reads the card,
with frames that arrive while the decoder is busy skipped, as the worker's one-frame
slot does. Ends with issue 16's targets, PASS or FAIL; exits 1 on a miss.
"""
from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script: the packages are beside bench/
sys.path.insert(0, str(REPO / "bench"))

import card_photos  # noqa: E402 (needs the path above)

from scanners.decode import (  # noqa: E402
    ZBAR_ADAPTIVE,
    ZXING,
    QrDecoder,
    agreed,
    bytes_to_text,
    load_pyzbar,
    read_image,
    to_grey,
    use_one_opencv_thread,
)
from scanners.multiframe import CameraDecoder  # noqa: E402

Decode = Callable[[np.ndarray], list[str]]
FRAME_S = 1 / 30


@dataclass
class Frame:
    path: Path
    category: str
    expected: str | None  # None: a frame with no code


def ascii_skeleton(text: str) -> str:
    return "".join(c for c in text if c.isascii())


@dataclass
class Tally:
    frames: int = 0
    decoded: int = 0
    wrong: int = 0  # payloads other than the expected one (any payload on an empty frame)
    charset: int = 0  # the right code with non-ASCII characters guessed in another charset
    ms: list[float] = field(default_factory=list)
    hits: list[bool] = field(default_factory=list)

    def add(self, expected: str | None, payloads: list[str], ms: float) -> None:
        texts = [p.strip() for p in payloads]
        self.frames += 1
        hit = expected is not None and expected in texts
        self.decoded += hit
        self.hits.append(hit)
        for text in texts:
            if text == expected:
                continue
            if expected is not None and ascii_skeleton(text) == ascii_skeleton(expected):
                self.charset += 1  # zbar's own charset guess on Japanese samples
            else:
                self.wrong += 1
        self.ms.append(ms)

    def row(self) -> dict[str, float]:
        return {"frames": self.frames, "rate": 100.0 * self.decoded / max(1, self.frames),
                "wrong": self.wrong, "charset": self.charset,
                "median_ms": statistics.median(self.ms),
                "p95_ms": float(np.percentile(self.ms, 95)), "mean_ms": statistics.fmean(self.ms)}


def old_pipeline(camera: bool) -> Decode:
    """The pipeline before issue 16: zxing-cpp, then zbar on a 31 px mean threshold unless
    the frame is dark (mean grey < 40); for the camera, a 4 ms-a-frame budget."""
    pyzbar = load_pyzbar()
    balance = [50.0]

    def decode(frame: np.ndarray) -> list[str]:
        grey = to_grey(frame)
        texts = [r.text for r in ZXING(grey, None)]
        balance[0] = min(50.0, balance[0] + 4.0)
        if texts or float(grey[::8, ::8].mean()) < 40 or (camera and balance[0] <= 0):
            return texts
        started = time.perf_counter()
        binary = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY,
                                       31, 5)
        texts = [bytes_to_text(s.data) for s in pyzbar.decode(binary, symbols=[pyzbar.ZBarSymbol.QRCODE])]
        balance[0] -= (time.perf_counter() - started) * 1000
        return texts

    return decode


def cascade(*stages) -> Decode:
    """The plain cascade: each stage in turn until one reads (issue 16's ten lines)."""
    pyzbar = load_pyzbar()

    def decode(frame: np.ndarray) -> list[str]:
        grey = to_grey(frame)
        for stage in stages:
            if reads := stage(grey, pyzbar):
                return agreed(reads)
        return []

    return decode


def opencv(detector) -> Decode:
    def decode(frame: np.ndarray) -> list[str]:
        try:
            ok, texts, _, _ = detector.detectAndDecodeMulti(to_grey(frame))
        except (cv2.error, UnicodeDecodeError):  # OpenCV gives up on non-UTF-8 codes
            return []
        return [t for t in texts if t] if ok else []

    return decode


def still_pipelines() -> dict[str, Decode]:
    """Timed from the file: reading it is part of each figure."""
    return {
        "kiosk decode (now)": QrDecoder().decode,
        "kiosk decode (before)": old_pipeline(camera=False),
        "zxing-cpp alone": cascade(ZXING),
        "zxing, then zbar-adaptive": cascade(ZXING, ZBAR_ADAPTIVE),
        "zbar-adaptive alone": cascade(ZBAR_ADAPTIVE),
        "OpenCV QRCodeDetector": opencv(cv2.QRCodeDetector()),
        "OpenCV Aruco": opencv(cv2.QRCodeDetectorAruco()),
    }


def camera_pipelines() -> dict[str, Decode]:
    """Fresh for each set or sequence (their state starts over)."""
    return {
        "camera (now, multi-frame)": CameraDecoder().decode,
        "camera (before, 4 ms budget)": old_pipeline(camera=True),
        "camera: zxing fast path only": cascade(ZXING),
    }


def expected_text(image: Path) -> str:
    return bytes_to_text(image.with_suffix(".txt").read_bytes()).strip()


def frame_sets(cards: Path, samples: Path, photos: Path) -> dict[str, list[Frame]]:
    synth = sorted((cards / "synth").glob("*/*.png"))
    empty = sorted((cards / "noqr").glob("*.png"))
    sample_images = sorted(p for p in samples.glob("*/*")
                           if p.suffix != ".txt" and p.with_suffix(".txt").exists())

    def coded(paths: list[Path], category: Callable[[Path], str]) -> list[Frame]:
        return [Frame(p, category(p), expected_text(p)) for p in paths]

    def empty_kind(p: Path) -> str:
        return p.stem.rsplit("_", 2)[0]  # "card_no_qr_002_1280x720" -> "card_no_qr"

    return {
        "synthetic 1280x720": coded([p for p in synth if p.stem.endswith("_1280x720")],
                                    lambda p: p.parent.name),
        "synthetic 640x480": coded([p for p in synth if p.stem.endswith("_640x480")],
                                   lambda p: p.parent.name),
        "samples 1-6": coded(sample_images, lambda p: p.parent.name),
        "card photos": coded(sorted(photos.glob("*/*.jpg")), lambda p: p.parent.name),
        "empty 1280x720": [Frame(p, empty_kind(p), None) for p in empty
                           if p.stem.endswith("_1280x720")],
        "empty 640x480": [Frame(p, empty_kind(p), None) for p in empty
                          if p.stem.endswith("_640x480")],
    }


UNION = "union of the still pipelines"


def run_set(frames: list[Frame], passes: int) -> dict[str, dict[str, Tally]]:
    """{pipeline: {category or "all": Tally}} for one set; the pass with the lowest median
    kept whole (other load on the machine only ever slows a pass down)."""
    images = []
    for frame in frames:
        image = read_image(frame.path)
        if image is None:
            raise SystemExit(f"cannot read {frame.path}")
        images.append(image)
    best: dict[str, dict[str, Tally]] = {}

    def keep(name: str, tallies: dict[str, Tally]) -> None:
        if name not in best or (statistics.median(tallies["all"].ms)
                                < statistics.median(best[name]["all"].ms)):
            best[name] = tallies

    for _ in range(passes):
        for name, decode in still_pipelines().items():
            tallies: dict[str, Tally] = defaultdict(Tally)
            for frame in frames:
                started = time.perf_counter()
                image = read_image(frame.path)
                payloads = decode(image) if image is not None else []
                ms = (time.perf_counter() - started) * 1000.0
                tallies["all"].add(frame.expected, payloads, ms)
                tallies[frame.category].add(frame.expected, payloads, ms)
            keep(name, tallies)
        for name, decode in camera_pipelines().items():
            tallies = defaultdict(Tally)
            for frame, image in zip(frames, images, strict=True):
                started = time.perf_counter()
                payloads = decode(image)
                ms = (time.perf_counter() - started) * 1000.0
                tallies["all"].add(frame.expected, payloads, ms)
                tallies[frame.category].add(frame.expected, payloads, ms)
            keep(name, tallies)
    union: dict[str, Tally] = defaultdict(Tally)
    still = [best[name]["all"] for name in still_pipelines()]
    for i, frame in enumerate(frames):
        hit = any(t.hits[i] for t in still)
        for key in ("all", frame.category):
            union[key].add(frame.expected, [frame.expected] if hit and frame.expected else [], 0.0)
    best[UNION] = union
    return best


def print_set(name: str, tallies: dict[str, dict[str, Tally]]) -> None:
    print(f"\n## {name} ({tallies[next(iter(tallies))]['all'].frames} frames)")
    print("| pipeline | read | wrong | charset | median ms | p95 ms |")
    print("|---|---|---|---|---|---|")
    for pipeline, by_category in tallies.items():
        r = by_category["all"].row()
        timing = ("", "") if pipeline == UNION else (f"{r['median_ms']:.1f}", f"{r['p95_ms']:.1f}")
        print(f"| {pipeline} | {r['rate']:.1f}% | {r['wrong']} | {r['charset']} | "
              f"{timing[0]} | {timing[1]} |")
    categories = sorted(c for c in tallies[UNION] if c != "all")
    if len(categories) > 1 and tallies[UNION]["all"].decoded:
        shown = ["kiosk decode (now)", "kiosk decode (before)", "zxing-cpp alone",
                 "zxing, then zbar-adaptive", "camera (now, multi-frame)", UNION]
        print(f"  per category, read %: {', '.join(shown)}")
        for category in categories:
            cells = [f"{tallies[p][category].row()['rate']:5.1f}" for p in shown]
            print(f"  {category:<18} " + "  ".join(cells))


@dataclass
class FirstRead:
    frame: int | None  # index of the first frame whose decode gave the card
    ms: float | None  # from the first frame's arrival to the end of that decode
    decoded: int  # frames actually decoded (the rest arrived while the decoder was busy)


def first_read(decode: Decode, frames: list[np.ndarray], payload: str) -> FirstRead:
    """Play `frames` at 30 fps into a one-frame slot, as the worker does, and time the read."""
    now, index, decoded = 0.0, 0, 0
    while index < len(frames):
        started = time.perf_counter()
        texts = decode(frames[index])
        took = time.perf_counter() - started
        decoded += 1
        done = max(now, index * FRAME_S) + took
        if payload in texts:
            return FirstRead(index, done * 1000.0, decoded)
        now = done
        index = max(index + 1, int(done / FRAME_S))  # the newest frame that has arrived
    return FirstRead(None, None, decoded)


def run_sequences(seeds: int) -> dict[str, dict[str, list[FirstRead]]]:
    results: dict[str, dict[str, list[FirstRead]]] = {}
    for kind in card_photos.SEQUENCES:
        results[kind] = defaultdict(list)
        for seed in range(seeds):
            frames, payload = card_photos.sequence(kind, seed)
            for name, decode in camera_pipelines().items():
                results[kind][name].append(first_read(decode, frames, payload))
    return results


def print_sequences(results: dict[str, dict[str, list[FirstRead]]]) -> None:
    print("\n## camera sequences: time to first read (30 frames at 30 fps each)")
    print("| sequence | pipeline | read | median frames to read | median ms to read |")
    print("|---|---|---|---|---|")
    for kind, by_pipeline in results.items():
        for name, reads in by_pipeline.items():
            done = [r for r in reads if r.frame is not None]
            frames = f"{statistics.median(r.frame for r in done):.0f}" if done else "-"
            ms = f"{statistics.median(r.ms for r in done):.0f}" if done else "-"
            print(f"| {kind} | {name} | {len(done)}/{len(reads)} | {frames} | {ms} |")


def check_targets(results: dict[str, dict[str, dict[str, Tally]]],
                  sequences: dict[str, dict[str, list[FirstRead]]]) -> list[str]:
    """Issue 16's targets; each line says PASS or FAIL."""
    lines = []

    def check(ok: bool, text: str) -> None:
        lines.append(f"{'PASS' if ok else 'FAIL'}  {text}")

    for set_name in ("synthetic 1280x720", "synthetic 640x480", "samples 1-6", "card photos"):
        rows = {p: t["all"].row() for p, t in results[set_name].items()}
        now, best = rows["kiosk decode (now)"], rows["zxing, then zbar-adaptive"]
        union = rows[UNION]
        check(now["rate"] >= best["rate"], f"{set_name}: kiosk decode {now['rate']:.1f}% >= the "
                                            f"cascade's {best['rate']:.1f}%")
        share = 100.0 * now["rate"] / max(union["rate"], 1e-9)
        check(share >= 97.0, f"{set_name}: kiosk decode reads {share:.1f}% of what any "
                             f"pipeline reads (aim 97%)")
        # qrcode-2/16 holds two codes and its .txt names one: the other counts as wrong for
        # every zxing-cpp pipeline. Nothing may be wrong beyond what zxing-cpp alone reads.
        allowed = rows["zxing-cpp alone"]["wrong"] if set_name == "samples 1-6" else 0
        check(now["wrong"] <= allowed, f"{set_name}: wrong payloads from kiosk decode: "
                                       f"{now['wrong']} (allowed {allowed})")
        zx = rows["zxing-cpp alone"]["median_ms"]
        check(now["median_ms"] <= 1.5 * zx, f"{set_name}: median {now['median_ms']:.1f} ms <= "
                                            f"1.5 x zxing-cpp's {zx:.1f} ms (file read included)")
    for set_name in ("empty 1280x720", "empty 640x480"):
        row = results[set_name]["camera (now, multi-frame)"]["all"].row()
        check(row["wrong"] == 0, f"{set_name}: payloads from the camera on empty frames: "
                                 f"{row['wrong']}")
    now = sum(r.frame is not None for s in sequences.values()
              for r in s["camera (now, multi-frame)"])
    fast = sum(r.frame is not None for s in sequences.values()
               for r in s["camera: zxing fast path only"])
    check(now >= fast, f"camera sequences read: multi-frame {now}, fast path only {fast}")
    return lines


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo
                          if line.startswith("model name")), model)
    except OSError:
        pass
    return (f"{model}, {os.cpu_count()} cores, one thread; Python {platform.python_version()}, "
            f"OpenCV {cv2.__version__}, zxing-cpp {_version('zxing-cpp')}, "
            f"pyzbar {_version('pyzbar')}")


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "?"


@dataclass
class Cards:
    """The synthetic card set: the folder given, or one generated for this run."""

    folder: Path | None
    shared: Path
    _temp: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> Path:
        if self.folder is not None:
            return self.folder
        self._temp = tempfile.TemporaryDirectory(prefix="qr-synth-")
        out = Path(self._temp.name)
        print(f"generating the synthetic cards into {out} ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, str(self.shared / "qr-bench" / "gen_cards.py"),
                        "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
        return out

    def __exit__(self, *_: object) -> None:
        if self._temp is not None:
            self._temp.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared",
                        help="the shared folder holding qr-bench/ (default: ../shared)")
    parser.add_argument("--cards", type=Path,
                        help="a gen_cards.py output to reuse (default: generate one)")
    parser.add_argument("--passes", type=int, default=1,
                        help="passes per pipeline and set; the fastest is reported (default 1)")
    parser.add_argument("--per-category", type=int, default=24,
                        help="card photos rendered per category (default 24)")
    parser.add_argument("--seeds", type=int, default=6,
                        help="camera sequences per kind (default 6)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    use_one_opencv_thread()  # as the kiosk decodes: one thread

    results: dict[str, dict[str, dict[str, Tally]]] = {}
    with Cards(args.cards, args.shared) as cards, \
            tempfile.TemporaryDirectory(prefix="card-photos-") as photos:
        card_photos.write_photos(Path(photos), args.per_category)
        sets = frame_sets(cards, args.shared / "qr-bench" / "samples", Path(photos))
        for set_name, frames in sets.items():
            if not frames:
                raise SystemExit(f"no frames for {set_name}: check --shared and --cards")
            print(f"decoding {set_name} ...", file=sys.stderr, flush=True)
            results[set_name] = run_set(frames, args.passes)
    print("decoding the camera sequences ...", file=sys.stderr, flush=True)
    sequences = run_sequences(args.seeds)
    print(f"# QR decoding benchmark\n{machine()}; load average {os.getloadavg()[0]:.1f} at the "
          f"end; best of {args.passes} passes")
    for set_name, tallies in results.items():
        print_set(set_name, tallies)
    print_sequences(sequences)
    print("\n## targets")
    targets = check_targets(results, sequences)
    print("\n".join(targets))
    if args.json:
        args.json.write_text(json.dumps({
            "machine": machine(),
            "sets": {s: {d: {c: t.row() for c, t in cats.items()} for d, cats in decs.items()}
                     for s, decs in results.items()},
            "sequences": {k: {p: [r.__dict__ for r in reads] for p, reads in by.items()}
                          for k, by in sequences.items()},
            "targets": targets}, indent=2), encoding="utf-8")
    return 0 if all(line.startswith("PASS") for line in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
