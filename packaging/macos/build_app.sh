#!/bin/sh
# Builds "Agent Copilot.app" and a .dmg on macOS 12 or later. It cannot run on Linux and is not
# run by CI; see README.md here for what it does and what is still to be done by hand.
#
#     packaging/macos/build_app.sh              # unsigned: fine on the build machine
#     CODESIGN_IDENTITY="Developer ID Application: ..." packaging/macos/build_app.sh
set -eu
cd "$(dirname "$0")/../.."
python=${PYTHON:-python3}
version=$("$python" -c "import copilot; print(copilot.__version__)")

# 1. The icon: every size rendered from the SVG, then packed by Apple's iconutil.
rm -rf build/agent-copilot.iconset
"$python" packaging/make_icon.py --iconset build/agent-copilot.iconset
iconutil -c icns build/agent-copilot.iconset -o build/agent-copilot.icns

# 2. The bundle and the .app (the spec adds a BUNDLE step on macOS), smoke-tested by build.py.
"$python" packaging/build.py --no-deb
app="dist/Agent Copilot.app"

# 3. Signing: hardened runtime, inside out (--deep is not enough for notarisation).
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  find "$app/Contents" -type f \( -name "*.so" -o -name "*.dylib" \) -print0 |
    xargs -0 codesign --force --timestamp --options runtime --sign "$CODESIGN_IDENTITY"
  codesign --force --timestamp --options runtime --sign "$CODESIGN_IDENTITY" "$app"
  codesign --verify --strict --verbose=2 "$app"
fi

# 4. The disk image: the app next to a link to /Applications, compressed.
staging=build/dmg
rm -rf "$staging" && mkdir -p "$staging"
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
hdiutil create -volname "Agent Copilot" -srcfolder "$staging" -ov -format UDZO "dist/agent-copilot-$version.dmg"

# 5. Notarisation (needs an Apple developer account; run by hand):
#   xcrun notarytool submit dist/agent-copilot-$version.dmg --keychain-profile NOTARY --wait
#   xcrun stapler staple dist/agent-copilot-$version.dmg
echo "dist/agent-copilot-$version.dmg"
