"""Merging loaded sessions into a team review: per-agent figures and flags, per-session flags.

    review = build_review(load_logs(paths))      # or review_logs(paths)
    review.agents[0].figures.acceptance_rate, review.agents[0].flags["over_reliance"].explanation

Each agent's row covers the whole period loaded ("period" window): their sessions' sums added.
Each session is judged on its own by the rules of copilot.usage.flags, against the agent's earlier
sessions and the rest of the team (copilot/review/judging.py runs them fast for a whole team).
The period's flags:
- over-reliance is judged on the period's pooled drafts, with the team as reference: shares
  pool well, and a lead wants the agent's overall pattern;
- overload is raised when it was raised in any session, and says in how many: the rule compares
  5-minute slices of the same shift with each other, and slices of different days (another
  season, another team size) are not a fair comparison.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from copilot.review.judging import judge_windows, team_references
from copilot.review.model import Extras, LoadedSession, LoadResult, LogProblem
from copilot.usage.escalation_effort import EffortByType, effort_by_type
from copilot.usage.figures import Figures
from copilot.usage.flag_model import Flag, FlagThresholds
from copilot.usage.metrics import AgentMetrics
from copilot.usage.tally import Tally
from copilot.usage.timeframes import BUCKET_SECONDS, iso

PERIOD = "period"  # the window name of an agent's whole loaded period ("... in this period")
_LOAD = ("replies", "reply_seconds", "replies_timed", "customer_messages", "frustration_sum",
         "frustration_scored", "concurrency_seconds", "concurrency_peak", "active_seconds")


@dataclass
class SessionReview:
    session: LoadedSession
    metrics: AgentMetrics | None  # None in a team-store summary until the drill-down reads the session
    flags: dict[str, Flag]

    @property
    def raised(self) -> list[Flag]:
        return [f for f in self.flags.values() if f.raised]


@dataclass
class AgentReview:
    agent: str
    metrics: AgentMetrics  # the whole period
    flags: dict[str, Flag]  # kind -> the period's flag
    sessions: list[SessionReview]  # oldest first, each with its own flags
    extras: Extras
    effort: dict[str, EffortByType]
    tier: str = "unrated"  # set by copilot.review.tiers
    score: float | None = None

    @property
    def figures(self) -> Figures:
        return self.metrics.figures

    @property
    def raised(self) -> list[Flag]:
        return [f for f in self.flags.values() if f.raised]

    @property
    def loaded(self) -> list[LoadedSession]:
        return [s.session for s in self.sessions]

    @property
    def flagged_sessions(self) -> int:
        return sum(1 for s in self.sessions if s.raised)

    @property
    def files(self) -> list[str]:
        return sorted({s.path for s in self.loaded})

    @property
    def stores_text(self) -> bool:
        return any(s.stores_text for s in self.loaded)


@dataclass
class TeamReview:
    agents: list[AgentReview]
    problems: list[LogProblem]
    files: list[str]
    thresholds: FlagThresholds
    since: float | None = None
    until: float | None = None
    cancelled: bool = False
    load_seconds: float = 0.0
    team: Figures = field(default_factory=lambda: Figures.of(Tally()))
    team_extras: Extras = field(default_factory=Extras)
    effort: dict[str, EffortByType] = field(default_factory=dict)
    skill: object | None = None  # skill trends (copilot/review/skill.py), computed on first use
    # Where the review came from when not from files (the team store): it answers the trends'
    # window_sums(review, window) and agent_detail(review, agent) itself. None: files.
    source: object | None = None

    def agent(self, name: str) -> AgentReview:
        return next(a for a in self.agents if a.agent == name)

    @property
    def sessions(self) -> int:
        return sum(len(a.loaded) for a in self.agents)


def _metrics(agent: str, window: str, key: str, sessions: list[LoadedSession], source: str) -> AgentMetrics:
    total, load = Tally(), {}
    for s in sessions:
        for tally in s.days.values():
            total.add(tally)
        for b, tally in s.buckets.items():
            # two sessions in the same 5 minutes (two app windows, or two machines) add up
            load[b] = Tally().add(load[b], _LOAD).add(tally, _LOAD) if b in load else tally
    start, end = min(s.start for s in sessions), max(s.end for s in sessions)
    buckets = [(b * BUCKET_SECONDS, t) for b, t in sorted(load.items())]
    return AgentMetrics(agent, window, key, start, end, len(sessions), source, Figures.of(total), total, buckets)


def build_review(result: LoadResult, thresholds: FlagThresholds | None = None, since: float | None = None,
                 until: float | None = None) -> TeamReview:
    from copilot.review.tiers import assign_tiers  # tiers read the merged figures

    thresholds = thresholds or FlagThresholds()
    by_agent: dict[str, list[LoadedSession]] = defaultdict(list)
    for s in sorted(result.sessions, key=lambda s: (s.agent, s.start, s.key)):
        by_agent[s.agent].append(s)
    names = sorted(by_agent)
    period = [_metrics(a, PERIOD, PERIOD, by_agent[a], "") for a in names]
    teams = team_references(period)
    windows = [(s, _metrics(s.agent, "session", s.key, [s], s.path)) for a in names for s in by_agent[a]]
    per_session: dict[str, list[SessionReview]] = defaultdict(list)
    for (s, m), flags in zip(windows, judge_windows([m for _, m in windows], thresholds, teams=teams)):
        per_session[s.agent].append(SessionReview(s, m, flags))
    agents = []
    for name, m, flags in zip(names, period, judge_windows(period, thresholds, teams=teams)):
        extras = Extras()
        for s in by_agent[name]:
            extras.add(s.extras)
        flags["overload"] = period_overload(m, per_session[name])
        effort = effort_by_type([r for s in by_agent[name] for r in s.escalations])
        agents.append(AgentReview(name, m, flags, per_session[name], extras, effort))
    team_extras = Extras()
    for a in agents:
        team_extras.add(a.extras)
    review = TeamReview(agents, list(result.problems), list(result.files), thresholds, since, until,
                        result.cancelled, result.seconds, Figures.of(Tally.total(m.tally for m in period)),
                        team_extras, effort_by_type([r for s in result.sessions for r in s.escalations]))
    assign_tiers(review.agents)
    return review


def period_overload(m: AgentMetrics, sessions: list[SessionReview]) -> Flag:
    """The period's overload flag from its sessions': raised if any was, with the busiest one's why."""
    flags = [(s, s.flags["overload"]) for s in sessions]
    raised = [(s, f) for s, f in flags if f.raised]
    judged = [(s, f) for s, f in flags if f.judged]
    pick = raised or judged or flags
    s, f = max(pick, key=lambda sf: sf[1].evidence.get("high_load_minutes") or 0.0)
    when = iso(s.session.start)[:16].replace("T", " ")
    why = f.explanation.split(": ", 1)[-1]
    n = len(sessions)
    if raised and n == 1:
        text = f"Multitasking overload in the one session, from {when} UTC: {why}"
    elif raised:
        text = (f"Multitasking overload in {len(raised)} of {n} sessions; "
                f"{'the busiest' if len(raised) > 1 else 'it'} was the one from {when} UTC: {why}")
    elif judged:
        text = (f"No multitasking overload in {'the one session' if n == 1 else f'any of the {n} sessions'}"
                f"{'' if n == 1 else f'; the busiest was from {when} UTC'}: {why}")
    else:
        text = f"Overload not judged in any session; the one from {when} UTC: {why}"
    evidence = {"sessions": len(sessions), "sessions_flagged": len(raised), "shown_session": s.session.key,
                **f.evidence}
    return Flag(f.kind, m.agent, m.window, m.key, m.start, m.end, bool(raised), bool(judged), f.basis, text, evidence)


def review_logs(paths, since: float | None = None, until: float | None = None,
                thresholds: FlagThresholds | None = None, progress=None, cancelled=None) -> TeamReview:
    """Load (read-only) and merge: what `copilot review` and the review window run."""
    from copilot.review.loading import load_logs

    return build_review(load_logs(paths, since, until, progress, cancelled), thresholds, since, until)


def period_text(review: TeamReview) -> str:
    """"2026-03-02 09:00 – 2026-03-06 17:30 UTC", from the sessions loaded."""
    if not review.agents:
        return "no sessions"
    start = min(a.metrics.start for a in review.agents)
    end = max(a.metrics.end for a in review.agents)
    return f"{iso(start)[:16].replace('T', ' ')} – {iso(end)[:16].replace('T', ' ')} UTC"
