"""`copilot screenshot OUT.png`: the main window with N simulated chats, rendered to a PNG."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from copilot.cli.options import at_least_one, bad_input


def register(subparsers) -> None:
    parser = subparsers.add_parser("screenshot", help="render the workspace with simulated chats to a PNG")
    parser.add_argument("out", type=Path, help="the PNG file to write")
    parser.add_argument("--chats", type=at_least_one, default=6, help="simulated chats open in the picture (default 6)")
    parser.add_argument("--seed", type=int, default=3, help="which simulated shift to picture")
    parser.add_argument("--size", default="1440x900", help="window size, WIDTHxHEIGHT (default 1440x900)")
    parser.add_argument("--show", action="store_true", help="use the real display (e.g. Xvfb) instead of offscreen")
    parser.add_argument("--usage-log", type=Path, help="usage log for this run (default: a temporary file)")
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    if not args.show:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        width, height = (int(part) for part in args.size.lower().split("x"))
    except ValueError:
        bad_input("screenshot", f"--size must look like 1440x900, not {args.size!r}")
    if not (100 <= width <= 8000 and 100 <= height <= 8000):
        bad_input("screenshot", f"--size must be between 100x100 and 8000x8000, not {args.size!r}")
    if not 1 <= args.chats <= 40:
        bad_input("screenshot", "--chats must be between 1 and 40")
    out: Path = args.out
    if out.is_dir():
        bad_input("screenshot", f"{out} is a folder; give the PNG file to write, e.g. {out / 'workspace.png'}")
    if out.suffix.lower() not in (".png", ".jpg", ".jpeg", ".bmp"):
        bad_input("screenshot", f"{out} should end in .png (or .jpg, .bmp): the suffix picks the image format")
    from copilot.ui.screenshot import take_screenshot

    try:
        path = take_screenshot(out, chats=args.chats, seed=args.seed, size=(width, height), usage_log=args.usage_log)
    except OSError as exc:
        bad_input("screenshot", f"could not write {out}: {exc.strerror or exc}")
    print(path)
    return 0
