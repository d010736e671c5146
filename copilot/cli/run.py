"""`copilot run` (also plain `copilot`): the agent's workspace window."""
from __future__ import annotations

import argparse

from copilot.cli.options import add_session_options, session_options


def register(subparsers) -> None:
    parser = subparsers.add_parser("run", help="open the agent workspace (the default)")
    add_session_options(parser, speed=1.0, rate=1.5, concurrency=None, chats=None)
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from copilot import settings as user_settings
    from copilot.ui.app import run_app

    settings, settings_problem = user_settings.load()
    return run_app(session_options(args, settings=settings), settings, settings_problem)
