"""Small stand-ins for unit tests of the workspace and the window (never used by the app)."""
from __future__ import annotations

from copilot.assist.engine import Conversation, DraftRequest
from copilot.core.modes import DraftKind, EngineName
from copilot.core.events import ChatOpened, CustomerMessage, Delivery, DeliveryUpdate, SourceEvent
from copilot.core.suggestion import CategoryScore, Diagnosis, Draft


class ScriptedSource:
    """A chat source whose events the test pushes; remembers what the agent sent and confirms it."""

    kind = "scripted"

    def __init__(self) -> None:
        self.queue: list[SourceEvent] = []
        self.sent: list[tuple[str, str]] = []
        self.closed: list[tuple[str, bool]] = []

    def open(self, chat_id: str, name: str, ts: float) -> None:
        self.queue.append(ChatOpened(chat_id, name, ts, scenario_id="test"))

    def say(self, chat_id: str, text: str, ts: float) -> None:
        self.queue.append(CustomerMessage(chat_id, text, ts))

    def poll(self, now: float) -> list[SourceEvent]:
        ready = [e for e in self.queue if e.ts <= now]
        self.queue = [e for e in self.queue if e.ts > now]
        return ready

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def send(self, chat_id: str, text: str, now: float, outbox_id: str = "") -> None:
        self.sent.append((chat_id, text))
        self.queue.append(DeliveryUpdate(chat_id, outbox_id, Delivery.CONFIRMED, now))

    def close(self, chat_id: str, resolved: bool, now: float) -> None:
        self.closed.append((chat_id, resolved))


class EchoEngine:
    """Diagnoses every chat as 'late_delivery' and drafts a reply naming the last message's length
    (a de-escalation draft comes from the real de-escalation playbook)."""

    name = EngineName.OFFLINE
    display_name = "echo"
    note = ""

    def __init__(self, confidence: float = 0.9):
        from copilot.assist.playbooks import load_playbooks
        from copilot.paths import resource

        self.confidence = confidence
        self.calls = 0
        self.playbooks = load_playbooks(resource("playbooks"))  # for drafts of the agent's chosen category

    def diagnose(self, conversation: Conversation, cancelled=None) -> Diagnosis:
        self.calls += 1
        score = CategoryScore("late_delivery", "Late delivery", self.confidence)
        other = CategoryScore("damaged_item", "Damaged item", round(1 - self.confidence, 3))
        return Diagnosis((score, other), abstained=self.confidence < 0.5, evidence=("late",), steps=("Check tracking",))

    def write_draft(self, conversation: Conversation, diagnosis: Diagnosis, request: DraftRequest = DraftRequest(),
                    on_text=None, cancelled=None) -> Draft | None:
        if diagnosis.abstained:
            return None
        last = conversation.customer_texts[-1]
        category = diagnosis.best.category
        note = "" if category == "late_delivery" else f" ({category})"
        if request.kind is DraftKind.DEESCALATION:  # the real de-escalation playbook, as the offline engine
            from copilot.assist.escalation.deescalation import deescalation_draft

            return deescalation_draft(conversation, diagnosis, reason=request.reason)
        return Draft(f"Reply to a {len(last)}-character message.{note}", category)


def make(engine, chat, now: float, draft_kind: DraftKind = DraftKind.ROUTINE):
    """The suggestion the app's pipeline makes with `engine` for the chat's latest customer message."""
    from copilot.assist.engines import Engines
    from copilot.assist.pipeline import SuggestionRequest, make_suggestion

    conversation = Conversation.of(chat, chat.last_customer_message)
    return make_suggestion(Engines(engine), SuggestionRequest(conversation, DraftRequest(draft_kind)), lambda: now)
