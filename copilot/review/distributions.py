"""Team distributions and trends: where each agent stands against the team, and how things move.

    d = distribution(review, "acceptance_rate")   # every agent's value, median and quartiles
    d.position("ann")                              # (rank, of, percentile)
    t = trend(review, "acceptance_rate", "day")     # per UTC day (or ISO week): team median and quartiles,
                                                    # and each agent's line

Trends read each session's sums by day, so a figure per day is exact; the review's own sums
(resolution, hand-over frustration) are kept per session and counted in the window the session
started in.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from copilot.review.columns import Column, column
from copilot.review.model import Extras
from copilot.usage.figures import Figures
from copilot.usage.tally import Tally
from copilot.usage.timeframes import DAY, window_label, window_start


def quartiles(values: list[float]) -> tuple[float, float, float] | None:
    """(q1, median, q3), or None for no values."""
    if not values:
        return None
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


@dataclass
class Distribution:
    key: str
    label: str
    fmt: str
    values: list[tuple[str, float]]  # (agent, value), ascending; agents with no value are left out
    q1: float | None = None
    median: float | None = None
    q3: float | None = None

    def position(self, agent: str) -> tuple[int, int, float] | None:
        """(rank from the lowest value, agents with a value, share of them at or below it)."""
        for i, (name, value) in enumerate(self.values):
            if name == agent:
                at_or_below = sum(1 for _, v in self.values if v <= value)
                return i + 1, len(self.values), at_or_below / len(self.values)
        return None

    def value_of(self, agent: str) -> float | None:
        return next((v for name, v in self.values if name == agent), None)


def distribution(review, key: str) -> Distribution:
    col = column(key)
    values = sorted(((a.agent, v) for a in review.agents if (v := col.get(a)) is not None), key=lambda x: (x[1], x[0]))
    stats = quartiles([v for _, v in values])
    d = Distribution(key, col.heading, col.fmt, values)
    if stats:
        d.q1, d.median, d.q3 = stats
    return d


def window_sums(review, window: str) -> tuple[dict[tuple[float, str], Tally], dict[tuple[float, str], Extras]]:
    """(window start, agent) -> the sums of that agent's days in the window, and the review's own
    sums of their sessions that started in it."""
    tallies: dict[tuple[float, str], Tally] = defaultdict(Tally)
    extras: dict[tuple[float, str], Extras] = defaultdict(Extras)
    for a in review.agents:
        for s in a.loaded:
            for day, tally in s.days.items():
                tallies[(window_start(window, day * DAY), a.agent)].add(tally)
            extras[(window_start(window, s.start), a.agent)].add(s.extras)
    return tallies, extras


@dataclass
class Trend:
    key: str
    label: str
    fmt: str
    window: str  # day | week
    starts: list[float]
    labels: list[str]
    median: list[float | None] = field(default_factory=list)
    q1: list[float | None] = field(default_factory=list)
    q3: list[float | None] = field(default_factory=list)
    agents: dict[str, list[float | None]] = field(default_factory=dict)


class _View:
    """What a column's getter needs (figures, extras), for one agent in one window."""

    def __init__(self, agent: str, tally: Tally, extras: Extras):
        self.agent, self.figures, self.extras = agent, Figures.of(tally), extras


def window_views(review, window: str) -> dict[float, list[_View]]:
    """Window start -> one view per agent active in it."""
    if review.source is not None:  # the team store sums the windows on its server
        tallies, extras = review.source.window_sums(review, window)
    else:
        tallies, extras = window_sums(review, window)
    views: dict[float, list[_View]] = defaultdict(list)
    for (start, agent), tally in sorted(tallies.items()):
        views[start].append(_View(agent, tally, extras.get((start, agent), Extras())))
    return dict(sorted(views.items()))


def trend(review, key: str, window: str = "day", views: dict | None = None) -> Trend:
    """`views`: window_views(review, window), when several trends are drawn from the same windows."""
    col: Column = column(key)
    views = window_views(review, window) if views is None else views
    starts = list(views)
    t = Trend(key, col.heading, col.fmt, window, starts, [window_label(window, s) for s in starts])
    names = [a.agent for a in review.agents]
    t.agents = {name: [None] * len(starts) for name in names}
    for i, start in enumerate(starts):
        values = []
        for view in views[start]:
            value = col.get(view)
            t.agents[view.agent][i] = value
            if value is not None:
                values.append(value)
        stats = quartiles(values)
        t.q1.append(stats[0] if stats else None)
        t.median.append(stats[1] if stats else None)
        t.q3.append(stats[2] if stats else None)
    return t
