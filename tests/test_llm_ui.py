"""Streamed drafts in the real window: shown as they grow, cancelled when stale, bounded, with the
fallback notice, guard flags, and the Model endpoint dialog's off-thread connection test."""
from __future__ import annotations

import json
import threading
import time
from types import SimpleNamespace

import pytest

from copilot.assist.llm.errors import Cancelled, LLMError
from copilot.assist.llm.fallback import FallbackEngine
from copilot.assist.llm.guard import CheckedDraft
from copilot.core.clock import ManualClock
from copilot.core.recorder import MemoryRecorder
from copilot.core.workspace import AssistMode, Workspace
from copilot.settings import Settings
from copilot.ui.app import application
from copilot.ui.main_window import MainWindow
from copilot.ui.streaming import MAX_STREAMS, LLMHook, StreamingAssistPool
from tests.fakes import EchoEngine, ScriptedSource
from tests.llm_fake_server import FakeOpenAI


class StreamingEcho(EchoEngine):
    """Streams its draft a word at a time; each word waits for `gate` when one is set."""

    name = "llm:fake"

    def __init__(self, words=("Thanks", "Ana,", "checking", "now."), flags=(), fail: LLMError | None = None):
        super().__init__()
        self.words, self.flags, self.fail = words, flags, fail
        self.gate: threading.Semaphore | None = None
        self.cancelled_runs = 0
        self.running = 0
        self.peak = 0
        self.lock = threading.Lock()

    def diagnose(self, conversation, cancelled=None):
        return super().diagnose(conversation)

    def stream_draft(self, conversation, diagnosis, on_text=None, cancelled=lambda: False):
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            text = ""
            for word in self.words:
                if self.gate is not None:
                    while not self.gate.acquire(timeout=0.02):
                        if cancelled():
                            break
                if cancelled():
                    self.cancelled_runs += 1
                    raise Cancelled()
                if self.fail is not None:
                    raise self.fail
                text = f"{text} {word}".strip()
                if on_text:
                    on_text(text)
                time.sleep(0.05)  # longer than the emit throttle: every word is shown
            return CheckedDraft(text, diagnosis.best.category, self.flags)
        finally:
            with self.lock:
                self.running -= 1


class Harness:
    def __init__(self, qtbot, engine, mode=AssistMode.AUTOMATIC):
        application()
        self.qtbot = qtbot
        self.clock = ManualClock()
        self.source = ScriptedSource()
        self.engine = engine
        self.ws = Workspace(source=self.source, clock=self.clock, recorder=MemoryRecorder(), mode=mode)
        self.pool = StreamingAssistPool(engine, self.clock)
        self.ws.request_suggestion = self.pool.request
        self.ws.request_redraft = self.pool.redraft
        self.window = MainWindow(self.ws, self.pool)
        qtbot.addWidget(self.window)
        self.bench = SimpleNamespace(window=self.window, pool=self.pool, settings=Settings(),
                                     session=SimpleNamespace(workspace=self.ws, engine=engine,
                                                             options=SimpleNamespace(speed=1.0)))
        self.hook = LLMHook(self.bench)
        self.pool.set_engine(engine)  # the settings say "offline": put the engine under test back
        self.window.show()

    def customer(self, chat_id, text):
        if chat_id not in self.ws.chats:
            self.source.open(chat_id, "Ana Silva", self.clock.now())
        self.source.say(chat_id, text, self.clock.now())
        self.ws.tick()

    @property
    def panel(self):
        return self.window.draft_panel


@pytest.fixture
def make(qtbot):
    made = []

    def build(engine, mode=AssistMode.AUTOMATIC):
        made.append(Harness(qtbot, engine, mode))
        return made[-1]

    yield build
    for h in made:
        h.hook.close()
        h.pool.wait_idle(5000)


def test_the_draft_appears_as_it_streams_and_can_be_accepted_only_when_whole(make):
    engine = StreamingEcho()
    engine.gate = threading.Semaphore(0)
    h = make(engine)
    h.customer("c1", "My parcel is late")
    engine.gate.release(2)
    h.qtbot.waitUntil(lambda: h.panel.text.toPlainText() == "Thanks Ana,", timeout=3000)
    assert not h.panel.accept_button.isEnabled() and "Writing the draft" in h.panel.status.text()
    engine.gate.release(2)
    with h.qtbot.waitSignal(h.pool.suggestion_ready, timeout=3000):
        pass
    assert h.panel.text.toPlainText() == "Thanks Ana, checking now." and h.panel.accept_button.isEnabled()
    assert h.ws.accept("c1") is not None  # only the agent sends


def test_a_newer_message_cancels_the_stream_and_its_text_never_returns(make):
    engine = StreamingEcho()
    engine.gate = threading.Semaphore(0)
    h = make(engine)
    h.customer("c1", "My parcel is late")
    engine.gate.release(1)
    h.qtbot.waitUntil(lambda: h.panel.text.toPlainText() == "Thanks", timeout=3000)
    h.customer("c1", "Also it's order #48213")  # the first stream is stale now
    h.qtbot.waitUntil(lambda: engine.cancelled_runs == 1, timeout=3000)
    engine.gate.release(10)
    with h.qtbot.waitSignal(h.pool.suggestion_ready, timeout=3000) as ready:
        pass
    assert ready.args[0].message_id == h.ws.chats["c1"].last_customer_message.id
    assert h.panel.text.toPlainText() == "Thanks Ana, checking now."


