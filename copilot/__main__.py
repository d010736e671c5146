"""`copilot` and `python -m copilot`: the app (no sub-command) and its sub-commands.

Sub-commands import what they need when they run, so `copilot --help` and the Qt-free commands
start quickly and never load Qt.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from copilot import APP_NAME, __version__

# Modules under copilot.cli that add a sub-command with register(subparsers).
SUBCOMMANDS = ("run", "selftest", "screenshot", "train", "eval", "usage", "suggest", "review", "knowledge",
               "practice", "taxonomy", "teamdb", "sync")


def build_parser(commands: tuple[str, ...] = SUBCOMMANDS) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="copilot",
        description=f"{APP_NAME}: issue diagnosis and draft replies for support agents, with a usage log.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in commands:
        try:
            module = importlib.import_module(f"copilot.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"copilot.cli.{name}":
                raise
            continue  # a sub-command not built into this version
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # No sub-command (or only options): run the app, as a desktop user expects. Then only `run` is
    # registered: the other sub-commands' imports would only delay the window.
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["run", *argv]
    parser = build_parser(("run",) if argv[0] == "run" else SUBCOMMANDS)
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
