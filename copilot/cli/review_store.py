"""`copilot review --db URL`: the team review computed on the team store's server.

    copilot review --db postgresql://lee@db.example.com/copilot [--since 2026-03-02] [--html …] [--csv …] [--json]

The same figures, flags, tiers and escalation effort as `copilot review --logs` on the same data,
summed in SQL where the data is. Without --html/--csv/--json the review window opens on the store.
Ranges are whole UTC days. Exit status 1 when the store cannot be read (the message says why).
"""
from __future__ import annotations

import argparse
import sys


def review_from_store(args: argparse.Namespace, thresholds) -> int:
    from copilot.cli.review import outputs_refused, write_outputs
    from copilot.cli.teamdb import store_config
    from copilot.teamstore.errors import TeamStoreError
    from copilot.teamstore.review import day_range, review_store

    if args.logs:
        print("copilot review: give either --logs or --db, not both", file=sys.stderr)
        return 2
    config = store_config(args, "review")
    if config is None:
        return 2
    try:
        day_range(args.since, args.until)
    except TeamStoreError as exc:
        print(f"copilot review: {exc}", file=sys.stderr)
        return 2
    if outputs_refused(args, []):
        return 2
    if not (args.html or args.csv or args.json):
        from copilot.ui.review.window import run_review_window

        return run_review_window([], thresholds, args.since, args.until, store=config)
    try:
        review = review_store(config, since=args.since, until=args.until, thresholds=thresholds)
    except TeamStoreError as exc:
        print(f"copilot review: {exc}", file=sys.stderr)
        return 1
    return write_outputs(args, review)
