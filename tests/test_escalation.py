"""Scenario-driven: every shipped scenario is played through the simulator and the real workspace,
with the offline engine and the frustration score, and the escalation tracker must find each
scripted escalation within one customer message of the scripted moment, with the right type,
and nothing in the scenarios that never escalate. Precision and recall are printed and written
to escalation_summary.json (in pytest's temp folder, or $COPILOT_ESCALATION_SUMMARY).
"""
from __future__ import annotations

import json
import os
import statistics
from pathlib import Path

import pytest

from copilot.assist import frustration
from copilot.assist.escalation import EscalationTracker, escalation_effort
from copilot.assist.escalation.scoring import Detected, score
from copilot.assist.offline import OfflineEngine
from copilot.core.chat import Sender
from copilot.core.clock import ManualClock
from copilot.core.changes import Change
from copilot.core.workspace import Workspace
from copilot.sources import Simulator, SimulatorConfig, load_scenarios
from tests.fakes import make

REPLY_DELAY = 4.0  # the scripted agent answers each customer message after this many seconds
UNHELPFUL = "Our store opens at 9am on weekdays."
# Misses explained by something other than the detector, (scenario, type) -> why.
KNOWN_MISSES: dict[tuple[str, str], str] = {
    # Since the engine shows calibrated confidence and abstains below its threshold (issue 12), it is
    # about 50 % sure of this angry opening ("SECOND time ... Reality: no parcel") and abstains on
    # the bare order-number reply, so the needs-human rule never sees two confident diagnoses in a
    # row. The chat's emotional escalation at message 1 is still found.
    ("delivery_not_received_angry_repeat", "technical"): "engine about 50 % sure: abstains on the reply",
}


@pytest.fixture(scope="module")
def scenarios():
    loaded, problems = load_scenarios()
    assert problems == []
    return loaded


@pytest.fixture(scope="module")
def engine():
    return OfflineEngine.load_default()


def play(scenario_id, scenarios, engine, agent="hint", seconds=600.0):
    """One chat of `scenario_id`, start to end. Returns (simulator, chat id, workspace, tracker, detections).

    The agent is scripted: "hint" answers with the simulator's hint_reply (the moves that solve the
    chat), "unhelpful" answers every message with something beside the point. The tracker is fed as
    the app feeds it: when a customer message arrives (text-only triggers) and again when its
    suggestion (diagnosis) is offered.
    """
    clock = ManualClock(0.0)
    sim = Simulator(scenarios, SimulatorConfig(seed=4, total_chats=1, scenario_ids=(scenario_id,)))
    tracker, detections, due = EscalationTracker(), [], []

    def note(chat, found):
        for esc in found:
            index = [m.id for m in chat.messages if m.sender is Sender.CUSTOMER].index(esc.message_id) + 1
            detections.append((esc, index))

    def on_customer_message(change, chat_id):
        if change is not Change.CUSTOMER_MESSAGE:
            return
        chat = workspace.chats[chat_id]
        note(chat, tracker.observe(chat.id, chat.messages, now=clock.now()))
        suggestion = make(engine, chat, clock.now())
        if workspace.offer_suggestion(suggestion):
            note(chat, tracker.observe(chat.id, chat.messages, suggestion.diagnosis, now=clock.now()))
        due.append((chat.id, clock.now() + REPLY_DELAY))

    workspace = Workspace(source=sim, clock=clock, frustration_scorer=frustration.score)
    workspace.subscribe(on_customer_message)
    while clock.now() < seconds:
        now = clock.advance(0.5)
        for chat_id, at in [d for d in due if d[1] <= now]:
            due.remove((chat_id, at))
            if chat_id in sim.open_chat_ids() and workspace.chats[chat_id].is_open:
                workspace.send(chat_id, sim.hint_reply(chat_id) if agent == "hint" else UNHELPFUL)
        workspace.tick()
        if workspace.chats and not workspace.open_chats:
            break
    (chat_id,) = workspace.chats
    return sim, chat_id, workspace, tracker, detections


@pytest.fixture(scope="module")
def played(scenarios, engine):
    return {s.id: play(s.id, scenarios, engine) for s in scenarios}


@pytest.fixture(scope="module")
def result(scenarios, played):
    scripted, detected = {}, []
    for scenario in scenarios:
        sim, chat_id, _, _, detections = played[scenario.id]
        scripted[scenario.id] = sim.scenario_of(chat_id).escalations
        detected += [Detected(scenario.id, esc.type.value, index, esc.trigger, scenario.id)
                     for esc, index in detections]
    return score(scripted, detected)


