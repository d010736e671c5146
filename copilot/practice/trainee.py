"""Scripted agents over weeks: assisted shifts with the copilot, and a practice without it each week.

    trainee = Trainee("dee", "decaying", skill=0.8, seed=1)
    results = practise_over_weeks(trainee, scenarios, weeks=20, start=t0)

The policy says how the agent uses the copilot in live work, and what that does to its own skill:
- careful: reads and edits drafts; its unassisted skill stays where it is;
- passive: sends drafts unread (the usage log flags it), but its skill is held steady: the case
  where reliance is flagged before any skill is lost;
- decaying: passive, and each assisted shift costs skill in proportion to how passive it was:
  skill *= 1 - decay_per_shift * (share of drafts sent unedited and unread). The field evidence
  reports a -4.1 % loss of independent problem-solving skill among agents who accepted without
  review; the default rate loses about 1 % a week of fully passive shifts (5 % in about five weeks).
"""
from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from copilot.core.clock import ManualClock
from copilot.core.recorder import NullRecorder, Recorder
from copilot.practice.assisted_shift import BlindPicker, ShiftSummary, assisted_shift
from copilot.practice.result import PracticeResult
from copilot.practice.runner import play
from copilot.practice.scripted import UnassistedAgent
from copilot.practice.selection import DEFAULT_CHATS
from copilot.practice.session import PracticeSession
from copilot.sources.scenario import Scenario

POLICIES = ("careful", "passive", "decaying")
DECAY_PER_PASSIVE_SHIFT = 0.002
DAY, WEEK = 86_400.0, 7 * 86_400.0
PRACTICE_AFTER = 6 * 3600.0  # the week's practice comes this long after the last shift began
# Opens what one app session records to (a usage log in the agent's name), given its kind and start.
RecorderFactory = Callable[[str, float], AbstractContextManager[Recorder]]


def no_recording(kind: str, started_at: float) -> AbstractContextManager[Recorder]:
    return nullcontext(NullRecorder())


@dataclass
class Trainee:
    name: str
    policy: str
    skill: float  # unassisted skill, 0..1; decays with passive use under the 'decaying' policy
    seed: int = 0
    decay_per_shift: float = DECAY_PER_PASSIVE_SHIFT
    shifts: list[ShiftSummary] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise ValueError(f"unknown policy {self.policy!r}: choose one of {', '.join(POLICIES)}")
        if not 0.0 <= self.skill <= 1.0:
            raise ValueError(f"skill must be between 0 and 1, not {self.skill}")
        self.rng = random.Random(f"trainee/{self.name}/{self.seed}")

    @property
    def passive(self) -> bool:
        return self.policy in ("passive", "decaying")

    def work_shift(self, recorder: Recorder, start: float, chats: int, blind_every: int = 0,
                   difficulties: tuple[str, ...] = ("easy", "medium", "hard")) -> ShiftSummary:
        blind = BlindPicker(blind_every, self.skill, difficulties) if blind_every else None
        summary = assisted_shift(recorder, self.passive, start, chats, self.rng, prefix=f"s{len(self.shifts) + 1}",
                                 blind=blind)
        self.shifts.append(summary)
        if self.policy == "decaying":
            self.skill *= 1.0 - self.decay_per_shift * summary.passive_share
        return summary

    def practise(self, scenarios: list[Scenario], recorder: Recorder, now: float,
                 last_practised: dict[str, float] | None = None, chats: int = DEFAULT_CHATS) -> PracticeResult:
        number = int(self.rng.random() * 2**31)
        session = PracticeSession.for_agent(self.name, scenarios, now, recorder, last_practised, chats, seed=number,
                                            policy=self.policy, skill=self.skill)
        return play(session, UnassistedAgent(self.skill, seed=number), ManualClock(now))


def practise_over_weeks(trainee: Trainee, scenarios: list[Scenario], weeks: int, start: float,
                        shifts_per_week: int = 5, shift_chats: int = 8, chats: int = DEFAULT_CHATS,
                        open_recorder: RecorderFactory = no_recording, blind_every: int = 0) -> list[PracticeResult]:
    """Each week from Monday `start`: one assisted shift a day for `shifts_per_week` days (from 09:00
    on the given start's clock), then a practice in the afternoon of the last working day.
    `blind_every` > 0 samples 1 shift chat in N for blind-first (the team setting)."""
    results: list[PracticeResult] = []
    last_practised: dict[str, float] = {}
    difficulties = tuple(s.expectations.difficulty for s in scenarios)
    for week in range(weeks):
        monday = start + week * WEEK
        for day in range(shifts_per_week):
            begin = monday + day * DAY
            with open_recorder("shift", begin) as recorder:
                trainee.work_shift(recorder, begin, shift_chats, blind_every, difficulties)
        practice_at = monday + max(shifts_per_week - 1, 0) * DAY + PRACTICE_AFTER
        with open_recorder("practice", practice_at) as recorder:
            result = trainee.practise(scenarios, recorder, practice_at, last_practised, chats)
        results.append(result)
        last_practised.update({c.scenario_id: result.started_at for c in result.chats})
    return results
