"""`copilot usage`: an agent's (or a team's) usage metrics and flags from usage log files.

    copilot usage --db usage.sqlite [--db bo.sqlite ...] [--agent NAME] [--since 2026-03-02]
                  [--until ...] [--window session|day|week] [--threshold high_acceptance=0.9] [--json]

Files are only read, never changed: a file that is not a usage log, comes from a newer version,
or is damaged is refused with a message saying so, and the exit status is 1.
"""
from __future__ import annotations

import argparse
import json
import sys

from copilot.usage.timeframes import WINDOWS, iso, parse_time

# (heading, figure, format) for the table; a share is shown as a percentage.
COLUMNS = (
    ("decided", "decisions", "d"), ("accept", "acceptance_rate", "%"), ("edit", "edit_rate", "%"),
    ("reject", "reject_rate", "%"), ("ignore", "ignored_rate", "%"), ("edit dist", "mean_edit_distance", ".2f"),
    ("s/word", "dwell_seconds_per_word", ".2f"), ("fast acc", "fast_acceptance_share", "%"),
    ("open avg", "mean_concurrency", ".1f"), ("peak", "peak_concurrency", "d"),
    ("sw/min", "switches_per_minute", ".1f"), ("1st reply s", "first_response_seconds", ".0f"),
    ("reply s", "reply_seconds", ".0f"), ("chat min", "chat_duration_seconds", "min"),
    ("left", "customers_left_waiting", "d"), ("frust", "frustration_mean", ".2f"), ("upset", "upset_share", "%"),
)


def register(subparsers) -> None:
    parser = subparsers.add_parser("usage", help="usage metrics and over-reliance/overload flags from usage logs",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", required=True, metavar="FILE",
                        help="a usage log file; repeat for a team's files")
    parser.add_argument("--agent", help="only this agent (the others still form the team reference)")
    parser.add_argument("--since", type=_time, help="from this time: ISO (UTC unless an offset is given) or epoch")
    parser.add_argument("--until", type=_time, help="up to this time (exclusive)")
    parser.add_argument("--window", choices=WINDOWS, default="session", help="per session (default), day or week (UTC)")
    parser.add_argument("--threshold", action="append", default=[], metavar="NAME=VALUE",
                        help="change a flag threshold, e.g. high_acceptance=0.9 (see docs/flags.md)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=handle)


def _time(text: str) -> float:
    try:
        return parse_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def thresholds_and_range(args: argparse.Namespace, command: str):
    """The --threshold overrides, checked with --since/--until; None after printing what is wrong.

    Shared by `copilot usage` and `copilot review`, which report with the same rules.
    """
    from copilot.usage.flags import FlagThresholds

    try:
        thresholds = FlagThresholds.with_overrides(dict(_setting(text) for text in args.threshold))
    except ValueError as exc:
        print(f"copilot {command}: {exc}", file=sys.stderr)
        return None
    if args.since is not None and args.until is not None and args.since >= args.until:
        print(f"copilot {command}: --since must be before --until", file=sys.stderr)
        return None
    return thresholds


def handle(args: argparse.Namespace) -> int:
    from copilot.usage.errors import UsageLogError
    from copilot.usage.report import usage_report

    thresholds = thresholds_and_range(args, "usage")
    if thresholds is None:
        return 2
    try:
        report = usage_report(args.db, args.agent, args.since, args.until, args.window, thresholds)
    except UsageLogError as exc:
        print(f"copilot usage: {exc}", file=sys.stderr)
        return 1
    files = log_files(args.db)
    if args.json:
        print(json.dumps(report.to_dict() | {"log_files": files}, indent=2))
    else:
        print(format_report(report))
        for f in files:
            if f["records_waiting_for_replay"] or f["journals_kept_aside"]:
                print(f"note: {f['file']}: {f['records_waiting_for_replay']} record(s) wait in a journal beside it "
                      f"(added when the app next opens it); {f['journals_kept_aside']} journal(s) kept aside")
    return 0


def log_files(paths: list[str]) -> list[dict]:
    """Per file, what is not in it yet: records kept in journals beside it (a session that could not
    write them, e.g. while another program held the file), found without changing a byte."""
    from pathlib import Path

    from copilot.usage.pending_journal import waiting_records
    from copilot.usage.read_only import open_read_only

    files = []
    for name in paths:
        conn = open_read_only(name)  # already opened once by the report: it is a usable log
        try:
            files.append({"file": str(name), **waiting_records(Path(name), conn)})
        finally:
            conn.close()
    return files


def _setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise ValueError(f"--threshold wants NAME=VALUE, not {text!r}")
    return name.strip(), value.strip()


def format_report(report) -> str:
    """A plain-text table of the windows, then every flag raised, explained."""
    if not report.metrics:
        return "No usage recorded in that range."
    head = ["agent", "window", "from (UTC)", "min"] + [c[0] for c in COLUMNS] + ["flags"]
    rows = [head]
    for m in report.metrics:
        raised = [f.kind.replace("_", "-") for f in report.flags_for(m) if f.raised]
        figures = m.figures
        rows.append([m.agent, m.key, (iso(m.start) or "")[:16].replace("T", " "), f"{figures.active_minutes:.0f}"]
                    + [_cell(getattr(figures, name), fmt) for _, name, fmt in COLUMNS] + [", ".join(raised) or "-"])
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) if i < 3 or i == len(head) - 1 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths))).rstrip() for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    raised = report.raised
    lines.append("")
    if raised:
        lines.append(f"{len(raised)} flag(s) raised:")
        lines += [f"* {f.agent}, {f.key}: {f.explanation}" for f in raised]
    else:
        lines.append("No flags raised.")
    lines.append("(rates: share of all decided suggestions; see docs/flags.md for the rules)")
    return "\n".join(lines)


def _cell(value, fmt: str) -> str:
    if value is None:
        return "-"
    if fmt == "%":
        return f"{value:.0%}"
    if fmt == "min":
        return f"{value / 60:.1f}"
    return format(value, fmt)
