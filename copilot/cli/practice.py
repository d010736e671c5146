"""`copilot practice`: a scripted practice without the copilot, scored, with no window.

    copilot practice --agent ann --policy careful --skill 0.8 [--json]
    copilot practice --agent dee --policy decaying --skill 0.8 --weeks 12 --usage-log dee.sqlite --json

A scripted agent whose choices depend on its unassisted skill (0-1) plays a practice session of
simulated chats with every suggestion hidden (copilot/practice/scripted.py); each chat is scored
against its scenario's expectations and the command prints the score, its breakdown and a tip.
Before each week's practice the agent works assisted shifts with the copilot in its policy's way
(careful, passive, or decaying: passive, and losing skill with it). With --usage-log every shift
and practice is recorded there, so `copilot review --logs FILE` shows the skill trend beside the
usage flags. The practice window (Copilot ▸ Practice…) is how a person practises.
"""
from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager
from pathlib import Path

from copilot.practice.selection import MAX_CHATS
from copilot.practice.trainee import POLICIES

MAX_WEEKS = 520


def register(subparsers) -> None:
    parser = subparsers.add_parser("practice", help="a scripted practice without suggestions: score, breakdown, tip",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("--agent", default="practice-agent", help="the agent's name (in the usage log)")
    parser.add_argument("--policy", choices=POLICIES, required=True,
                        help="how the scripted agent uses the copilot in its shifts")
    parser.add_argument("--skill", type=float, required=True, help="unassisted skill from 0.0 to 1.0")
    parser.add_argument("--chats", type=int, default=5, help="chats per practice (default 5)")
    parser.add_argument("--weeks", type=int, default=1, help="weeks of shifts, each ending with a practice (default 1)")
    parser.add_argument("--shifts-per-week", type=int, default=5, help="assisted shifts before each practice (default 5)")
    parser.add_argument("--blind-first", type=int, default=0, metavar="N",
                        help="in the shifts, 1 chat in N is blind-first: the agent names the issue first (default 0: off)")
    parser.add_argument("--shift-chats", type=int, default=8, help="chats per assisted shift (default 8)")
    parser.add_argument("--seed", type=int, default=0, help="makes the run reproducible (default 0)")
    parser.add_argument("--start", type=_time, help="when the first week starts (default: now); ISO or epoch")
    parser.add_argument("--usage-log", type=Path, help="record the shifts and practices in this usage log")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=handle)


def _time(text: str) -> float:
    from copilot.cli.usage import _time as parse

    return parse(text)


def _check(args: argparse.Namespace) -> str:
    if not 0.0 <= args.skill <= 1.0:
        return f"--skill must be between 0.0 and 1.0, not {args.skill:g}"
    if not 1 <= args.chats <= MAX_CHATS:
        return f"--chats must be between 1 and {MAX_CHATS}, not {args.chats}"
    if not 1 <= args.weeks <= MAX_WEEKS:
        return f"--weeks must be between 1 and {MAX_WEEKS}, not {args.weeks}"
    if not 0 <= args.shifts_per_week <= 7:
        return f"--shifts-per-week must be between 0 and 7, not {args.shifts_per_week}"
    if args.blind_first != 0 and not 2 <= args.blind_first <= 100:
        return f"--blind-first must be 0 (off) or from 2 to 100, not {args.blind_first}"
    if not 1 <= args.shift_chats <= 200:
        return f"--shift-chats must be between 1 and 200, not {args.shift_chats}"
    if not args.agent.strip():
        return "--agent must not be empty"
    return ""


def handle(args: argparse.Namespace) -> int:
    import time

    from copilot.practice.trainee import Trainee, no_recording, practise_over_weeks
    from copilot.sources.scenario import load_scenarios
    from copilot.usage.errors import UsageLogError

    problem = _check(args)
    if problem:
        print(f"copilot practice: {problem}", file=sys.stderr)
        return 2
    scenarios, problems = load_scenarios()
    for p in problems:
        print(f"copilot practice: scenario skipped: {p}", file=sys.stderr)
    if not scenarios:
        print("copilot practice: no usable scenarios to practise with", file=sys.stderr)
        return 1
    trainee = Trainee(args.agent, args.policy, args.skill, seed=args.seed)
    start = args.start if args.start is not None else time.time()
    opener = _usage_log_opener(args) if args.usage_log else no_recording
    try:
        results = practise_over_weeks(trainee, scenarios, args.weeks, start, args.shifts_per_week, args.shift_chats,
                                      args.chats, opener, args.blind_first)
    except UsageLogError as exc:
        print(f"copilot practice: {exc}", file=sys.stderr)
        return 2
    report = _report(args, trainee, results)
    print(json.dumps(report, indent=2) if args.json else _text(report, results[-1]))
    return 0


def _usage_log_opener(args: argparse.Namespace):
    from copilot import __version__
    from copilot.usage import UsageLog

    @contextmanager
    def opener(kind: str, started_at: float):
        log = UsageLog.open(args.usage_log, agent=args.agent, app_version=__version__, engine="offline",
                            policy=f"{args.policy} ({kind})", started_at=started_at)
        try:
            yield log
        finally:
            log.close(ended_at=started_at + 3600.0)

    return opener


def _report(args: argparse.Namespace, trainee, results) -> dict:
    from copilot.practice.decline import check_decline

    last = results[-1].to_dict()
    report = {**last, "skill_at_start": args.skill, "skill_now": round(trainee.skill, 4),
              "shifts": len(trainee.shifts),
              "passive_share": round(sum(s.passive_share for s in trainee.shifts) / len(trainee.shifts), 3)
              if trainee.shifts else None}
    if len(results) > 1:
        decline = check_decline([r.score for r in results if r.complete])
        report["practices"] = [{"week": n + 1, "score": round(r.score, 1), "skill": round(r.skill or 0.0, 4)}
                               for n, r in enumerate(results)]
        report["monitor"] = {"skill_falling": decline.falling, "explanation": decline.explanation}
    if args.usage_log:
        report["usage_log"] = str(args.usage_log)
    return report


def _text(report: dict, result) -> str:
    from copilot.practice.summary import session_summary

    lines = [f"{report['agent']} ({report['policy']}, skill {report['skill_at_start']:g}):", session_summary(result)]
    if "practices" in report:
        lines.append("Weekly scores: " + ", ".join(f"{p['score']:.0f}" for p in report["practices"]))
        lines.append(report["monitor"]["explanation"])
    if report.get("usage_log"):
        lines.append(f"Recorded in {report['usage_log']}")
    return "\n".join(lines)
