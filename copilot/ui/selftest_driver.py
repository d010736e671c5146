"""Drives the real main window with a scripted agent: clicks, key presses, typing.

The policy (Qt-free) decides; this driver waits the policy's time on the session clock and then
acts through the widgets a person would use, so the self-test exercises the real pipeline.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtTest import QTest

from copilot.selftest.policy import Action, ScriptedAgent
from copilot.ui.workbench import Workbench

STEP_MS = 20


class SelftestDriver(QObject):
    finished = Signal()

    def __init__(self, bench: Workbench, agent: ScriptedAgent, total_chats: int, deadline_seconds: float):
        super().__init__()
        self.bench = bench
        self.window = bench.window
        self.ws = bench.session.workspace
        self.agent = agent
        self.total_chats = total_chats
        self.deadline = time.monotonic() + deadline_seconds
        self.speed = bench.session.options.speed
        self.timed_out = False
        self.actions: dict[str, int] = {}
        self.errors: list[str] = []
        self._planned: Action | None = None
        self._planned_suggestion: int | None = None
        self._due = 0.0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._step)

    def start(self) -> None:
        self._timer.start(STEP_MS)

    def stop(self) -> None:
        self._timer.stop()

    def _done(self) -> bool:
        opened = len(self.ws.chats)
        return opened >= self.total_chats and not self.ws.open_chats

    def _step(self) -> None:
        self._act()
        # Wake exactly when the next planned action is due (in real time) rather than on the
        # next 20 ms tick: at 60x speed a tick is over a simulated second, longer than a passive
        # agent takes to accept.
        if self._planned is not None and self._timer.isActive():
            delay = (self._due - self.ws.clock.now()) / self.speed
            if 0 < delay < STEP_MS / 1000:
                QTimer.singleShot(max(1, int(delay * 1000)), self._act)

    def _act(self) -> None:
        if not self._timer.isActive():
            return
        if self._done() or time.monotonic() > self.deadline:
            self.timed_out = not self._done()
            self._timer.stop()
            self.finished.emit()
            return
        now = self.ws.clock.now()
        if now < self._due:
            return
        if self._planned is not None:
            action, self._planned = self._planned, None
            try:
                self._perform(action)
            except Exception as exc:  # keep going, but the summary will report it
                self.errors.append(f"{action.kind} on {action.chat_id}: {type(exc).__name__}: {exc}")
            return
        action = self.agent.next_action(self.ws)
        self._due = now + action.seconds
        if action.kind != "wait":
            self._planned = action
            state = self.ws.suggestion_for(action.chat_id)
            self._planned_suggestion = state.suggestion.id if state else None

    def _still_valid(self, action: Action) -> bool:
        """The chat may have moved on while the agent was reading: then the agent thinks again."""
        chat = self.ws.chats.get(action.chat_id)
        if chat is None or not chat.is_open:
            return False
        if action.kind in ("accept", "edit", "reject"):
            state = self.ws.suggestion_for(action.chat_id)
            return state is not None and state.suggestion.id == self._planned_suggestion and state.decision is None
        return True

    def _perform(self, action: Action) -> None:
        if not self._still_valid(action):
            return
        if action.chat_id != self.ws.focused_id and action.kind != "focus":
            self._click_chat(action.chat_id)
        w = self.window
        if action.kind == "focus":
            self._click_chat(action.chat_id)
        elif action.kind == "accept":
            QTest.mouseClick(w.draft_panel.accept_button, Qt.MouseButton.LeftButton)
        elif action.kind == "edit":
            QTest.mouseClick(w.draft_panel.edit_button, Qt.MouseButton.LeftButton)
            self._type(action.text, replace=True)
        elif action.kind == "reject":
            QTest.mouseClick(w.draft_panel.reject_button, Qt.MouseButton.LeftButton)
            menu = w.draft_panel.reasons_menu
            chosen = next(a for a in menu.actions() if a.text() == action.text)
            menu.close()
            chosen.trigger()
        elif action.kind == "reply":
            self._type(action.text, replace=True)
        elif action.kind == "resolve":
            QTest.mouseClick(w.resolve_button, Qt.MouseButton.LeftButton)
        self.actions[action.kind] = self.actions.get(action.kind, 0) + 1

    def _click_chat(self, chat_id: str) -> None:
        self.window.model.refresh()
        row = self.window.model.row_of(chat_id)
        if row < 0:
            return
        view = self.window.chat_list
        index = self.window.model.index(row)
        view.scrollTo(index)
        rect = view.visualRect(index)
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(rect.center()))
        if self.ws.focused_id != chat_id:  # the click missed (e.g. the list re-ranked under it)
            view.setCurrentIndex(index)

    def _type(self, text: str, replace: bool) -> None:
        composer = self.window.composer
        if replace:
            composer.clear()
        # Type the first characters as key presses (records the first keystroke), paste the rest.
        # QTest can only synthesise ASCII key presses.
        typed = 0
        while typed < min(8, len(text)) and text[typed].isascii() and text[typed].isprintable():
            typed += 1
        QTest.keyClicks(composer, text[:typed])
        composer.insertPlainText(text[typed:])
        QTest.keyClick(composer, Qt.Key.Key_Return)
