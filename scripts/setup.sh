#!/usr/bin/env bash
# Sets up Gatepost on a fresh Debian 12: the system libraries Qt, OpenCV and zbar need,
# a CJK font (without one Chinese renders as empty boxes, with no warning), and a virtual
# environment in .venv with the pinned Python packages. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3-venv
  libglib2.0-0 libegl1 libgl1 libfontconfig1 libxkbcommon0 libdbus-1-3
  fonts-wqy-microhei libzbar0
  # a real window under Xvfb (screenshots, the end-to-end wedge test)
  xvfb xdotool libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxkbcommon-x11-0
  # the verdict's sounds (aplay); without it the gate is silent, never broken
  alsa-utils
  # reading our own PDFs as a lead would (pdftoppm) and the export benchmark's floor
  poppler-utils sqlite3
  # the office database for the sync tests
  postgresql
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
