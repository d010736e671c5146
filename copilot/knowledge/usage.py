"""What the usage log records about the team's knowledge: items shown, inserted, sent, cited.

Item ids only (never their text or the customer's): enough for the review to say which saved
replies and articles help (copilot/review/knowledge_use.py). The records land in the usage log's
`events` table (their kinds have no table of their own), so the log's schema does not change.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from copilot.core.edit_distance import normalised_edit_distance
from copilot.core.recorder import Recorder, RecordKind
from copilot.core.suggestion import Citation

UNEDITED = 0.02  # an edit distance this small is a typo fixed, not a rewrite


class KnowledgeUsage:
    def __init__(self, recorder: Recorder, clock: Callable[[], float] = time.time):
        self.recorder = recorder
        self.clock = clock

    def shown(self, chat_id: str, item_ids: Iterable[str], where: str) -> None:
        """`where`: "top_for" (the best three for the chat in focus) or "search" (the Ctrl+K panel)."""
        ids = list(item_ids)
        if ids:
            self.recorder.record(RecordKind.KNOWLEDGE_SHOWN, self.clock(), chat_id=chat_id, item_ids=ids, where=where)

    def inserted(self, chat_id: str, item_id: str, ready: bool, missing: int = 0, unknown: int = 0) -> None:
        self.recorder.record(RecordKind.KNOWLEDGE_INSERTED, self.clock(), chat_id=chat_id, item_id=item_id,
                             ready=ready, missing=missing, unknown=unknown)

    def sent(self, chat_id: str, item_id: str, inserted_text: str, sent_text: str) -> float:
        """The agent sent a reply that began as `inserted_text`; returns the edit distance recorded."""
        distance = round(normalised_edit_distance(inserted_text, sent_text), 4)
        self.recorder.record(RecordKind.KNOWLEDGE_SENT, self.clock(), chat_id=chat_id, item_id=item_id,
                             edit_distance=distance, unedited=distance <= UNEDITED)
        return distance

    def cited(self, chat_id: str, suggestion_id: int, citations: Iterable[Citation]) -> None:
        ids = [c.item_id for c in citations]
        if ids:
            self.recorder.record(RecordKind.KNOWLEDGE_CITED, self.clock(), chat_id=chat_id,
                                 suggestion_id=suggestion_id, item_ids=ids)
