#!/usr/bin/env bash
# The one command that checks the project: the linter, then the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check kiosk data scanners ui tests bench
exec .venv/bin/python -m pytest "$@"
