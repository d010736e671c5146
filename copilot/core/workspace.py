"""The agent's workspace: open chats, the chat in focus, suggestions and decisions.

This is the single source of truth the UI displays. It is Qt-free: listeners are plain callables,
so the command line, the self-test and unit tests drive exactly the logic the window uses.
Every state change is reported to the recorder (the usage log).
"""
from __future__ import annotations

import enum
import hashlib
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from copilot.core.chat import Chat, ChatStatus, EscalationMark, Message, Sender
from copilot.core.clock import Clock
from copilot.core.edit_distance import normalised_edit_distance
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
from copilot.core.recorder import NullRecorder, Recorder
from copilot.core.source import ChatSource
from copilot.core.suggestion import Decision, DecisionKind, Diagnosis, Suggestion

# Listener callbacks: (what changed, chat id). Kinds: "added", "changed", "suggestion", "focus", "removed".
Listener = Callable[[str, str], None]
# Scores a new customer message 0..1 from its text, the chat so far and how long they waited.
FrustrationScorer = Callable[[str, list[Message], float], float]
# Asked to produce a suggestion for (chat, customer message); answers later via offer_suggestion.
SuggestionRequester = Callable[[Chat, Message], None]
# Asked to redo the draft for a category the agent chose (diagnose-first mode).
RedraftRequester = Callable[[Chat, Message, str], None]
# Extra facts recorded with each agent message, e.g. {"is_question": True, "offers_solution": False}.
MessageFlagger = Callable[[str], dict]


class EscalationWatcher(Protocol):
    """Judges each customer message (and each diagnosis) for escalation; see copilot.assist.escalation."""

    def observe(self, chat_id: str, messages: list[Message], diagnosis: Diagnosis | None = None,
                now: float | None = None, message_id: int | None = None) -> list: ...

    def current(self, chat_id: str): ...

    def escalated_since(self, chat_id: str) -> float | None: ...


class AssistMode(str, enum.Enum):
    """How suggestions reach the agent. The last two are "cognitive forcing" modes from the
    automation-bias research: the agent thinks first, which reduces complacent acceptance."""

    AUTOMATIC = "automatic"  # diagnosis and draft appear as soon as they are ready
    DIAGNOSE_FIRST = "diagnose_first"  # the agent confirms or picks the diagnosis; then the draft appears
    ON_REQUEST = "on_request"  # nothing appears until the agent asks (Ctrl+G)


@dataclass
class SuggestionState:
    """A suggestion and where the agent is with it."""

    suggestion: Suggestion
    diagnosis_visible: bool = True
    draft_visible: bool = True
    redrafting: bool = False  # diagnose-first: waiting for a draft for the agent's chosen category
    shown_at: float | None = None  # when the draft became visible to the agent
    editing: bool = False  # loaded into the composer
    first_keystroke_at: float | None = None
    decision: Decision | None = None


