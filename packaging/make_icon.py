"""Renders the app icon from its SVG: the 256 px PNG the app and the .deb use, and a Windows .ico.

    python packaging/make_icon.py
    python packaging/make_icon.py --iconset build/agent-copilot.iconset   # macOS, for iconutil

Run it after editing resources/icons/agent-copilot.svg and commit the outputs: the app itself
loads the PNG (QtGui reads PNG without any plugin), so neither the bundle nor the running app
needs QtSvg. The .ico stores PNG images directly, which Windows has read since Vista.
"""
from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "agent-copilot.svg"
PNG = ROOT / "resources" / "icons" / "agent-copilot.png"
ICO = ROOT / "packaging" / "windows" / "agent-copilot.ico"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render_png(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"make_icon: {SVG} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(images: dict[int, bytes]) -> bytes:
    """ICONDIR, one ICONDIRENTRY per size, then the PNG payloads (a size of 256 is written as 0)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, payload = b"", b""
    for size, png in sorted(images.items()):
        dim = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(png), offset + len(payload))
        payload += png
    return header + entries + payload


def write_iconset(folder: Path) -> None:
    """The PNGs `iconutil -c icns` expects, each rendered from the SVG at its own size."""
    folder.mkdir(parents=True, exist_ok=True)
    for size in (16, 32, 128, 256, 512):
        (folder / f"icon_{size}x{size}.png").write_bytes(render_png(size))
        (folder / f"icon_{size}x{size}@2x.png").write_bytes(render_png(size * 2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the app icon from its SVG.")
    parser.add_argument("--iconset", type=Path, help="write a macOS .iconset folder here instead")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (QImage needs it for fonts)
    if args.iconset:
        write_iconset(args.iconset)
        print(args.iconset)
        return 0
    PNG.write_bytes(render_png(256))
    ICO.parent.mkdir(parents=True, exist_ok=True)
    ICO.write_bytes(ico_bytes({size: render_png(size) for size in ICO_SIZES}))
    for path in (PNG, ICO):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
