"""The statistics behind docs/skill.md: practice-score noise, agent ordering, and the skill monitor's
detection and false-alarm rates, from simulated practice histories. Reproducible with a seed.

    python bench/skill_monitor.py [--agents 300] [--seed 7] [--grid] [--practice-ms]

Every practice is played in full: a scripted unassisted agent (copilot/practice/scripted.py) works
five simulated chats chosen as for a real agent (not practised recently, difficulty mixed), and the
scoring of copilot/practice/scoring.py scores them. Sections:
1. practice scores by skill: mean and spread of one 5-chat practice; how often 0.9 > 0.7 > 0.5;
2. what a 5 % decline of skill does to the score, and how many practices tell it from noise;
3. the monitor's rule (copilot/practice/decline.py) with its default thresholds: false alarms over
   a year of weekly practice for steady agents, and how soon a 5 % (and a 10 %) step decline is seen;
   `--grid` also prints the other thresholds tried;
4. the decaying policy: practices until it is flagged, counted from when its skill is 5 % down;
5. the team: how many weeks until a 5 % decline of every agent shows in the team's mean.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from copilot.practice.decline import SkillThresholds, first_alarm  # noqa: E402
from copilot.practice.evidence import T0, practice_series, step_decline  # noqa: E402
from copilot.practice.monitor import TEAM_THRESHOLDS  # noqa: E402
from copilot.practice.trainee import Trainee, practise_over_weeks  # noqa: E402
from copilot.sources.scenario import load_scenarios  # noqa: E402

YEAR = 52
BEFORE = 12  # practices at the old skill before a step decline


def share(hits: int, n: int) -> str:
    """A proportion with its 95 % Wilson interval."""
    if n == 0:
        return "n/a"
    p, z = hits / n, 1.96
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return f"{p:.1%} [{max(0.0, centre - half):.1%}, {min(1.0, centre + half):.1%}]"


def within(alarms: list[int | None], start: int, n: int) -> int:
    return sum(1 for a in alarms if a is not None and start <= a < start + n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=300, help="simulated agents per experiment")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--grid", action="store_true", help="also print the other thresholds tried")
    args = parser.parse_args()
    scenarios = load_scenarios()[0]
    rng = random.Random(args.seed)
    n = args.agents
    started = time.perf_counter()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {n} agents per experiment, seed {args.seed}")

    # 1. scores by skill
    print("\n1. One 5-chat practice, by unassisted skill")
    by_skill: dict[float, list[float]] = {}
    for skill in (0.9, 0.8, 0.7, 0.6, 0.5):
        by_skill[skill] = [practice_series([skill], seed=args.seed * 100_000 + i, scenarios=scenarios)[0]
                           for i in range(n)]
        values = by_skill[skill]
        print(f"   skill {skill:.1f}: mean {statistics.fmean(values):5.1f}, SD {statistics.stdev(values):4.1f}")
    ordered = sum(by_skill[0.9][i] > by_skill[0.7][i] > by_skill[0.5][i] for i in range(n))
    print(f"   0.9 > 0.7 > 0.5 in the same practice (same scenarios): {share(ordered, n)}")

    # 2. a 5 % decline against the noise
    stable = [practice_series([s] * YEAR, seed=10_000 + i, scenarios=scenarios)
              for i, s in enumerate(rng.uniform(0.5, 0.9) for _ in range(n))]
    sd = statistics.fmean(statistics.stdev(x) for x in stable)
    declines = {}
    for size in (0.05, 0.10):
        declines[size] = [practice_series(step_decline(s, BEFORE, YEAR - BEFORE, size), seed=20_000 + i + int(size * 1e5),
                                          scenarios=scenarios)
                          for i, s in enumerate(rng.uniform(0.5, 0.9) for _ in range(n))]
    drop = statistics.fmean(statistics.fmean(x[BEFORE:]) - statistics.fmean(x[:BEFORE]) for x in declines[0.05])
    needed = 2 * (2 * sd / abs(drop)) ** 2
    print("\n2. A 5 % decline of skill, against the practice-to-practice noise of one agent")
    print(f"   SD of one agent's practice scores (steady skill 0.5-0.9): {sd:.1f} points")
    print(f"   mean score change after a 5 % skill decline: {drop:+.1f} points ({abs(drop) / sd:.2f} SD)")
    print(f"   practices needed on each side of a one-off before/after comparison at z = 2: {needed:.0f}")

    # 3. the rule
    def evaluate(t: SkillThresholds) -> tuple[int, list[int | None], list[int | None]]:
        false = sum(first_alarm(x, t) is not None for x in stable)
        return false, [first_alarm(x, t) for x in declines[0.05]], [first_alarm(x, t) for x in declines[0.10]]

    default = SkillThresholds()
    print(f"\n3. The monitor's rule with the defaults {default.to_dict()}")
    false, five, ten = evaluate(default)
    print(f"   steady agents flagged at least once in {YEAR} weekly practices: {share(false, n)}")
    for label, alarms in (("5 %", five), ("10 %", ten)):
        early = sum(1 for a in alarms if a is not None and a < BEFORE)
        seen = " / ".join(f"{h} practices: {share(within(alarms, BEFORE, h), n)}" for h in (10, 20, 30, 40))
        print(f"   {label} step decline after {BEFORE} practices, flagged within {seen}  (flagged before it: {early})")
    if args.grid:
        print("   other thresholds (baseline, allowance, alarm): false alarms/year; 5 % seen within 20, 40")
        for b in (6, 8, 12):
            for k in (2.0, 3.0, 4.0):
                for h in (20.0, 30.0, 40.0, 50.0, 60.0, 80.0):
                    f, a5, _ = evaluate(SkillThresholds(baseline_practices=b, allowance=k, alarm=h))
                    print(f"     {b:2d} {k:3.0f} {h:3.0f}: {f / n:5.1%}; "
                          f"{within(a5, BEFORE, 20) / n:5.1%}, {within(a5, BEFORE, 40) / n:5.1%}")

    # 4. the decaying policy, with real assisted shifts between practices (records only)
    delays, missed = [], 0
    for i in range(n // 3):
        trainee = Trainee(f"dec{i}", "decaying", rng.uniform(0.6, 0.9), seed=30_000 + i)
        start_skill = trainee.skill
        skills, scores = [], []
        for result in practise_over_weeks(trainee, scenarios, YEAR, T0):
            skills.append(result.skill)
            scores.append(result.score)
        crossed = next((w for w, s in enumerate(skills) if s <= start_skill * 0.95), None)
        alarm = first_alarm(scores, default)
        if crossed is None or alarm is None or alarm < crossed:
            missed += 1
        else:
            delays.append(alarm - crossed)
    print(f"\n4. Decaying policy ({n // 3} agents, passive shifts cost ~1 % of skill a week)")
    if delays:
        q = statistics.quantiles(delays, n=10) if len(delays) > 1 else [delays[0]] * 9
        print(f"   practices from the week skill is 5 % down to the flag: median {statistics.median(delays):.0f}, "
              f"80th percentile {q[7]:.0f}; not flagged after the 5 % mark: {missed}")

    # 5. the team's mean: a decline shared by everyone, and false alarms of a steady team
    team = 10
    trials = max(20, n // 10)

    def team_means(decline: float, trial: int) -> list[float]:
        skills = [rng.uniform(0.5, 0.9) for _ in range(team)]
        series = [practice_series(step_decline(s, BEFORE, YEAR - BEFORE, decline), seed=40_000 + trial * team + j,
                                  scenarios=scenarios) for j, s in enumerate(skills)]
        return [statistics.fmean(week) for week in zip(*series)]

    shared = [team_means(0.05, t) for t in range(trials)]
    still = [team_means(0.0, trials + t) for t in range(trials)]

    def team_report(t: SkillThresholds) -> str:
        seen = [first_alarm(m, t) for m in shared]
        weeks = [a - BEFORE + 1 for a in seen if a is not None and a >= BEFORE]
        false = sum(first_alarm(m, t) is not None for m in still)
        return (f"steady teams flagged within a year {share(false, trials)}; 5 % team decline seen within 4 weeks "
                f"{share(within(seen, BEFORE, 4), trials)}, 8 weeks {share(within(seen, BEFORE, 8), trials)}"
                f" (median {statistics.median(weeks) if weeks else 'n/a'} weeks)")

    print(f"\n5. Teams of {team} ({trials} each), everyone 5 % down after {BEFORE} weeks, with the team rule "
          f"{TEAM_THRESHOLDS.to_dict()}:\n   {team_report(TEAM_THRESHOLDS)}")
    if args.grid:
        for b, k, h in ((6, 1.0, 6.0), (8, 1.0, 8.0), (8, 1.5, 6.0), (8, 1.5, 8.0), (8, 2.0, 6.0)):
            print(f"     {b} {k} {h}: {team_report(SkillThresholds(baseline_practices=b, allowance=k, alarm=h))}")
    print(f"\n{time.perf_counter() - started:.0f} s; load average now {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
