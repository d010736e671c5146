#!/usr/bin/env bash
# Installs everything the test suite needs, then runs all of it. The README's test command and
# CI's .ci/run both call this script, so a green run here means the same thing everywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

# Debian packages: the shared libraries Qt loads even offscreen, and fonts to render text with;
# binutils and dpkg-dev for building the installer; chromium to check the HTML review report in a
# real browser; a C/C++ toolchain and cmake for llama-cpp-python's first build.
# Desktops have most of them; bare CI images may not. Installed only where apt-get can run as root.
DEBIAN_PACKAGES="libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 fonts-dejavu-core
  binutils dpkg-dev chromium build-essential cmake"
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
