"""`copilot review`: a team lead's review of many agents' usage logs (window, or reports without one).

    copilot review [--logs PATH ...]                          the review window (files or folders)
    copilot review --logs team/ --html review.html --csv review.csv --json     no window

Logs are only read, never changed. Files that cannot be used are listed with the reason and the
others still load; the exit status is 1 only when nothing at all could be loaded.
"""
from __future__ import annotations

import argparse
import json
import sys

from copilot.cli.usage import _time, thresholds_and_range


def register(subparsers) -> None:
    parser = subparsers.add_parser("review", help="team usage review: per-agent figures, flags, charts, exports",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("--logs", nargs="+", action="extend", default=[], metavar="PATH",
                        help="usage log files or folders of them (repeatable)")
    parser.add_argument("--db", metavar="URL", help="review the team store instead: postgresql://USER@HOST/DATABASE "
                        "(computed on the server; whole UTC days)")
    parser.add_argument("--sslmode", metavar="MODE", help="TLS for --db: disable, prefer (default), require, verify-full, ...")
    parser.add_argument("--since", type=_time, help="from this time: ISO (UTC unless an offset is given) or epoch")
    parser.add_argument("--until", type=_time, help="up to this time (exclusive)")
    parser.add_argument("--threshold", action="append", default=[], metavar="NAME=VALUE",
                        help="change a flag threshold, e.g. high_acceptance=0.9 (see docs/flags.md)")
    parser.add_argument("--html", metavar="FILE", help="write a self-contained HTML report (no window)")
    parser.add_argument("--csv", metavar="FILE", help="write the per-agent table as CSV (no window)")
    parser.add_argument("--json", action="store_true", help="print per-agent figures and flags as JSON (no window)")
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    thresholds = thresholds_and_range(args, "review")
    if thresholds is None:
        return 2
    if args.db:
        from copilot.cli.review_store import review_from_store

        return review_from_store(args, thresholds)
    if not (args.html or args.csv or args.json):
        from copilot.ui.review.window import run_review_window

        return run_review_window(args.logs, thresholds, args.since, args.until)
    if not args.logs:
        print("copilot review: --html, --csv and --json need --logs", file=sys.stderr)
        return 2
    return export(args, thresholds)


def export(args: argparse.Namespace, thresholds) -> int:
    from copilot.review.team import review_logs

    if outputs_refused(args, args.logs):
        return 2
    review = review_logs(args.logs, args.since, args.until, thresholds)
    return write_outputs(args, review)


def outputs_refused(args: argparse.Namespace, inputs) -> bool:
    """Says (and returns True) when --html/--csv would overwrite each other or an input."""
    from copilot.review.export import output_problem

    if args.html and args.csv and args.html == args.csv:
        print("copilot review: --html and --csv name the same file", file=sys.stderr)
        return True
    for out in (args.html, args.csv):
        problem = out and output_problem(out, inputs)
        if problem:
            print(f"copilot review: {problem}", file=sys.stderr)
            return True
    return False


def write_outputs(args: argparse.Namespace, review) -> int:
    """The reports asked for, from a review of files or of the team store."""
    from copilot.review.export import review_dict, write_csv
    from copilot.review.html_report import write_html

    for problem in review.problems:
        print(f"copilot review: {problem.message}", file=sys.stderr)
    if not review.agents:
        print("copilot review: no usage could be loaded from the "
              f"{'team store' if getattr(args, 'db', None) else 'logs given'}.", file=sys.stderr)
        if args.json:
            print(json.dumps(review_dict(review), indent=2))
        return 1
    written = []
    try:
        if args.html:
            written.append(str(write_html(review, args.html)))
        if args.csv:
            written.append(str(write_csv(review, args.csv)))
    except OSError as exc:
        print(f"copilot review: could not write {exc.filename or 'the report'}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(review_dict(review), indent=2))
    else:
        flagged = sum(1 for a in review.agents if a.raised)
        print(f"{len(review.agents)} agent(s), {review.sessions} session(s), {flagged} flagged; "
              f"wrote {', '.join(written)}")
    return 0
