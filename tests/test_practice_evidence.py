"""Evidence in accelerated simulation that practice scores measure skill and the monitor sees declines.

Every practice here is played in full by a scripted unassisted agent and scored (no shortcuts). The
seeds are fixed, so the tests are deterministic; the bounds are what docs/skill.md states from
bench/skill_monitor.py over 300 agents, widened to what a smaller sample can show (binomial, ~0.1 %
tails), so a test fails only if the behaviour really differs from the documented figures.
"""
from __future__ import annotations

import statistics

import pytest

from copilot.practice.decline import SkillThresholds, first_alarm
from copilot.practice.evidence import T0, practice_series, step_decline
from copilot.practice.monitor import RelianceWeek, assess_team, rank_by_level
from copilot.practice.records import AgentSkillRecords
from copilot.practice.trainee import Trainee, practise_over_weeks
from copilot.sources import load_scenarios

AGENTS = 30  # per experiment; the bench uses 300
RULE = SkillThresholds()
YEAR = 52


@pytest.fixture(scope="module")
def scenarios():
    loaded, problems = load_scenarios()
    assert problems == []
    return loaded


def test_skills_09_07_05_are_ordered_in_at_least_95_percent_of_5_chat_practices(scenarios):
    seeds = range(100)
    ordered = 0
    for seed in seeds:
        # the same seed: the three agents get the same five scenarios, as a fair comparison
        scores = [practice_series([skill], seed=seed, scenarios=scenarios)[0] for skill in (0.9, 0.7, 0.5)]
        ordered += scores[0] > scores[1] > scores[2]
    assert ordered >= 95, f"ordered in {ordered} of 100 practices"


def test_the_monitor_ranks_agents_by_skill(scenarios):
    skills = (0.9, 0.8, 0.7, 0.6, 0.5)
    exact, correlations = 0, []
    for trial in range(12):
        records = {}
        for skill in skills:
            scores = practice_series([skill] * 4, seed=1000 + trial * 10 + int(skill * 10), scenarios=scenarios)
            records[f"s{skill}"] = AgentSkillRecords(f"s{skill}", practices=[
                (T0 + week * 604800.0, {"score": s, "complete": True}) for week, s in enumerate(scores)])
        ranking = rank_by_level(assess_team(records, {}, now=T0 + 30 * 604800.0))
        truth = [f"s{s}" for s in skills]
        exact += ranking == truth
        correlations.append(_spearman(ranking, truth))
    assert statistics.fmean(correlations) >= 0.9, correlations
    assert exact >= 6, f"exactly right in {exact} of 12"  # adjacent skills 0.1 apart, 4 practices each


def _spearman(ranking: list[str], truth: list[str]) -> float:
    n = len(truth)
    d2 = sum((ranking.index(name) - truth.index(name)) ** 2 for name in truth)
    return 1 - 6 * d2 / (n * (n * n - 1))


def test_false_alarms_on_steady_agents_stay_near_the_documented_rate(scenarios):
    """docs/skill.md: about 10 % of steady agents are flagged at least once in a year of weekly practice."""
    flagged = sum(first_alarm(practice_series([0.5 + 0.4 * i / (AGENTS - 1)] * YEAR, seed=50_000 + i,
                                              scenarios=scenarios, until_alarm=RULE)) is not None
                  for i in range(AGENTS))
    assert flagged <= 9, f"{flagged} of {AGENTS} steady agents flagged"  # p = 0.10: P(X >= 10) < 0.1 %


def test_a_5_percent_decline_is_flagged_within_the_documented_practices(scenarios):
    """docs/skill.md: a 5 % step decline is flagged within 40 practices in about half the cases (and
    never before it happens, beyond the false-alarm rate)."""
    before = RULE.baseline_practices + 4
    alarms = [first_alarm(practice_series(step_decline(0.5 + 0.4 * i / (AGENTS - 1), before, 40), seed=60_000 + i,
                                          scenarios=scenarios, until_alarm=RULE)) for i in range(AGENTS)]
    within = sum(1 for a in alarms if a is not None and before <= a < before + 40)
    early = sum(1 for a in alarms if a is not None and a < before)
    assert within >= 8, f"flagged within 40 practices for {within} of {AGENTS}"  # p = 0.55: P(X <= 7) < 0.1 %
    assert early <= 4, early


def test_a_10_percent_decline_is_flagged_within_20_practices_mostly(scenarios):
    """docs/skill.md: a 10 % step decline is flagged within 20 practices in four cases out of five."""
    before = RULE.baseline_practices + 4
    alarms = [first_alarm(practice_series(step_decline(0.5 + 0.4 * i / (AGENTS - 1), before, 20, 0.10),
                                          seed=70_000 + i, scenarios=scenarios, until_alarm=RULE))
              for i in range(AGENTS)]
    within = sum(1 for a in alarms if a is not None and a >= before)
    assert within >= 17, f"flagged within 20 practices for {within} of {AGENTS}"  # p = 0.81: P(X <= 16) < 0.1 %


def test_the_decaying_policy_is_flagged_and_the_careful_one_is_not(scenarios):
    """Skill lost to passive use is caught; the same agent using drafts carefully keeps its skill."""
    decaying_flags, careful_flags = [], []
    for i in range(6):
        for policy, flags in (("decaying", decaying_flags), ("careful", careful_flags)):
            trainee = Trainee(f"{policy}{i}", policy, 0.8, seed=i)
            results = practise_over_weeks(trainee, scenarios, 30, T0, shift_chats=6)
            flags.append(first_alarm([r.score for r in results]))
            if policy == "decaying":
                assert results[-1].skill < 0.8 * 0.8  # ~1 % a week for 30 weeks
            else:
                assert trainee.skill == 0.8
    assert sum(a is not None for a in decaying_flags) >= 5, decaying_flags
    assert sum(a is not None for a in careful_flags) <= 1, careful_flags


def test_a_reliance_flag_alone_nudges_without_claiming_skill_fell():
    records = AgentSkillRecords("pat", practices=[(T0 + w * 604800.0, {"score": 80.0, "complete": True})
                                                  for w in range(10)])
    flagged = [RelianceWeek(T0 + 9 * 604800.0, raised=True, judged=True, fast_acceptance_share=0.9)]
    team = assess_team({"pat": records}, {"pat": flagged}, now=T0 + 9 * 604800.0 + 5 * 86400)
    pat = team.agent("pat")
    assert not pat.decline.falling and pat.reliance_flagged
    assert pat.nudge is not None and pat.nudge.reason == "reliance"
