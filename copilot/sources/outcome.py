"""How simulated chats went: per-chat outcomes and a run summary, for scoring agents and tests."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChatOutcome:
    chat_id: str
    scenario_id: str
    issue: str
    expected_resolution: str
    customer_name: str
    opened_at: float
    ended_at: float | None  # None while the chat is open
    ended_by: str  # "" (open), "agent" (close()), "customer" (CustomerLeft)
    resolved_correctly: bool  # the expected remedy was offered after the required facts were collected
    resolved_at: float | None
    agent_marked_resolved: bool  # the agent closed it with resolved=True
    customer_left_satisfied: bool
    customer_left_unhappy: bool  # gave up waiting, or left after unhelpful answers
    frustration_messages: int  # impatient nudges + annoyed replies + the give-up line
    impatient_messages: int
    unhelpful_replies: int  # agent messages that answered nothing
    agent_replies: int
    customer_messages: int
    facts_collected: tuple[str, ...]
    facts_missing: tuple[str, ...]  # required facts never collected
    first_response_seconds: float | None  # opening to the agent's first message
    # For practice scoring (copilot/practice):
    resolved_with: str = ""  # the `expected` of the correct resolution that resolved it, "" if none did
    first_offer_at: float | None = None  # the agent first offered a correct resolution, maybe before the facts
    facts_collected_at: tuple[tuple[str, float], ...] = ()  # (fact, when the customer's answer arrived)

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def duration(self) -> float | None:
        return None if self.ended_at is None else self.ended_at - self.opened_at


@dataclass(frozen=True)
class SimulatorStats:
    opened: int
    open_now: int
    closed_by_agent: int
    left_satisfied: int
    left_unhappy: int
    resolved_correctly: int
    peak_concurrent: int
    held_arrivals: int  # customers who had to wait for a free slot (max_concurrent reached)
    customer_messages: int
    agent_replies: int
    frustration_messages: int
    finished: bool  # total_chats reached and every chat ended

    @property
    def ended(self) -> int:
        return self.opened - self.open_now
