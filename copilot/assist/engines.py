"""The engines a session uses: the configured one, and the offline engine behind it.

With the offline engine configured both are the same object. With an LLM endpoint configured,
the offline engine answers whenever the endpoint fails, and `EndpointHealth` decides when to stop
asking it for a while: after a failure that suggests the endpoint is down (timeout, refused
connection, bad key) it rests for a cool-down, so the next chats do not each wait a full timeout.
Building an LLM setup reads the API key from the OS keyring, which may be slow: callers do that
off the UI thread (Session.build at start-up, the background helper mid-shift).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from copilot.assist.engine import AssistEngine
from copilot.core.modes import EngineName

log = logging.getLogger(__name__)
COOLDOWN = 30.0  # seconds the endpoint rests after it looked down
REPEAT_NOTICE = 10.0  # the same notice is not repeated more often than this


class EndpointHealth:
    """Thread-safe: engine work for several chats runs at once."""

    def __init__(self, cooldown: float = COOLDOWN, clock: Callable[[], float] = time.monotonic):
        self.cooldown = cooldown
        self.clock = clock
        self._lock = threading.Lock()
        self._resting_until = 0.0
        self._last_notice = ("", -REPEAT_NOTICE)

    def resting(self) -> bool:
        with self._lock:
            return self.clock() < self._resting_until

    def failed(self, error: BaseException, what: str) -> str:
        """Note a failure of the endpoint while making `what` ("diagnosis" or "draft"); returns the
        sentence for the agent, or "" when the same one was said moments ago."""
        from copilot.assist.llm.errors import ENDPOINT_DOWN, LLMError

        if not isinstance(error, LLMError):  # a bug in our code, not the endpoint: keep the trace
            log.error("LLM %s failed unexpectedly", what, exc_info=error)
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
                return ""
            self._last_notice = (message, self.clock())
        return message


class DeferredOfflineEngine:
    """The offline engine, loaded when first needed, so the window can show before the model is read
    (reading the word vectors takes a few hundred milliseconds). The playbooks, which others need at
    once, are read up front. `load()` may be called early on a worker thread; every engine call waits
    for the one load. A model that cannot be loaded raises from each call, with the reason."""

    name = EngineName.OFFLINE
    display_name = "offline"

    def __init__(self, model_dir: Path | None = None):
        from copilot.assist.offline import default_playbooks_dir
        from copilot.assist.playbooks import load_playbooks

        self.model_dir = model_dir
        self.playbooks = load_playbooks(default_playbooks_dir())
        self._engine = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self.knowledge = None  # a copilot.knowledge KnowledgeBase, handed to the engine when it loads

    def load(self):
        with self._lock:
            if self._engine is None and self._error is None:
                from copilot.assist.offline import OfflineEngine

                try:
                    engine = self._load_with_fallback(OfflineEngine)
                except Exception as exc:  # noqa: BLE001 - kept and raised to every caller
                    self._error = exc
                else:
                    engine.playbooks = self.playbooks  # one set of playbooks for every engine
                    engine.knowledge = self.knowledge
                    self._engine = engine
            if self._error is not None:
                raise self._error
            return self._engine

    def _load_with_fallback(self, engine_type):
        """The agent's own model; if it cannot be read, the built-in one, saying why."""
        if self.model_dir is None:
            return engine_type.load_default()
        try:
            return engine_type.load(self.model_dir)
        except (OSError, ValueError, RuntimeError) as exc:
            engine = engine_type.load_default()
            engine.note = f"The model in {self.model_dir} cannot be used ({exc}); the built-in model is used instead."
            return engine

    @property
    def note(self) -> str:
        return self._engine.note if self._engine is not None else ""

    def diagnose(self, conversation, cancelled=None):
        return self.load().diagnose(conversation, cancelled)

    def write_draft(self, conversation, diagnosis, request, on_text=None, cancelled=None):
        return self.load().write_draft(conversation, diagnosis, request, on_text, cancelled)


class Engines:
    def __init__(self, offline: AssistEngine, llm: AssistEngine | None = None, health: EndpointHealth | None = None):
        self.offline = offline
        self.primary = llm or offline
        self.health = health or EndpointHealth()

    @property
    def configured(self) -> EngineName:
        return self.primary.name

    @property
    def label(self) -> str:
        return self.primary.display_name

    @property
    def note(self) -> str:
        return getattr(self.offline, "note", "")

    @property
    def playbooks(self) -> dict:
        return self.offline.playbooks

    @property
    def has_fallback(self) -> bool:
        return self.primary is not self.offline

    @classmethod
    def from_settings(cls, settings, offline: AssistEngine, api_key: str | None = None,
                      health: EndpointHealth | None = None) -> "Engines":
        """What the settings ask for. Raises ValueError with a readable message when the endpoint
        settings cannot be used. `api_key` None: read from the keyring (may be slow)."""
        if EngineName(getattr(settings, "engine", EngineName.OFFLINE)) is not EngineName.LLM:
            return cls(offline, health=health)
        from copilot import secrets
        from copilot.assist.llm.config import LLMConfig
        from copilot.assist.llm.engine import LLMEngine

        config = LLMConfig.from_settings(settings).validated()
        key = api_key if api_key is not None else secrets.get_api_key(config.base_url)
        llm = LLMEngine(config, offline.playbooks, key)
        llm.knowledge = getattr(offline, "knowledge", None)  # the team's knowledge stays with a new endpoint
        return cls(offline, llm, health)
