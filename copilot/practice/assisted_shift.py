"""An assisted shift in accelerated simulation, at the level of the usage records it leaves behind.

Between practices a scripted agent works live shifts with the copilot. What the skill monitor needs
from them is what the window would record: chats, customer messages, drafts shown, the agent's
decisions and replies. This writes those records directly (no window, no engine), with the decision
habits of the self-test's policies (copilot/selftest/policy.py): a careful agent reads each draft at
4 words a second, edits about half and rejects the ones with a wrong diagnosis; a passive one sends
95 % unedited within a second. The usage log's own metrics and flags then judge them, as they do
for real shifts (`copilot selftest --policy passive` plays such shifts through the window).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from copilot.core.recorder import Recorder, RecordKind
from copilot.practice.blind_first import BlindFirst
from copilot.practice.scripted import SkillModel
from copilot.selftest.policy import READING_WORDS_PER_SECOND
from copilot.sources.scenario import ISSUE_TYPES

WRONG_DRAFT_SHARE = 0.10  # drafts whose diagnosis is wrong: the careful agent rejects them
CHARS_PER_WORD = 5.5
DRAFTS_PER_CHAT = (2, 4)
CHAT_GAP_SECONDS = (20.0, 60.0)


ENGINE_ACCURACY = 0.85  # the engine's first category is right this often in the simulated shift


@dataclass(frozen=True)
class BlindPicker:
    """Blind-first in a simulated shift: 1 chat in `every`; the agent's pick follows its skill."""

    every: int
    skill: float
    difficulties: tuple[str, ...]  # one per scenario in the pool: live chats are as hard as the scenarios

    def pick_issue(self, rng: random.Random) -> tuple[str, str]:
        """(the chat's true issue, its difficulty)."""
        return rng.choice(ISSUE_TYPES), rng.choice(self.difficulties)

    def agent_pick(self, truth: tuple[str, str], rng: random.Random) -> str:
        if rng.random() < SkillModel(self.skill).p("diagnosis", truth[1]):
            return truth[0]
        return rng.choice([i for i in ISSUE_TYPES if i != truth[0]])

    def engine_pick(self, truth: tuple[str, str], rng: random.Random) -> str:
        return truth[0] if rng.random() < ENGINE_ACCURACY else rng.choice([i for i in ISSUE_TYPES if i != truth[0]])


@dataclass(frozen=True)
class ShiftSummary:
    start: float
    end: float
    used: int  # drafts accepted, edited or rejected
    accepted: int
    fast_accepted: int  # accepted faster than they can be read

    @property
    def passive_share(self) -> float:
        """Drafts sent unedited without being read, of all drafts used: the habit that costs skill."""
        return self.fast_accepted / self.used if self.used else 0.0


def assisted_shift(recorder: Recorder, passive: bool, start: float, chats: int, rng: random.Random,
                   prefix: str = "shift", blind: BlindPicker | None = None) -> ShiftSummary:
    """Write one shift's records to `recorder` (e.g. a UsageLog opened for the agent); return its sums.

    With `blind`, chats sampled for blind-first get the agent's own pick before the first draft."""
    t, used, accepted, fast, suggestion = start, 0, 0, 0, 0
    sampler = BlindFirst(blind.every, recorder, seed=f"{prefix}/{start}") if blind else None
    for number in range(1, chats + 1):
        chat_id, opened = f"{prefix}-{number:03d}", t
        recorder.record(RecordKind.CHAT_OPENED, t, chat_id=chat_id, customer="Sim Customer", scenario_id="", concurrent=1)
        truth = blind.pick_issue(rng) if blind and sampler.chat_opened(chat_id, t) else None
        if truth is not None:
            t += rng.uniform(8.0, 25.0)  # reading the opening and naming the issue
            sampler.picked(chat_id, blind.agent_pick(truth, rng), blind.engine_pick(truth, rng), suggestion + 1, t)
        message = 0
        for _ in range(rng.randint(*DRAFTS_PER_CHAT)):
            message += 1
            t += rng.uniform(5.0, 15.0)
            recorder.record(RecordKind.MESSAGE, t, chat_id=chat_id, message_id=message, sender="customer", length=80,
                            frustration=0.1)
            suggestion += 1
            length = rng.randint(120, 280)
            t += rng.uniform(1.0, 3.0)
            recorder.record(RecordKind.SUGGESTION_SHOWN, t, chat_id=chat_id, suggestion_id=suggestion, message_id=message,
                            engine="offline", category="x", confidence=0.8, abstained=False, draft_length=length,
                            draft_hash="", diagnosis_engine="offline", draft_engine="offline", draft_kind="routine")
            kind, seconds, distance = _decide(passive, length, rng)
            t += seconds
            recorder.record(RecordKind.DECISION, t, chat_id=chat_id, suggestion_id=suggestion, kind=kind,
                            seconds_to_decide=seconds, edit_distance=distance, reason="",
                            sent_length=length if kind != "rejected" else 0, seconds_to_first_keystroke=None)
            if kind in ("accepted", "edited", "rejected"):
                used += 1
            if kind == "accepted":
                accepted += 1
                fast += seconds * READING_WORDS_PER_SECOND < length / CHARS_PER_WORD
            message += 1
            recorder.record(RecordKind.MESSAGE, t, chat_id=chat_id, message_id=message, sender="agent", length=length,
                            suggestion_id=suggestion if kind != "rejected" else None, response_seconds=seconds + 2.0)
        t += rng.uniform(10.0, 30.0)
        recorder.record(RecordKind.CHAT_CLOSED, t, chat_id=chat_id, status="resolved", concurrent=0, duration=t - opened)
        if truth is not None:
            sampler.chat_ended(chat_id, truth[0], t)
        t += rng.uniform(*CHAT_GAP_SECONDS)
    return ShiftSummary(start, t, used, accepted, fast)


def _decide(passive: bool, length: int, rng: random.Random) -> tuple[str, float, float]:
    """(decision, seconds to decide, edit distance), as the self-test's passive or careful agent."""
    if passive:
        if rng.random() < 0.95:
            return "accepted", rng.uniform(0.3, 0.9), 0.0
        return "ignored", rng.uniform(5.0, 20.0), 0.0
    reading = length / CHARS_PER_WORD / READING_WORDS_PER_SECOND + rng.uniform(1.0, 3.0)
    if rng.random() < WRONG_DRAFT_SHARE:
        return "rejected", reading, 0.0
    if rng.random() < 0.5:
        return "edited", reading + 4.0, rng.uniform(0.1, 0.4)
    return "accepted", reading, 0.0
