"""When an upset customer has waited too long for the agent: the alert rule (Qt-free).

An emotional escalation left unanswered past `limit_seconds` (on the session clock) raises one
alert per chat, recorded in the usage log; the alert stops holding once the chat ends or the agent
answers that customer. It counts from when the customer got upset: a technical escalation earlier
in the chat (which the agent may have answered) does not start the clock. The window only shows it.
"""
from __future__ import annotations

from dataclasses import dataclass

from copilot.assist.escalation.effort import unanswered_for
from copilot.core.chat import Chat
from copilot.core.display_text import format_wait
from copilot.core.recorder import RecordKind

EMOTIONAL = "emotional"
DEFAULT_LIMIT = 60.0  # seconds an upset customer may wait before the agent is alerted


@dataclass(frozen=True)
class Alert:
    chat_id: str
    text: str  # plain words for the agent
    waited: float


class EscalationAlerts:
    def __init__(self, workspace, limit_seconds: float = DEFAULT_LIMIT):
        self.workspace = workspace
        self.limit_seconds = limit_seconds
        self.alerted: set[str] = set()  # one alert per chat

    def upset_since(self, chat: Chat) -> float:
        """When the customer got upset: the emotional escalation's own time."""
        tracker = self.workspace.escalations
        raised = tracker.escalations(chat.id) if tracker is not None and hasattr(tracker, "escalations") else ()
        return next((e.ts for e in raised if e.type.value == EMOTIONAL), chat.escalation.since)

    def waiting(self, chat: Chat) -> float | None:
        """Seconds an open, emotionally escalated chat has waited for the agent since getting upset;
        None when it is not waiting (answered, ended, not upset)."""
        mark = chat.escalation
        if not chat.is_open or mark is None or mark.type != EMOTIONAL:
            return None
        return unanswered_for(chat.messages, self.upset_since(chat), self.workspace.clock.now())

    def holds(self, chat_id: str) -> bool:
        """Is an alert about this chat still true (open, upset, unanswered)?"""
        chat = self.workspace.chats.get(chat_id)
        return chat is not None and self.waiting(chat) is not None

    def due(self) -> list[Alert]:
        """New alerts, each recorded once; call it about once a second."""
        now = self.workspace.clock.now()
        alerts = []
        for chat in self.workspace.open_chats:
            if chat.id in self.alerted:
                continue
            waited = self.waiting(chat)
            if waited is None or waited < self.limit_seconds:
                continue
            self.alerted.add(chat.id)
            self.workspace.recorder.record(RecordKind.ESCALATION_ALERT, now, chat_id=chat.id, waited=round(waited, 1))
            alerts.append(Alert(chat.id, f"{chat.customer_name} has waited {format_wait(waited)} since getting upset "
                                         f"({chat.escalation.trigger}). Early replies are what calm an upset customer.",
                                waited))
        return alerts

