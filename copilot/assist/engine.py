"""The one interface every assist engine implements, and the snapshot it works on.

Engines are called on a worker thread with an immutable snapshot of the conversation, never with
live workspace objects, so the UI thread can keep changing the chat while the engine thinks. Which
draft is wanted (routine, de-escalation, the agent's chosen category) is decided once, by the
suggestion coordinator, and passed to every engine in the same DraftRequest: no engine can skip it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from copilot.core.chat import Chat, Message, Sender
from copilot.core.modes import DraftKind, EngineName
from copilot.core.suggestion import Diagnosis, Draft

OnText = Callable[[str], None]  # called with the draft so far, as it is written
IsCancelled = Callable[[], bool]  # True once the work is no longer wanted (a newer message came)


def never() -> bool:
    return False


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


@dataclass(frozen=True)
class DraftRequest:
    kind: DraftKind = DraftKind.ROUTINE
    reason: str = ""  # DEESCALATION: why the customer is upset ("anger", "threat_to_leave", ...)


class AssistEngine(Protocol):
    name: EngineName  # OFFLINE or LLM: recorded with every diagnosis and draft it makes
    display_name: str  # for people: "offline", "llm:gpt-4o-mini"
    playbooks: dict  # category id -> copilot.assist.playbooks.Playbook
    note: str  # "" or why it runs degraded (e.g. a simpler model): shown to the agent once

    def diagnose(self, conversation: Conversation, cancelled: IsCancelled = never) -> Diagnosis: ...

    def write_draft(self, conversation: Conversation, diagnosis: Diagnosis, request: DraftRequest,
                    on_text: OnText | None = None, cancelled: IsCancelled = never) -> Draft | None:
        """The draft `request` asks for, or None when there is nothing to draft (no diagnosis)."""
