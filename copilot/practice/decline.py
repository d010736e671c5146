"""The rule that tells a real fall in an agent's practice scores from the noise of a few chats.

A one-sided CUSUM (cumulative sum) against the agent's own baseline:
- the baseline is the mean of their first `baseline_practices` complete practices;
- after it, each practice adds (baseline - score - allowance) to a running shortfall, which never
  goes below zero: a score within `allowance` points of the baseline, or above it, pays it down;
- "skill falling" is raised when the shortfall reaches `alarm` points.
After an alarm, the next `baseline_practices` practices become the new baseline (the agent's new
normal), so one lasting fall raises one alarm, and a recovery is seen against the lower level.
docs/skill.md gives the simulations that set the defaults: how many practices it takes to see a
5 % decline, and how often a steady agent is flagged by chance.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from statistics import fmean


@dataclass(frozen=True)
class SkillThresholds:
    baseline_practices: int = 8
    allowance: float = 3.0  # points per practice below the baseline taken as noise
    alarm: float = 40.0  # accumulated shortfall, in points, that raises "skill falling"
    recent_practices: int = 4  # the practices averaged for an agent's current level

    def __post_init__(self) -> None:
        if self.baseline_practices < 1 or self.recent_practices < 1:
            raise ValueError("baseline_practices and recent_practices must be at least 1")
        if self.allowance < 0 or self.alarm <= 0:
            raise ValueError("allowance must be >= 0 and alarm > 0")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Alarm:
    at: int  # index of the practice that raised it
    baseline: float
    shortfall: float


@dataclass(frozen=True)
class DeclineCheck:
    judged: bool  # False until the first baseline is complete
    falling: bool  # the latest alarm is still within its re-baselining period
    baseline: float | None  # the baseline now in force
    shortfall: float  # the running sum against it
    alarms: tuple[Alarm, ...]
    explanation: str


def check_decline(scores: list[float], t: SkillThresholds | None = None) -> DeclineCheck:
    """Judge a series of practice scores, oldest first."""
    t = t or SkillThresholds()
    alarms: list[Alarm] = []
    start = 0
    while True:
        if len(scores) - start < t.baseline_practices:
            if not alarms:
                return DeclineCheck(False, False, None, 0.0, (), (
                    f"Not judged yet: {len(scores)} practice(s); the first {t.baseline_practices} set the baseline."))
            last = alarms[-1]
            return DeclineCheck(True, True, last.baseline, last.shortfall, tuple(alarms), _falling(scores, last, t))
        baseline = fmean(scores[start:start + t.baseline_practices])
        shortfall, alarm = 0.0, None
        for index in range(start + t.baseline_practices, len(scores)):
            shortfall = max(0.0, shortfall + baseline - scores[index] - t.allowance)
            if shortfall >= t.alarm:
                alarm = Alarm(index, baseline, shortfall)
                break
        if alarm is None:
            return DeclineCheck(True, False, baseline, shortfall, tuple(alarms), _steady(scores, baseline, shortfall, t))
        alarms.append(alarm)
        start = alarm.at + 1


def first_alarm(scores: list[float], t: SkillThresholds | None = None) -> int | None:
    """The index of the practice that first raised "skill falling", or None (for simulations)."""
    alarms = check_decline(scores, t).alarms
    return alarms[0].at if alarms else None


def recent_level(scores: list[float], t: SkillThresholds | None = None) -> float | None:
    t = t or SkillThresholds()
    return fmean(scores[-t.recent_practices:]) if scores else None


def _falling(scores: list[float], alarm: Alarm, t: SkillThresholds) -> str:
    since = scores[alarm.at - t.baseline_practices + 1:]
    return (f"Skill falling: practice scores fell short of the baseline {alarm.baseline:.0f} by {alarm.shortfall:.0f} "
            f"points in total (beyond {t.allowance:.0f} a practice allowed for noise) by practice {alarm.at + 1}; "
            f"the mean of the last {len(since)} is {fmean(since):.0f}. A practice or two without suggestions, "
            "and a talk about using drafts as a second opinion, usually helps.")


def _steady(scores: list[float], baseline: float, shortfall: float, t: SkillThresholds) -> str:
    level = recent_level(scores, t)
    return (f"Steady: the last {min(len(scores), t.recent_practices)} practice(s) average {level:.0f} against a "
            f"baseline of {baseline:.0f}; the running shortfall is {shortfall:.0f} of the {t.alarm:.0f} points that "
            "would flag a fall.")