def effort_summary(played):
    """Effort after each detected escalation, by type. With a scripted agent these only show the
    measurement works end to end (4 s replies by construction), not how people handle escalations."""
    rows = {}
    for sim, chat_id, workspace, tracker, _ in played.values():
        for esc in tracker.escalations(chat_id):
            rows.setdefault(esc.type.value, []).append(escalation_effort(workspace.chats[chat_id].messages, esc.ts))
    return {kind: {"escalations": len(efforts),
                   "mean_seconds_to_intervene": round(statistics.fmean(
                       e.seconds_to_intervene for e in efforts if e.seconds_to_intervene is not None), 2),
                   "mean_agent_messages": round(statistics.fmean(e.agent_messages for e in efforts), 2),
                   "mean_agent_share": round(statistics.fmean(e.agent_share or 0.0 for e in efforts), 3),
                   "mean_questions": round(statistics.fmean(e.questions for e in efforts), 2),
                   "mean_solutions": round(statistics.fmean(e.solutions for e in efforts), 2)}
            for kind, efforts in sorted(rows.items())}


def test_the_scripted_agent_still_resolves_every_scenario(scenarios, played):
    for scenario in scenarios:
        sim, chat_id, *_ = played[scenario.id]
        assert sim.outcome(chat_id).resolved_correctly, scenario.id


def test_each_scripted_escalation_is_found_in_time_with_its_type(result):
    missed = {(label, kind) for label, kind, _ in result.missed}
    assert missed <= set(KNOWN_MISSES), missed - set(KNOWN_MISSES)
    assert result.recall >= 0.9


def test_scenarios_that_never_escalate_raise_nothing(scenarios, result):
    calm = {s.id for s in scenarios if not s.escalations}
    assert [d for d in result.false_alarms if d.chat_id in calm] == []
    assert result.false_alarms == []  # nor a second, wrong-type escalation in the escalating ones


def test_precision_and_recall_are_reported(scenarios, played, result, tmp_path_factory):
    summary = result.summary()
    summary["effort_with_the_scripted_agent"] = effort_summary(played)
    summary["scenarios"] = len(scenarios)
    summary["escalating_scenarios"] = sum(bool(s.escalations) for s in scenarios)
    text = json.dumps(summary, indent=2)
    target = os.environ.get("COPILOT_ESCALATION_SUMMARY")
    path = Path(target) if target else tmp_path_factory.getbasetemp() / "escalation_summary.json"
    path.write_text(text, encoding="utf-8")
    overall = summary["overall"]
    print(f"\nescalations over {len(scenarios)} scenarios: precision {overall['precision']}, recall {overall['recall']}"
          f" ({overall['matched']} of {overall['scripted']} scripted, {overall['detected']} detected); {path}")
    assert overall["scripted"] >= 18
    assert summary["emotional"]["scripted"] >= 4 and summary["technical"]["scripted"] >= 12


def test_escalations_carry_a_trigger_in_words_and_the_time_they_were_seen(scenarios, played):
    sim, chat_id, workspace, tracker, detections = played["late_delivery_dispute_threat"]
    (esc, index), = detections
    assert index == 3 and esc.type.value == "emotional" and esc.reason == "threat"
    assert "threatens to charge back" in esc.trigger and "disputing the charge" in esc.trigger
    message = next(m for m in workspace.chats[chat_id].messages if m.id == esc.message_id)
    assert message.ts <= esc.ts < message.ts + 0.5  # seen at the poll that delivered the message
    assert tracker.current(chat_id) == esc
    assert tracker.escalated_since(chat_id) == esc.ts


def test_an_unhelpful_agent_gets_every_chat_escalated_before_the_customer_gives_up(scenarios, engine):
    """Independent of the scenario labels: the customers' default complaints (copilot/sources/lines.py)
    must raise an escalation before their last message, and angry customers an emotional one."""
    for scenario in scenarios:
        sim, chat_id, workspace, tracker, detections = play(scenario.id, scenarios, engine, agent="unhelpful")
        assert sim.outcome(chat_id).customer_left_unhappy, scenario.id
        said = sum(m.sender is Sender.CUSTOMER for m in workspace.chats[chat_id].messages)
        assert min(index for _, index in detections) < said, scenario.id
        if scenario.persona.style == "angry":
            emotional = [index for esc, index in detections if esc.type.value == "emotional"]
            assert emotional and emotional[0] < said, scenario.id
