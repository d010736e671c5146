"""`copilot run` (also plain `copilot`): the agent's workspace window."""
from __future__ import annotations

import argparse

from copilot.cli.options import add_session_options, session_options
from copilot.cli.source_options import add_source_options, source_from_args


def register(subparsers) -> None:
    parser = subparsers.add_parser("run", help="open the agent workspace (the default)")
    add_session_options(parser, speed=1.0, rate=1.5, concurrency=None, chats=None)
    add_source_options(parser)
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from copilot import settings as user_settings
    from copilot.ui.app import run_app

    settings, settings_problem = user_settings.load()
    options = session_options(args, settings=settings)
    options.source, options.source_secret = source_from_args(args, "run")
    return run_app(options, settings, settings_problem)
