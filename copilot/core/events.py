"""What a chat source reports. Sources produce these; the workspace applies them.

Times (`ts`) are seconds on the session clock: simulated time for the simulator, Unix time for live
sources (a live source converts the server's timestamps and never reports a time after the `now`
of the poll that delivers the event).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class ChatOpened:
    chat_id: str
    customer_name: str
    ts: float
    scenario_id: str = ""  # the simulator's scenario; "" for live chats
    channel: str = ""  # where the customer writes from, for display: "Web widget", "WhatsApp bridge", ...


@dataclass(frozen=True)
class CustomerMessage:
    chat_id: str
    text: str
    ts: float
    remote_id: str = ""  # the server's id for the message ("" for the simulator): resyncs skip known ids


@dataclass(frozen=True)
class OutsideMessage:
    """A reply written outside the app: the agent in the helpdesk's web page, a colleague, a bot.

    It is part of the conversation (the customer got an answer) but never a copilot decision.
    """

    chat_id: str
    text: str
    ts: float
    author: str  # as the server names them, e.g. "Dana (agent)" or "Bot"
    remote_id: str = ""


@dataclass(frozen=True)
class CustomerLeft:
    """The customer ended the chat (satisfied, or gave up waiting)."""

    chat_id: str
    ts: float
    satisfied: bool = False


@dataclass(frozen=True)
class ChatEndedElsewhere:
    """The chat ended outside the app: resolved in the helpdesk, deleted, the room closed."""

    chat_id: str
    ts: float
    reason: str  # plain words for the agent, e.g. "resolved in Chatwoot by Dana", "conversation deleted"
    resolved: bool = False


class Delivery(str, enum.Enum):
    """Where an agent's reply is on its way to the customer (the outbox)."""

    QUEUED = "queued"  # in the outbox, not yet accepted by the server
    SENT = "sent"  # the server accepted it
    CONFIRMED = "confirmed"  # the server's echo of it came back (or the simulated customer got it)
    FAILED = "failed"  # given up; `reason` says why. The text stays in the chat with Retry and Copy.


@dataclass(frozen=True)
class DeliveryUpdate:
    chat_id: str
    outbox_id: str  # the id the workspace gave the reply when it called send()
    state: Delivery
    ts: float
    reason: str = ""  # for FAILED: plain words, e.g. "the customer had already left", "401: token refused"


class Link(str, enum.Enum):
    """The source's connection, as the status area shows it."""

    CONNECTED = "connected"
    CONNECTING = "connecting"  # first connection
    RECONNECTING = "reconnecting"  # lost; `retry_at` says when the next attempt is
    OFFLINE = "offline"  # given up until the agent asks again (e.g. a refused token); `detail` says why


@dataclass(frozen=True)
class ConnectionChanged:
    state: Link
    ts: float
    detail: str = ""  # plain words: "401: the access token was refused", "server unreachable"
    retry_at: float | None = None  # RECONNECTING: when the next attempt is (session clock)
    since: float | None = None  # when the connection was last working (for "offline since HH:MM")


ChatEvent = ChatOpened | CustomerMessage | OutsideMessage | CustomerLeft | ChatEndedElsewhere | DeliveryUpdate
SourceEvent = ChatEvent | ConnectionChanged
