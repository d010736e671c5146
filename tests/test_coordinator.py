"""The suggestion coordinator (Qt-free, work run inline): which draft each chat gets, for every
engine setup — offline, an LLM, and an LLM that fails and falls back — and what it records."""
from __future__ import annotations

import pytest

from copilot.assist.coordinator import SuggestionCoordinator
from copilot.assist.engines import EndpointHealth, Engines
from copilot.assist.escalation import EscalationTracker
from copilot.assist.llm.errors import LLMError
from copilot.core.assist_state import AssistStatus
from copilot.core.clock import ManualClock
from copilot.core.jobs import Job, run_now
from copilot.core.modes import DraftKind, EngineName
from copilot.core.recorder import MemoryRecorder
from copilot.core.workspace import Workspace
from tests.fakes import EchoEngine, ScriptedSource

ANGRY = "This is ridiculous!! I'm cancelling my account and leaving a review everywhere."


class LLMEcho(EchoEngine):
    """Stands in for the LLM engine: its drafts say so, and it can be made to fail."""

    name = EngineName.LLM
    display_name = "llm:echo"

    def __init__(self, fail_diagnosis: bool = False, fail_draft: bool = False):
        super().__init__()
        self.fail_diagnosis, self.fail_draft = fail_diagnosis, fail_draft

    def diagnose(self, conversation, cancelled=None):
        if self.fail_diagnosis:
            raise LLMError("timeout", "The model endpoint did not answer within 1 s (test).")
        return super().diagnose(conversation)

    def write_draft(self, conversation, diagnosis, request, on_text=None, cancelled=None):
        if self.fail_draft:
            raise LLMError("interrupted", "The model endpoint stopped mid-reply (test).")
        draft = super().write_draft(conversation, diagnosis, request)
        if on_text is not None and draft is not None:
            on_text(draft.text[:5])
        return draft


SETUPS = {
    # name: (engines, engine that diagnoses, engine that drafts)
    "offline": (lambda: Engines(EchoEngine()), EngineName.OFFLINE, EngineName.OFFLINE),
    "llm": (lambda: Engines(EchoEngine(), LLMEcho()), EngineName.LLM, EngineName.LLM),
    "llm_draft_fails": (lambda: Engines(EchoEngine(), LLMEcho(fail_draft=True), EndpointHealth(cooldown=0)),
                        EngineName.LLM, EngineName.OFFLINE_FALLBACK),
    "llm_down": (lambda: Engines(EchoEngine(), LLMEcho(fail_diagnosis=True), EndpointHealth(cooldown=0)),
                 EngineName.OFFLINE_FALLBACK, EngineName.OFFLINE_FALLBACK),
}


class Setup:
    def __init__(self, engines: Engines):
        self.clock = ManualClock()
        self.source = ScriptedSource()
        self.recorder = MemoryRecorder()
        self.ws = Workspace(source=self.source, clock=self.clock, recorder=self.recorder,
                            escalations=EscalationTracker())
        self.coordinator = SuggestionCoordinator(self.ws, engines, run_now)

    def customer(self, chat_id: str, text: str):
        if chat_id not in self.ws.chats:
            self.source.open(chat_id, "Ulla Berg", self.clock.now())
        self.source.say(chat_id, text, self.clock.now())
        self.ws.tick()
        return self.ws.suggestion_for(chat_id).suggestion

    def shown(self):
        return [f for k, _, f in self.recorder.records if k == "suggestion_shown"]


@pytest.mark.parametrize("setup", SETUPS)
def test_calm_upset_and_picked_drafts_for_every_engine(setup):
    engines, diagnosed_by, drafted_by = SETUPS[setup]
    s = Setup(engines())
    calm = s.customer("calm", "my parcel is late")
    assert calm.draft_kind is DraftKind.ROUTINE
    assert (calm.diagnosis_engine, calm.draft_engine) == (diagnosed_by, drafted_by)
    upset = s.customer("upset", ANGRY)
    s.ws.focus("upset")  # shown to the agent (and logged) once it is in focus
    assert s.ws.chats["upset"].escalation.type == "emotional"
    assert upset.draft_kind is DraftKind.DEESCALATION, "an upset customer must get the de-escalation draft"
    assert upset.draft_engine is drafted_by and "sorry" in upset.draft.text.lower()
    # Every later message of the upset chat keeps getting the calming draft.
    again = s.customer("upset", "my order #48213 is late")
    assert again.draft_kind is DraftKind.DEESCALATION
    # The usage log names the engines and the draft kind of every suggestion shown.
    shown = s.shown()[-1]
    assert (shown["diagnosis_engine"], shown["draft_engine"], shown["draft_kind"]) == (
        again.diagnosis_engine.value, drafted_by.value, "deescalation")


