"""Streamed drafts in the real window: shown as they grow, cancelled when stale, bounded, with the
fallback notice, guard flags, and the Model endpoint dialog's off-thread connection test."""
from __future__ import annotations

import json
import threading
import time

import pytest

from copilot.assist.engines import EndpointHealth, Engines
from copilot.assist.llm.errors import Cancelled, LLMError
from copilot.assist.llm.guard import CheckedDraft
from copilot.core.modes import AssistMode, DraftKind, EngineName
from copilot.settings import Settings
from copilot.ui.app import application
from copilot.ui.background import Background
from copilot.ui.workbench import ASSIST_THREADS
from tests.fakes import EchoEngine
from tests.llm_fake_server import FakeOpenAI
from tests.window_harness import Harness


class StreamingEcho(EchoEngine):
    """Streams its draft a word at a time; each word waits for `gate` when one is set."""

    name = EngineName.LLM
    display_name = "llm:fake"

    def __init__(self, words=("Thanks", "Ana,", "checking", "now."), flags=(), fail: LLMError | None = None):
        super().__init__()
        self.words, self.flags, self.fail = words, flags, fail
        self.gate: threading.Semaphore | None = None
        self.cancelled_runs = 0
        self.running = 0
        self.peak = 0
        self.kinds: list[DraftKind] = []
        self.lock = threading.Lock()

    def write_draft(self, conversation, diagnosis, request, on_text=None, cancelled=lambda: False):
        self.kinds.append(request.kind)
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
                time.sleep(0.05)  # longer than a frame: every word is shown
            return CheckedDraft(text, diagnosis.best.category, self.flags)
        finally:
            with self.lock:
                self.running -= 1


@pytest.fixture
def make(qtbot):
    made = []

    def build(engine, mode=AssistMode.AUTOMATIC, offline=None):
        engines = Engines(offline or EchoEngine(), engine, EndpointHealth(cooldown=0))
        h = Harness(qtbot, engine, mode, engines=engines)
        h.background.set_lane_size("assist", ASSIST_THREADS[EngineName.LLM])
        h.panel = h.window.draft_panel
        made.append(h)
        return h

    yield build
    for h in made:
        h.close()


def ready_for(h, chat_id: str) -> bool:
    return h.settled(chat_id) and h.ws.suggestion_for(chat_id) is not None


def test_the_draft_appears_as_it_streams_and_can_be_accepted_only_when_whole(make):
    engine = StreamingEcho()
    engine.gate = threading.Semaphore(0)
    h = make(engine)
    h.customer("c1", "My parcel is late", wait_for_suggestion=False)
    engine.gate.release(2)
    h.qtbot.waitUntil(lambda: h.panel.text.toPlainText() == "Thanks Ana,", timeout=3000)
    assert not h.panel.accept_button.isEnabled() and "Writing the draft" in h.panel.status.text()
    engine.gate.release(2)
    h.qtbot.waitUntil(lambda: ready_for(h, "c1"), timeout=3000)
    assert h.panel.text.toPlainText() == "Thanks Ana, checking now." and h.panel.accept_button.isEnabled()
    assert h.ws.accept("c1") is not None  # only the agent sends


def test_a_newer_message_cancels_the_stream_and_its_text_never_returns(make):
    engine = StreamingEcho()
    engine.gate = threading.Semaphore(0)
    h = make(engine)
    h.customer("c1", "My parcel is late", wait_for_suggestion=False)
    engine.gate.release(1)
    h.qtbot.waitUntil(lambda: h.panel.text.toPlainText() == "Thanks", timeout=3000)
    h.customer("c1", "Also it's order #48213", wait_for_suggestion=False)  # the first stream is stale now
    h.qtbot.waitUntil(lambda: engine.cancelled_runs == 1, timeout=3000)
    engine.gate.release(10)
    h.qtbot.waitUntil(lambda: ready_for(h, "c1"), timeout=3000)
    assert h.ws.suggestion_for("c1").suggestion.message_id == h.ws.chats["c1"].last_customer_message.id
    assert h.panel.text.toPlainText() == "Thanks Ana, checking now."


def test_closing_the_chat_stops_its_stream(make):
    engine = StreamingEcho()
    engine.gate = threading.Semaphore(0)
    h = make(engine)
    h.customer("c1", "My parcel is late", wait_for_suggestion=False)
    h.qtbot.waitUntil(lambda: engine.running == 1, timeout=3000)
    h.window.end_chat(resolved=False)
    h.qtbot.waitUntil(lambda: engine.cancelled_runs == 1 and engine.running == 0, timeout=3000)


def test_streams_are_bounded(make):
    engine = StreamingEcho()
    engine.gate = threading.Semaphore(0)
    h = make(engine)
    bound = ASSIST_THREADS[EngineName.LLM]
    for i in range(bound + 3):
        h.customer(f"c{i}", "My parcel is late", wait_for_suggestion=False)
    h.qtbot.waitUntil(lambda: engine.running == bound, timeout=3000)
    engine.gate.release(100)
    h.qtbot.waitUntil(lambda: len(h.ws.suggestions) == bound + 3, timeout=10000)
    assert engine.peak == bound


