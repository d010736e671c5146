"""The real main window over a scripted source and a simple engine, wired as the Workbench wires
the app (workspace → coordinator on the background helper → window), for pytest-qt tests."""
from __future__ import annotations

from copilot.assist.coordinator import SuggestionCoordinator
from copilot.assist.engines import Engines
from copilot.assist.escalation import EscalationTracker
from copilot.core.assist_state import AssistStatus
from copilot.core.clock import ManualClock
from copilot.core.modes import AssistMode
from copilot.core.recorder import MemoryRecorder
from copilot.core.workspace import Workspace
from copilot.ui.app import application
from copilot.ui.background import Background
from copilot.ui.main_window import MainWindow
from tests.fakes import EchoEngine, ScriptedSource


class Harness:
    def __init__(self, qtbot, engine=None, mode: AssistMode = AssistMode.AUTOMATIC, engines: Engines | None = None):
        application()
        self.qtbot = qtbot
        self.clock = ManualClock()
        self.source = ScriptedSource()
        self.recorder = MemoryRecorder()
        self.engine = engine or EchoEngine()
        self.ws = Workspace(source=self.source, clock=self.clock, recorder=self.recorder, mode=mode,
                            escalations=EscalationTracker())
        self.background = Background()
        self.engines = engines or Engines(self.engine)
        self.coordinator = SuggestionCoordinator(self.ws, self.engines, self.background)
        self.window = MainWindow(self.ws)
        self.background.failed.connect(lambda text: self.window.notify(text, "warning"))
        qtbot.addWidget(self.window)
        self.window.show()

    def settled(self, chat_id: str) -> bool:
        """The assistant has finished with the chat's latest customer message (or failed on it)."""
        chat = self.ws.chats.get(chat_id)
        state = self.ws.assist.get(chat_id)
        latest = chat.last_customer_message if chat else None
        return (state is not None and latest is not None and state.message_id == latest.id
                and state.status in (AssistStatus.READY, AssistStatus.FAILED))

    def customer(self, chat_id: str, text: str, name: str = "Ana Silva", wait_for_suggestion: bool = True):
        if chat_id not in self.ws.chats:
            self.source.open(chat_id, name, self.clock.now())
        self.source.say(chat_id, text, self.clock.now())
        self.ws.tick()
        if wait_for_suggestion:
            self.qtbot.waitUntil(lambda: self.settled(chat_id), timeout=5000)

    def decisions(self):
        return [f for k, _, f in self.recorder.records if k == "decision"]

    def close(self) -> None:
        self.coordinator.cancel_all()
        self.background.wait_idle(5000)
