"""What a flag is: its thresholds, the Flag record with its explanation, and what it is compared with.

The rules themselves are in reliance_flag.py and overload_flag.py; flags.py runs them.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from copilot.usage.figures import Figures
from copilot.usage.metrics import AgentMetrics
from copilot.usage.timeframes import iso

KINDS = ("over_reliance", "overload")


@dataclass(frozen=True)
class FlagThresholds:
    # passive over-reliance
    min_used: int = 20  # drafts accepted, edited or rejected in the window before judging
    high_acceptance: float = 0.80  # share of used drafts sent unedited
    fast_acceptance: float = 0.50  # share of accepted drafts accepted faster than reading
    max_reject_rate: float = 0.05  # "almost no rejections": share of used drafts rejected
    relative_acceptance: float = 0.65  # the lower bar when the agent stands out from the references
    relative_fast_acceptance: float = 0.30
    relative_max_reject_rate: float = 0.10
    rise_over_reference: float = 0.20  # fast-acceptance share above each reference by this much
    baseline_windows: int = 10  # earlier windows pooled into the agent's baseline
    # multitasking overload
    min_baseline_minutes: float = 30.0  # active time a baseline needs to set the usual load
    load_margin: float = 1.0  # open chats above usual that make a bucket high-load
    min_high_load_minutes: float = 10.0
    min_replies: int = 5  # replies needed on each side of a latency comparison
    latency_ratio: float = 1.5
    latency_increase: float = 10.0  # seconds
    min_customer_messages: int = 5  # on each side of a frustration comparison
    frustration_increase: float = 0.15  # on the 0..1 frustration score

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():  # NaN compares false with everything; a share above 1 is allowed (never raise)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise ValueError(f"threshold {name} must be a finite number of 0 or more, not {value!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def with_overrides(cls, overrides: dict[str, str | float]) -> FlagThresholds:
        """From NAME=VALUE settings (e.g. the command line); unknown names raise ValueError."""
        known = cls.__dataclass_fields__
        values = {}
        for name, value in overrides.items():
            if name not in known:
                raise ValueError(f"unknown threshold {name!r}; known: {', '.join(known)}")
            try:
                values[name] = int(value) if known[name].type == "int" else float(value)
            except (TypeError, ValueError, OverflowError):
                raise ValueError(f"threshold {name} must be a number, not {value!r}") from None
        return cls(**values)


@dataclass
class Flag:
    kind: str  # over_reliance | overload
    agent: str
    window: str
    key: str  # the window's key, as in AgentMetrics
    start: float
    end: float
    raised: bool
    judged: bool  # False when there was not enough data to judge; then raised is False
    basis: str  # why raised ("thresholds", "relative to baseline and team", ...) or not judged
    explanation: str
    evidence: dict = field(default_factory=dict)  # the figures the rule compared

    def to_dict(self) -> dict:
        data = asdict(self)
        data["start_utc"], data["end_utc"] = iso(self.start), iso(self.end)
        data["evidence"] = {k: round(v, 4) if isinstance(v, float) else v for k, v in self.evidence.items()}
        return data


@dataclass(frozen=True)
class References:
    """What a window is compared with: the agent's own earlier windows, and the rest of the team."""

    baseline: Figures | None
    baseline_windows: int
    team: Figures | None
    team_agents: int


def make_flag(kind: str, m: AgentMetrics, raised: bool, judged: bool, basis: str, explanation: str,
              evidence: dict) -> Flag:
    return Flag(kind, m.agent, m.window, m.key, m.start, m.end, raised, judged, basis, explanation, evidence)


def pct(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"