def test_failure_shows_the_offline_suggestion_and_a_notice(make):
    failing = StreamingEcho(fail=LLMError("timeout", "The model endpoint did not answer within 5 s (x)."))
    h = make(failing)
    h.customer("c1", "My parcel is late")
    suggestion = h.ws.suggestion_for("c1").suggestion
    assert suggestion.engine == "echo (fallback)" and suggestion.draft_engine is EngineName.OFFLINE_FALLBACK
    h.qtbot.waitUntil(lambda: h.window.notice_bar.isVisible(), timeout=2000)
    assert "did not answer within 5 s" in h.window.notice_bar.text.text()
    assert h.panel.text.toPlainText().startswith("Reply to a") and h.panel.accept_button.isEnabled()


def test_upset_customers_get_the_deescalation_draft_from_the_llm(make):
    """The bug behind issue 11: with a streaming engine, the de-escalation choice was skipped."""
    engine = StreamingEcho()
    h = make(engine)
    h.customer("c1", "This is ridiculous!! I'm cancelling my account and leaving a review everywhere.")
    assert h.ws.chats["c1"].escalation.type == "emotional"
    suggestion = h.ws.suggestion_for("c1").suggestion
    assert engine.kinds == [DraftKind.DEESCALATION]
    assert suggestion.draft_kind is DraftKind.DEESCALATION and suggestion.draft_engine is EngineName.LLM


def test_guard_flags_are_shown_with_the_draft(make):
    h = make(StreamingEcho(flags=("Offers a refund, which the Late delivery playbook does not allow.",)))
    h.customer("c1", "My parcel is late")
    assert h.panel.flags_label.isVisible() and "Offers a refund" in h.panel.flags_label.text()
    h.ws.accept("c1")
    assert not h.panel.flags_label.isVisible()


def test_diagnose_first_keeps_the_stream_hidden_until_the_agent_picks(make):
    engine = StreamingEcho()
    h = make(engine, AssistMode.DIAGNOSE_FIRST)
    h.customer("c1", "My parcel is late")
    assert h.panel.text.toPlainText() == ""  # streamed, but not shown: the agent decides first
    h.ws.confirm_diagnosis("c1", "damaged_item")  # a different category: a redraft streams
    h.qtbot.waitUntil(lambda: h.ws.suggestion_for("c1").suggestion.diagnosis.chosen_by_agent, timeout=3000)
    assert h.panel.text.toPlainText() == "Thanks Ana, checking now."
    assert engine.kinds == [DraftKind.ROUTINE, DraftKind.CHOSEN]


@pytest.mark.parametrize("behaviour,expect", [(("json", "OK"), "✓ Connected"),
                                              (("hang", 10), "✗ The model endpoint did not answer within 1 s")])
def test_test_connection_runs_off_the_ui_thread(qtbot, behaviour, expect):
    from copilot.ui.llm_settings import LLMSettingsDialog

    application()
    server = FakeOpenAI()
    server.default = behaviour
    try:
        dialog = LLMSettingsDialog(Settings(llm_base_url=server.base_url, llm_timeout=1.0), Background())
        qtbot.addWidget(dialog)
        started = time.monotonic()
        dialog.test_button.click()
        assert time.monotonic() - started < 0.5  # the click returns at once: the test runs elsewhere
        assert not dialog.test_button.isEnabled() and "Testing" in dialog.test_result.text()
        qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=15000)
        assert dialog.test_result.text().startswith(expect), dialog.test_result.text()
    finally:
        server.close()


def test_dialog_settings_round_trip_and_engine_swap(qtbot, tmp_path):
    from copilot.session import SessionOptions
    from copilot.ui.llm_settings import LLMSettingsDialog
    from copilot.ui.workbench import Workbench

    application()
    bench = Workbench(SessionOptions(agent="ana", seed=1, usage_log=tmp_path / "usage.sqlite"))
    qtbot.addWidget(bench.window)
    dialog = LLMSettingsDialog(Settings(), bench.background)
    qtbot.addWidget(dialog)
    dialog.llm_button.setChecked(True)
    dialog.base_url.setText("http://127.0.0.1:9/v1")
    dialog.model.setText("smol")
    dialog.timeout.setValue(7)
    result = dialog.result_settings()
    assert (result.engine, result.llm_base_url, result.llm_model, result.llm_timeout) == (
        "llm", "http://127.0.0.1:9/v1", "smol", 7.0)
    assert json.dumps(result.__dict__)  # plain data: nothing secret can hide in it
    bench.apply_settings(result)
    qtbot.waitUntil(lambda: bench.session.engines.configured is EngineName.LLM, timeout=5000)
    assert bench.session.coordinator.engines.label == "llm:smol"
    assert bench.background.lane_size("assist") == ASSIST_THREADS[EngineName.LLM]
    assert "llm:smol engine" in bench.window.status_area.source.text()
    bench.close()
    import sqlite3

    rows = sqlite3.connect(tmp_path / "usage.sqlite").execute(
        "SELECT fields FROM events WHERE kind = 'engine_changed'").fetchall()
    assert [json.loads(r[0])["engine"] for r in rows] == ["llm"]