def test_closing_the_chat_stops_its_stream(make):
    engine = StreamingEcho()
    engine.gate = threading.Semaphore(0)
    h = make(engine)
    h.customer("c1", "My parcel is late")
    h.qtbot.waitUntil(lambda: engine.running == 1, timeout=3000)
    h.window.end_chat(resolved=False)
    h.qtbot.waitUntil(lambda: engine.cancelled_runs == 1 and engine.running == 0, timeout=3000)


def test_at_most_three_streams_run_at_once(make):
    engine = StreamingEcho()
    engine.gate = threading.Semaphore(0)
    h = make(engine)
    assert h.pool.pool.maxThreadCount() == MAX_STREAMS == 3
    for i in range(6):
        h.customer(f"c{i}", "My parcel is late")
    h.qtbot.waitUntil(lambda: engine.running == 3, timeout=3000)
    engine.gate.release(100)
    h.qtbot.waitUntil(lambda: len(h.ws.suggestions) == 6, timeout=10000)
    assert engine.peak == 3


def test_failure_shows_the_offline_suggestion_and_a_notice(make):
    failing = StreamingEcho(fail=LLMError("timeout", "The model endpoint did not answer within 5 s (x)."))
    offline = EchoEngine()
    offline.name = "offline"
    h = make(FallbackEngine(failing, offline, cooldown=0))
    with h.qtbot.waitSignal(h.pool.suggestion_ready, timeout=3000) as ready:
        h.customer("c1", "My parcel is late")
    assert ready.args[0].engine == "offline (fallback)"
    h.qtbot.waitUntil(lambda: h.window.notice_bar.isVisible(), timeout=2000)
    assert "did not answer within 5 s" in h.window.notice_bar.text.text()
    assert h.panel.text.toPlainText().startswith("Reply to a") and h.panel.accept_button.isEnabled()


def test_guard_flags_are_shown_with_the_draft(make):
    h = make(StreamingEcho(flags=("Offers a refund, which the Late delivery playbook does not allow.",)))
    with h.qtbot.waitSignal(h.pool.suggestion_ready, timeout=3000):
        h.customer("c1", "My parcel is late")
    assert h.panel.flags_label.isVisible() and "Offers a refund" in h.panel.flags_label.text()
    h.ws.accept("c1")
    assert not h.panel.flags_label.isVisible()


def test_diagnose_first_keeps_the_stream_hidden_until_the_agent_picks(make):
    engine = StreamingEcho()
    h = make(engine, AssistMode.DIAGNOSE_FIRST)
    with h.qtbot.waitSignal(h.pool.suggestion_ready, timeout=3000):
        h.customer("c1", "My parcel is late")
    assert h.panel.text.toPlainText() == ""  # streamed, but not shown: the agent decides first
    with h.qtbot.waitSignal(h.pool.suggestion_ready, timeout=3000):
        h.ws.confirm_diagnosis("c1", "damaged_item")  # a different category: a redraft streams
    assert h.panel.text.toPlainText() == "Thanks Ana, checking now."


@pytest.mark.parametrize("behaviour,expect", [(("json", "OK"), "✓ Connected"),
                                              (("hang", 10), "✗ The model endpoint did not answer within 1 s")])
def test_test_connection_runs_off_the_ui_thread(qtbot, behaviour, expect):
    from copilot.ui.llm_settings import LLMSettingsDialog

    application()
    server = FakeOpenAI()
    server.default = behaviour
    try:
        dialog = LLMSettingsDialog(Settings(llm_base_url=server.base_url, llm_timeout=1.0))
        qtbot.addWidget(dialog)
        started = time.monotonic()
        dialog.test_button.click()
        assert time.monotonic() - started < 0.5  # the click returns at once: the test runs elsewhere
        assert not dialog.test_button.isEnabled() and "Testing" in dialog.test_result.text()
        qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15000)
        assert dialog.test_result.text().startswith(expect), dialog.test_result.text()
    finally:
        server.close()


def test_dialog_settings_round_trip_and_engine_swap(make, monkeypatch):
    from copilot.ui.llm_settings import LLMSettingsDialog

    h = make(StreamingEcho())
    dialog = LLMSettingsDialog(Settings())
    h.qtbot.addWidget(dialog)
    dialog.llm_button.setChecked(True)
    dialog.base_url.setText("http://127.0.0.1:9/v1")
    dialog.model.setText("smol")
    dialog.timeout.setValue(7)
    result = dialog.result_settings()
    assert (result.engine, result.llm_base_url, result.llm_model, result.llm_timeout) == (
        "llm", "http://127.0.0.1:9/v1", "smol", 7.0)
    assert json.dumps(result.__dict__)  # plain data: nothing secret can hide in it
    from copilot.assist.offline import OfflineEngine

    h.hook.offline = OfflineEngine.load_default()
    h.hook.apply(h.bench.settings, result)
    assert isinstance(h.pool.engine, FallbackEngine) and h.pool.engine.name == "llm:smol"
