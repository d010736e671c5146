"""Options shared by the commands that run a session (the app, selftest, screenshot)."""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import NoReturn

from copilot.session import SessionOptions
from copilot.settings import ASSIST_MODES, Settings


def bad_input(command: str, message: str) -> NoReturn:
    """One line on stderr and exit status 2, as argparse does for a bad option."""
    print(f"copilot {command}: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def positive_number(text: str) -> float:
    """An argparse type: a finite number above zero ("nan", "inf", "0" and "-1" are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number above 0, not {text!r}")
    return value


def at_least_one(text: str) -> int:
    """An argparse type: a whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {text!r}")
    return value


def add_session_options(parser: argparse.ArgumentParser, *, speed: float, rate: float, concurrency: int | None,
                        chats: int | None) -> None:
    """`concurrency=None`: the default comes from the user's settings."""
    group = parser.add_argument_group("simulated shift")
    group.add_argument("--agent", help="the agent's name in the usage log (default: your login name)")
    group.add_argument("--seed", type=int, help="make the simulated shift reproducible")
    group.add_argument("--speed", type=positive_number, default=speed, help=f"simulated seconds per real second (default {speed:g})")
    group.add_argument("--rate", type=positive_number, default=rate, help=f"new chats per simulated minute (default {rate:g})")
    group.add_argument("--concurrency", type=at_least_one, default=concurrency,
                       help="most chats open at once (default %s)" % (concurrency or "from settings, 5"))
    group.add_argument("--chats", type=at_least_one, default=chats,
                       help="chats in the shift (default: %s)" % ("endless" if chats is None else chats))
    group.add_argument("--scenarios", type=Path, help="folder of scenario files (default: the built-in ones)")
    parser.add_argument("--model", type=Path, help="a model folder made by `copilot train` (default: built-in)")
    parser.add_argument("--mode", choices=ASSIST_MODES,
                        help="how suggestions appear: automatic, diagnose_first or on_request (default: from settings)")
    parser.add_argument("--usage-log", type=Path, help="usage log file (default: usage.sqlite in the data directory)")


def session_options(args: argparse.Namespace, policy: str = "", settings: Settings | None = None) -> SessionOptions:
    """Command-line options win over the user's settings, which win over the defaults."""
    settings = settings or Settings()
    model = args.model or (Path(settings.model_dir) if settings.model_dir else None)
    options = SessionOptions(
        seed=args.seed, speed=args.speed, arrival_per_minute=args.rate,
        max_concurrent=args.concurrency or settings.max_concurrent_chats,
        total_chats=args.chats, model_dir=model, usage_log=args.usage_log, scenarios_dir=args.scenarios,
        policy=policy, assist_mode=args.mode or settings.assist_mode, store_text=settings.store_message_text,
    )
    if args.agent or settings.agent_name:
        options.agent = args.agent or settings.agent_name
    if options.max_concurrent < 1:  # from the settings file, which validates it too
        bad_input("run", "the most chats open at once must be at least 1")
    return options
