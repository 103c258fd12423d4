"""Every command of the real parser (kiosk.cli.build_parser), nested ones included: each has
a description, `--help` exits 0 with no traceback, and each is written down in the README
or a page of docs/, so a new command cannot ship undocumented."""
from __future__ import annotations

import argparse
import contextlib
import io
import re
from pathlib import Path

import pytest

from kiosk.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
GLOBAL_OPTIONS = r"(?:\s+(?:--db\s+\S+|--lang\s+\S+|-v|--verbose))*"


def _walk(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(path, parser) for every command and sub-command, depth first."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _walk(sub, (*path, name))


COMMANDS = dict(_walk(build_parser()))
LEAVES = [path for path, sub in COMMANDS.items()
          if not any(isinstance(a, argparse._SubParsersAction) for a in sub._actions)]


def test_the_walk_finds_every_command_and_the_nested_ones():
    top = {path[0] for path in COMMANDS}
    assert {"init", "scan", "card", "office", "operator", "gate", "sync", "backup"} <= top
    assert {("card", "issue"), ("office", "init"), ("operator", "add"), ("gate", "enroll")} <= set(COMMANDS)
    assert len(COMMANDS) >= 21


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_every_command_has_a_description_and_its_help_exits_0(path):
    assert (COMMANDS[path].description or "").strip(), f"kiosk {' '.join(path)} has no description"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            pytest.raises(SystemExit) as finished:
        build_parser().parse_args([*path, "--help"])
    assert finished.value.code == 0
    assert "Traceback" not in out.getvalue() + err.getvalue()
    assert out.getvalue().startswith(f"usage: kiosk {' '.join(path)}")
    assert COMMANDS[path].description.strip() in " ".join(out.getvalue().split())


def _documentation() -> str:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


@pytest.mark.parametrize("path", sorted(LEAVES), ids=" ".join)
def test_every_command_is_documented_in_the_readme_or_docs(path):
    shown = r"kiosk" + GLOBAL_OPTIONS + r"\s+" + r"\s+".join(map(re.escape, path)) + r"(?![\w-])"
    assert re.search(shown, _documentation()), (
        f"`kiosk {' '.join(path)}` is in the parser but not in README.md or docs/*.md")
