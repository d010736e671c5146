#!/usr/bin/env bash
# Installs everything the test suite needs, then runs all of it. The README's test command and
# CI's .ci/run both call this script, so a green run here means the same thing everywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

# Debian packages: the shared libraries Qt loads even offscreen, and fonts to render text with;
# binutils for building the installer (objdump, readelf, strip); Xvfb and the X libraries the
# installed .deb depends on, to run it in a real window; chromium to check the HTML review report
# in a real browser; a C/C++ toolchain and cmake for llama-cpp-python's first build; PostgreSQL (and
# openssl for its test certificate) for the team-store tests, which start their own cluster.
# Desktops have most of them; bare CI images may not. Installed only where apt-get can run as root.
DEBIAN_PACKAGES="libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 fonts-dejavu-core
  binutils chromium build-essential cmake xvfb xauth libglib2.0-0 libfreetype6 libx11-6 libx11-xcb1
  libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1
  libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0 postgresql openssl"
if command -v apt-get >/dev/null 2>&1; then
  missing=$(for p in $DEBIAN_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo -n"; fi
    echo "Installing Debian packages the tests need: $missing"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $missing
  fi
fi

"$PYTHON" -m pip install --quiet --disable-pip-version-check -e ".[test]"
export QT_QPA_PLATFORM=offscreen
# pytest exits 5 when it collects no tests; that is a failure here as everywhere.
exec "$PYTHON" -m pytest "$@"