@pytest.mark.parametrize("setup", SETUPS)
def test_the_agents_pick_after_no_matching_category_gets_its_own_draft(setup):
    engines, diagnosed_by, drafted_by = SETUPS[setup]
    built = engines()
    for engine in {id(e): e for e in (built.offline, built.primary)}.values():
        engine.confidence = 0.3  # the echo engine abstains below 0.5
    s = Setup(built)
    first = s.customer("c1", "can I pay my renewal with a gift card")
    assert first.diagnosis.abstained and first.draft is None
    assert s.ws.pick_category("c1", "payment_declined")
    picked = s.ws.suggestion_for("c1").suggestion
    assert picked.draft_kind is DraftKind.CHOSEN and picked.diagnosis.chosen_by_agent
    assert picked.diagnosis.best.category == "payment_declined" and picked.draft is not None
    assert picked.diagnosis.steps  # the chosen category's playbook steps, not the engine's guess's
    assert picked.diagnosis_engine is diagnosed_by and picked.draft_engine is drafted_by
    record = [f for k, _, f in s.recorder.records if k == "category_picked"][-1]
    assert record["chosen"] == "payment_declined" and record["suggestion_id"] == first.id


def test_a_failed_engine_says_so_once_in_the_chat_state():
    s = Setup(SETUPS["llm_down"][0]())
    s.customer("c1", "my parcel is late")
    state = s.ws.assist["c1"]
    assert state.status is AssistStatus.READY and "did not answer" in state.notice


def held_setup() -> tuple[Setup, list[Job]]:
    """A runner that keeps jobs until the test runs them, and a chat whose first message asked for one."""
    held: list[Job] = []
    s = Setup(Engines(EchoEngine()))
    s.coordinator.runner = lambda job: held.append(job) or run_now(Job(lambda c: None, "noop"))
    s.source.open("c1", "Ana", s.clock.now())
    s.source.say("c1", "my parcel is late", s.clock.now())
    s.ws.tick()
    return s, held


def test_work_for_an_older_message_never_reaches_the_chat():
    """The runner holds jobs (as the background helper does until its threads are free): the answer
    to the first message arrives after the second message; only the second's answer is shown."""
    s, held = held_setup()
    s.source.say("c1", "hello?? it was due monday", s.clock.now())
    s.ws.tick()
    assert len(held) == 2
    for job in reversed(held):  # the newer answer comes back first, then the stale one
        run_now(job)
    shown = s.ws.suggestion_for("c1").suggestion
    assert shown.message_id == s.ws.chats["c1"].last_customer_message.id
    assert s.ws.assist["c1"].status is AssistStatus.READY


def test_ending_a_chat_drops_its_work():
    s, held = held_setup()
    s.ws.end_chat("c1", resolved=False)
    run_now(held[0])
    assert s.ws.suggestion_for("c1") is None and s.ws.assist["c1"].status is AssistStatus.IDLE


def test_a_damaged_model_of_the_agents_own_falls_back_to_the_built_in_one(tmp_path):
    from copilot.assist.engines import DeferredOfflineEngine
    from copilot.assist.engine import Conversation, Turn
    from copilot.core.chat import Sender

    broken = tmp_path / "model"
    broken.mkdir()
    (broken / "model.json").write_text('{"format": "nonsense"}')
    (broken / "model.npz").write_bytes(b"PK\x03\x04 truncated")
    engine = DeferredOfflineEngine(broken)
    conversation = Conversation("c1", "Ana", (Turn(Sender.CUSTOMER, "my parcel is late", 0.0),), 1)
    assert engine.diagnose(conversation).best.category == "late_delivery"
    assert str(broken) in engine.note and "built-in model" in engine.note
