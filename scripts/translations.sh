#!/usr/bin/env bash
# The screens' translations: collect the tr() strings of ui/ and ui/admin/ (the gate screen
# and the admin screens switch language together) into ui/i18n/gatepost_zh_CN.ts, keeping
# every translation already there, then compile the .qm the application loads. Edit the
# .ts with pyside6-linguist. Words the exports print too stay in kiosk/messages.py.
set -euo pipefail
cd "$(dirname "$0")/.."
sources=$(ls ui/*.py ui/admin/*.py ui/i18n/*.py)
.venv/bin/pyside6-lupdate $sources -ts ui/i18n/gatepost_zh_CN.ts -no-obsolete -locations none
.venv/bin/pyside6-lrelease ui/i18n/gatepost_zh_CN.ts -qm ui/i18n/gatepost_zh_CN.qm
