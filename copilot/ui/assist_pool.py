"""Runs assist engines off the UI thread and hands finished suggestions back to it.

Each request is tagged with the chat and the customer message it answers. A newer message for the
same chat makes older requests stale: they are skipped if not started, and their results are
dropped by the workspace if they finish anyway (the workspace checks the message id).
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from copilot.assist.escalation import deescalation_draft
from copilot.assist.engine import AssistEngine, Conversation, suggest, suggest_for_category
from copilot.core.chat import Chat, Message
from copilot.core.clock import Clock
from copilot.core.suggestion import Diagnosis, Suggestion

log = logging.getLogger(__name__)


class _Signals(QObject):
    # Emitted from pool threads; Qt queues them to the pool owner's (UI) thread.
    ready = Signal(object)  # Suggestion
    failed = Signal(str, int, str)  # chat id, message id, what went wrong


class _AssistJob(QRunnable):
    def __init__(self, pool: "AssistPool", conversation: Conversation, make: Callable[[Conversation], Suggestion]):
        super().__init__()
        self.pool = pool
        self.conversation = conversation
        self.make = make

    def run(self) -> None:
        conv = self.conversation
        if self.pool.latest.get(conv.chat_id) != conv.message_id:
            return  # stale before it started
        try:
            result = self.make(conv)
        except Exception as exc:  # an engine failure must never take the app down
            log.error("assist engine failed on chat %s:\n%s", conv.chat_id, traceback.format_exc())
            self.pool.signals.failed.emit(conv.chat_id, conv.message_id, f"{type(exc).__name__}: {exc}")
            return
        self.pool.signals.ready.emit(result)


class AssistPool(QObject):
    suggestion_ready = Signal(object)  # Suggestion, on the UI thread
    suggestion_failed = Signal(str, int, str)

    def __init__(self, engine: AssistEngine, clock: Clock, max_threads: int = 2, parent: QObject | None = None):
        super().__init__(parent)
        self.engine = engine
        self.clock = clock
        self.latest: dict[str, int] = {}  # chat id -> newest message id asked about
        self.diagnoses: dict[tuple[str, int], Diagnosis] = {}  # (chat, message) -> engine's diagnosis
        self.signals = _Signals()
        self.signals.ready.connect(self._deliver)
        self.signals.failed.connect(self.suggestion_failed)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        # Jobs start once the current UI event is handled: a tick that brings ten messages then runs
        # without worker threads competing for the interpreter lock half-way through it.
        self._pending: list[QRunnable] = []
        self._start_soon = QTimer(self, singleShot=True, interval=0)
        self._start_soon.timeout.connect(self.start_pending)

    def request(self, chat: Chat, message: Message) -> None:
        """Called on the UI thread: snapshot the chat now, think about it elsewhere."""
        self.latest[chat.id] = message.id
        emotional = chat.escalation is not None and chat.escalation.type == "emotional"
        self._start(Conversation.of(chat, message), self._deescalating if emotional else self._suggesting)

    def _suggesting(self, conversation: Conversation) -> Suggestion:
        return suggest(self.engine, conversation, self.clock.now())

    def _deescalating(self, conversation: Conversation) -> Suggestion:
        """An upset customer: the draft follows the de-escalation playbook (apology,
        acknowledgement, a concrete next step), the diagnosis stays the engine's."""
        suggestion = suggest(self.engine, conversation, self.clock.now())
        return replace(suggestion, draft=deescalation_draft(conversation, suggestion.diagnosis))

    def redraft(self, chat: Chat, message: Message, category: str) -> None:
        """Diagnose-first: a draft for the category the agent chose."""
        state_diagnosis = self.diagnoses.get((chat.id, message.id))
        if state_diagnosis is None:
            return
        self.latest[chat.id] = message.id
        self._start(
            Conversation.of(chat, message),
            lambda conv: suggest_for_category(self.engine, conv, state_diagnosis, category, self.clock.now()),
        )

    def _start(self, conversation: Conversation, make: Callable[[Conversation], Suggestion]) -> None:
        self.submit(_AssistJob(self, conversation, make))

    def submit(self, job: QRunnable) -> None:
        job.setAutoDelete(True)
        self._pending.append(job)
        self._start_soon.start()

    def start_pending(self) -> None:
        pending, self._pending = self._pending, []
        for job in pending:
            self.pool.start(job)

    def clear_pending(self) -> None:
        """Jobs not started yet are dropped (the pool's own queue is cleared by pool.clear())."""
        self._pending.clear()
        self.pool.clear()

    def forget(self, chat_id: str) -> None:
        self.latest.pop(chat_id, None)

    def _deliver(self, suggestion: Suggestion) -> None:
        # Remember the engine's own diagnosis for a possible redraft (diagnose-first mode).
        self.diagnoses[(suggestion.chat_id, suggestion.message_id)] = suggestion.diagnosis
        if len(self.diagnoses) > 500:
            self.diagnoses.pop(next(iter(self.diagnoses)))
        self.suggestion_ready.emit(suggestion)

    def wait_idle(self, msecs: int = 5000) -> bool:
        self.start_pending()
        return self.pool.waitForDone(msecs)
