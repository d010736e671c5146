"""Blind-first sampling in live work: in one chat out of N the agent names the issue before seeing the engine's.

A team setting (Settings.blind_first_every; 0, the default, is off). It measures skill without extra
practice time: how often the agent's own pick agrees with the engine's, and with how the chat ended.

The rule: chats are taken in blocks of N, in the order they open; in each block exactly one chat is
sampled, at a position drawn at random when the block starts. So the rate is exactly one in N, and
the agent cannot tell which chat it will be. (Chats of the same session only; a restart starts a
new block.) A sampled chat's suggestion stays hidden until the agent has picked, as in
diagnose-first mode; the agent may also skip the pick, which is recorded and shows the suggestion.

    blind = BlindFirst(every=10, recorder=usage_log, seed=session_seed)
    blind.chat_opened(chat_id)            -> True: hide this chat's suggestion until picked
    blind.picked(chat_id, "late_delivery", engine_category="late_delivery", suggestion_id=7, now=t)
    blind.chat_ended(chat_id, final_category="late_delivery", now=t)    # agreement with the outcome

Records (usage log, `events` table; copilot/practice/records.py):
    blind_pick     chat_id, suggestion_id, chosen ("" = skipped), engine_category, agreed_engine, seconds
    blind_outcome  chat_id, chosen, engine_category, final_category, agent_right, engine_right
agent_right / engine_right are None when the final category is not known.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from copilot.core.recorder import NullRecorder, Recorder, RecordKind

MIN_EVERY, MAX_EVERY = 2, 100


def check_every(every: int) -> int:
    if every != 0 and not MIN_EVERY <= every <= MAX_EVERY:
        raise ValueError(f"blind-first sampling is one chat in N with N from {MIN_EVERY} to {MAX_EVERY}, "
                         f"or 0 for off; not {every}")
    return every


@dataclass
class _Pick:
    opened_at: float | None
    chosen: str | None = None  # None until picked; "" when skipped
    engine_category: str = ""


class BlindFirst:
    def __init__(self, every: int, recorder: Recorder | None = None, seed: int | str = 0):
        self.every = check_every(every)
        self.recorder = recorder or NullRecorder()
        self._rng = random.Random(f"blind-first/{seed}")
        self._position = 0  # chats opened in the current block
        self._sampled_at = -1  # the position sampled in the current block
        self.sampled: dict[str, _Pick] = {}

    @property
    def enabled(self) -> bool:
        return self.every > 0

    def chat_opened(self, chat_id: str, now: float | None = None) -> bool:
        """Call once per new chat, in the order chats open. True: this chat is a blind-first chat."""
        if not self.enabled or chat_id in self.sampled:
            return chat_id in self.sampled
        if self._position == 0:
            self._sampled_at = self._rng.randrange(self.every)
        chosen = self._position == self._sampled_at
        self._position = (self._position + 1) % self.every
        if chosen:
            self.sampled[chat_id] = _Pick(now)
        return chosen

    def is_blind(self, chat_id: str) -> bool:
        """The chat is sampled and the agent has not picked yet: keep its suggestion hidden."""
        pick = self.sampled.get(chat_id)
        return pick is not None and pick.chosen is None

    def picked(self, chat_id: str, chosen: str, engine_category: str, suggestion_id: int | None,
               now: float) -> bool:
        """The agent's pick ("" to skip) and the engine's best category ("" if it abstained or had none
        yet). False if the chat is not blind (not sampled, or already picked)."""
        if not self.is_blind(chat_id):
            return False
        pick = self.sampled[chat_id]
        pick.chosen, pick.engine_category = chosen, engine_category
        seconds = None if pick.opened_at is None else round(now - pick.opened_at, 2)
        self.recorder.record(RecordKind.BLIND_PICK, now, chat_id=chat_id, suggestion_id=suggestion_id, chosen=chosen,
                             engine_category=engine_category,
                             agreed_engine=bool(chosen) and chosen == engine_category, seconds=seconds)
        return True

    def chat_ended(self, chat_id: str, final_category: str, now: float) -> bool:
        """How the chat ended: the category it was resolved under ("" if not known). False if the chat
        was not sampled or was never picked."""
        pick = self.sampled.pop(chat_id, None)
        if pick is None or pick.chosen is None:
            return False
        known = bool(final_category)
        self.recorder.record(RecordKind.BLIND_OUTCOME, now, chat_id=chat_id, chosen=pick.chosen,
                             engine_category=pick.engine_category, final_category=final_category,
                             agent_right=(pick.chosen == final_category) if known and pick.chosen else None,
                             engine_right=(pick.engine_category == final_category) if known else None)
        return True
