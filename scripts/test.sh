#!/usr/bin/env bash
# The one command that checks the project: the linter, the type checker (its settings are
# pyproject.toml's [tool.mypy]: strict on kiosk/, the defaults elsewhere), then the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check kiosk data scanners ui tests bench
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
