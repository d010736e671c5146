"""A scripted agent works a shift on any chat source, without the window.

The same Workspace the window drives, with its suggestion coordinator running the assist work
inline (`run_now`: there is no UI thread to keep free here), and a ScriptedAgent deciding what to do
next. Used by the live-source tests and by `copilot selftest --source matrix|chatwoot`, where the
chats come from a real server. A reply the source reports as failed is retried after a pause, as an
agent clicking Retry would.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from copilot.core.events import Delivery
from copilot.core.workspace import Workspace
from copilot.selftest.policy import Action, ScriptedAgent

RETRY_PAUSE = 3.0  # seconds before the scripted agent clicks Retry on a failed reply


@dataclass
class ShiftReport:
    chats_opened: int = 0
    chats_ended: int = 0
    peak_concurrency: int = 0
    actions: Counter = field(default_factory=Counter)
    retries: int = 0
    undelivered_at_end: int = 0  # replies still not confirmed when the shift ended
    seconds: float = 0.0
    timed_out: bool = False
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"chats_opened": self.chats_opened, "chats_ended": self.chats_ended,
                "peak_concurrency": self.peak_concurrency, "actions": dict(self.actions), "retries": self.retries,
                "undelivered_at_end": self.undelivered_at_end, "seconds": round(self.seconds, 1),
                "timed_out": self.timed_out, "errors": self.errors}


def with_offline_suggestions(workspace: Workspace):
    """Attach a suggestion coordinator running the built-in offline engine inline (tests, benches).
    Returns the coordinator; the workspace keeps it alive through its listener."""
    from copilot.assist.coordinator import SuggestionCoordinator
    from copilot.assist.engines import DeferredOfflineEngine, Engines
    from copilot.core.jobs import run_now

    engines = Engines(DeferredOfflineEngine(None))
    workspace.categories = frozenset(engines.playbooks)
    return SuggestionCoordinator(workspace, engines, run_now)


class HeadlessShift:
    def __init__(self, workspace: Workspace, agent: ScriptedAgent, speed: float = 1.0, tick: float = 0.05):
        self.ws, self.agent = workspace, agent
        self.speed, self.tick = speed, tick
        self._failed_since: dict[tuple[str, int], float] = {}
        self.report = ShiftReport()

    def run(self, done: Callable[[Workspace], bool], deadline_seconds: float,
            between: Callable[[], None] | None = None, act: bool = True) -> ShiftReport:
        """Work until `done(workspace)` or the deadline; `between` runs once per tick (fault injection).
        act=False: only receive and retry (letting replies on their way land at the end of a shift)."""
        started = time.monotonic()
        act_at, pending = started, self.agent.next_action(self.ws)
        while not done(self.ws):
            if time.monotonic() - started > deadline_seconds:
                self.report.timed_out = True
                break
            self.ws.tick()  # suggestions are made as the messages arrive (the coordinator, inline)
            self._retry_failed()
            if between is not None:
                between()
            if act and time.monotonic() >= act_at:
                try:
                    self._perform(pending)
                except Exception as exc:  # the report says what went wrong; the shift goes on
                    self.report.errors.append(f"{pending.kind}: {exc!r}")
                pending = self.agent.next_action(self.ws)
                act_at = time.monotonic() + pending.seconds / self.speed
            time.sleep(self.tick)
        self.ws.tick()
        return self._finish(started)

    def _retry_failed(self) -> None:
        now = time.monotonic()
        for chat in self.ws.open_chats:
            for message_id, (state, _) in list(chat.delivery.items()):
                key = (chat.id, message_id)
                if state is not Delivery.FAILED:
                    self._failed_since.pop(key, None)
                    continue
                if now - self._failed_since.setdefault(key, now) >= RETRY_PAUSE / self.speed and self.ws.retry(*key):
                    self.report.retries += 1
                    self._failed_since.pop(key, None)

    def _perform(self, action: Action) -> None:
        ws, chat_id = self.ws, action.chat_id
        self.report.actions[action.kind] += 1
        if action.kind == "focus":
            ws.focus(chat_id)
        elif action.kind == "accept":
            ws.accept(chat_id)
        elif action.kind == "edit":
            if ws.start_edit(chat_id) is not None:
                ws.send(chat_id, action.text)
        elif action.kind == "reject":
            ws.reject(chat_id, action.text)
        elif action.kind == "reply":
            ws.send(chat_id, action.text)
        elif action.kind == "resolve":
            ws.end_chat(chat_id, resolved=True)

    def _finish(self, started: float) -> ShiftReport:
        report, ws = self.report, self.ws
        report.seconds = time.monotonic() - started
        report.chats_opened = len(ws.chats)
        report.chats_ended = sum(not chat.is_open for chat in ws.chats.values())
        report.peak_concurrency = ws.peak_concurrency
        report.undelivered_at_end = sum(len(chat.delivery) for chat in ws.chats.values())
        return report
