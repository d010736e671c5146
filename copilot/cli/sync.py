"""`copilot sync`: one pass copying this computer's usage log to the team store, then what was sent.

    copilot sync --db postgresql://ann@db.example.com/copilot [--log usage.sqlite] [--sslmode verify-full] [--json]

The app does the same in the background when Settings ▸ Team store is on. Only the sessions of
the store user's own agent name are sent; message text only if the team opted in (Settings).
Exit status: 0 when everything is in the store, 1 when the pass could not finish (the message
says why; nothing is lost and the next pass catches up), 2 for bad arguments.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from copilot.cli.teamdb import add_store_options, store_config


def register(subparsers) -> None:
    parser = subparsers.add_parser("sync", help="copy your usage log to the team store (one pass)",
                                   description=__doc__.splitlines()[0])
    add_store_options(parser)
    parser.add_argument("--log", type=Path, help="the usage log (default: usage.sqlite in the data directory)")
    parser.add_argument("--full", action="store_true",
                        help="compare every session with the store (e.g. after the store was restored from a backup)")
    parser.add_argument("--json", action="store_true", help="print what was sent as JSON")
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from copilot.paths import usage_log_path
    from copilot.settings import load
    from copilot.teamstore.sync import TeamSync

    config = store_config(args, "sync")
    if config is None:
        return 2
    log = args.log or usage_log_path()
    if not log.exists():
        print(f"copilot sync: there is no usage log at {log}", file=sys.stderr)
        return 2
    settings, _ = load()
    report = TeamSync(config, log, allow_text=settings.store_message_text, full=args.full).run_once()
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report.summary())
    if not report.ok:
        print(f"copilot sync: {report.error}", file=sys.stderr)
    return 0 if report.ok else 1
