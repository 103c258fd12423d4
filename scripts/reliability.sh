#!/usr/bin/env bash
# Reruns the reliability tests at a larger scale and prints the figures for
# docs/reliability.md: SIGKILLs survived, hostile inputs tried, forgeries refused.
#   scripts/reliability.sh [SCALE]   (default 10: 300 kills, 100,000 forgeries, ...)
# CI runs the same tests at scale 1 as part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${1:-10}"
figures="$(mktemp --suffix=.json)"
trap 'rm -f "$figures"' EXIT
start=$(date +%s)
GATEPOST_RELIABILITY_SCALE="$scale" GATEPOST_FIGURES="$figures" \
  .venv/bin/python -m pytest -q -p no:cacheprovider tests/reliability
echo
echo "scale $scale, $(( $(date +%s) - start )) s on $(nproc) cores, $(date -u +%Y-%m-%d)"
.venv/bin/python - "$figures" <<'PY'
import json, sys
for name, count in json.load(open(sys.argv[1])).items():
    print(f"| {name} | {count:,} |")
PY
