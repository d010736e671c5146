"""Streams LLM drafts into the draft panel, off the UI thread, and cancels work that went stale.

StreamingAssistPool is the AssistPool for engines that stream (the LLM engine behind its offline
fallback); for other engines it behaves exactly like AssistPool. Each job knows the chat and the
customer message it answers: a newer message, or the chat closing, makes it stale, and the job
stops at its next token (or retry wait) instead of finishing for nothing. At most MAX_STREAMS run
at once, so ten busy chats cannot open ten connections to a laptop's model server.

Tokens reach the UI thread at most every EMIT_EVERY seconds per job, as the draft so far: a
repaint per token for ten chats would be wasted work, and a whole-text update survives dropped
or coalesced signals. The panel shows a draft only once it is complete enough to act on.
"""
from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, QRunnable, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from copilot.assist.engine import Conversation
from copilot.assist.llm.errors import Cancelled
from copilot.assist.llm.fallback import FallbackEngine, engine_for, streams, suggest_streaming
from copilot.core.chat import Chat, Message
from copilot.core.suggestion import Diagnosis
from copilot.core.workspace import AssistMode
from copilot.ui.assist_pool import AssistPool

log = logging.getLogger(__name__)
MAX_STREAMS = 3
EMIT_EVERY = 0.04  # seconds between draft-so-far updates from one job (25 per second)


class _StreamSignals(QObject):
    text = Signal(str, int, str)  # chat id, message id, the draft so far
    fell_back = Signal(str)  # what failed, for the notice bar


class _StreamJob(QRunnable):
    def __init__(self, pool: "StreamingAssistPool", conversation: Conversation, category: str = "",
                 previous: Diagnosis | None = None):
        super().__init__()
        self.pool = pool
        self.conversation = conversation
        self.category = category
        self.previous = previous
        self._last_emit = 0.0

    def stale(self) -> bool:
        return self.pool.latest.get(self.conversation.chat_id) != self.conversation.message_id

    def _on_text(self, text: str) -> None:
        now = time.perf_counter()
        if now - self._last_emit >= EMIT_EVERY:
            self._last_emit = now
            self.pool.stream_signals.text.emit(self.conversation.chat_id, self.conversation.message_id, text)

    def run(self) -> None:
        conv = self.conversation
        if self.stale():
            return  # stale before it started: a newer message or a closed chat
        try:
            suggestion = suggest_streaming(self.pool.engine, conv, self.pool.clock.now, self._on_text, self.stale,
                                           self.category, self.previous)
        except Cancelled:
            return
        except Exception as exc:  # an engine failure must never take the app down
            log.exception("streaming assist failed on chat %s", conv.chat_id)
            self.pool.signals.failed.emit(conv.chat_id, conv.message_id, f"{type(exc).__name__}: {exc}")
            return
        if not self.stale():
            self.pool.signals.ready.emit(suggestion)


class StreamingAssistPool(AssistPool):
    draft_text = Signal(str, int, str)  # chat id, message id, the draft so far (UI thread, current work only)
    fallback_notice = Signal(str)  # the LLM failed and the offline engine answered: say so

    def __init__(self, engine, clock, max_threads: int = 2, parent: QObject | None = None):
        super().__init__(engine, clock, max_threads, parent)
        self.threads = max_threads  # for the offline engine: it only needs the CPU
        self.stream_signals = _StreamSignals()
        self.stream_signals.text.connect(self._text)
        self.stream_signals.fell_back.connect(self.fallback_notice)
        self.set_engine(engine)

    def set_engine(self, engine) -> None:
        """Swap engines mid-shift (settings changed). Work already running finishes on the old one."""
        self.engine = engine
        self.pool.setMaxThreadCount(MAX_STREAMS if streams(engine) else self.threads)
        if hasattr(engine, "on_fallback"):
            engine.on_fallback = self.stream_signals.fell_back.emit  # thread-safe: queued to the UI

    def request(self, chat: Chat, message: Message) -> None:
        if not streams(self.engine):
            return super().request(chat, message)
        self.latest[chat.id] = message.id  # anything older for this chat is now stale
        self.submit(_StreamJob(self, Conversation.of(chat, message)))

    def redraft(self, chat: Chat, message: Message, category: str) -> None:
        if not streams(self.engine):
            return super().redraft(chat, message, category)
        previous = self.diagnoses.get((chat.id, message.id))
        if previous is None:
            return
        self.latest[chat.id] = message.id
        self.submit(_StreamJob(self, Conversation.of(chat, message), category, previous))

    def cancel_all(self) -> None:
        """Everything running becomes stale and stops at its next token; nothing queued starts."""
        self.latest.clear()
        self.clear_pending()

    def _text(self, chat_id: str, message_id: int, text: str) -> None:
        if self.latest.get(chat_id) == message_id:
            self.draft_text.emit(chat_id, message_id, text)


