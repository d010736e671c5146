"""Performance tiers, and how the AI's drafts work out in each: does it help low and high performers alike?

The field evidence says it does not: low performers gained most from AI help, while top performers
multitasked more and their quality fell. So a lead needs the team split by performance, measured
without the AI figures themselves, and the AI's effect shown per tier.

Performance comes from two things in the logs: how long customers waited per reply (mean reply
latency, lower is better) and the share of ended chats that were resolved (higher is better). Each
agent gets a percentile rank on both among the rated agents, the score is their mean, and the
team is cut into thirds: high, middle, low. An agent with fewer than MIN_REPLIES timed replies or
MIN_CHATS ended chats is "unrated"; with fewer than three rated agents nobody is tiered.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from copilot.review.model import Extras
from copilot.usage.figures import Figures
from copilot.usage.tally import Tally

TIERS = ("high", "middle", "low")
UNRATED = "unrated"
MIN_REPLIES = 10
MIN_CHATS = 5


def _ranks(values: dict[str, float], higher_is_better: bool) -> dict[str, float]:
    """For each agent, the share of the other agents their value beats (ties count half): 0 worst, 1 best.

    Sorted once and bisected, so a team of a thousand costs milliseconds, not a million comparisons."""
    ordered = sorted(values.values())
    others = len(ordered) - 1
    result = {}
    for name, value in values.items():
        below, upto = bisect_left(ordered, value), bisect_right(ordered, value)
        ties = upto - below - 1  # the agent's own value is among the equal ones
        beaten = below if higher_is_better else len(ordered) - upto
        result[name] = (beaten + 0.5 * ties) / others if others else 0.5
    return result


def assign_tiers(agents: list) -> None:
    """Set `score` and `tier` on each AgentReview (in place)."""
    rated = [a for a in agents if a.figures.reply_seconds is not None
             and a.metrics.tally.replies_timed >= MIN_REPLIES and a.extras.chats_ended >= MIN_CHATS]
    for a in agents:
        a.tier, a.score = UNRATED, None
    if len(rated) < 3:
        return
    latency = _ranks({a.agent: a.figures.reply_seconds for a in rated}, higher_is_better=False)
    resolution = _ranks({a.agent: a.extras.resolution_rate for a in rated}, higher_is_better=True)
    for a in rated:
        a.score = round((latency[a.agent] + resolution[a.agent]) / 2, 3)
    ordered = sorted(rated, key=lambda a: (-a.score, a.figures.reply_seconds, a.agent))
    third = max(1, round(len(ordered) / 3))
    for i, a in enumerate(ordered):
        a.tier = "high" if i < third else "low" if i >= len(ordered) - third else "middle"


@dataclass
class TierSegment:
    tier: str
    agents: list[str]
    figures: Figures  # the tier's sums pooled: busy agents weigh more
    extras: Extras
    over_reliance: int  # agents flagged
    overload: int

    @property
    def seconds_saved(self) -> float | None:
        """How much sooner customers got a reply sent from a draft than one the agent wrote."""
        own, assisted = self.extras.own_reply_mean, self.extras.assisted_reply_mean
        return None if own is None or assisted is None else own - assisted

    def summary(self) -> str:
        e, f = self.extras, self.figures
        parts = [f"{len(self.agents)} agent(s)"]
        if f.acceptance_rate is not None:
            parts.append(f"accept {f.acceptance_rate:.0%}, edit {f.edit_rate:.0%}, reject {f.reject_rate:.0%}")
        if self.seconds_saved is not None:
            parts.append(f"replies from drafts {e.assisted_reply_mean:.0f} s vs own {e.own_reply_mean:.0f} s")
        if e.assisted_resolution_rate is not None and e.own_chats_resolved_rate is not None:
            parts.append(f"resolved {e.assisted_resolution_rate:.0%} of chats with drafts sent vs "
                         f"{e.own_chats_resolved_rate:.0%} without")
        parts.append(f"flagged: {self.over_reliance} over-reliance, {self.overload} overload")
        return "; ".join(parts)

    def to_dict(self) -> dict:
        e = self.extras
        return {"tier": self.tier, "agents": self.agents, "acceptance_rate": self.figures.acceptance_rate,
                "edit_rate": self.figures.edit_rate, "reject_rate": self.figures.reject_rate,
                "fast_acceptance_share": self.figures.fast_acceptance_share,
                "reply_seconds": self.figures.reply_seconds, "assisted_reply_seconds": e.assisted_reply_mean,
                "own_reply_seconds": e.own_reply_mean, "seconds_saved_by_drafts": self.seconds_saved,
                "resolution_rate": e.resolution_rate, "assisted_resolution_rate": e.assisted_resolution_rate,
                "own_resolution_rate": e.own_chats_resolved_rate,
                "flagged_over_reliance": self.over_reliance, "flagged_overload": self.overload,
                "summary": self.summary()}


def segments(agents: list) -> list[TierSegment]:
    """One segment per tier that has agents, high first; the unrated last."""
    result = []
    for tier in (*TIERS, UNRATED):
        members = [a for a in agents if a.tier == tier]
        if not members:
            continue
        extras = Extras()
        for a in members:
            extras.add(a.extras)
        result.append(TierSegment(
            tier, [a.agent for a in members], Figures.of(Tally.total(a.metrics.tally for a in members)), extras,
            sum(1 for a in members if a.flags["over_reliance"].raised),
            sum(1 for a in members if a.flags["overload"].raised)))
    return result