@dataclass
class Workspace:
    source: ChatSource
    clock: Clock
    recorder: Recorder = field(default_factory=NullRecorder)
    frustration_scorer: FrustrationScorer | None = None
    request_suggestion: SuggestionRequester | None = None
    request_redraft: RedraftRequester | None = None
    mode: AssistMode = AssistMode.AUTOMATIC
    escalations: EscalationWatcher | None = None
    message_flagger: MessageFlagger | None = None
    # Outbox ids are this prefix plus the message id: unique across restarts, so a server that
    # dedupes by id (Matrix transaction ids) never confuses two sessions' replies.
    outbox_prefix: str = field(default_factory=lambda: f"ac{uuid.uuid4().hex[:12]}-")

    chats: dict[str, Chat] = field(default_factory=dict)
    focused_id: str | None = None
    suggestions: dict[str, SuggestionState] = field(default_factory=dict)
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

    def _emit(self, what: str, chat_id: str) -> None:
        for listener in list(self._listeners):
            listener(what, chat_id)

    @property
    def open_chats(self) -> list[Chat]:
        return [chat for chat in self.chats.values() if chat.is_open]

    @property
    def focused(self) -> Chat | None:
        return self.chats.get(self.focused_id) if self.focused_id else None

    def suggestion_for(self, chat_id: str) -> SuggestionState | None:
        return self.suggestions.get(chat_id)

    # ---- the source --------------------------------------------------------------------------
    def tick(self) -> int:
        """Pull what the source has for us. Returns how many events were applied."""
        events = self.source.poll(self.clock.now())
        for event in events:
            self.apply(event)
        return len(events)

    def apply(self, event: SourceEvent) -> None:
        if isinstance(event, ChatOpened):
            self._open_chat(event)
        elif isinstance(event, CustomerMessage):
            self._customer_message(event)
        elif isinstance(event, OutsideMessage):
            self._outside_message(event)
        elif isinstance(event, DeliveryUpdate):
            self._delivery(event)
        elif isinstance(event, CustomerLeft):
            chat = self.chats.get(event.chat_id)
            if chat and chat.is_open:
                status = ChatStatus.ABANDONED if not event.satisfied else ChatStatus.RESOLVED
                self._end_chat(chat, status, event.ts, by_agent=False)
        elif isinstance(event, ChatEndedElsewhere):
            chat = self.chats.get(event.chat_id)
            if chat and chat.is_open:
                chat.ended_reason = event.reason
                chat.messages.append(Message(chat.id, Sender.SYSTEM, f"Chat ended: {event.reason}.", event.ts))
                status = ChatStatus.RESOLVED if event.resolved else ChatStatus.CLOSED
                self._end_chat(chat, status, event.ts, by_agent=False)
        elif isinstance(event, ConnectionChanged):
            self.link = event
            self.recorder.record("source_link", event.ts, state=event.state.value, detail=event.detail)
            self._emit("source", "")

    def _open_chat(self, event: ChatOpened) -> None:
        if event.chat_id in self.chats:
            return  # a resync may report a chat again
        chat = Chat(id=event.chat_id, customer_name=event.customer_name, opened_at=event.ts,
                    scenario_id=event.scenario_id, channel=event.channel)
        self.chats[chat.id] = chat
        concurrent = len(self.open_chats)
        self.peak_concurrency = max(self.peak_concurrency, concurrent)
        self.recorder.record(
            "chat_opened", event.ts, chat_id=chat.id, customer=chat.customer_name,
            scenario_id=chat.scenario_id, concurrent=concurrent,
        )
        self._emit("added", chat.id)
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
            "message", event.ts, chat_id=chat.id, message_id=message.id, sender="customer",
            length=len(event.text), frustration=round(frustration, 3), text=event.text,
        )
        # A newer customer message makes the current suggestion stale: it goes, as a whole.
        self._retire_suggestion(chat.id, event.ts, superseded=True)
        self._watch_escalation(chat)
        self._emit("changed", chat.id)
        if self.request_suggestion is not None:
            self.request_suggestion(chat, message)

    def _outside_message(self, event: OutsideMessage) -> None:
        """A reply written outside the app answers the customer, but decides no draft: the pending
        suggestion is overtaken (logged as ignored, superseded), as when the customer writes again."""
        chat = self.chats.get(event.chat_id)
        if chat is None or not chat.is_open:
            return
        message = Message(chat.id, Sender.AGENT, event.text, event.ts, author=event.author or "outside")
        chat.messages.append(message)
        self.tally["outside_messages"] += 1
        self.recorder.record(
            "message", event.ts, chat_id=chat.id, message_id=message.id, sender="outside", length=len(event.text),
            text=event.text,
        )
        self._retire_suggestion(chat.id, event.ts, superseded=True)
        self._emit("changed", chat.id)

    def _delivery(self, event: DeliveryUpdate) -> None:
        sent = self._outbox.get(event.outbox_id)
        if sent is None:
            return
        chat_id, message_id, _ = sent
        chat = self.chats.get(chat_id)
        if event.state is Delivery.CONFIRMED:
            self._outbox.pop(event.outbox_id)
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
            self.recorder.record("delivery", event.ts, chat_id=chat_id, message_id=message_id,
                                 state=event.state.value, reason=event.reason)
        self._emit("changed", chat_id)

    def retry(self, chat_id: str, message_id: int) -> bool:
        """Send a failed reply again, under the same outbox id, so the server can drop a duplicate."""
        chat = self.chats.get(chat_id)
        state = chat.delivery.get(message_id) if chat else None
        if chat is None or not chat.is_open or state is None or state[0] is not Delivery.FAILED:
            return False
        outbox_id = next((oid for oid, (cid, mid, _) in self._outbox.items() if cid == chat_id and mid == message_id), None)
        if outbox_id is None:
            return False
        now = self.clock.now()
        chat.delivery[message_id] = (Delivery.QUEUED, "")
        self.tally["undelivered"] -= 1
        self.recorder.record("delivery", now, chat_id=chat_id, message_id=message_id, state="retried", reason="")
        self.source.send(chat_id, self._outbox[outbox_id][2], now, outbox_id)
        self._emit("changed", chat_id)
        return True

    # ---- escalations -------------------------------------------------------------------------
    def _watch_escalation(self, chat: Chat, diagnosis: Diagnosis | None = None, message_id: int | None = None) -> None:
        if self.escalations is None:
            return
        now = self.clock.now()
        new = self.escalations.observe(chat.id, chat.messages, diagnosis, now, message_id)
        for escalation in new:
            self.tally[f"escalation_{escalation.type.value}"] += 1
            self.recorder.record("escalation", escalation.ts, **escalation.record_fields())
        if new:
            current = self.escalations.current(chat.id)
            chat.escalation = EscalationMark(current.type.value, current.trigger, self.escalations.escalated_since(chat.id))
            self._emit("changed", chat.id)

    # ---- suggestions -------------------------------------------------------------------------
    def offer_suggestion(self, suggestion: Suggestion) -> bool:
        """A finished suggestion arrives. Kept only if it answers the chat's latest customer message."""
        chat = self.chats.get(suggestion.chat_id)
        if chat is None or not chat.is_open:
            return False
        # Even a stale diagnosis tells the escalation rules something ("no diagnosis twice in a row").
        self._watch_escalation(chat, suggestion.diagnosis, suggestion.message_id)
        latest = chat.last_customer_message
        if latest is None or latest.id != suggestion.message_id:
            return False  # stale: a newer message arrived while it was being made
        previous = self.suggestions.get(chat.id)
        if previous is not None and previous.redrafting and previous.suggestion.message_id == suggestion.message_id:
            # The draft for the category the agent chose: it replaces the first one, undecided.
            self.suggestions[chat.id] = SuggestionState(suggestion)
        else:
            self._retire_suggestion(chat.id, self.clock.now(), superseded=True)
            self.suggestions[chat.id] = SuggestionState(
                suggestion,
                diagnosis_visible=self.mode is not AssistMode.ON_REQUEST,
                draft_visible=self.mode is AssistMode.AUTOMATIC,
            )
        if suggestion.diagnosis.label:
            chat.issue_guess = suggestion.diagnosis.label
        if chat.id == self.focused_id:
            self._mark_shown(chat.id)
        self._emit("suggestion", chat.id)
        self._emit("changed", chat.id)
        return True

    def reveal(self, chat_id: str) -> bool:
        """Suggestions-on-request: the agent asks to see the suggestion."""
        state = self._pending(chat_id)
        if state is None or (state.diagnosis_visible and state.draft_visible):
            return False
        state.diagnosis_visible = True
        if self.mode is not AssistMode.DIAGNOSE_FIRST:
            state.draft_visible = True
        self.recorder.record("suggestion_requested", self.clock.now(), chat_id=chat_id, suggestion_id=state.suggestion.id)
        self._mark_shown(chat_id)
        self._emit("suggestion", chat_id)
        return True

    def confirm_diagnosis(self, chat_id: str, category: str | None) -> bool:
        """Diagnose-first: the agent picks the issue (None: none of the offered ones fits)."""
        state = self._pending(chat_id)
        if state is None or state.draft_visible or state.redrafting:
            return False
        best = state.suggestion.diagnosis.best
        engine_category = best.category if best and not state.suggestion.diagnosis.abstained else ""
        now = self.clock.now()
        self.recorder.record(
            "diagnosis_confirmed", now, chat_id=chat_id, suggestion_id=state.suggestion.id,
            chosen=category or "", engine_category=engine_category, agreed=bool(category) and category == engine_category,
        )
        if category is None:
            state.draft_visible = True  # nothing to show, but the decision is made: the diagnosis was wrong
            state.shown_at = now
            self._decide(state, DecisionKind.REJECTED, now, reason="Wrong diagnosis")
        elif category == engine_category or self.request_redraft is None:
            state.draft_visible = True
            self._mark_shown(chat_id)
        else:
            state.redrafting = True
            chat = self.chats[chat_id]
            self.request_redraft(chat, chat.last_customer_message, category)
        self._emit("suggestion", chat_id)
        return True

    def _mark_shown(self, chat_id: str) -> None:
        state = self.suggestions.get(chat_id)
        if state is None or state.shown_at is not None or state.decision is not None or not state.draft_visible:
            return
        state.shown_at = self.clock.now()
        self.tally["shown"] += 1
        s = state.suggestion
        draft = s.draft.text if s.draft else ""
        best = s.diagnosis.best
        self.recorder.record(
            "suggestion_shown", state.shown_at, chat_id=chat_id, suggestion_id=s.id, message_id=s.message_id,
            engine=s.engine, category=best.category if best else "", confidence=round(best.confidence, 4) if best else 0.0,
            abstained=s.diagnosis.abstained, draft_length=len(draft),
            draft_hash=hashlib.sha256(draft.encode()).hexdigest()[:16] if draft else "",
        )

    def _retire_suggestion(self, chat_id: str, ts: float, superseded: bool) -> None:
        """Drop the chat's suggestion; if the agent saw it and never decided, that is 'ignored'.

        superseded: something other than the agent retired it (a newer customer message or
        suggestion, the customer leaving); the decision is logged all the same, marked so.
        """
        state = self.suggestions.pop(chat_id, None)
        if state is not None and state.shown_at is not None and state.decision is None:
            self._decide(state, DecisionKind.IGNORED, ts, superseded=superseded)
        if state is not None:
            self._emit("suggestion", chat_id)

    def _decide(self, state: SuggestionState, kind: DecisionKind, ts: float, sent: str = "", reason: str = "",
                superseded: bool = False) -> Decision:
        s = state.suggestion
        draft = s.draft.text if s.draft else ""
        distance = normalised_edit_distance(draft, sent) if kind in (DecisionKind.ACCEPTED, DecisionKind.EDITED) else 0.0
        shown_at = state.shown_at if state.shown_at is not None else ts
        decision = Decision(s.id, s.chat_id, kind, shown_at, ts, sent_text=sent, edit_distance=distance, reason=reason,
                            superseded=superseded)
        state.decision = decision
        self.decisions.append(decision)
        self.tally[kind.value] += 1
        if superseded:
            self.tally["superseded"] += 1
        first_key = None if state.first_keystroke_at is None else round(state.first_keystroke_at - shown_at, 3)
        self.recorder.record(
            "decision", ts, chat_id=s.chat_id, suggestion_id=s.id, kind=kind.value,
            seconds_to_decide=round(decision.seconds_to_decide, 3), edit_distance=round(distance, 4),
            reason=reason, sent_length=len(sent), seconds_to_first_keystroke=first_key,
            **({"superseded": True} if superseded else {}),  # kept in the row's `extra` column
        )
        return decision

    # ---- the agent's actions -----------------------------------------------------------------
    def focus(self, chat_id: str | None) -> None:
        if chat_id == self.focused_id or (chat_id is not None and chat_id not in self.chats):
            return
        previous, self.focused_id = self.focused_id, chat_id
        if chat_id is not None:
            self.chats[chat_id].unread = 0
            self._mark_shown(chat_id)
        self.recorder.record(
            "focus", self.clock.now(), chat_id=chat_id or "", previous_chat_id=previous or "",
            open_chats=len(self.open_chats),
        )
        self._emit("focus", chat_id or "")
        if chat_id is not None:
            self._emit("changed", chat_id)

    def accept(self, chat_id: str) -> Decision | None:
        """Send the draft exactly as suggested."""
        state = self._actionable(chat_id)
        if state is None or state.suggestion.draft is None:
            return None
        text = state.suggestion.draft.text
        now = self.clock.now()
        decision = self._decide(state, DecisionKind.ACCEPTED, now, sent=text)
        self._send(chat_id, text, now, suggestion_id=state.suggestion.id)
        return decision

    def start_edit(self, chat_id: str) -> str | None:
        """The agent takes the draft into the composer. Returns the text to load."""
        state = self._actionable(chat_id)
        if state is None or state.suggestion.draft is None:
            return None
        state.editing = True
        if state.first_keystroke_at is None:
            state.first_keystroke_at = self.clock.now()
        self._emit("suggestion", chat_id)
        return state.suggestion.draft.text

    def note_keystroke(self, chat_id: str) -> None:
        state = self._pending(chat_id)
        if state is not None and state.first_keystroke_at is None:
            state.first_keystroke_at = self.clock.now()

    def reject(self, chat_id: str, reason: str) -> Decision | None:
        state = self._actionable(chat_id)
        if state is None:
            return None
        decision = self._decide(state, DecisionKind.REJECTED, self.clock.now(), reason=reason.strip())
        self._emit("suggestion", chat_id)
        return decision

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
            "message", now, chat_id=chat_id, message_id=message.id, sender="agent", length=len(text),
            suggestion_id=suggestion_id, response_seconds=round(waited, 3), text=text, **flags,
        )
        self.source.send(chat_id, text, now, outbox_id)  # queued; DeliveryUpdate events follow
        self._emit("suggestion", chat_id)
        self._emit("changed", chat_id)
        return message

    def _pending(self, chat_id: str) -> SuggestionState | None:
        state = self.suggestions.get(chat_id)
        if state is None or state.decision is not None:
            return None
        return state

    def _actionable(self, chat_id: str) -> SuggestionState | None:
        """A pending suggestion whose draft the agent can see, so can accept, edit or reject."""
        state = self._pending(chat_id)
        return state if state is not None and state.draft_visible and state.shown_at is not None else None

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
        self.recorder.record(
            "chat_closed", ts, chat_id=chat.id, status=status.value, concurrent=len(self.open_chats),
            duration=round(ts - chat.opened_at, 3),
        )
        self._emit("changed", chat.id)
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
