"""The suggestion coordinator: decides which suggestion each chat needs and gets it made.

It listens to the workspace. A new customer message asks for a suggestion; the draft wanted is
chosen here, once, for every engine: de-escalation while the customer is emotionally escalated,
otherwise the routine reply; when the agent picks a category (diagnose-first, or after "no
matching category") it asks for a draft for that category, reusing the engine's diagnosis. The
work runs as a Job on the runner (the UI's background helper, or inline on the command line);
its progress and result come back here, are checked for staleness, and go into the workspace:
the per-chat AssistState while the work runs, `Workspace.offer_suggestion` when it is done.
"""
from __future__ import annotations

import logging
import threading

from copilot.assist.engine import Conversation, DraftRequest
from copilot.assist.engines import Engines
from copilot.assist.llm.errors import Cancelled
from copilot.assist.pipeline import SuggestionRequest, make_suggestion
from copilot.core.assist_state import AssistState, AssistStatus
from copilot.core.changes import Change
from copilot.core.jobs import Job, JobControl, Runner
from copilot.core.modes import DraftKind
from copilot.core.suggestion import Suggestion

log = logging.getLogger(__name__)
EMOTIONAL = "emotional"


class SuggestionCoordinator:
    def __init__(self, workspace, engines: Engines, runner: Runner):
        self.workspace = workspace
        self.engines = engines
        self.runner = runner
        self._engines_lock = threading.Lock()  # swapped on the UI thread, read by workers
        self._running: dict[str, JobControl] = {}
        workspace.subscribe(self._on_change)

    # ---- what the workspace asks for ---------------------------------------------------------
    def _on_change(self, change: Change, chat_id: str) -> None:
        if change is Change.CUSTOMER_MESSAGE:
            self.request(chat_id)
        elif change is Change.CATEGORY_CHOSEN:
            self.redraft(chat_id)
        elif change is Change.CHAT_ENDED:
            self.forget(chat_id)

    def wanted(self, chat_id: str) -> DraftRequest:
        """Which draft the chat needs now: the one place this is decided, whatever the engine."""
        chat = self.workspace.chats[chat_id]
        if chat.escalation is not None and chat.escalation.type == EMOTIONAL:
            current = self.workspace.escalations.current(chat_id) if self.workspace.escalations else None
            return DraftRequest(DraftKind.DEESCALATION, reason=getattr(current, "reason", ""))
        return DraftRequest(DraftKind.ROUTINE)

    def request(self, chat_id: str) -> None:
        chat = self.workspace.chats.get(chat_id)
        message = chat.last_customer_message if chat is not None else None
        if message is None or not chat.is_open:
            return
        self._start(chat, message, SuggestionRequest(Conversation.of(chat, message), self.wanted(chat_id)))

    def redraft(self, chat_id: str) -> None:
        """The agent picked a category for the latest customer message: a draft for it."""
        chat = self.workspace.chats.get(chat_id)
        pending = self.workspace.suggestion_for(chat_id)
        message = chat.last_customer_message if chat is not None else None
        if message is None or pending is None or not pending.chosen_category:
            return
        state = self.workspace.assist_for(chat_id)
        previous, engine = state.diagnoses.get(message.id, (pending.suggestion.diagnosis,
                                                            pending.suggestion.diagnosis_engine))
        request = SuggestionRequest(Conversation.of(chat, message), DraftRequest(DraftKind.CHOSEN),
                                    category=pending.chosen_category, previous=previous, previous_engine=engine)
        self._start(chat, message, request, category=pending.chosen_category)

    def forget(self, chat_id: str) -> None:
        """The chat ended: its work stops at the next token, and its result will be dropped."""
        state = self.workspace.assist.get(chat_id)
        if state is not None:
            state.generation += 1
            state.status, state.stream = AssistStatus.IDLE, ""
        control = self._running.pop(chat_id, None)
        if control is not None and hasattr(control, "cancel"):
            control.cancel()

    def cancel_all(self) -> None:
        for chat_id in list(self._running):
            self.forget(chat_id)

    def set_engines(self, engines: Engines) -> None:
        """The agent changed engines mid-shift: work already running finishes on the old ones."""
        with self._engines_lock:
            self.engines = engines

    # ---- doing it ----------------------------------------------------------------------------
    def _start(self, chat, message, request: SuggestionRequest, category: str = "") -> None:
        state = self.workspace.assist_for(chat.id)
        state.generation += 1
        generation = state.generation
        state.message_id, state.kind, state.category = message.id, request.draft.kind, category
        state.status, state.stream, state.failure = AssistStatus.WORKING, "", ""
        self.workspace.assist_changed(chat.id)
        with self._engines_lock:
            engines = self.engines
        chat_id, clock = chat.id, self.workspace.clock

        def stale() -> bool:  # read on the worker thread: a plain int comparison
            return state.generation != generation

        def work(control: JobControl) -> Suggestion:
            if stale():
                raise Cancelled()  # stale before it started: a newer message or a closed chat
            return make_suggestion(engines, request, clock.now, on_text=control.progress,
                                   cancelled=lambda: stale() or control.cancelled)

        # Older work for this chat is now stale (its generation is behind): it stops at its next token,
        # and what it still finishes (a stale diagnosis) is told to the escalation rules only.
        job = Job(work, label=f"Suggestion for {chat.customer_name}", lane="assist",
                  on_done=lambda s: self._done(state, generation, s),
                  on_error=lambda e: self._failed(chat_id, state, generation, e),
                  on_progress=lambda text: self._stream(chat_id, state, generation, text))
        self._running[chat_id] = self.runner(job)

    def _current(self, state: AssistState, generation: int) -> bool:
        return state.generation == generation

    def _stream(self, chat_id: str, state: AssistState, generation: int, text: str) -> None:
        if not self._current(state, generation) or not isinstance(text, str):
            return
        state.status, state.stream = AssistStatus.STREAMING, text
        self.workspace.assist_changed(chat_id, Change.DRAFT_STREAM)

    def _done(self, state: AssistState, generation: int, suggestion: Suggestion) -> None:
        chat_id = suggestion.chat_id
        if self._current(state, generation):
            self._running.pop(chat_id, None)
        if suggestion.draft_kind is not DraftKind.CHOSEN:
            state.remember(suggestion.message_id, suggestion.diagnosis, suggestion.diagnosis_engine)
        if suggestion.notice:  # the endpoint failed: say so even if this result is no longer wanted
            state.notice = suggestion.notice
        if not self._current(state, generation):
            # Even a stale diagnosis tells the escalation rules something ("no diagnosis twice in a row").
            self.workspace.observe_diagnosis(chat_id, suggestion)
            if suggestion.notice:
                self.workspace.assist_changed(chat_id)
            return
        state.status, state.stream, state.failure = AssistStatus.READY, "", ""
        self.workspace.offer_suggestion(suggestion)
        self.workspace.assist_changed(chat_id)

    def _failed(self, chat_id: str, state: AssistState, generation: int, error: BaseException) -> None:
        if isinstance(error, Cancelled) or not self._current(state, generation):
            return
        self._running.pop(chat_id, None)
        log.error("assist engine failed on chat %s", chat_id, exc_info=error)
        state.status, state.stream = AssistStatus.FAILED, ""
        state.failure = f"The assistant failed on this message ({type(error).__name__}: {error}). " \
                        "Reply in your own words."
        self.workspace.assist_changed(chat_id)
