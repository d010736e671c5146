"""`copilot selftest`: a scripted agent works a simulated shift in the real window, offscreen.

Prints a summary (JSON with --json) and exits 0 only if the whole pipeline worked: chats arrived
and ended, suggestions were shown and decided, replies reached the customers, and the usage log's
rows agree with what happened.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from copilot import paths
from copilot.cli.options import add_engine_options, add_session_options, engine_settings, session_options
from copilot.selftest.policy import POLICIES


def register(subparsers) -> None:
    parser = subparsers.add_parser("selftest", help="run a scripted shift in the real window, offscreen")
    parser.add_argument("--policy", choices=POLICIES, default="careful", help="how the scripted agent behaves")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--timeout", type=float, default=300.0, help="give up after this many real seconds")
    parser.add_argument("--show", action="store_true", help="use the real display instead of offscreen")
    add_session_options(parser, speed=40.0, rate=6.0, concurrency=6, chats=30, offline_model_flag="--offline-model")
    add_engine_options(parser, "offline (the self-test does not read your settings)")
    parser.set_defaults(func=handle)


def default_log_path(agent: str) -> Path:
    folder = paths.data_dir() / "selftest"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{agent}-{time.strftime('%Y%m%d-%H%M%S')}.sqlite"


def handle(args: argparse.Namespace) -> int:
    if not args.show:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    options = session_options(args, policy=args.policy)
    if args.agent is None:
        options.agent = f"selftest-{args.policy}"
    if options.seed is None:
        options.seed = 7
    options.usage_log = options.usage_log or default_log_path(options.agent)
    if options.total_chats is None or options.total_chats < 1:
        raise SystemExit("copilot selftest: --chats must be a positive number")

    from copilot.settings import Settings
    from copilot.ui.selftest_run import run_selftest

    try:
        settings = engine_settings(args, Settings())
    except ValueError as exc:
        raise SystemExit(f"copilot selftest: {exc}") from None
    summary = run_selftest(options, timeout=args.timeout, settings=settings)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    if not summary["ok"]:
        failed = [name for name, passed in summary["checks"].items() if not passed]
        print(f"copilot selftest: FAILED checks: {', '.join(failed)}", file=sys.stderr)
    return 0 if summary["ok"] else 1
