"""Frame sources, read through OpenCV for real: MJPG videos and folders of images."""
from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from scanners.decode import QrDecoder
from scanners.sources import (
    CameraSource,
    FolderSource,
    Pacer,
    SourceExhausted,
    SourceUnavailable,
    VideoFileSource,
    open_source,
)
from tests.scanners.scanner_helpers import SAMPLES, FakeClock, draw_card_frame, write_video


def test_a_video_gives_its_frames_then_says_it_has_run_out(
        card_video: tuple[Path, str, int]) -> None:
    path, payload, count = card_video
    source = VideoFileSource(path, pace=False)
    frames = []
    with pytest.raises(SourceExhausted):
        while True:
            frames.append(source.read())
    source.close()
    assert len(frames) == count
    assert all(f.shape == (720, 1280, 3) and f.dtype == np.uint8 for f in frames)
    assert QrDecoder().decode(frames[count // 2]) == [payload]  # MJPG kept the code readable


def test_a_looping_video_starts_again(card_video: tuple[Path, str, int]) -> None:
    path, _, count = card_video
    source = VideoFileSource(path, loop=True, pace=False)
    frames = [source.read() for _ in range(count + 5)]
    source.close()
    assert all(f is not None for f in frames)
    assert np.array_equal(frames[count], frames[0])


def test_a_video_is_paced_at_its_frame_rate(tmp_path: Path) -> None:
    path = write_video(tmp_path / "slow.avi", [np.zeros((48, 64, 3), np.uint8)] * 5, fps=25.0)
    clock = FakeClock()
    source = VideoFileSource(path, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        source.read()
    source.close()
    assert source.fps == pytest.approx(25.0)
    assert clock.sleeps == pytest.approx([0.04] * 4)  # the first frame comes at once


def test_a_missing_video_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(SourceUnavailable):
        VideoFileSource(tmp_path / "nothing.avi")


def test_no_camera_at_an_index_is_unavailable() -> None:
    # No camera exists on a test machine: OpenCV fails to open it for real.
    with pytest.raises(SourceUnavailable, match="no camera at index 7"):
        CameraSource(7)


@pytest.fixture
def card_folder(tmp_path: Path) -> tuple[Path, list[str]]:
    """Three card photos (one with a non-ASCII name), a text file and a broken image."""
    folder = tmp_path / "演示卡片"
    folder.mkdir()
    payloads = ["GP1:DEMO:0001", "GP1:DEMO:0002", "GP1:DEMO:0003"]
    for name, payload in zip(["a.png", "b.jpg", "生活卡.png"], payloads, strict=True):
        ok, data = cv2.imencode(Path(name).suffix, draw_card_frame(payload))
        assert ok
        (folder / name).write_bytes(data.tobytes())
    (folder / "readme.txt").write_text("not a card")
    (folder / "broken.png").write_bytes(b"\x89PNG broken")
    return folder, payloads


def test_a_folder_shows_each_image_for_a_while_then_cycles(
        card_folder: tuple[Path, list[str]]) -> None:
    folder, payloads = card_folder
    clock = FakeClock()
    source = FolderSource(folder, hold_s=2.0, fps=10.0, clock=clock, sleep=clock.sleep)
    decoder = QrDecoder()
    seen = []
    for _ in range(80):  # 8 s at 10 frames a second
        seen.append(tuple(decoder.decode(source.read())))
    source.close()
    # Name order: a.png, b.jpg, broken.png (skipped), 生活卡.png; each for 2 s = 20 frames.
    shown = [p for i, p in enumerate(seen) if i == 0 or p != seen[i - 1]]
    assert shown == [(payloads[0],), (payloads[1],), (payloads[2],), (payloads[0],)]
    assert seen.count((payloads[1],)) == 20
    assert clock.sleeps and all(s == pytest.approx(0.1) for s in clock.sleeps)


def test_a_folder_of_real_photos_is_read(tmp_path: Path) -> None:
    for name in ("qrcode-1_1.webp", "qrcode-5_01.webp"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    source = FolderSource(tmp_path, hold_s=0.0, pace=False)
    assert [source.read().shape[:2] for _ in range(3)] == [
        cv2.imread(str(tmp_path / n)).shape[:2]
        for n in ("qrcode-1_1.webp", "qrcode-5_01.webp", "qrcode-1_1.webp")]


@pytest.mark.parametrize("make_folder", [
    lambda d: d / "missing",
    lambda d: d,  # exists, but holds no images
    lambda d: (d / "file.png").write_bytes(b"") or d / "file.png",  # a file
])
def test_a_folder_without_images_is_unavailable(tmp_path: Path, make_folder) -> None:
    with pytest.raises(SourceUnavailable):
        FolderSource(make_folder(tmp_path))


def test_pacer_keeps_a_steady_schedule_and_restarts_after_falling_behind() -> None:
    clock = FakeClock(start=0.0)
    pacer = Pacer(10.0, clock, clock.sleep)
    pacer.wait_for_next_frame()  # t=0: at once
    clock.advance(0.03)  # the caller worked for 30 ms
    pacer.wait_for_next_frame()  # waits the rest of the 100 ms
    assert clock.sleeps == pytest.approx([0.07])
    clock.advance(1.0)  # the caller stalled for a second
    pacer.wait_for_next_frame()  # no burst to catch up: a new schedule from now
    pacer.wait_for_next_frame()
    assert clock.sleeps == pytest.approx([0.07, 0.1])


def test_open_source_picks_the_kind_from_the_spec(card_video: tuple[Path, str, int],
                                                   card_folder: tuple[Path, list[str]]) -> None:
    video = open_source(str(card_video[0]))()
    folder = open_source(str(card_folder[0]))()
    try:
        assert isinstance(video, VideoFileSource) and video.loop
        assert isinstance(folder, FolderSource)
    finally:
        video.close()
        folder.close()
    with pytest.raises(SourceUnavailable, match="no camera at index 9"):
        open_source("9")()
