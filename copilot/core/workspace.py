"""The agent's workspace: open chats, the chat in focus, suggestions, decisions, assist work.

This is the single source of truth the UI displays. It is Qt-free: listeners are plain callables
told what changed (copilot/core/changes.py), so the command line, the self-test and unit tests
drive exactly the logic the window uses. Every state change is reported to the recorder (the
usage log). The agent's decisions about suggestions live in copilot/core/decisions.py.

One customer message, end to end: the source reports it (tick) → the workspace stores it, judges
escalation and emits CUSTOMER_MESSAGE → the suggestion coordinator (copilot/assist/coordinator.py)
gets it made off the UI thread → offer_suggestion → SUGGESTION → the window's panels.
"""
from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from copilot.core.assist_state import AssistState
from copilot.core.changes import Change, Listener
from copilot.core.chat import Chat, ChatStatus, EscalationMark, Message, Sender
from copilot.core.clock import Clock
from copilot.core.display_text import well_formed
from copilot.core.decisions import SuggestionDecisions, SuggestionState
from copilot.core.events import (
    ChatEndedElsewhere,
    ChatOpened,
    ConnectionChanged,
    CustomerLeft,
    CustomerMessage,
    Delivery,
    DeliveryUpdate,
    Link,
    OutsideMessage,
    SourceEvent,
)
from copilot.core.modes import AssistMode
from copilot.core.recorder import NullRecorder, Recorder, RecordKind
from copilot.core.source import ChatSource
from copilot.core.suggestion import Decision, DecisionKind, Diagnosis, Suggestion

__all__ = ["AssistMode", "SuggestionState", "Workspace", "urgency"]

# Scores a new customer message 0..1 from its text, the chat so far and how long they waited.
FrustrationScorer = Callable[[str, list[Message], float], float]
# Extra facts recorded with each agent message, e.g. {"is_question": True, "offers_solution": False}.
MessageFlagger = Callable[[str], dict]


class BlindSampler(Protocol):
    """Blind-first sampling (copilot/practice/blind_first.py): which chats hide their suggestion
    until the agent has named the issue, and what to record of the agent's pick and the outcome."""

    def chat_opened(self, chat_id: str, now: float | None = None) -> bool: ...

    def is_blind(self, chat_id: str) -> bool: ...

    def picked(self, chat_id: str, chosen: str, engine_category: str, suggestion_id: int | None,
               now: float) -> bool: ...

    def chat_ended(self, chat_id: str, final_category: str, now: float) -> bool: ...


class EscalationWatcher(Protocol):
    """Judges each customer message (and each diagnosis) for escalation; see copilot.assist.escalation."""

    def observe(self, chat_id: str, messages: list[Message], diagnosis: Diagnosis | None = None,
                now: float | None = None, message_id: int | None = None) -> list: ...

    def current(self, chat_id: str): ...

    def escalated_since(self, chat_id: str) -> float | None: ...


