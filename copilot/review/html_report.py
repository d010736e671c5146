"""The review as one self-contained HTML file: styles inline, charts as inline SVG, no scripts.

    write_html(review, "team-review.html")

It opens in any browser, offline, and prints. Sections: who is flagged and why, the team's
distributions with every agent's position, trends by day and week, performance tiers and how
drafts work out in each, escalation effort by type, and the full per-agent table. Customers'
words never appear in it: the report is built from figures only.
"""
from __future__ import annotations

import time
from html import escape
from pathlib import Path

from copilot import APP_NAME, __version__
from copilot.core.atomic_file import write_text_atomically
from copilot.review import svg
from copilot.review.columns import CHART_COLUMNS, COLUMNS, FLAG_NAMES, cell, format_value
from copilot.review.distributions import distribution, trend, window_views
from copilot.review.knowledge_use import knowledge_html, knowledge_use
from copilot.review.skill import skill_html
from copilot.review.team import TeamReview, period_text
from copilot.review.tiers import segments

TREND_KEYS = ("acceptance_rate", "fast_acceptance_share", "reply_seconds", "mean_concurrency")
MAX_TREND_AGENTS = 6  # flagged agents drawn against the team's band; more would be a tangle
DASHES = ("", "7 4", "2 3", "9 3 2 3")  # tells apart agents drawn in the same flag colour
FLAG_COLOURS = {"over_reliance": svg.DANGER, "overload": svg.WARNING}
STYLE = """
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2933; background: #f5f7fa;
       margin: 0; font-size: 14px; line-height: 1.45; }
main { max-width: 1320px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 10px; }
.meta { color: #52606d; margin: 0 0 16px; }
.cards { display: flex; gap: 14px; flex-wrap: wrap; }
.card { background: #fff; border: 1px solid #e4e7eb; border-radius: 8px; padding: 12px 16px; flex: 1 1 260px; }
.card b.big { font-size: 24px; display: block; } .card.danger b.big { color: #c23030; } .card.warning b.big { color: #b25f12; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(620px, 1fr)); gap: 10px 24px; }
.panel { background: #fff; border: 1px solid #e4e7eb; border-radius: 8px; padding: 12px 14px; }
.problems { background: #fff4e5; border: 1px solid #f5d7a8; border-radius: 8px; padding: 10px 16px; }
.legend span { display: inline-block; margin-right: 16px; } .legend i { display: inline-block; width: 11px;
       height: 11px; border-radius: 6px; margin-right: 5px; vertical-align: -1px; }
table { border-collapse: collapse; background: #fff; width: 100%; font-size: 13px; }
th, td { padding: 5px 8px; border-bottom: 1px solid #e4e7eb; text-align: right; vertical-align: top; }
th { background: #eef2f7; position: sticky; top: 0; font-weight: 600; }
td.text, th.text { text-align: left; } tr.flagged td { background: #fff7f7; }
.flag { display: inline-block; border-radius: 9px; padding: 0 7px; font-size: 12px; color: #fff; margin: 1px 2px 1px 0; }
.flag.over_reliance { background: #d64545; } .flag.overload { background: #d9822b; }
details { margin: 2px 0; } summary { cursor: pointer; color: #245bb8; }
.why { text-align: left; color: #3e4c59; min-width: 170px; max-width: 520px; white-space: normal; }
.note { color: #52606d; font-size: 13px; }
"""


def _flag_marks(review: TeamReview) -> dict[str, str]:
    marks = {}
    for a in review.agents:
        for f in a.raised:
            marks.setdefault(a.agent, FLAG_COLOURS[f.kind])
    return marks


def _legend() -> str:
    items = [("#9aa5b1", "agent"), (svg.DANGER, "flagged: over-reliance"), (svg.WARNING, "flagged: overload"),
             (svg.ACCENT, "team median"), (svg.BAND, "middle half of the team")]
    return '<p class="legend">' + "".join(f'<span><i style="background:{c}"></i>{escape(t)}</span>'
                                          for c, t in items) + "</p>"


def _cards(review: TeamReview) -> str:
    parts = []
    for kind, css in (("over_reliance", "danger"), ("overload", "warning")):
        names = [a.agent for a in review.agents if a.flags[kind].raised]
        listed = escape(", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")) or "nobody"
        parts.append(f'<div class="card {css if names else ""}"><b class="big">{len(names)}</b>'
                     f"flagged for {FLAG_NAMES[kind]}: {listed}</div>")
    tiers = segments(review.agents)
    text = "; ".join(f"{s.tier}: {len(s.agents)}" for s in tiers) or "none"
    parts.append(f'<div class="card"><b class="big">{len(review.agents)}</b>agents, {review.sessions} sessions. '
                 f"Tiers: {escape(text)}</div>")
    return '<div class="cards">' + "".join(parts) + "</div>"


def _trends(review: TeamReview, window: str) -> str:
    views = window_views(review, window)
    if len(views) < 2:
        return ""
    flagged = [a.agent for a in review.agents if a.raised][:MAX_TREND_AGENTS]
    charts = []
    for key in TREND_KEYS:
        t = trend(review, key, window, views)
        series = [("team median", t.median, svg.ACCENT, 2.5)]
        marks = _flag_marks(review)
        series += [(name, t.agents[name], marks[name], 1.8, DASHES[i % len(DASHES)]) for i, name in enumerate(flagged)]
        charts.append(f'<div class="panel">{svg.line_chart(t.labels, series, t.fmt, f"{t.label} by {window}", (t.q1, t.q3))}</div>')
    return f"<h2>Trends by {window}</h2><div class=\"grid\">{''.join(charts)}</div>"


