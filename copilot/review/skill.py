"""Skill trends in the team review: practice scores and blind-first agreement per agent and for the team.

    section = skill_of(review)             # a copilot.practice.monitor.TeamSkill (computed once, kept)
    review_dict(review)["skill"], and the "Skill trends" section of the HTML report

Practice and blind-first records (copilot/practice/records.py) are read from the same files as the
usage (read-only), within the same period. The weekly reliance flag beside them comes from the
review's own per-session flags: a week is flagged when one of its sessions was. Agents are listed by
name, never by score: the section is for coaching, not ranking (monitor.NOTE says so on the page).
"""
from __future__ import annotations

import time
from collections import defaultdict
from html import escape
from pathlib import Path

from copilot.practice.monitor import RelianceWeek, TeamSkill, assess_team
from copilot.practice.records import read_skill_files
from copilot.usage.errors import UsageLogError
from copilot.usage.figures import Figures
from copilot.usage.tally import Tally
from copilot.usage.timeframes import iso, window_start


def skill_of(review) -> TeamSkill:
    """The review's skill section, computed on first use and kept on the review (a review from the
    team store reads its records there: review.source.skill)."""
    if getattr(review, "skill", None) is None:
        source = getattr(review, "source", None)
        review.skill = build_skill(review) if source is None else source.skill(review)
    return review.skill


def build_skill(review, now: float | None = None, records: dict | None = None, tally_of=None) -> TeamSkill:
    """`records`: the agents' practice and blind-first records when read elsewhere (else from the
    review's files); `tally_of(session review)`: its sums, for the weekly reliance (see reliance_by_week)."""
    if records is None:
        paths = list(review.files) + [p.path for p in review.problems if p.kind == "empty" and Path(p.path).is_file()]
        try:
            records = read_skill_files(paths, since=review.since, until=review.until)
        except UsageLogError:
            records = {}  # the file was readable for the usage review a moment ago; leave the section empty
    if now is None:  # judged as at the end of the period reviewed
        now = review.until or max((a.metrics.end for a in review.agents), default=None) or time.time()
    return assess_team(records, reliance_by_week(review, tally_of), now)


def reliance_by_week(review, tally_of=None) -> dict[str, list[RelianceWeek]]:
    """Each agent's weeks: flagged when any session that week was; the week's pooled fast-acceptance share.
    `tally_of(session review)`: the session's sums (by default its metrics'; a store review has its own)."""
    tally_of = tally_of or (lambda s: s.metrics.tally)
    found: dict[str, list[RelianceWeek]] = {}
    for agent in review.agents:
        weeks: dict[float, list] = defaultdict(list)
        for s in agent.sessions:
            weeks[window_start("week", s.session.start)].append(s)
        rows = []
        for start in sorted(weeks):
            flags = [s.flags["over_reliance"] for s in weeks[start]]
            figures = Figures.of(Tally.total(tally_of(s) for s in weeks[start]))
            rows.append(RelianceWeek(start, any(f.raised for f in flags), any(f.judged for f in flags),
                                     figures.fast_acceptance_share))
        found[agent.agent] = rows
    return found


def skill_dict(review) -> dict:
    return skill_of(review).to_dict()


def skill_html(review) -> str:
    """The HTML report's section; empty when nobody has practised or been sampled blind-first."""
    team = skill_of(review)
    active = [a for a in team.agents if a.scores or any(w.blind_picks for w in a.weeks)]
    if not active:
        return ""
    from copilot.review import svg

    labels = [w.week for w in team.weeks]
    series = [("team practice score", [w.practice_score for w in team.weeks], svg.ACCENT, 2.5),
              ("blind-first right %", [None if w.outcome_agreement is None else 100 * w.outcome_agreement
                                       for w in team.weeks], "#7b8794", 1.8, "7 4")]
    chart = svg.line_chart(labels, series, "s", "The team by week: practice score and blind-first picks right")
    rows = "".join(_row(a) for a in active)
    head = ('<tr><th class="text">Agent</th><th>Practices</th><th>Recent level</th><th>Baseline</th>'
            '<th>Blind-first picks</th><th>Picks right</th><th>Weeks flagged for reliance</th>'
            '<th class="text">Last practice</th><th class="text">Trend and why</th></tr>')
    team_note = escape(team.decline.explanation)
    return (f'<h2>Skill trends (for coaching, not ranking)</h2><p class="note">{escape(team.note)}</p>'
            f'<div class="grid"><div class="panel">{chart}<p class="note">Team: {team_note}</p></div></div>'
            f"<table>{head}{rows}</table>")


def _row(a) -> str:
    picks = sum(w.blind_picks for w in a.weeks)
    right = [w.outcome_agreement for w in a.weeks if w.outcome_agreement is not None]
    judged = [w.reliance for w in a.weeks if w.reliance is not None and w.reliance.judged]
    status = "Skill falling" if a.decline.falling else "Steady" if a.decline.judged else "Not judged yet"
    scores = ", ".join(f"{s:.0f}" for _, s in a.scores[-8:])
    why = escape(f"{a.decline.explanation} Latest scores: {scores or 'none'}.")
    nudge = f"<br><i>Nudged: {escape(a.nudge.text)}</i>" if a.nudge else ""
    return (f'<tr class="{"flagged" if a.decline.falling else ""}"><td class="text">{escape(a.agent)}</td>'
            f"<td>{len(a.scores)}</td><td>{_num(a.level)}</td><td>{_num(a.decline.baseline)}</td><td>{picks}</td>"
            f"<td>{_num(100 * sum(right) / len(right) if right else None)}{'%' if right else ''}</td>"
            f"<td>{sum(r.raised for r in judged)} of {len(judged)}</td>"
            f'<td class="text">{escape((iso(a.last_practice_at) or "never")[:10])}</td>'
            f'<td class="why"><details><summary>{status}</summary>{why}{nudge}</details></td></tr>')


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"
