"""The skill monitor: per agent, practice scores and blind-first agreement by week, beside reliance.

    team = assess_team(read_skill_files(paths), reliance_from_logs(paths), now=time.time())
    team.agents[0].weeks, team.agents[0].decline.explanation, team.agents[0].nudge

Each agent's weeks show the mean practice score, how often their blind-first picks agreed with the
engine and with how the chat ended, and whether the usage log flagged passive over-reliance that
week. Whether their skill is falling is judged on their complete practices by the rule in
decline.py; their level is the mean of their last few. The team's weekly mean is judged too: a
decline shared by the whole team shows there long before it shows in any one agent.
For coaching, not ranking: a practice is five chats, and one practice says little on its own.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean

from copilot.practice.decline import DeclineCheck, SkillThresholds, check_decline, recent_level
from copilot.practice.nudge import Nudge, nudge_for
from copilot.practice.records import AgentSkillRecords
from copilot.usage.timeframes import iso, window_label, window_start

TEAM_THRESHOLDS = SkillThresholds(baseline_practices=8, allowance=1.5, alarm=8.0)  # weekly team means
RELIANCE_RECENT_DAYS = 14  # a reliance flag older than this (from the week's start) no longer nudges
NOTE = ("Skill trends are for coaching, not ranking: a practice is five simulated chats, and one agent's week "
        "says little on its own. Look at the direction over weeks, beside how drafts were used.")


@dataclass(frozen=True)
class RelianceWeek:
    start: float
    raised: bool
    judged: bool
    fast_acceptance_share: float | None = None


@dataclass
class WeekRow:
    start: float
    practices: int = 0
    practice_score: float | None = None
    blind_picks: int = 0
    engine_agreement: float | None = None
    outcome_agreement: float | None = None
    reliance: RelianceWeek | None = None

    @property
    def week(self) -> str:
        return window_label("week", self.start)

    def to_dict(self) -> dict:
        r = self.reliance
        return {"week": self.week, "start_utc": iso(self.start), "practices": self.practices,
                "practice_score": _r(self.practice_score), "blind_picks": self.blind_picks,
                "engine_agreement": _r(self.engine_agreement), "outcome_agreement": _r(self.outcome_agreement),
                "reliance_flagged": None if r is None or not r.judged else r.raised,
                "fast_acceptance_share": None if r is None else _r(r.fast_acceptance_share)}


@dataclass
class AgentSkill:
    agent: str
    weeks: list[WeekRow]
    scores: list[tuple[float, float]]  # (when, score) of complete practices, oldest first
    decline: DeclineCheck
    last_practice_at: float | None
    reliance_flagged: bool  # in the latest week the usage log judged, if that week is recent
    nudge: Nudge | None = None
    thresholds: SkillThresholds = field(default_factory=SkillThresholds)

    @property
    def level(self) -> float | None:
        return recent_level([s for _, s in self.scores], self.thresholds)

    def to_dict(self) -> dict:
        d = self.decline
        return {"agent": self.agent, "practices": len(self.scores), "level": _r(self.level),
                "last_practice_utc": iso(self.last_practice_at), "reliance_flagged": self.reliance_flagged,
                "skill_falling": d.falling, "judged": d.judged, "baseline": _r(d.baseline),
                "shortfall": _r(d.shortfall), "explanation": d.explanation,
                "alarms": [{"practice": a.at + 1, "baseline": _r(a.baseline)} for a in d.alarms],
                "nudge": None if self.nudge is None else self.nudge.to_dict(),
                "weeks": [w.to_dict() for w in self.weeks]}


@dataclass
class TeamSkill:
    agents: list[AgentSkill]
    weeks: list[WeekRow]  # the team: mean of the agents' weekly practice means, pooled blind-first picks
    decline: DeclineCheck
    thresholds: SkillThresholds
    note: str = NOTE

    def agent(self, name: str) -> AgentSkill:
        return next(a for a in self.agents if a.agent == name)

    def to_dict(self) -> dict:
        return {"note": self.note, "thresholds": self.thresholds.to_dict(),
                "team": {"skill_falling": self.decline.falling, "explanation": self.decline.explanation,
                         "weeks": [w.to_dict() for w in self.weeks]},
                "agents": [a.to_dict() for a in self.agents]}


def assess_agent(records: AgentSkillRecords, reliance: list[RelianceWeek], now: float,
                 thresholds: SkillThresholds | None = None) -> AgentSkill:
    thresholds = thresholds or SkillThresholds()
    complete = [(ts, float(f["score"])) for ts, f in records.practices
                if f.get("complete") and isinstance(f.get("score"), (int, float))]
    weeks = _weeks(complete, records, reliance)
    judged = [r for r in sorted(reliance, key=lambda r: r.start) if r.judged]
    last = max((ts for ts, _ in records.practices), default=None)
    recent = bool(judged) and now - judged[-1].start <= RELIANCE_RECENT_DAYS * 86_400.0
    skill = AgentSkill(records.agent, weeks, complete, check_decline([s for _, s in complete], thresholds), last,
                       recent and judged[-1].raised, thresholds=thresholds)
    skill.nudge = nudge_for(skill, now)
    return skill


def assess_team(records: dict[str, AgentSkillRecords], reliance: dict[str, list[RelianceWeek]], now: float,
                thresholds: SkillThresholds | None = None) -> TeamSkill:
    thresholds = thresholds or SkillThresholds()
    names = sorted(set(records) | set(reliance))
    agents = [assess_agent(records.get(n, AgentSkillRecords(n)), reliance.get(n, []), now, thresholds) for n in names]
    by_week: dict[float, list[WeekRow]] = defaultdict(list)
    for a in agents:
        for w in a.weeks:
            by_week[w.start].append(w)
    team_weeks = []
    for start in sorted(by_week):
        rows = by_week[start]
        means = [w.practice_score for w in rows if w.practice_score is not None]
        picks = sum(w.blind_picks for w in rows)
        team_weeks.append(WeekRow(start, sum(w.practices for w in rows), fmean(means) if means else None, picks,
                                  _pooled(rows, "engine_agreement"), _pooled(rows, "outcome_agreement")))
    series = [w.practice_score for w in team_weeks if w.practice_score is not None]
    return TeamSkill(agents, team_weeks, check_decline(series, TEAM_THRESHOLDS), thresholds)


def rank_by_level(team: TeamSkill) -> list[str]:
    """Agents by their recent practice level, highest first (for the evidence tests; the review shows trends)."""
    rated = [a for a in team.agents if a.level is not None]
    return [a.agent for a in sorted(rated, key=lambda a: -a.level)]


def _weeks(complete, records: AgentSkillRecords, reliance: list[RelianceWeek]) -> list[WeekRow]:
    rows: dict[float, WeekRow] = {}

    def row(ts: float) -> WeekRow:
        start = window_start("week", ts)
        return rows.setdefault(start, WeekRow(start))

    scores: dict[float, list[float]] = defaultdict(list)
    for ts, score in complete:
        scores[row(ts).start].append(score)
    for start, values in scores.items():
        rows[start].practices, rows[start].practice_score = len(values), fmean(values)
    engine: dict[float, list[bool]] = defaultdict(list)
    outcome: dict[float, list[bool]] = defaultdict(list)
    for ts, f in records.blind_picks:
        if f.get("chosen"):
            engine[row(ts).start].append(bool(f.get("agreed_engine")))
    for ts, f in records.blind_outcomes:
        if isinstance(f.get("agent_right"), bool):
            outcome[row(ts).start].append(f["agent_right"])
    for start, values in engine.items():
        rows[start].blind_picks, rows[start].engine_agreement = len(values), fmean(values)
    for start, values in outcome.items():
        rows[start].outcome_agreement = fmean(values)
    for r in reliance:
        row(r.start).reliance = r
    return [rows[s] for s in sorted(rows)]


def _pooled(rows: list[WeekRow], key: str) -> float | None:
    weighted = [(getattr(w, key), w.blind_picks) for w in rows if getattr(w, key) is not None and w.blind_picks]
    total = sum(n for _, n in weighted)
    return sum(v * n for v, n in weighted) / total if total else None


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def reliance_from_logs(paths: list, agent: str | None = None, since: float | None = None,
                       until: float | None = None) -> dict[str, list[RelianceWeek]]:
    """Each agent's weekly over-reliance flag (copilot.usage flags), from their usage logs."""
    from copilot.usage.flags import compute_flags
    from copilot.usage.metrics import compute_metrics

    metrics = compute_metrics([str(p) for p in paths], agent=agent, since=since, until=until, window="week")
    found: dict[str, list[RelianceWeek]] = defaultdict(list)
    for m, f in zip(metrics, [f for f in compute_flags(metrics) if f.kind == "over_reliance"]):
        found[m.agent].append(RelianceWeek(m.start, f.raised, f.judged, m.figures.fast_acceptance_share))
    return dict(found)


def nudge_from_log(path, agent: str, now: float) -> Nudge | None:
    """The agent's own nudge to practise, from their usage log (read-only; run it off the UI thread).

    Raises copilot.usage.errors.UsageLogError for a file that is not a usable usage log."""
    from copilot.practice.records import read_skill_files

    records = read_skill_files([path], agent=agent).get(agent, AgentSkillRecords(agent))
    reliance = reliance_from_logs([path], agent=agent).get(agent, [])
    return assess_agent(records, reliance, now).nudge