def _tiers(review: TeamReview) -> str:
    tiers = segments(review.agents)
    if not tiers:
        return ""
    rows = "".join(f'<tr><td class="text">{escape(s.tier)}</td><td class="why">{escape(s.summary())}</td></tr>'
                   for s in tiers)
    names = [s.tier for s in tiers]
    replies = svg.grouped_bars(names, [("from a draft", [s.extras.assisted_reply_mean for s in tiers], svg.ACCENT),
                                       ("own reply", [s.extras.own_reply_mean for s in tiers], "#9aa5b1")],
                               "s", "Customer wait per reply (s), by tier")
    resolved = svg.grouped_bars(names, [("drafts sent", [s.extras.assisted_resolution_rate for s in tiers], svg.ACCENT),
                                        ("no draft sent", [s.extras.own_chats_resolved_rate for s in tiers], "#9aa5b1")],
                                "pct", "Chats resolved, by tier")
    return ("<h2>Performance tiers: does AI help low and high performers alike?</h2>"
            '<p class="note">Tiers come from reply latency and resolution only (not from AI use): the top third, '
            "middle and bottom third of agents with enough chats. Unrated agents had too few replies or chats.</p>"
            f'<div class="grid"><div class="panel">{replies}</div><div class="panel">{resolved}</div></div>'
            f'<table><tr><th class="text">Tier</th><th class="text">How drafts work out</th></tr>{rows}</table>')


def _effort(review: TeamReview) -> str:
    if not review.effort:
        return ""
    head = ("<tr><th class=\"text\">Type</th><th>Escalations</th><th>Answered</th><th>Median s to intervene</th>"
            "<th>Within 60 s</th><th>Agent messages after</th><th>Questions</th><th>Solutions</th></tr>")
    rows = "".join(
        f'<tr><td class="text">{escape(e.type)}</td><td>{e.escalations}</td><td>{e.intervened}</td>'
        f"<td>{format_value(e.median_seconds_to_intervene, 's')}</td><td>{format_value(e.within_60s, 'pct')}</td>"
        f"<td>{format_value(e.mean_agent_messages, 'f1')}</td><td>{format_value(e.mean_questions, 'f1')}</td>"
        f"<td>{format_value(e.mean_solutions, 'f1')}</td></tr>" for e in review.effort.values())
    return f"<h2>Escalations: time to intervene and effort after, by type</h2><table>{head}{rows}</table>"


def _table(review: TeamReview) -> str:
    shown = [c for c in COLUMNS if c.key != "flags"]  # flags get their own column, with the why
    head = "".join(f'<th class="{"text" if c.fmt == "text" else ""}" title="{escape(c.tip)}">{escape(c.heading)}</th>'
                   for c in shown) + '<th class="text">Flags and why</th>'
    rows = []
    for a in review.agents:
        cells = "".join(f'<td class="{"text" if c.fmt == "text" else ""}">{escape(cell(c, a))}</td>' for c in shown)
        flags = "".join(f'<details><summary><span class="flag {f.kind}">{FLAG_NAMES[f.kind]}</span></summary>'
                        f"{escape(f.explanation)}</details>" for f in a.raised) or "–"
        rows.append(f'<tr class="{"flagged" if a.raised else ""}">{cells}<td class="why">{flags}</td></tr>')
    return f"<h2>Agents</h2><table><tr>{head}</tr>{''.join(rows)}</table>"


def _origin(review) -> str:
    """Where the figures come from: the log files, or the team store (named without its password)."""
    return f"the team store {review.files[0]}" if review.source is not None else f"{len(review.files)} log file(s)"


def render_html(review: TeamReview) -> str:
    marks = _flag_marks(review)
    strips = []
    for col in CHART_COLUMNS:
        d = distribution(review, col.key)
        strips.append(svg.strip_chart(d.values, d.fmt, marks, d.median, d.q1, d.q3, col.heading))
    problems = ""
    if review.problems:
        items = "".join(f"<li>{escape(p.message)}</li>" for p in review.problems)
        problems = f'<div class="problems"><b>{len(review.problems)} file(s) left out or noted:</b><ul>{items}</ul></div>'
    generated = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Usage review – {escape(APP_NAME)}'
            f"</title><style>{STYLE}</style></head><body><main>"
            f"<h1>Usage review</h1><p class=\"meta\">{escape(period_text(review))} · {escape(_origin(review))} · "
            f"generated {generated} by {escape(APP_NAME)} {escape(__version__)}</p>{problems}{_cards(review)}"
            "<h2>Team distributions: where each agent stands</h2>" + _legend()
            + f'<div class="grid">{"".join(f"<div class=panel>{s}</div>" for s in strips)}</div>'
            + _trends(review, "day") + _trends(review, "week") + _tiers(review) + _effort(review) + skill_html(review)
            + _table(review) + knowledge_html(knowledge_use(review.files, review.since, review.until))
            + '<p class="note">Rates are shares of all decided suggestions. Flags follow the rules in docs/flags.md, '
              "judged over the whole period with the rest of the team as reference. Figures only: no customer "
              "text is included.</p></main></body></html>")


def write_html(review: TeamReview, path: str | Path) -> Path:
    return write_text_atomically(path, render_html(review))
