"""Fixtures for the scanner tests (the helpers themselves are in scanner_helpers.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.scanners.scanner_helpers import FakeClock, draw_card_frame, empty_frame, write_video


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def card_video(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    """A 1280x720 MJPG video: an empty gate, a card held up for 20 frames, the empty gate.

    Returns (path, payload, number of frames).
    """
    payload = "GP1:7F3K2Q:000123:LIFE"
    blank = empty_frame()
    card = draw_card_frame(payload)
    frames = [blank] * 8 + [card] * 20 + [blank] * 8
    path = write_video(tmp_path_factory.mktemp("video") / "gate.avi", frames, fps=30.0)
    return path, payload, len(frames)
