"""Which scenarios a practice session plays: ones the agent has not practised recently, difficulty mixed.

    chosen = choose_scenarios(scenarios, last_practised={"refund_status_jacket": 1767225600.0}, chats=5, seed=3)

Every session has the same mix of difficulties (for 5 chats: 2 easy, 2 medium, 1 hard), so scores
from one session to the next compare like with like. Within a difficulty, scenarios never practised
come first, then those practised longest ago; among equals, an issue not yet in the session, and
then the seed decides.
"""
from __future__ import annotations

import random

from copilot.sources.scenario import DIFFICULTIES, Scenario

DEFAULT_CHATS = 5
MAX_CHATS = 20
EASY_SHARE, MEDIUM_SHARE = 0.4, 0.4  # the rest is hard


def difficulty_mix(chats: int) -> list[str]:
    """How many of each difficulty, easiest first: 5 -> easy, easy, medium, medium, hard."""
    if not 1 <= chats <= MAX_CHATS:
        raise ValueError(f"a practice session has 1 to {MAX_CHATS} chats, not {chats}")
    if chats == 1:
        return ["medium"]
    easy = round(chats * EASY_SHARE)
    medium = round(chats * MEDIUM_SHARE)
    hard = max(0, chats - easy - medium)
    if chats >= 3 and hard == 0:  # a session of three or more always has one hard chat
        hard, medium = 1, medium - 1
    return ["easy"] * easy + ["medium"] * medium + ["hard"] * hard


def choose_scenarios(scenarios: list[Scenario], last_practised: dict[str, float] | None = None,
                     chats: int = DEFAULT_CHATS, seed: int = 0) -> list[Scenario]:
    if not scenarios:
        raise ValueError("there are no scenarios to practise with")
    last_practised = last_practised or {}
    rng = random.Random(f"practice/{seed}")
    level = {s.id: DIFFICULTIES.index(s.expectations.difficulty) for s in scenarios}
    fixed = {s.id: (s.id in last_practised, last_practised.get(s.id, 0.0), rng.random()) for s in scenarios}
    chosen: list[Scenario] = []
    for wanted in map(DIFFICULTIES.index, difficulty_mix(chats)):
        taken = {c.id for c in chosen}
        pool = [s for s in scenarios if s.id not in taken] or list(scenarios)  # fewer scenarios than chats: repeat
        issues = {c.issue for c in chosen}
        practised, when, tie = zip(*(fixed[s.id] for s in pool))
        # (difficulty distance, practised before, issue already in the session, when, seeded tie-break)
        ranks = [(abs(level[s.id] - wanted), p, s.issue in issues, w, t)
                 for s, p, w, t in zip(pool, practised, when, tie)]
        chosen.append(pool[ranks.index(min(ranks))])
    return chosen
