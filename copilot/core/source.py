"""The interface every chat source implements: the built-in simulator, Chatwoot, Matrix.

The contract, for a source that talks to a server:
- Network work runs on the source's own thread(s), started by `start()`; `poll()` only drains what
  has arrived (it never waits on the network) and is called on the UI thread every 100 ms.
- `send()` puts a reply in the outbox and returns at once. Its progress comes back later through
  `DeliveryUpdate` events for that `outbox_id`: SENT when the server accepted it, CONFIRMED when the
  server's echo arrives, FAILED with the reason. Sending the same `outbox_id` again (Retry) must never
  deliver twice (Matrix: the id is the transaction id; Chatwoot: the echo's `echo_id`/content check).
- A lost connection is retried with backoff and reported with `ConnectionChanged`; once back, the
  source resyncs what it missed and reports each missed message once (it skips remote ids it already
  reported).
- Messages the agent (or a colleague or bot) wrote outside the app are reported as `OutsideMessage`;
  the source's own replies' echoes are not reported as messages at all.
"""
from __future__ import annotations

from typing import Protocol

from copilot.core.events import SourceEvent


class ChatSource(Protocol):
    kind: str  # "simulator", "chatwoot", "matrix": shown in the status area and recorded per session

    def start(self) -> None:
        """Begin receiving (connect, start the network thread). The simulator has nothing to do."""

    def poll(self, now: float) -> list[SourceEvent]:
        """Everything that arrived up to `now`, oldest first. Called often; must be quick."""

    def send(self, chat_id: str, text: str, now: float, outbox_id: str) -> None:
        """Queue the agent's reply; its delivery is reported later with DeliveryUpdate events."""

    def close(self, chat_id: str, resolved: bool, now: float) -> None:
        """The agent ended the chat (Chatwoot: toggle_status to resolved; Matrix: a room tag)."""

    def stop(self) -> None:
        """Stop the network thread and release the connection; returns within a few seconds."""


class PrivateNotes(Protocol):
    """Optional: a source whose helpdesk keeps private notes beside the conversation (Chatwoot)."""

    def post_note(self, chat_id: str, text: str, now: float) -> None:
        """Queue a private note (never shown to the customer); best effort, failures are logged."""
