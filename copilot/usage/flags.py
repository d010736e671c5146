"""Flags raised from usage metrics: passive over-reliance and multitasking overload.

    flags = compute_flags(compute_metrics("usage.sqlite"))

Every window gets one Flag of each kind, raised or not, with a plain-English explanation that
quotes the figures, so the agent and their team lead can see why. The rules (full text in
docs/flags.md; thresholds in FlagThresholds, all configurable):

Passive over-reliance (reliance_flag.py), judged when the agent used or rejected at least
`min_used` drafts in the window:
- raised on the thresholds: at least `high_acceptance` of the drafts used were sent unedited,
  AND at least `fast_acceptance` of the accepted ones faster than they can be read (4 words/s),
  AND at most `max_reject_rate` were rejected;
- or raised relative to the references, at the lower `relative_*` thresholds, when the
  fast-acceptance share is at least `rise_over_reference` above EVERY available reference: the
  agent's own baseline (their last `baseline_windows` earlier windows) and the team (the other
  agents in the same report). Drifting away from one's own habit and from one's peers counts.

Multitasking overload (overload_flag.py), judged within the window's 5-minute buckets:
- the agent's usual load is their baseline's time-weighted open chats (if it covers at least
  `min_baseline_minutes`), else this window's own mean;
- high-load buckets have at least `load_margin` more open chats than usual; they must add up to
  `min_high_load_minutes`;
- raised when, in those buckets, replies were at least `latency_ratio` times AND
  `latency_increase` seconds slower than the reference, OR customers' mean frustration was at
  least `frustration_increase` higher. The reference is this window's buckets at or below the
  usual load, or, when they hold too few replies, the baseline.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict

from copilot.usage.figures import Figures
from copilot.usage.flag_model import Flag, FlagThresholds, References
from copilot.usage.metrics import AgentMetrics
from copilot.usage.overload_flag import judge_overload
from copilot.usage.reliance_flag import judge_over_reliance
from copilot.usage.tally import Tally

__all__ = ["Flag", "FlagThresholds", "compute_flags"]


def compute_flags(metrics: list[AgentMetrics], thresholds: FlagThresholds | None = None,
                  history: list[AgentMetrics] = ()) -> list[Flag]:
    """One over-reliance and one overload Flag per window in `metrics`, in the same order.

    `history`: earlier windows of the same kind (e.g. before --since) that only feed baselines.
    """
    thresholds = thresholds or FlagThresholds()
    own: dict[str, list[AgentMetrics]] = defaultdict(list)  # each agent's windows, oldest first
    for w in sorted([*history, *metrics], key=lambda w: w.start):
        own[w.agent].append(w)
    starts = {agent: [w.start for w in windows] for agent, windows in own.items()}
    in_report: dict[str, list[AgentMetrics]] = defaultdict(list)
    for w in metrics:
        in_report[w.agent].append(w)
    teams = {agent: _team(in_report, agent) for agent in in_report}
    flags = []
    for m in metrics:
        earlier = own[m.agent][:bisect_left(starts[m.agent], m.start)][-thresholds.baseline_windows:]
        baseline = Figures.of(Tally.total(w.tally for w in earlier)) if earlier else None
        refs = References(baseline, len(earlier), *teams[m.agent])
        flags.append(judge_over_reliance(m, refs, thresholds))
        flags.append(judge_overload(m, refs, thresholds))
    return flags


def _team(in_report: dict[str, list[AgentMetrics]], agent: str) -> tuple[Figures | None, int]:
    """The other agents in the same report, pooled: sums, so busy agents weigh more."""
    others = [w for name, windows in in_report.items() if name != agent for w in windows]
    if not others:
        return None, 0
    return Figures.of(Tally.total(w.tally for w in others)), len(in_report) - 1
