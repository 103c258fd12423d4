"""`kiosk scan` loads only what a scan uses: no camera, spreadsheet, PDF or GUI library, and
not sqlite-utils (with numpy and click behind it), which a scan's statements do not need."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_cli import community, run  # noqa: F401 (community is a fixture)

ROOT = Path(__file__).resolve().parents[2]
NOT_FOR_A_SCAN = ("cv2", "openpyxl", "fpdf", "numpy", "PySide6", "segno", "psycopg", "sqlite_utils",
                  "click", "pandas", "concurrent.futures")

SCAN_AND_LIST = """
import json, sys
from kiosk.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "loaded": [m for m in json.loads(sys.stdin.read()) if m in sys.modules]}),
      file=sys.stderr)
"""


def scan_in_own_process(db: Path, *args: str) -> tuple[dict, dict]:
    done = subprocess.run([sys.executable, "-c", SCAN_AND_LIST, "--db", str(db), "--lang", "en", *args],
                          input=json.dumps(NOT_FOR_A_SCAN), capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "KIOSK_DB": ""}, timeout=60)
    return json.loads(done.stdout), json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [("--direction", "out", "--temp", "36.6"), ("--direction", "in")],
                         ids=["exit", "entry_without_temperature"])
def test_a_scan_loads_no_library_it_does_not_use(community, args):  # noqa: F811 (the fixture)
    db, _household, life = community

    verdict, process = scan_in_own_process(db, "scan", life["payload"], *args)

    assert verdict["decision"] in ("allow", "deny")  # a real verdict was decided and printed
    assert process["code"] in (0, 1)
    assert process["loaded"] == []


def test_the_commands_that_need_sqlite_utils_still_load_it_and_work(community):  # noqa: F811
    db, household, _life = community

    done = run(db, "policy", "set", "scan.repeat_guard_s", "12")  # the settings writer's upsert

    assert done.returncode == 0, done.stderr
    shown = run(db, "policy", "show", "--json")
    assert json.loads(shown.stdout)["scan.repeat_guard_s"] in ("12", 12)
