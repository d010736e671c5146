"""The review as data: JSON (what `copilot review --json` prints) and CSV (the per-agent table).

CSV cells hold raw values (shares 0..1, seconds), so a spreadsheet can sort and sum them; the flag
explanations come last, one column per flag. JSON holds every figure, every flag with its
explanation and evidence, the tiers, escalation effort by type, and the files that were refused.

Text cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR first: an agent named
"=HYPERLINK(...)") start with an apostrophe. Reports are written atomically, and never over one
of the usage logs they were made from (`output_problem`).
"""
from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from copilot.core.atomic_file import write_text_atomically

from copilot.review.columns import COLUMNS
from copilot.review.knowledge_use import knowledge_use
from copilot.review.model import Extras
from copilot.review.skill import skill_dict
from copilot.review.team import AgentReview, TeamReview, period_text
from copilot.review.tiers import segments
from copilot.usage.flag_model import KINDS
from copilot.usage.timeframes import iso


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SIDECARS = ("-wal", "-shm", "-journal")  # SQLite's files beside a log, also inputs


def csv_cell(value):
    """A CSV cell: numbers as they are, text that a spreadsheet would evaluate made inert."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def output_problem(path: str | Path, inputs: Iterable[str | Path]) -> str:
    """Why a report may not be written at `path` ("" when it may): it is a folder, or one of the
    usage logs in `inputs` (files or folders, as given to the review) or a file SQLite keeps beside one."""
    from copilot.review.loading import find_logs

    out = Path(path)
    if out.is_dir():
        return f"{out} is a folder; give a file name for the report"
    target = out.resolve()
    logs, _ = find_logs(inputs)
    for log in logs:
        log = log.resolve()
        beside = {log.with_name(log.name + s) for s in SIDECARS}
        if (target == log or target in beside or target.name.startswith(log.name + ".pending-")
                or (out.exists() and os.path.samefile(out, log))):
            return f"{out} is one of the usage logs being reviewed; choose another file for the report"
    return ""


def _r(value):
    return round(value, 4) if isinstance(value, float) else value


def extras_dict(e: Extras) -> dict:
    return {k: _r(v) for k, v in {
        "resolution_rate": e.resolution_rate, "chats_ended": e.chats_ended, "chats_resolved": e.chats_resolved,
        "assisted_resolution_rate": e.assisted_resolution_rate, "own_resolution_rate": e.own_chats_resolved_rate,
        "assisted_reply_seconds": e.assisted_reply_mean, "own_reply_seconds": e.own_reply_mean,
        "assisted_replies": e.assisted_replies, "own_replies": e.own_replies,
        "handover_frustration": e.handover_frustration, "handovers": e.handovers}.items()}


def agent_dict(a: AgentReview) -> dict:
    return {
        "agent": a.agent, "tier": a.tier, "score": a.score, "sessions": len(a.loaded),
        "flagged_sessions": a.flagged_sessions, "start_utc": iso(a.metrics.start), "end_utc": iso(a.metrics.end),
        "files": a.files, "message_text_kept": a.stores_text,
        "raised": [f.kind for f in a.raised],
        "figures": a.figures.to_dict(), "review": extras_dict(a.extras),
        "flags": {kind: f.to_dict() for kind, f in a.flags.items()},
        "session_flags": [{"session": s.session.key, "start_utc": iso(s.session.start),
                           "raised": [f.kind for f in s.raised]} for s in a.sessions],
        "escalation_effort": {k: asdict(v) for k, v in a.effort.items()},
    }


def review_dict(review: TeamReview) -> dict:
    return {
        "period": period_text(review), "since_utc": iso(review.since), "until_utc": iso(review.until),
        "files": review.files, "problems": [p.to_dict() for p in review.problems], "cancelled": review.cancelled,
        "agents_count": len(review.agents), "sessions_count": review.sessions,
        "raised": {kind: sorted(a.agent for a in review.agents if a.flags[kind].raised) for kind in KINDS},
        "thresholds": review.thresholds.to_dict(),
        "team": {"figures": review.team.to_dict(), "review": extras_dict(review.team_extras)},
        "tiers": [s.to_dict() for s in segments(review.agents)],
        "escalation_effort": {k: asdict(v) for k, v in review.effort.items()},
        "agents": [agent_dict(a) for a in review.agents],
        "knowledge_items": [r.to_dict() for r in knowledge_use(review.files, review.since, review.until)],
        "skill": skill_dict(review),
    }


def csv_header() -> list[str]:
    return [c.key for c in COLUMNS] + ["flagged_sessions", *(f"{k}_raised" for k in KINDS),
                                       *(f"{k}_explanation" for k in KINDS), "files"]


def csv_rows(review: TeamReview) -> list[list]:
    rows = []
    for a in review.agents:
        values = [_r(c.get(a)) for c in COLUMNS]
        rows.append(values + [a.flagged_sessions, *("yes" if a.flags[k].raised else "no" for k in KINDS),
                              *(a.flags[k].explanation for k in KINDS), "; ".join(a.files)])
    return rows


def write_csv(review: TeamReview, path: str | Path, agents: list[str] | None = None) -> Path:
    """The table as CSV (UTF-8 with a byte-order mark, so spreadsheet apps read the accents right).

    `agents`: only these rows, in this order (the window exports what its filter shows).
    """
    path = Path(path)
    rows = csv_rows(review)
    if agents is not None:
        by_name = {row[0]: row for row in rows}
        rows = [by_name[name] for name in agents if name in by_name]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(csv_header())
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return write_text_atomically(path, buffer.getvalue(), encoding="utf-8-sig", newline="")
