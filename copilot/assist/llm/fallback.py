"""The offline engine behind the LLM engine: when the endpoint fails, the agent still gets a
suggestion, and a notice says what failed.

After a failure that suggests the endpoint is down (timeout, refused connection, bad key) the
LLM is rested for a cool-down, so the next chats do not each wait a full timeout; the first chat
after it tries again. Which engine produced a suggestion is recorded with it ("offline
(fallback)"), so the usage log can tell them apart.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from copilot.assist.engine import AssistEngine, Conversation
from copilot.assist.llm.client import NEVER
from copilot.assist.llm.errors import ENDPOINT_DOWN, Cancelled, LLMError
from copilot.core.suggestion import Diagnosis, Draft, Suggestion

log = logging.getLogger(__name__)
COOLDOWN = 30.0  # seconds the endpoint rests after it looked down
REPEAT_NOTICE = 10.0  # the same notice is not repeated more often than this


class FallbackEngine:
    def __init__(self, primary, fallback: AssistEngine, on_fallback: Callable[[str], None] | None = None,
                 cooldown: float = COOLDOWN, clock: Callable[[], float] = time.monotonic):
        self.primary = primary
        self.fallback = fallback
        self.on_fallback = on_fallback  # called on the worker thread with a sentence for the agent
        self.cooldown = cooldown
        self.clock = clock
        self._local = threading.local()  # which engine served the suggestion this thread is making
        self._lock = threading.Lock()
        self._resting_until = 0.0
        self._last_notice = ("", -REPEAT_NOTICE)

    @property
    def name(self) -> str:
        # Read by engine.suggest() on the same worker thread right after diagnose() and draft().
        return getattr(self._local, "used", self.primary.name)

    @property
    def note(self) -> str:
        return getattr(self.fallback, "note", "")

    def _resting(self) -> bool:
        with self._lock:
            return self.clock() < self._resting_until

    def _failed(self, error: Exception, what: str) -> None:
        self._local.used = f"{self.fallback.name} (fallback)"
        if not isinstance(error, LLMError):  # a bug in our code, not the endpoint: keep the trace
            log.exception("LLM %s failed unexpectedly", what)
            error = LLMError("bad_output", f"The LLM engine failed: {type(error).__name__}.")
        message = f"{error} Showing the offline {'suggestion' if what == 'diagnosis' else 'draft'} instead."
        if error.kind in ENDPOINT_DOWN and self.cooldown > 0:
            with self._lock:
                self._resting_until = self.clock() + self.cooldown
            message += f" The endpoint will be tried again in {self.cooldown:g} s."
        log.info("LLM %s failed (%s); using the offline engine", what, error.kind)
        with self._lock:
            text, at = self._last_notice
            if text == message and self.clock() - at < REPEAT_NOTICE:
                return
            self._last_notice = (message, self.clock())
        if self.on_fallback is not None:
            self.on_fallback(message)

    def diagnose(self, conversation: Conversation, cancelled: Callable[[], bool] = NEVER) -> Diagnosis:
        self._local.used = self.primary.name
        if self._resting():
            return self._offline_diagnosis(conversation)
        try:
            return self.primary.diagnose(conversation, cancelled)
        except Cancelled:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever failed, the agent gets the offline diagnosis
            self._failed(exc, "diagnosis")
            return self._offline_diagnosis(conversation)

    def _offline_diagnosis(self, conversation: Conversation) -> Diagnosis:
        self._local.used = f"{self.fallback.name} (fallback)"
        diagnosis = self.fallback.diagnose(conversation)
        self._local.offline_diagnosis = diagnosis  # its draft comes from the offline engine too
        return diagnosis

    def stream_draft(self, conversation: Conversation, diagnosis: Diagnosis, on_text=None,
                     cancelled: Callable[[], bool] = NEVER) -> Draft | None:
        if diagnosis is getattr(self._local, "offline_diagnosis", None) or self._resting():
            self._local.used = f"{self.fallback.name} (fallback)"
            return self.fallback.draft(conversation, diagnosis)
        self._local.used = self.primary.name
        try:
            return self.primary.stream_draft(conversation, diagnosis, on_text, cancelled)
        except Cancelled:
            raise
        except Exception as exc:  # noqa: BLE001
            self._failed(exc, "draft")
            return self.fallback.draft(conversation, diagnosis)

    def draft(self, conversation: Conversation, diagnosis: Diagnosis) -> Draft | None:
        return self.stream_draft(conversation, diagnosis)


def streams(engine) -> bool:
    return callable(getattr(engine, "stream_draft", None))


def suggest_streaming(engine, conversation: Conversation, now: Callable[[], float], on_text=None,
                      cancelled: Callable[[], bool] = NEVER, category: str = "",
                      previous: Diagnosis | None = None) -> Suggestion:
    """engine.suggest() for engines that stream; with `category`, a redraft for the agent's choice."""
    if category and previous is not None:
        chosen = next((c for c in previous.top if c.category == category), None)
        if chosen is None:
            raise ValueError(f"category {category!r} was not among the offered diagnoses")
        diagnosis = Diagnosis(top=(chosen, *(c for c in previous.top if c.category != category)),
                              abstained=False, evidence=previous.evidence)
    elif streams(engine):
        diagnosis = engine.diagnose(conversation, cancelled)
    else:
        diagnosis = engine.diagnose(conversation)
    if cancelled():
        raise Cancelled()
    if streams(engine):
        draft = engine.stream_draft(conversation, diagnosis, on_text, cancelled)
    else:
        draft = engine.draft(conversation, diagnosis)
    return Suggestion(conversation.chat_id, conversation.message_id, diagnosis, draft, engine.name, now())


def engine_for(settings, offline, on_fallback: Callable[[str], None] | None = None):
    """The engine the settings ask for: the offline one, or the LLM with the offline one behind it.

    Raises ValueError with a readable message when the endpoint settings are unusable.
    """
    if getattr(settings, "engine", "offline") != "llm":
        return offline
    from copilot import secrets
    from copilot.assist.llm.config import LLMConfig
    from copilot.assist.llm.engine import LLMEngine

    config = LLMConfig.from_settings(settings).validated()
    primary = LLMEngine(config, offline.playbooks, secrets.get_api_key(config.base_url))
    return FallbackEngine(primary, offline, on_fallback)
