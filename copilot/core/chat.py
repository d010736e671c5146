"""Chats and their messages."""
from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass, field

from copilot.core.events import Delivery


class Sender(str, enum.Enum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class ChatStatus(str, enum.Enum):
    OPEN = "open"
    RESOLVED = "resolved"  # the agent marked it resolved
    CLOSED = "closed"  # the agent closed it without resolution
    ABANDONED = "abandoned"  # the customer left


_message_ids = itertools.count(1)


def next_message_id() -> int:
    return next(_message_ids)


@dataclass(frozen=True)
class Message:
    chat_id: str
    sender: Sender
    text: str
    ts: float
    id: int = field(default_factory=next_message_id)
    # 0..1, set on customer messages by the frustration scorer
    frustration: float = 0.0
    # Agent-side messages written outside the app (the helpdesk's web page, a colleague, a bot):
    # who wrote it. "" for the customer and for the agent in this app. Such a message answers the
    # customer like any agent reply but is never a copilot decision.
    author: str = ""

    @property
    def outside(self) -> bool:
        return bool(self.author)


@dataclass(frozen=True)
class EscalationMark:
    """What the chat list shows about an escalation: its type, why, and since when."""

    type: str  # "emotional" | "technical"
    trigger: str  # plain words, e.g. "threatens to leave: 'I'll cancel my account'"
    since: float  # when the chat first escalated


@dataclass
class Chat:
    id: str
    customer_name: str
    opened_at: float
    scenario_id: str = ""
    topic: str = ""  # the customer's own first words, for the list
    messages: list[Message] = field(default_factory=list)
    status: ChatStatus = ChatStatus.OPEN
    unread: int = 0
    issue_guess: str = ""  # label of the latest diagnosis ("" while none)
    closed_at: float | None = None
    escalation: EscalationMark | None = None
    channel: str = ""  # where the customer writes from, as the source names it
    # The agent's replies on their way (the outbox): message id -> (state, reason). A reply not in
    # here was confirmed long ago or never needed confirming.
    delivery: dict[int, tuple[Delivery, str]] = field(default_factory=dict)
    ended_reason: str = ""  # why it ended, when that happened outside the app
    sent_category: str = ""  # the category of the last draft the agent sent (accepted or edited)

    @property
    def is_open(self) -> bool:
        return self.status is ChatStatus.OPEN

    @property
    def last_customer_message(self) -> Message | None:
        for message in reversed(self.messages):
            if message.sender is Sender.CUSTOMER:
                return message
        return None

    @property
    def awaiting_reply_since(self) -> float | None:
        """When the customer started waiting: their first message after the agent's last one."""
        since = None
        for message in reversed(self.messages):
            if message.sender is Sender.AGENT:
                break
            if message.sender is Sender.CUSTOMER:
                since = message.ts
        return since

    @property
    def frustration(self) -> float:
        last = self.last_customer_message
        return last.frustration if last else 0.0

    def waiting_seconds(self, now: float) -> float:
        since = self.awaiting_reply_since
        return max(0.0, now - since) if since is not None else 0.0
