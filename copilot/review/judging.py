"""Flags for a whole team's windows at once: the rules of copilot.usage, with references built once.

copilot.usage.flags.compute_flags builds each agent's team reference by adding up every other
agent's windows, which costs agents x windows additions: about 14 s for 200 agents with five
sessions each. Here the team's sums are added once, and each agent's reference is the team's sums
minus their own, which is the same pooled figure (sums subtract exactly; the two peaks, which no
rule reads from the team, keep the team's value). Baselines are the agent's own earlier windows,
as there. The rules themselves (judge_over_reliance, judge_overload) are called unchanged, and a
test holds judge_windows to compute_flags' answers.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import fields

from copilot.usage.figures import Figures
from copilot.usage.flag_model import Flag, FlagThresholds, References
from copilot.usage.metrics import AgentMetrics
from copilot.usage.overload_flag import judge_overload
from copilot.usage.reliance_flag import judge_over_reliance
from copilot.usage.tally import Tally

_PEAKS = ("concurrency_peak", "frustration_peak")
_SUMS = tuple(f.name for f in fields(Tally) if f.name not in _PEAKS)


def _minus(total: Tally, own: Tally) -> Tally:
    result = Tally(**{name: getattr(total, name) for name in _PEAKS})
    for name in _SUMS:
        left = getattr(total, name) - getattr(own, name)
        setattr(result, name, 0 if abs(left) < 1e-9 else left)  # float sums: no residue where nothing is left
    return result


def team_references(metrics: list[AgentMetrics]) -> dict[str, tuple[Figures | None, int]]:
    """Agent -> (the other agents' windows pooled, how many other agents): each agent's team reference."""
    per_agent: dict[str, Tally] = defaultdict(Tally)
    for w in metrics:
        per_agent[w.agent].add(w.tally)
    if len(per_agent) < 2:
        return {agent: (None, 0) for agent in per_agent}
    total = Tally.total(per_agent.values())
    return {agent: (Figures.of(_minus(total, mine)), len(per_agent) - 1) for agent, mine in per_agent.items()}


def judge_windows(metrics: list[AgentMetrics], thresholds: FlagThresholds | None = None,
                  history: list[AgentMetrics] = (),
                  teams: dict[str, tuple[Figures | None, int]] | None = None) -> list[dict[str, Flag]]:
    """For each window in `metrics` (in order): its flags by kind, judged as compute_flags judges them.

    `teams`: team references from team_references() over a wider report (to judge one agent's
    windows against a team whose windows are not in `metrics`); by default, from `metrics`.
    """
    t = thresholds or FlagThresholds()
    own: dict[str, list[AgentMetrics]] = defaultdict(list)
    for w in sorted([*history, *metrics], key=lambda w: w.start):
        own[w.agent].append(w)
    starts = {agent: [w.start for w in windows] for agent, windows in own.items()}
    teams = team_references(metrics) if teams is None else teams
    result = []
    for m in metrics:
        earlier = own[m.agent][:bisect_left(starts[m.agent], m.start)][-t.baseline_windows:]
        baseline = Figures.of(Tally.total(w.tally for w in earlier)) if earlier else None
        refs = References(baseline, len(earlier), *teams.get(m.agent, (None, 0)))
        result.append({"over_reliance": judge_over_reliance(m, refs, t), "overload": judge_overload(m, refs, t)})
    return result
