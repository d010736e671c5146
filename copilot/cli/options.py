"""Options shared by the commands that run a session (the app, selftest, screenshot)."""
from __future__ import annotations

import argparse
import math
import sys
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from copilot.core.modes import CONFIGURABLE_ENGINES, AssistMode, values
from copilot.session import SessionOptions
from copilot.settings import Settings

ASSIST_MODES = values(AssistMode)


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
                        chats: int | None, offline_model_flag: str = "--model") -> None:
    """`concurrency=None`: the default comes from the user's settings. Commands that also take engine
    options name the offline model `--offline-model`, since there `--model` is the endpoint's model."""
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
    parser.add_argument(offline_model_flag, dest="model", type=Path,
                        help="a model folder made by `copilot train` for the offline engine (default: built-in)")
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


def add_engine_options(parser: argparse.ArgumentParser, default_text: str) -> None:
    """Which engine, and the model endpoint: for commands that make suggestions outside the app."""
    group = parser.add_argument_group("engine")
    group.add_argument("--engine", choices=[e.value for e in CONFIGURABLE_ENGINES], help=f"default: {default_text}")
    group.add_argument("--base-url", metavar="URL", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1")
    group.add_argument("--model", dest="llm_model", metavar="NAME", help="model name at the endpoint")
    group.add_argument("--temperature", type=float)
    group.add_argument("--llm-timeout", type=float, metavar="SECONDS", help="seconds to wait for the endpoint")
    group.add_argument("--max-tokens", type=int)
    group.add_argument("--no-redact", action="store_true", help="send personal data unmasked to remote endpoints")


def engine_settings(args: argparse.Namespace, base: Settings) -> Settings:
    """`base` with the engine options given on the command line. Raises ValueError when unusable.
    The API key is never an option (it would end up in shell history): keyring or OPENAI_API_KEY."""
    changes = {"engine": args.engine, "llm_base_url": args.base_url, "llm_model": args.llm_model,
               "llm_temperature": args.temperature, "llm_timeout": args.llm_timeout,
               "llm_max_tokens": args.max_tokens}
    settings = replace(base, **{k: v for k, v in changes.items() if v is not None})
    if args.no_redact:
        settings = replace(settings, llm_redact_remote=False)
    return settings.validated()
