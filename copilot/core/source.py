"""The interface every chat source implements (the built-in simulator is the first)."""
from __future__ import annotations

from typing import Protocol

from copilot.core.events import SourceEvent


class ChatSource(Protocol):
    def poll(self, now: float) -> list[SourceEvent]:
        """Everything that happened up to `now`, oldest first. Called often; must be quick."""

    def send(self, chat_id: str, text: str, now: float) -> bool:
        """The agent's reply goes to the customer. False: not delivered (they had already left)."""

    def close(self, chat_id: str, resolved: bool, now: float) -> None:
        """The agent ended the chat."""
