"""Simulated practice histories for the evidence: the bench (bench/skill_monitor.py) and the tests use these.

    scores = practice_series([0.8] * 10 + [0.76] * 20, seed=3)   # a 5 % step decline after 10 weeks

Each practice is played in full by a scripted unassisted agent (scripted.py) on the shipped
scenarios, choosing scenarios not practised recently, as a real agent's weekly practice would.
"""
from __future__ import annotations

from copilot.core.recorder import NullRecorder
from copilot.practice.decline import SkillThresholds, first_alarm
from copilot.practice.selection import DEFAULT_CHATS
from copilot.practice.trainee import WEEK, Trainee
from copilot.sources.scenario import Scenario

T0 = 1_767_600_000.0  # 2026-01-05 08:00 UTC, a Monday


def practice_series(skills: list[float], seed: int, scenarios: list[Scenario] | None = None,
                    chats: int = DEFAULT_CHATS, until_alarm: SkillThresholds | None = None) -> list[float]:
    """One agent's weekly practice scores, practice i played at unassisted skill skills[i].

    With `until_alarm`, the series stops at the practice that first raises "skill falling" under
    those thresholds (what comes after cannot change when it was first raised)."""
    if scenarios is None:
        from copilot.sources.scenario import load_scenarios

        scenarios = load_scenarios()[0]
    trainee = Trainee(f"sim{seed}", "careful", skills[0], seed=seed)
    last: dict[str, float] = {}
    scores = []
    for week, skill in enumerate(skills):
        trainee.skill = skill
        result = trainee.practise(scenarios, NullRecorder(), T0 + week * WEEK, last, chats)
        last.update({c.scenario_id: result.started_at for c in result.chats})
        scores.append(result.score)
        if until_alarm is not None and first_alarm(scores, until_alarm) is not None:
            break
    return scores


def step_decline(skill: float, before: int, after: int, decline: float = 0.05) -> list[float]:
    """A skill held at `skill` for `before` practices, then `decline` (a share of it) lower for `after`."""
    return [skill] * before + [skill * (1.0 - decline)] * after
