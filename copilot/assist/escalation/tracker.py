"""Per-chat escalation state: feed it each customer message (and the diagnosis when it arrives);
it reports each kind of escalation once per chat, with the time it was first seen.

Call `observe` twice per customer message if you like: when the message arrives (text-only
triggers such as threats fire at once) and again when its diagnosis is ready (the rules that need
the engine). Each call judges the chat's latest customer message; nothing is reported twice.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from copilot.assist.escalation.detector import Escalation, EscalationDetector, EscalationType
from copilot.core.chat import Message, Sender
from copilot.core.suggestion import Diagnosis


@dataclass
class _ChatState:
    diagnoses: dict[int, Diagnosis] = field(default_factory=dict)  # by customer message id
    raised: list[Escalation] = field(default_factory=list)  # at most one per type, oldest first

    def has(self, kind: EscalationType) -> bool:
        return any(e.type is kind for e in self.raised)


class EscalationTracker:
    """Escalations of every chat, keyed by chat id. Not thread-safe: use it from one thread."""

    def __init__(self, detector: EscalationDetector | None = None):
        self.detector = detector or EscalationDetector()
        self._chats: dict[str, _ChatState] = {}

    def observe(self, chat_id: str, messages: Sequence[Message], diagnosis: Diagnosis | None = None,
                now: float | None = None, message_id: int | None = None) -> list[Escalation]:
        """Judge the chat's latest customer message; returns escalations not reported before.

        `diagnosis` answers the customer message `message_id` (default: the latest). Pass stale
        diagnoses too (a newer message arrived while the engine worked): the "twice in a row" rules
        need the earlier messages' diagnoses. `now` is the detection time (default: the latest
        message's own time). At most one escalation per type per chat: a chat that turns technical
        after an emotional escalation reports both.
        """
        latest = next((m for m in reversed(messages) if m.sender is Sender.CUSTOMER), None)
        if latest is None:
            return []
        state = self._chats.setdefault(chat_id, _ChatState())
        if diagnosis is not None:
            state.diagnoses[latest.id if message_id is None else message_id] = diagnosis
        ts = latest.ts if now is None else now
        new: list[Escalation] = []
        if not state.has(EscalationType.EMOTIONAL):
            finding = self.detector.emotional(messages)
            if finding is not None:
                new.append(Escalation(chat_id, finding.type, finding.reason, finding.trigger, latest.id, ts))
        if not state.has(EscalationType.TECHNICAL):
            finding = self.detector.technical(messages, state.diagnoses)
            if finding is not None:
                new.append(Escalation(chat_id, finding.type, finding.reason, finding.trigger, latest.id, ts))
        state.raised += new
        return new

    def escalations(self, chat_id: str) -> tuple[Escalation, ...]:
        state = self._chats.get(chat_id)
        return tuple(state.raised) if state else ()

    def current(self, chat_id: str) -> Escalation | None:
        """What the chat list shows: the emotional escalation if any (it is the urgent one), else technical."""
        raised = self.escalations(chat_id)
        emotional = [e for e in raised if e.type is EscalationType.EMOTIONAL]
        return (emotional or list(raised) or [None])[0]

    def escalated_since(self, chat_id: str) -> float | None:
        """When the chat first escalated (for the timer in the list), or None."""
        raised = self.escalations(chat_id)
        return min(e.ts for e in raised) if raised else None

    def forget(self, chat_id: str) -> None:
        """Drop a chat's state (after it ended and the list no longer shows it)."""
        self._chats.pop(chat_id, None)
