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
    tie = {s.id: rng.random() for s in scenarios}
    chosen: list[Scenario] = []
    for wanted in difficulty_mix(chats):
        pool = [s for s in scenarios if s not in chosen] or list(scenarios)  # fewer scenarios than chats: repeat
        chosen.append(min(pool, key=lambda s: _rank(s, wanted, last_practised, chosen, tie)))
    return chosen


def _rank(s: Scenario, wanted: str, last_practised: dict[str, float], chosen: list[Scenario],
          tie: dict[str, float]) -> tuple:
    distance = abs(DIFFICULTIES.index(s.expectations.difficulty) - DIFFICULTIES.index(wanted))
    repeated_issue = any(c.issue == s.issue for c in chosen)
    never = s.id not in last_practised
    return (distance, not never, repeated_issue, last_practised.get(s.id, 0.0), tie[s.id])
