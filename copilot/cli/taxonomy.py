"""`copilot taxonomy suggest --logs PATH… [--json]`: proposed new categories from what the engine
could not diagnose (abstained) or diagnosed wrongly (rejected as "Wrong diagnosis").

For the team lead: each proposal has a name made of its characteristic words, how many messages
asked it, example messages and the existing categories the engine confused it with. Grouping is
explained in copilot/assist/taxonomy.py. Logs keep customer words only when the team opted in;
a log without them is named, with how many messages it could not show.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "taxonomy", help="propose new diagnosis categories from the messages the engine did not fit",
        description="Work on the diagnosis categories (the taxonomy).")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    suggest = actions.add_parser(
        "suggest", help="group unmatched messages from usage logs into proposed new categories",
        description="Group the customer messages the engine abstained on, or whose draft was rejected as "
                    "'Wrong diagnosis', into proposed new categories with example messages. Needs logs that "
                    "keep message text (the team's opt-in).")
    suggest.add_argument("--logs", nargs="+", required=True, type=Path, metavar="PATH",
                         help="usage log files, or folders holding them")
    suggest.add_argument("--min-group", type=int, default=3, metavar="N",
                         help="smallest group worth proposing (default 3)")
    suggest.add_argument("--json", action="store_true", help="print one JSON object")
    suggest.set_defaults(func=handle)
    parser.set_defaults(func=lambda args: _fail("say what to do, e.g. `copilot taxonomy suggest --logs FILE`"))


def _fail(message: str) -> int:
    print(f"copilot taxonomy: error: {message}", file=sys.stderr)
    return 2


def handle(args: argparse.Namespace) -> int:
    from copilot.assist.taxonomy import propose
    from copilot.assist.unmatched import read_unmatched
    from copilot.review.loading import find_logs
    from copilot.usage.errors import UsageLogError

    if args.min_group < 2:
        return _fail("--min-group must be at least 2")
    files, problems = find_logs(args.logs)
    if problems:
        return _fail(problems[0].message)
    messages, summaries = [], []
    for path in files:
        try:
            found, summary = read_unmatched(path)
        except UsageLogError as exc:
            return _fail(str(exc))
        messages += found
        summaries.append(summary)
    groups = propose(messages, min_group=args.min_group)
    grouped = sum(g.size for g in groups)
    if args.json:
        print(json.dumps({"logs": [{"path": s.path, "unmatched": s.unmatched, "with_text": s.with_text,
                                    "note": s.note} for s in summaries],
                          "messages": len(messages), "grouped": grouped,
                          "proposals": [g.as_dict() for g in groups]}, ensure_ascii=False))
        return 0
    for summary in summaries:
        print(summary.note)
    if not messages:
        print("No message text to group: nothing to propose.")
        return 0
    print(f"\n{len(groups)} proposed categories from {len(messages)} messages "
          f"({grouped} grouped, {len(messages) - grouped} one-offs left out)\n")
    for n, group in enumerate(groups, 1):
        print(f"{n}. {group.name}  ({group.size} messages: {group.abstained} abstained, "
              f"{group.rejected} rejected as wrong diagnosis)")
        if group.nearest_categories:
            print("   engine leaned to: " + ", ".join(f"{c} ({k})" for c, k in group.nearest_categories))
        for example in group.examples:
            print(f"   - {example[:200]}")
        print()
    return 0
