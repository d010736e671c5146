"""Escalation (Qt-free): detecting that a chat needs a human now, the de-escalation draft for
emotional cases, and the agent's effort after an escalation.

    tracker = EscalationTracker()
    for esc in tracker.observe(chat.id, chat.messages, diagnosis, now):   # each customer message
        recorder.record("escalation", esc.ts, **esc.record_fields())
"""
from copilot.assist.escalation.deescalation import deescalation_draft
from copilot.assist.escalation.detector import Escalation, EscalationDetector, EscalationType
from copilot.assist.escalation.effort import (
    EscalationEffort, agent_message_flags, escalation_effort, unanswered_for,
)
from copilot.assist.escalation.tracker import EscalationTracker

__all__ = [
    "Escalation", "EscalationDetector", "EscalationEffort", "EscalationTracker", "EscalationType",
    "agent_message_flags", "deescalation_draft", "escalation_effort", "unanswered_for",
]
