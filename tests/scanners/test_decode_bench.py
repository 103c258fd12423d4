"""bench/decode.py keeps working: a tiny card set through the whole benchmark."""
from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType

import cv2
import pytest

from tests.scanners.scanner_helpers import SAMPLES, draw_card_frame, empty_frame

BENCH = Path(__file__).resolve().parents[2] / "bench" / "decode.py"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_decode", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_the_bench_prints_every_set_and_the_targets(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    cards, shared = tmp_path / "cards", tmp_path / "shared"
    for i, (width, height) in enumerate([(1280, 720), (640, 480)]):
        folder = cards / "synth" / "clean"
        folder.mkdir(parents=True, exist_ok=True)
        payload = f"GP1|00000{i}|U001|ABCDEF|bench"
        cv2.imwrite(str(folder / f"00{i}_{width}x{height}.png"),
                    draw_card_frame(payload, size=(width, height), module_px=4, at=(20, 20)))
        (folder / f"00{i}_{width}x{height}.txt").write_text(payload)
        (cards / "noqr").mkdir(exist_ok=True)
        cv2.imwrite(str(cards / "noqr" / f"texture_00{i}_{width}x{height}.png"),
                    empty_frame((width, height)))
    samples = shared / "qr-bench" / "samples" / "qrcode-5"
    samples.mkdir(parents=True)
    for name in ("qrcode-5_01.webp", "qrcode-5_01.txt"):
        shutil.copy(SAMPLES / name, samples / name.removeprefix("qrcode-5_"))

    exit_code = load_bench().main(["--cards", str(cards), "--shared", str(shared),
                                   "--passes", "1", "--per-category", "1", "--seeds", "1",
                                   "--json", str(tmp_path / "figures.json")])

    out = capsys.readouterr().out
    for heading in ("synthetic 1280x720 (1 frames)", "synthetic 640x480 (1 frames)",
                    "samples 1-6 (1 frames)", "card photos (10 frames)",
                    "empty 1280x720 (1 frames)", "## camera sequences", "## targets"):
        assert heading in out
    assert "PASS  synthetic 1280x720: wrong payloads from kiosk decode: 0 (allowed 0)" in out
    assert exit_code in (0, 1)  # timing targets depend on the machine; the run must complete
    figures = json.loads((tmp_path / "figures.json").read_text())
    for set_name in ("synthetic 1280x720", "synthetic 640x480", "samples 1-6"):
        rates = {pipeline: by_category["all"]["rate"]
                 for pipeline, by_category in figures["sets"][set_name].items()}
        assert rates["kiosk decode (now)"] == rates["zxing-cpp alone"] == 100.0
        assert rates["camera (now, multi-frame)"] == 100.0
    assert figures["sets"]["empty 1280x720"]["camera (now, multi-frame)"]["all"]["wrong"] == 0
    assert set(figures["sequences"]) == {"moving_in", "held_glare", "tilted", "sleeve",
                                         "low_light", "sleeve_glare", "blur_in"}
    assert set(figures["time_to_first_read"]) == set(figures["sequences"]["tilted"])
