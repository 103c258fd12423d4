"""The QR decoder: real sample photos, synthetic cards, empty frames, and the fallback."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import cv2
import numpy as np
import pytest
import segno
import zxingcpp

from scanners.decode import (
    STILL_STAGES,
    ZXING,
    QrDecoder,
    bytes_to_text,
    decode_files,
    decode_image_file,
    load_pyzbar,
    read_image,
)
from scanners.multiframe import CameraDecoder, FallbackBudget
from tests.scanners.scanner_helpers import SAMPLES, FakeClock, draw_card_frame, empty_frame

SAMPLE_IMAGES = sorted(p for p in SAMPLES.iterdir() if p.suffix in {".png", ".jpg", ".webp"})
# zxing-cpp alone misses these two; the cascade after it reads them.
NEEDS_FALLBACK = {"qrcode-2_28.webp", "qrcode-4_14.webp"}


def expected_text(image: Path) -> str:
    raw = image.with_suffix(".txt").read_bytes()
    return bytes_to_text(raw).strip()


def stripped(payloads: list[str]) -> list[str]:
    return [p.strip() for p in payloads]


@pytest.fixture(scope="module")
def still_decoder() -> QrDecoder:
    return QrDecoder()


@pytest.mark.parametrize("image", SAMPLE_IMAGES, ids=lambda p: p.name)
def test_sample_photos_decode_to_their_text(still_decoder: QrDecoder, image: Path) -> None:
    result = decode_image_file(str(image), still_decoder)
    assert stripped(result["payloads"]) == [expected_text(image)]


@pytest.mark.parametrize("name", sorted(NEEDS_FALLBACK))
def test_the_fallback_reads_what_zxing_misses(name: str) -> None:
    frame = read_image(SAMPLES / name)
    assert QrDecoder(stages=[ZXING]).decode(frame) == []
    assert stripped(QrDecoder().decode(frame)) == [expected_text(SAMPLES / name)]


CARD = "GP1:Q4Z7:3F2A9C1B:00042:1:H000123:L:20260210:20260310:K1"


@pytest.mark.parametrize(("description", "frame"), [
    ("1280x720 BGR", lambda: draw_card_frame(CARD)),
    ("640x480 BGR", lambda: draw_card_frame(CARD, size=(640, 480), module_px=4, at=(40, 40))),
    ("grey", lambda: cv2.cvtColor(draw_card_frame(CARD), cv2.COLOR_BGR2GRAY)),
    ("BGRA", lambda: cv2.cvtColor(draw_card_frame(CARD), cv2.COLOR_BGR2BGRA)),
    ("turned sideways", lambda: draw_card_frame(CARD, rotate_90=True)),
    ("small in the frame", lambda: draw_card_frame(CARD, module_px=3, at=(900, 500))),
    ("in a dim room", lambda: (draw_card_frame(CARD) * 0.5).astype(np.uint8)),
])
def test_a_card_in_a_camera_frame_is_read(description: str, frame: Any) -> None:
    assert QrDecoder.for_camera().decode(frame()) == [CARD]


def test_two_cards_in_one_frame_are_both_read() -> None:
    other = "GP1:Q4Z7:3F2A9C1B:00043:1:H000124:W:20260210:20260310:K1"
    frame = draw_card_frame(CARD)
    frame[400:720, 700:1280] = draw_card_frame(other, module_px=5, at=(10, 10))[0:320, 0:580]
    assert sorted(QrDecoder().decode(frame)) == sorted([CARD, other])


def random_texture(seed: int) -> np.ndarray:
    # Black-and-white blocks, like a patterned coat: the worst case for a finder-pattern search.
    rng = np.random.default_rng(seed)
    blocks = (rng.random((90, 160)) > 0.5).astype(np.uint8) * 255
    return cv2.resize(blocks, (1280, 720), interpolation=cv2.INTER_NEAREST)


def card_without_code() -> np.ndarray:
    frame = draw_card_frame(CARD)
    frame[100:480, 130:520] = (200, 180, 160)  # a photo where the code would be
    return frame


@pytest.mark.parametrize(("description", "frame"), [
    ("grey wall", lambda: empty_frame()),
    ("black (lens covered)", lambda: np.zeros((720, 1280, 3), np.uint8)),
    ("white (overexposed)", lambda: np.full((720, 1280, 3), 255, np.uint8)),
    ("sensor noise", lambda: np.random.default_rng(3).integers(0, 256, (720, 1280, 3), np.uint8)),
    ("texture", lambda: random_texture(1)),
    ("card without a code", card_without_code),
])
def test_no_payload_from_a_frame_without_a_code(description: str, frame: Any) -> None:
    assert QrDecoder().decode(frame()) == []


def with_margin(image: np.ndarray) -> np.ndarray:
    return cv2.copyMakeBorder(image, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)


def test_micro_qr_codes_are_not_read() -> None:
    micro = segno.make_micro("GP1234")
    image = np.array(micro.matrix, dtype=np.uint8)
    image = cv2.resize(np.where(image == 1, 0, 255).astype(np.uint8), None, fx=10, fy=10,
                       interpolation=cv2.INTER_NEAREST)
    image = with_margin(image)
    assert zxingcpp.read_barcodes(image), "the test image should hold a readable Micro QR"
    assert QrDecoder().decode(image) == []


@pytest.mark.parametrize("barcode_format", [zxingcpp.BarcodeFormat.Code128,
                                            zxingcpp.BarcodeFormat.DataMatrix])
def test_other_barcodes_are_not_read(barcode_format: Any) -> None:
    barcode = zxingcpp.create_barcode("GP1-000123", barcode_format)
    image = with_margin(np.asarray(barcode.to_image(scale=4)))
    assert zxingcpp.read_barcodes(image), "the test image should hold a readable barcode"
    assert QrDecoder().decode(image) == []


# Without libzbar


def no_libzbar() -> ModuleType:
    raise ImportError("Unable to find zbar shared library")


def test_without_libzbar_the_decoder_warns_and_reads_with_zxing(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="scan"):
        decoder = QrDecoder(load_zbar=no_libzbar)
    assert not decoder.has_fallback
    assert any("zxing-cpp only" in r.getMessage() and r.name == "scan" for r in caplog.records)
    assert decoder.decode(draw_card_frame(CARD)) == [CARD]
    # zxing-cpp's own variants (an equaliser, a fixed threshold) still run: no crash either
    assert isinstance(decoder.decode(read_image(SAMPLES / "qrcode-2_28.webp")), list)


def test_leaving_pyzbar_out_on_purpose_is_silent(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="scan"):
        decoder = QrDecoder(use_pyzbar=False)
    assert not decoder.has_fallback
    assert caplog.records == []


# Rationing the fallback


class CountingPyzbar:
    """The real pyzbar, counting its calls."""

    def __init__(self) -> None:
        self._pyzbar = load_pyzbar()
        self.ZBarSymbol = self._pyzbar.ZBarSymbol
        self.calls = 0

    def decode(self, image: np.ndarray, symbols: Any) -> Any:
        self.calls += 1
        return self._pyzbar.decode(image, symbols=symbols)


def test_the_slow_steps_are_rationed_on_a_long_empty_stream() -> None:
    run_ms = 30.0
    # Each clock reading moves 30 ms, so every slow step (two readings) "takes" 30 ms.
    clock = FakeClock(step=run_ms / 1000)
    budget = FallbackBudget(ms_per_frame=6.0, max_ms=50.0)
    decoder = CameraDecoder(budget=budget, clock=clock)
    frame = empty_frame()
    frames = 60
    for _ in range(frames):
        assert decoder.decode(frame) == []
    # The slow steps used their 6 ms a frame (plus the starting balance), and no more.
    assert frames * 6.0 / run_ms <= decoder.slow_steps
    assert decoder.slow_steps * run_ms <= frames * 6.0 + 50.0 + run_ms


def test_a_dark_still_image_still_gets_the_fallback() -> None:
    pyzbar = CountingPyzbar()
    decoder = QrDecoder(load_zbar=lambda: pyzbar)
    decoder.decode(empty_frame(level=15))  # the old dark-frame rule skipped zbar here
    assert pyzbar.calls == sum(s.needs_zbar for s in STILL_STAGES)


def test_a_still_image_decoder_always_tries_the_fallback() -> None:
    pyzbar = CountingPyzbar()
    decoder = QrDecoder(load_zbar=lambda: pyzbar)
    gate = empty_frame()
    for _ in range(10):
        decoder.decode(gate)
    assert pyzbar.calls == 10 * sum(s.needs_zbar for s in STILL_STAGES)


def test_the_fallback_does_not_run_when_zxing_read_the_card() -> None:
    pyzbar = CountingPyzbar()
    decoder = QrDecoder(load_zbar=lambda: pyzbar)
    assert decoder.decode(draw_card_frame(CARD)) == [CARD]
    assert pyzbar.calls == 0


def test_a_rationed_camera_decoder_still_reads_a_hard_card_held_up_for_a_moment() -> None:
    # Two seconds of empty gate, then the sample zxing-cpp cannot read, held up for 15 frames.
    hard = read_image(SAMPLES / "qrcode-4_14.webp")
    decoder = QrDecoder.for_camera(clock=FakeClock(step=0.015))
    gate = empty_frame()
    for _ in range(60):
        decoder.decode(gate)
    seen = [decoder.decode(hard) for _ in range(15)]
    assert [expected_text(SAMPLES / "qrcode-4_14.webp")] in [stripped(s) for s in seen]


# Files, for `kiosk decode`


def test_decode_image_file_reports_file_payloads_and_time() -> None:
    path = str(SAMPLES / "qrcode-5_01.webp")
    result = decode_image_file(path)
    assert set(result) == {"file", "payloads", "ms"}
    assert result["file"] == path
    assert stripped(result["payloads"]) == [expected_text(SAMPLES / "qrcode-5_01.webp")]
    assert result["ms"] >= 0


def test_a_non_ascii_path_is_read(tmp_path: Path) -> None:
    path = tmp_path / "通行证 照片" / "生活卡.webp"
    path.parent.mkdir()
    shutil.copy(SAMPLES / "qrcode-1_1.webp", path)
    assert stripped(decode_image_file(str(path))["payloads"]) == [
        expected_text(SAMPLES / "qrcode-1_1.webp")]


@pytest.mark.parametrize("make_bad_path", [
    lambda d: d / "missing.png",
    lambda d: d,  # a folder
    lambda d: (d / "notes.png").write_text("not an image") and d / "notes.png",
    lambda d: (d / "empty.jpg").write_bytes(b"") or d / "empty.jpg",
])
def test_an_unreadable_file_gives_an_error_line_not_an_exception(tmp_path: Path,
                                                                 make_bad_path: Any) -> None:
    path = str(make_bad_path(tmp_path))
    result = decode_image_file(path)
    assert result["file"] == path
    assert result["payloads"] == []
    assert result["error"] == "cannot read image"
    assert result["ms"] >= 0


def test_decode_files_gives_one_result_per_file_in_order(tmp_path: Path) -> None:
    card = tmp_path / "card.png"
    cv2.imwrite(str(card), draw_card_frame(CARD))
    paths = [str(card), str(tmp_path / "missing.png"), str(SAMPLES / "qrcode-6_15.webp")]
    results = decode_files(paths)
    assert not isinstance(results, list)  # lazy: the CLI prints each line as it is ready
    results = list(results)
    assert [r["file"] for r in results] == paths
    assert [r["payloads"] for r in results[:2]] == [[CARD], []]
    assert "error" in results[1] and "error" not in results[0]
    assert stripped(results[2]["payloads"]) == ["TEST"]


def test_a_transparent_png_is_laid_on_white(tmp_path: Path) -> None:
    grey = cv2.cvtColor(draw_card_frame(CARD), cv2.COLOR_BGR2GRAY)
    bgra = np.zeros((*grey.shape, 4), np.uint8)  # transparent black everywhere...
    bgra[:, :, 3] = np.where(grey < 128, 255, 0)  # ...but the dark modules, opaque black
    path = tmp_path / "exported.png"
    cv2.imwrite(str(path), bgra)
    assert decode_image_file(str(path))["payloads"] == [CARD]


@pytest.mark.parametrize(("data", "text"), [
    (b"GP1:ABC", "GP1:ABC"),
    ("测试".encode(), "测试"),
    ("ﾃﾞｻﾞｲﾝQR".encode("shift_jis"), "ﾃﾞｻﾞｲﾝQR"),
    (b"\xff\xfe\xfa", "\xff\xfe\xfa"),  # neither: latin-1 never fails
])
def test_pyzbar_bytes_become_text(data: bytes, text: str) -> None:
    assert bytes_to_text(data) == text


def test_a_float_frame_is_refused() -> None:
    with pytest.raises(ValueError):
        QrDecoder().decode(np.zeros((10, 10), np.float32))
