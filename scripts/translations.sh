#!/usr/bin/env bash
# The gate screen's translations: collect the tr() strings of ui/ (not ui/admin/, which
# keeps its own) into ui/i18n/gatepost_zh_CN.ts, keeping every translation already there,
# then compile the .qm the application loads. Edit the .ts with pyside6-linguist.
set -euo pipefail
cd "$(dirname "$0")/.."
sources=$(ls ui/*.py)
.venv/bin/pyside6-lupdate $sources -ts ui/i18n/gatepost_zh_CN.ts -no-obsolete -locations none
.venv/bin/pyside6-lrelease ui/i18n/gatepost_zh_CN.ts -qm ui/i18n/gatepost_zh_CN.qm
