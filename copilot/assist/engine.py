"""The one interface every assist engine implements, and the snapshot it works on.

Engines are called on a worker thread with an immutable snapshot of the conversation, never with
live workspace objects, so the UI thread can keep changing the chat while the engine thinks.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from copilot.core.chat import Chat, Message, Sender
from copilot.core.suggestion import Diagnosis, Draft, Suggestion


@dataclass(frozen=True)
class Turn:
    sender: Sender
    text: str
    ts: float


@dataclass(frozen=True)
class Conversation:
    chat_id: str
    customer_name: str
    turns: tuple[Turn, ...]
    message_id: int  # the customer message this suggestion will answer

    @classmethod
    def of(cls, chat: Chat, answering: Message) -> "Conversation":
        turns = tuple(Turn(m.sender, m.text, m.ts) for m in chat.messages if m.id <= answering.id)
        return cls(chat.id, chat.customer_name, turns, answering.id)

    @property
    def customer_texts(self) -> list[str]:
        return [t.text for t in self.turns if t.sender is Sender.CUSTOMER]


class AssistEngine(Protocol):
    name: str  # recorded with every suggestion, e.g. "offline" or "llm:gpt-4o-mini"

    def diagnose(self, conversation: Conversation) -> Diagnosis: ...

    def draft(self, conversation: Conversation, diagnosis: Diagnosis) -> Draft | None: ...


def suggest(engine: AssistEngine, conversation: Conversation, now: float) -> Suggestion:
    diagnosis = engine.diagnose(conversation)
    draft = engine.draft(conversation, diagnosis)
    return Suggestion(conversation.chat_id, conversation.message_id, diagnosis, draft, engine.name, now)


def suggest_for_category(engine: AssistEngine, conversation: Conversation, previous: Diagnosis, category: str,
                         now: float) -> Suggestion:
    """A suggestion for the category the agent chose (diagnose-first mode), among the ones offered.

    The chosen category is put first and marked confident: the agent's judgement overrides the
    engine's. The engine then drafts from that category's playbook.
    """
    chosen = next((c for c in previous.top if c.category == category), None)
    if chosen is None:
        raise ValueError(f"category {category!r} was not among the offered diagnoses")
    others = tuple(c for c in previous.top if c.category != category)
    diagnosis = Diagnosis(top=(chosen, *others), abstained=False, evidence=previous.evidence)
    draft = engine.draft(conversation, diagnosis)
    return Suggestion(conversation.chat_id, conversation.message_id, diagnosis, draft, engine.name, now)
