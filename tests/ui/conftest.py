"""A small community for the gate screen's tests: real SQLite files in tmp_path.

`community` builds it once per test (init, four households, every card kind, a revoked
card) with a FixedClock the tests move by hand.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.clock import FixedClock
from kiosk.model import CardKind, Household
from tests.community import on_disk

# A Thursday morning in the community's time zone (08:00 in Shanghai).
START = dt.datetime(2026, 2, 12, 0, 0, tzinfo=dt.UTC)
LEAD_PIN = "246813"


@dataclasses.dataclass
class Community:
    path: Path
    clock: FixedClock
    payloads: dict[str, str]  # name → QR payload
    serials: dict[str, str]   # name → printed serial


@pytest.fixture
def community(tmp_path) -> Community:
    clock = FixedClock(START)
    path = tmp_path / "gate.db"
    homes = [Household(f"H00000{i}", "3", "1", f"{i}01", head="王五") for i in range(1, 5)]
    built = on_disk(path, clock, name="测试小区", start=START.date(), households=homes)
    gate = built.gate
    payloads, serials = {}, {}

    def issue(name: str, household: str, kind: CardKind, holder: str) -> None:
        issued = built.issue(household, kind, holder)
        payloads[name], serials[name] = issued.payload, issued.card.serial

    issue("life", "H000001", CardKind.LIFE, "张三")
    issue("work", "H000002", CardKind.WORK, "李四")
    issue("special", "H000003", CardKind.SPECIAL, "赵六")
    issue("lost", "H000004", CardKind.LIFE, "钱七")
    payloads["revoked"] = payloads["lost"]
    reissued = built.office.reissue(serials["lost"])
    payloads["lost"] = reissued.payload
    gate.operators().add("楼长王", "lead", LEAD_PIN, buildings=("3",))
    gate.close()
    return Community(path, clock, payloads, serials)


@pytest.fixture
def display():
    """An Xvfb of its own (1600x900) for the tests marked `xvfb`; its DISPLAY name."""
    missing = [tool for tool in ("Xvfb", "xdotool") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"needs {' and '.join(missing)} (apt-get install xvfb xdotool)")
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x900x24",
                             "-nolisten", "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    yield f":{number}"
    xvfb.terminate()
    xvfb.wait(10)