@dataclass
class Workspace(SuggestionDecisions):
    source: ChatSource
    clock: Clock
    recorder: Recorder = field(default_factory=NullRecorder)
    frustration_scorer: FrustrationScorer | None = None
    mode: AssistMode = AssistMode.AUTOMATIC
    escalations: EscalationWatcher | None = None
    message_flagger: MessageFlagger | None = None
    blind: BlindSampler | None = None  # blind-first sampling, a team setting (None: off)
    categories: frozenset[str] = frozenset()  # the taxonomy: categories with a playbook
    # The category a chat really was, once it ended ("" unknown): the simulator knows its scenario's;
    # otherwise the category of the last draft the agent sent is the best there is.
    final_category: Callable[[Chat], str] | None = None
    # Outbox ids are this prefix plus the message id: unique across restarts, so a server that
    # dedupes by id (Matrix transaction ids) never confuses two sessions' replies.
    outbox_prefix: str = field(default_factory=lambda: f"ac{uuid.uuid4().hex[:12]}-")

    chats: dict[str, Chat] = field(default_factory=dict)
    focused_id: str | None = None
    suggestions: dict[str, SuggestionState] = field(default_factory=dict)
    assist: dict[str, AssistState] = field(default_factory=dict)  # written by the coordinator only
    peak_concurrency: int = 0
    # Running totals for this session: "shown", each decision kind, "superseded" (the ignored drafts
    # the customer overtook, see Decision.superseded), "customer_messages", "agent_messages".
    tally: Counter = field(default_factory=Counter)
    decisions: list[Decision] = field(default_factory=list)  # this session's, oldest first
    link: ConnectionChanged = field(default_factory=lambda: ConnectionChanged(Link.CONNECTED, 0.0))
    _outbox: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # outbox id -> (chat, message id, text)
    _listeners: list[Listener] = field(default_factory=list)

    # ---- observation -------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _emit(self, change: Change, chat_id: str) -> None:
        for listener in list(self._listeners):
            listener(change, chat_id)

    @property
    def open_chats(self) -> list[Chat]:
        return [chat for chat in self.chats.values() if chat.is_open]

    @property
    def focused(self) -> Chat | None:
        return self.chats.get(self.focused_id) if self.focused_id else None

    def assist_for(self, chat_id: str) -> AssistState:
        return self.assist.setdefault(chat_id, AssistState())

    def assist_changed(self, chat_id: str, change: Change = Change.ASSIST) -> None:
        """The coordinator changed the chat's AssistState: tell the listeners."""
        self._emit(change, chat_id)

    # ---- the source --------------------------------------------------------------------------
    def tick(self) -> int:
        """Pull what the source has for us. Returns how many events were applied."""
        events = self.source.poll(self.clock.now())
        for event in events:
            self.apply(event)
        return len(events)

    def apply(self, event: SourceEvent) -> None:
        if isinstance(event, (CustomerMessage, OutsideMessage)) and well_formed(event.text) != event.text:
            event = replace(event, text=well_formed(event.text))
        if isinstance(event, ChatOpened):
            self._open_chat(event)
        elif isinstance(event, CustomerMessage):
            self._customer_message(event)
        elif isinstance(event, OutsideMessage):
            self._outside_message(event)
        elif isinstance(event, DeliveryUpdate):
            self._delivery(event)
        elif isinstance(event, (CustomerLeft, ChatEndedElsewhere)):
            self._ended_elsewhere(event)
        elif isinstance(event, ConnectionChanged):
            self.link = event
            self.recorder.record(RecordKind.SOURCE_LINK, event.ts, state=event.state.value, detail=event.detail)
            self._emit(Change.SOURCE, "")

    def _open_chat(self, event: ChatOpened) -> None:
        if event.chat_id in self.chats:
            return  # a resync may report a chat again
        chat = Chat(id=event.chat_id, customer_name=event.customer_name, opened_at=event.ts,
                    scenario_id=event.scenario_id, channel=event.channel)
        self.chats[chat.id] = chat
        concurrent = len(self.open_chats)
        self.peak_concurrency = max(self.peak_concurrency, concurrent)
        self.recorder.record(RecordKind.CHAT_OPENED, event.ts, chat_id=chat.id, customer=chat.customer_name,
                             scenario_id=chat.scenario_id, concurrent=concurrent)
        if self.blind is not None:
            self.blind.chat_opened(chat.id, event.ts)
        self._emit(Change.CHAT_ADDED, chat.id)
        if self.focused_id is None:
            self.focus(chat.id)

    def _customer_message(self, event: CustomerMessage) -> None:
        chat = self.chats.get(event.chat_id)
        if chat is None or not chat.is_open:
            return
        waited = chat.waiting_seconds(event.ts)
        frustration = 0.0
        if self.frustration_scorer is not None:
            frustration = self.frustration_scorer(event.text, chat.messages, waited)
        message = Message(chat.id, Sender.CUSTOMER, event.text, event.ts, frustration=frustration)
        chat.messages.append(message)
        self.tally["customer_messages"] += 1
        if not chat.topic:
            chat.topic = " ".join(event.text.split())[:80]
        if chat.id != self.focused_id:
            chat.unread += 1
        self.recorder.record(  # the usage log keeps `text` only if the team opted in, redacted
            RecordKind.MESSAGE, event.ts, chat_id=chat.id, message_id=message.id, sender="customer",
            length=len(event.text), frustration=round(frustration, 3), text=event.text,
        )
        # A newer customer message makes the current suggestion stale: it goes, as a whole.
        self._retire_suggestion(chat.id, event.ts, superseded=True)
        self._watch_escalation(chat)  # before the coordinator hears of it: an upset customer's draft differs
        self._emit(Change.CHAT_CHANGED, chat.id)
        self._emit(Change.CUSTOMER_MESSAGE, chat.id)

    def _outside_message(self, event: OutsideMessage) -> None:
        """A reply written outside the app answers the customer, but decides no draft: the pending
        suggestion is overtaken (logged as ignored, superseded), as when the customer writes again."""
        chat = self.chats.get(event.chat_id)
        if chat is None or not chat.is_open:
            return
        message = Message(chat.id, Sender.AGENT, event.text, event.ts, author=event.author or "outside")
        chat.messages.append(message)
        self.tally["outside_messages"] += 1
        self.recorder.record(RecordKind.MESSAGE, event.ts, chat_id=chat.id, message_id=message.id, sender="outside",
                             length=len(event.text), text=event.text)
        self._retire_suggestion(chat.id, event.ts, superseded=True)
        self._emit(Change.CHAT_CHANGED, chat.id)

    def _ended_elsewhere(self, event: CustomerLeft | ChatEndedElsewhere) -> None:
        chat = self.chats.get(event.chat_id)
        if chat is None or not chat.is_open:
            return
        if isinstance(event, CustomerLeft):
            status = ChatStatus.RESOLVED if event.satisfied else ChatStatus.ABANDONED
        else:
            chat.ended_reason = event.reason
            chat.messages.append(Message(chat.id, Sender.SYSTEM, f"Chat ended: {event.reason}.", event.ts))
            status = ChatStatus.RESOLVED if event.resolved else ChatStatus.CLOSED
        self._end_chat(chat, status, event.ts, by_agent=False)

    # ---- replies on their way ------------------------------------------------------------------
    def _delivery(self, event: DeliveryUpdate) -> None:
        sent = self._outbox.get(event.outbox_id)
        if sent is None:
            return
        chat_id, message_id, _ = sent
        if event.state is Delivery.CONFIRMED:
            self._outbox.pop(event.outbox_id)
        chat = self.chats.get(chat_id)
        if chat is None:
            return
        previous = chat.delivery.get(message_id, (None, ""))[0]
        if event.state is Delivery.CONFIRMED:
            chat.delivery.pop(message_id, None)
        else:
            chat.delivery[message_id] = (event.state, event.reason)
        if event.state is Delivery.FAILED and previous is not Delivery.FAILED:
            self.tally["undelivered"] += 1
            chat.messages.append(Message(chat_id, Sender.SYSTEM, f"Not delivered: {event.reason}.", event.ts))
        if event.state in (Delivery.FAILED, Delivery.CONFIRMED) or previous is not event.state:
            self.recorder.record(RecordKind.DELIVERY, event.ts, chat_id=chat_id, message_id=message_id,
                                 state=event.state.value, reason=event.reason)
        self._emit(Change.CHAT_CHANGED, chat_id)

    def retry(self, chat_id: str, message_id: int) -> bool:
        """Send a failed reply again, under the same outbox id, so the server can drop a duplicate."""
        chat = self.chats.get(chat_id)
        state = chat.delivery.get(message_id) if chat else None
        if chat is None or not chat.is_open or state is None or state[0] is not Delivery.FAILED:
            return False
        outbox_id = next((oid for oid, (cid, mid, _) in self._outbox.items() if cid == chat_id and mid == message_id),
                         None)
        if outbox_id is None:
            return False
        now = self.clock.now()
        chat.delivery[message_id] = (Delivery.QUEUED, "")
        self.tally["undelivered"] -= 1
        self.recorder.record(RecordKind.DELIVERY, now, chat_id=chat_id, message_id=message_id, state="retried",
                             reason="")
        self.source.send(chat_id, self._outbox[outbox_id][2], now, outbox_id)
        self._emit(Change.CHAT_CHANGED, chat_id)
        return True

    # ---- escalations -------------------------------------------------------------------------
    def observe_diagnosis(self, chat_id: str, suggestion: Suggestion) -> None:
        """A diagnosis arrived (even a stale one): the escalation rules that need the engine run."""
        chat = self.chats.get(chat_id)
        if chat is not None and chat.is_open:
            self._watch_escalation(chat, suggestion.diagnosis, suggestion.message_id)

    def _watch_escalation(self, chat: Chat, diagnosis: Diagnosis | None = None, message_id: int | None = None) -> None:
        if self.escalations is None:
            return
        now = self.clock.now()
        new = self.escalations.observe(chat.id, chat.messages, diagnosis, now, message_id)
        for escalation in new:
            self.tally[f"escalation_{escalation.type.value}"] += 1
            self.recorder.record(RecordKind.ESCALATION, escalation.ts, **escalation.record_fields())
        if new:
            current = self.escalations.current(chat.id)
            chat.escalation = EscalationMark(current.type.value, current.trigger, self.escalations.escalated_since(chat.id))
            self._emit(Change.CHAT_CHANGED, chat.id)

    # ---- the agent's actions -----------------------------------------------------------------
    def focus(self, chat_id: str | None) -> None:
        if chat_id == self.focused_id or (chat_id is not None and chat_id not in self.chats):
            return
        previous, self.focused_id = self.focused_id, chat_id
        if chat_id is not None:
            self.chats[chat_id].unread = 0
            self._mark_shown(chat_id)
        self.recorder.record(RecordKind.FOCUS, self.clock.now(), chat_id=chat_id or "",
                             previous_chat_id=previous or "", open_chats=len(self.open_chats))
        self._emit(Change.FOCUS, chat_id or "")
        if chat_id is not None:
            self._emit(Change.CHAT_CHANGED, chat_id)

    def send(self, chat_id: str, text: str) -> Message | None:
        """The agent sends from the composer. If a draft was loaded for editing, this decides it."""
        text = text.strip()
        chat = self.chats.get(chat_id)
        if not text or chat is None or not chat.is_open:
            return None
        now = self.clock.now()
        state = self._pending(chat_id)
        suggestion_id = None
        if state is not None and state.editing:
            self._decide(state, DecisionKind.EDITED, now, sent=text)
            suggestion_id = state.suggestion.id
            chat.sent_category = state.suggestion.draft.category if state.suggestion.draft else chat.sent_category
        elif state is not None and state.shown_at is not None:
            # The agent saw the draft and wrote their own reply instead.
            self._decide(state, DecisionKind.IGNORED, now)
        return self._send(chat_id, text, now, suggestion_id=suggestion_id)

    def _send(self, chat_id: str, text: str, now: float, suggestion_id: int | None) -> Message:
        chat = self.chats[chat_id]
        waited = chat.waiting_seconds(now)
        message = Message(chat_id, Sender.AGENT, text, now)
        chat.messages.append(message)
        self.tally["agent_messages"] += 1
        outbox_id = f"{self.outbox_prefix}{message.id}"
        self._outbox[outbox_id] = (chat_id, message.id, text)
        chat.delivery[message.id] = (Delivery.QUEUED, "")
        flags = self.message_flagger(text) if self.message_flagger else {}
        self.recorder.record(
            RecordKind.MESSAGE, now, chat_id=chat_id, message_id=message.id, sender="agent", length=len(text),
            suggestion_id=suggestion_id, response_seconds=round(waited, 3), text=text, **flags,
        )
        self.source.send(chat_id, text, now, outbox_id)  # queued; DeliveryUpdate events follow
        self._emit(Change.SUGGESTION, chat_id)
        self._emit(Change.CHAT_CHANGED, chat_id)
        return message

    def end_chat(self, chat_id: str, resolved: bool) -> None:
        chat = self.chats.get(chat_id)
        if chat is None or not chat.is_open:
            return
        now = self.clock.now()
        self.source.close(chat_id, resolved, now)
        self._end_chat(chat, ChatStatus.RESOLVED if resolved else ChatStatus.CLOSED, now, by_agent=True)

    def _end_chat(self, chat: Chat, status: ChatStatus, ts: float, by_agent: bool) -> None:
        # The agent closing a chat leaves its draft unused; the customer leaving overtakes it.
        self._retire_suggestion(chat.id, ts, superseded=not by_agent)
        chat.status = status
        chat.closed_at = ts
        self.recorder.record(RecordKind.CHAT_CLOSED, ts, chat_id=chat.id, status=status.value,
                             concurrent=len(self.open_chats), duration=round(ts - chat.opened_at, 3))
        if self.blind is not None:
            known = self.final_category(chat) if self.final_category is not None else ""
            self.blind.chat_ended(chat.id, known or chat.sent_category, ts)
        self._emit(Change.CHAT_ENDED, chat.id)
        self._emit(Change.CHAT_CHANGED, chat.id)
        if chat.id == self.focused_id:
            self.focus(self._next_focus())

    def _next_focus(self) -> str | None:
        now = self.clock.now()
        ranked = sorted(self.open_chats, key=lambda c: urgency(c, now), reverse=True)
        return ranked[0].id if ranked else None

    def ranked_chats(self) -> list[Chat]:
        """Open chats, most urgent first, then the ended ones, newest first."""
        now = self.clock.now()
        open_ = sorted(self.open_chats, key=lambda c: urgency(c, now), reverse=True)
        ended = sorted((c for c in self.chats.values() if not c.is_open), key=lambda c: c.closed_at or 0, reverse=True)
        return open_ + ended


def urgency(chat: Chat, now: float) -> float:
    """How much a chat needs the agent now: time the customer has waited, weighted by frustration.

    A customer who is not waiting (the agent spoke last) scores by frustration alone, so an angry
    customer still stays above calm ones. Escalated chats rank above all others.
    """
    waiting = chat.waiting_seconds(now)
    score = waiting * (1.0 + 3.0 * chat.frustration) + 60.0 * chat.frustration
    if chat.escalation is not None:
        # Escalated chats go to the top; emotional ones first, since rescue works only if it is early.
        score += 100_000.0 if chat.escalation.type == "emotional" else 50_000.0
    return score
