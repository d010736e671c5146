"""Where the workspace reports what happened, for the usage log.

`record` must be cheap and must not block (the usage log queues and writes on its own thread).
Record kinds are the members of RecordKind; which table each lands in is decided in one place,
copilot/usage/schema.py (TABLE_FOR_KIND). A kind not listed there still lands in `events`.
"""
from __future__ import annotations

import enum
from typing import Any, Protocol


class RecordKind(str, enum.Enum):
    CHAT_OPENED = "chat_opened"
    CHAT_CLOSED = "chat_closed"
    MESSAGE = "message"  # customer, agent, or outside-the-app messages (sender says which)
    DELIVERY = "delivery"  # a reply's way to the customer: sent, confirmed, failed, retried
    SUGGESTION_SHOWN = "suggestion_shown"
    SUGGESTION_REQUESTED = "suggestion_requested"  # on-request mode: the agent asked to see it
    DIAGNOSIS_CONFIRMED = "diagnosis_confirmed"  # diagnose-first: the agent's pick against the engine's
    CATEGORY_PICKED = "category_picked"  # no matching category: the agent named one themselves
    DECISION = "decision"
    FOCUS = "focus"
    ESCALATION = "escalation"
    ESCALATION_ALERT = "escalation_alert"
    NUDGE_SHOWN = "nudge_shown"
    ENGINE_CHANGED = "engine_changed"  # the agent switched engines mid-session
    SOURCE_LINK = "source_link"  # the chat source connected, lost or regained its server
    # The team's saved replies and articles (copilot/knowledge/usage.py); ids only, never text
    KNOWLEDGE_SHOWN = "knowledge_shown"  # items listed for a chat (best three, or a search)
    KNOWLEDGE_INSERTED = "knowledge_inserted"  # a saved reply put into the composer
    KNOWLEDGE_SENT = "knowledge_sent"  # a reply sent after an insert, and whether it was edited
    KNOWLEDGE_CITED = "knowledge_cited"  # a draft shown that rests on items
    # Practice and blind-first (copilot/practice/records.py lists their fields).
    PRACTICE_CHAT = "practice_chat"  # one practice chat scored
    PRACTICE_SESSION = "practice_session"  # a practice session's score, breakdown and tip
    BLIND_PICK = "blind_pick"  # blind-first: the agent's pick before seeing the engine's
    BLIND_OUTCOME = "blind_outcome"  # blind-first: both picks against how the chat ended


class Recorder(Protocol):
    def record(self, kind: str, ts: float, /, **fields: Any) -> None: ...


class NullRecorder:
    def record(self, kind: str, ts: float, /, **fields: Any) -> None:
        pass


class MemoryRecorder:
    """Keeps records in a list: for tests and the self-test's cross-check."""

    def __init__(self) -> None:
        self.records: list[tuple[str, float, dict[str, Any]]] = []

    def record(self, kind: str, ts: float, /, **fields: Any) -> None:
        self.records.append((str(getattr(kind, "value", kind)), ts, fields))

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.records]