LLM_FIELDS = ("engine", "llm_base_url", "llm_model", "llm_temperature", "llm_timeout", "llm_max_tokens",
              "llm_redact_remote")


class LLMHook:
    """What the Workbench needs for the LLM engine: the engine the settings ask for, drafts shown as
    they stream, fallback notices, and the "Model endpoint…" dialog. Built after the window."""

    def __init__(self, bench):
        self.bench = bench
        self.window, self.pool, self.workspace = bench.window, bench.pool, bench.session.workspace
        engine = bench.session.engine
        self.offline = engine.fallback if isinstance(engine, FallbackEngine) else engine
        self.streams: dict[str, tuple[int, str]] = {}  # chat id -> (message id, draft so far)
        self.pool.draft_text.connect(self._draft_text)
        self.pool.fallback_notice.connect(lambda text: self.window.notify(text, "warning"))
        self.pool.suggestion_ready.connect(lambda s: self.streams.pop(s.chat_id, None))
        self.pool.suggestion_failed.connect(lambda chat_id, *_: self.streams.pop(chat_id, None))
        bridge = self.window.bridge  # connected after the window's own handlers, so this runs last
        for signal in (bridge.focus_changed, bridge.chat_changed, bridge.suggestion_changed):
            signal.connect(self._reshow)
        self.action = QAction("Model &endpoint…", self.window)
        self.action.triggered.connect(self.edit)
        menus = [m for m in self.window.settings_action.associatedObjects() if isinstance(m, QMenu)]
        if menus:
            actions = menus[0].actions()
            after = actions.index(self.window.settings_action) + 1
            menus[0].insertAction(actions[after] if after < len(actions) else None, self.action)
        self.install(bench.settings)

    def install(self, settings) -> None:
        try:
            engine = engine_for(settings, self.offline)
        except ValueError as exc:
            self.window.notify(f"The model endpoint settings cannot be used ({exc}); the offline engine is used.")
            engine = self.offline
        self.bench.session.engine = engine
        self.pool.set_engine(engine)
        speed = self.bench.session.options.speed
        speed_text = f" ×{speed:g}" if speed != 1 else ""
        self.window.status_area.set_source_text(f"Simulator{speed_text} · {engine.name} engine")

    def apply(self, old, new) -> None:
        if any(getattr(old, f) != getattr(new, f) for f in LLM_FIELDS):
            self.install(new)

    def edit(self) -> None:
        from copilot.ui.llm_settings import LLMSettingsDialog

        dialog = LLMSettingsDialog(self.bench.settings, self.window)
        if dialog.exec() != LLMSettingsDialog.DialogCode.Accepted:
            return
        note = dialog.save_key()
        self.bench.apply_settings(dialog.result_settings())
        if note:
            self.window.notify(note, "warning")

    def close(self) -> None:
        self.pool.cancel_all()

    # ---- the draft as it is written ---------------------------------------------------------
    def _may_show(self, chat_id: str) -> bool:
        state = self.workspace.suggestion_for(chat_id)
        if state is not None:
            return state.redrafting  # diagnose-first: the agent picked, the draft is on its way
        return self.workspace.mode is AssistMode.AUTOMATIC  # other modes keep drafts back on purpose

    def _draft_text(self, chat_id: str, message_id: int, text: str) -> None:
        self.streams[chat_id] = (message_id, text)
        if chat_id == self.workspace.focused_id and self._may_show(chat_id):
            self.window.draft_panel.show_stream(text)

    def _reshow(self, _chat_id: str = "") -> None:
        """The window redrew the panel (focus, new message): put the focused chat's stream back."""
        chat_id = self.workspace.focused_id
        current = self.streams.get(chat_id) if chat_id else None
        if current and self.pool.latest.get(chat_id) == current[0] and self._may_show(chat_id):
            self.window.draft_panel.show_stream(current[1])
