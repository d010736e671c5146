"""Metrics and flags together, as `copilot usage` prints them and the app shows them.

    report = usage_report(["usage.sqlite"], agent="ann", since=t0)
    report.to_dict()  # JSON-ready

Flags are judged with the whole team in view even when one agent is asked for (the team is a
reference), and with the agent's windows before `since` as their baseline.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from copilot.usage.errors import UsageLogError
from copilot.usage.flags import Flag, FlagThresholds, compute_flags
from copilot.usage.metrics import AgentMetrics, Source, compute_metrics
from copilot.usage.timeframes import iso


@dataclass
class UsageReport:
    sources: list[str]
    agent: str | None
    window: str
    since: float | None
    until: float | None
    thresholds: FlagThresholds
    metrics: list[AgentMetrics]
    flags: list[Flag]

    def flags_for(self, m: AgentMetrics) -> list[Flag]:
        return [f for f in self.flags if (f.agent, f.key, f.start) == (m.agent, m.key, m.start)]

    @property
    def raised(self) -> list[Flag]:
        return [f for f in self.flags if f.raised]

    def to_dict(self) -> dict:
        return {
            "sources": self.sources, "agent": self.agent, "window": self.window,
            "since": self.since, "since_utc": iso(self.since), "until": self.until, "until_utc": iso(self.until),
            "thresholds": self.thresholds.to_dict(),
            "windows": [m.to_dict() | {"flags": {f.kind: f.to_dict() for f in self.flags_for(m)}}
                        for m in self.metrics],
            "raised": [{"agent": f.agent, "window": f.window, "key": f.key, "kind": f.kind, "basis": f.basis,
                        "explanation": f.explanation} for f in self.raised],
        }


def usage_report(sources: Source | list[Source], agent: str | None = None, since: float | None = None,
                 until: float | None = None, window: str = "session",
                 thresholds: FlagThresholds | None = None) -> UsageReport:
    """Raises UsageLogError for an unusable file, or an agent with nothing recorded in the range."""
    sources = sources if isinstance(sources, list) else [sources]
    thresholds = thresholds or FlagThresholds()
    everyone = compute_metrics(sources, None, since, until, window)
    history = compute_metrics(sources, None, None, since, window) if since is not None else []
    flags = compute_flags(everyone, thresholds, history)
    if agent is not None:
        agents = sorted({m.agent for m in everyone})
        if agent not in agents:
            found = f"agents with usage in that range: {', '.join(agents)}" if agents else "no usage in that range"
            raise UsageLogError(f"No usage recorded for agent {agent!r}; {found}.")
        flags = [f for f in flags if f.agent == agent]
    metrics = [m for m in everyone if agent is None or m.agent == agent]
    names = ["(open connection)" if not isinstance(s, str | Path) else str(s) for s in sources]
    return UsageReport(names, agent, window, since, until, thresholds, metrics, flags)
