"""What a chat source reports. Sources produce these; the workspace applies them."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChatOpened:
    chat_id: str
    customer_name: str
    ts: float
    scenario_id: str = ""


@dataclass(frozen=True)
class CustomerMessage:
    chat_id: str
    text: str
    ts: float


@dataclass(frozen=True)
class CustomerLeft:
    """The customer ended the chat (satisfied, or gave up waiting)."""

    chat_id: str
    ts: float
    satisfied: bool = False


SourceEvent = ChatOpened | CustomerMessage | CustomerLeft
