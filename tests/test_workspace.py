"""The Qt-free workspace: chats, focus, suggestions tied to messages, decisions, and what gets recorded."""
from __future__ import annotations

import json

import pytest
from sqlite_utils import Database

from copilot.core.chat import ChatStatus
from copilot.core.clock import ManualClock
from copilot.core.edit_distance import normalised_edit_distance
from copilot.core.events import CustomerLeft
from copilot.core.recorder import MemoryRecorder
from copilot.core.suggestion import DecisionKind
from copilot.core.workspace import Workspace
from copilot.usage import UsageLog
from copilot.core.changes import Change
from tests.fakes import EchoEngine, ScriptedSource, make


@pytest.fixture
def setup():
    clock = ManualClock()
    source = ScriptedSource()
    recorder = MemoryRecorder()
    requests = []
    ws = Workspace(source=source, clock=clock, recorder=recorder)
    ws.subscribe(lambda change, chat_id: requests.append((chat_id, ws.chats[chat_id].last_customer_message.id))
                 if change is Change.CUSTOMER_MESSAGE else None)
    return ws, source, clock, recorder, requests


def answer(ws: Workspace, chat_id: str, engine=None):
    return make(engine or EchoEngine(), ws.chats[chat_id], ws.clock.now())


def open_chat(ws, source, clock, chat_id="c1", text="My parcel is late"):
    source.open(chat_id, "Ana", clock.now())
    source.say(chat_id, text, clock.now())
    ws.tick()


def test_first_chat_gets_focus_and_asks_for_a_suggestion(setup):
    ws, source, clock, recorder, requests = setup
    open_chat(ws, source, clock)
    assert ws.focused_id == "c1"
    assert requests == [("c1", ws.chats["c1"].last_customer_message.id)]
    assert recorder.kinds()[:3] == ["chat_opened", "focus", "message"]


def test_unfocused_chat_counts_unread_and_focus_clears_it(setup):
    ws, source, clock, _, _ = setup
    open_chat(ws, source, clock, "c1")
    open_chat(ws, source, clock, "c2", "hello?")
    assert ws.chats["c2"].unread == 1
    ws.focus("c2")
    assert ws.chats["c2"].unread == 0


def test_stale_suggestion_is_dropped_and_newer_one_replaces_whole(setup):
    ws, source, clock, recorder, _ = setup
    open_chat(ws, source, clock)
    stale = answer(ws, "c1")
    clock.advance(5)
    source.say("c1", "Hello?? Anyone there?", clock.now())
    ws.tick()
    assert ws.offer_suggestion(stale) is False  # answers an older message
    assert ws.suggestion_for("c1") is None
    fresh = answer(ws, "c1")
    assert ws.offer_suggestion(fresh) is True
    assert ws.suggestion_for("c1").suggestion is fresh
    assert "21-character" in fresh.draft.text  # from the newest message, not mixed with the old one
    assert ws.chats["c1"].issue_guess == "Late delivery"


def test_newer_message_retires_a_seen_undecided_suggestion_as_ignored(setup):
    ws, source, clock, recorder, _ = setup
    open_chat(ws, source, clock)
    ws.offer_suggestion(answer(ws, "c1"))
    clock.advance(3)
    source.say("c1", "also it was a gift", clock.now())
    ws.tick()
    decisions = [f for k, _, f in recorder.records if k == "decision"]
    assert [d["kind"] for d in decisions] == ["ignored"]
    assert decisions[0]["superseded"] is True  # the customer moved on: not the agent's choice
    assert ws.decisions[0].superseded and ws.tally["ignored"] == 1 and ws.tally["superseded"] == 1
    assert ws.suggestion_for("c1") is None


def test_accept_sends_draft_as_is_and_records_time_to_decide(setup):
    ws, source, clock, recorder, _ = setup
    open_chat(ws, source, clock)
    s = answer(ws, "c1")
    ws.offer_suggestion(s)
    clock.advance(2.5)
    decision = ws.accept("c1")
    assert decision.kind is DecisionKind.ACCEPTED
    assert decision.seconds_to_decide == pytest.approx(2.5)
    assert source.sent == [("c1", s.draft.text)]
    assert ws.accept("c1") is None  # cannot be decided twice
    assert ws.tally["accepted"] == 1 and ws.tally["shown"] == 1


def test_edit_then_send_records_edit_distance(setup):
    ws, source, clock, recorder, _ = setup
    open_chat(ws, source, clock)
    s = answer(ws, "c1")
    ws.offer_suggestion(s)
    loaded = ws.start_edit("c1")
    assert loaded == s.draft.text
    sent = loaded + " Sorry for the wait!"
    ws.send("c1", sent)
    decision = ws.suggestion_for("c1").decision
    assert decision.kind is DecisionKind.EDITED
    assert decision.edit_distance == pytest.approx(normalised_edit_distance(s.draft.text, sent))
    assert 0 < decision.edit_distance < 1
    assert source.sent[-1] == ("c1", sent)


def test_reject_keeps_reason_and_sends_nothing(setup):
    ws, source, clock, recorder, _ = setup
    open_chat(ws, source, clock)
    ws.offer_suggestion(answer(ws, "c1"))
    decision = ws.reject("c1", "  Wrong diagnosis ")
    assert decision.kind is DecisionKind.REJECTED and decision.reason == "Wrong diagnosis"
    assert source.sent == []
    assert ws.accept("c1") is None


def test_suggestion_for_unfocused_chat_is_shown_only_on_focus(setup):
    ws, source, clock, recorder, _ = setup
    open_chat(ws, source, clock, "c1")
    open_chat(ws, source, clock, "c2")
    ws.offer_suggestion(answer(ws, "c2"))
    assert "suggestion_shown" not in recorder.kinds()
    clock.advance(4)
    ws.focus("c2")
    shown = [(ts, f) for k, ts, f in recorder.records if k == "suggestion_shown"]
    assert len(shown) == 1 and shown[0][0] == clock.now()


def test_own_reply_after_seeing_draft_counts_as_ignored(setup):
    ws, source, clock, recorder, _ = setup
    open_chat(ws, source, clock)
    ws.offer_suggestion(answer(ws, "c1"))
    ws.send("c1", "Let me check that for you.")
    assert ws.suggestion_for("c1").decision.kind is DecisionKind.IGNORED
    assert not ws.suggestion_for("c1").decision.superseded  # the agent's own choice
    assert "superseded" not in [f for k, _, f in recorder.records if k == "decision"][-1]
    assert ws.tally["ignored"] == 1 and ws.tally["superseded"] == 0


def test_ending_a_chat_with_an_undecided_draft_is_the_agents_ignore(setup):
    ws, source, clock, recorder, _ = setup
    open_chat(ws, source, clock)
    ws.offer_suggestion(answer(ws, "c1"))
    clock.advance(4)
    ws.end_chat("c1", resolved=False)
    decision = ws.decisions[-1]
    assert decision.kind is DecisionKind.IGNORED and not decision.superseded
    assert decision.seconds_to_decide == pytest.approx(4)


def test_customer_leaving_before_the_agent_acted_supersedes_the_draft(setup):
    ws, source, clock, recorder, _ = setup
    open_chat(ws, source, clock)
    ws.offer_suggestion(answer(ws, "c1"))
    clock.advance(4)
    ws.apply(CustomerLeft("c1", clock.now()))
    decisions = [f for k, _, f in recorder.records if k == "decision"]
    assert [(d["kind"], d["superseded"]) for d in decisions] == [("ignored", True)]
    assert ws.tally["superseded"] == 1


def test_superseded_decision_is_kept_in_the_usage_log(tmp_path):
    clock = ManualClock()
    source = ScriptedSource()
    log = UsageLog.open(tmp_path / "usage.sqlite", agent="ann", app_version="0.1.0", engine="offline",
                        policy="automatic", started_at=clock.now())
    try:
        ws = Workspace(source=source, clock=clock, recorder=log)
        open_chat(ws, source, clock)
        ws.offer_suggestion(answer(ws, "c1"))
        clock.advance(3)
        source.say("c1", "hello??", clock.now())
        ws.tick()
        assert log.flush()
        rows = list(Database(log.path)["decisions"].rows)
    finally:
        log.close()
    assert [(r["decision"], json.loads(r["extra"])) for r in rows] == [("ignored", {"superseded": True})]


def test_ending_chat_moves_focus_to_most_urgent_and_records(setup):
    ws, source, clock, recorder, _ = setup
    open_chat(ws, source, clock, "c1")
    clock.advance(1)
    open_chat(ws, source, clock, "c2", "I AM VERY ANGRY")
    clock.advance(1)
    open_chat(ws, source, clock, "c3")
    clock.advance(30)
    ws.end_chat("c1", resolved=True)
    assert ws.chats["c1"].status is ChatStatus.RESOLVED
    assert source.closed == [("c1", True)]
    assert ws.focused_id == "c2"  # waited longest of the rest
    closed = [f for k, _, f in recorder.records if k == "chat_closed"]
    assert closed[0]["status"] == "resolved" and closed[0]["concurrent"] == 2


def test_peak_concurrency_and_ranked_order(setup):
    ws, source, clock, _, _ = setup
    for i in range(5):
        open_chat(ws, source, clock, f"c{i}")
        clock.advance(10)
    assert ws.peak_concurrency == 5
    ranked = [c.id for c in ws.ranked_chats()]
    assert ranked[0] == "c0"  # waiting longest
    ws.end_chat("c0", resolved=False)
    assert ws.ranked_chats()[-1].id == "c0"  # ended chats sink to the bottom


def test_frustration_scorer_is_applied_and_raises_urgency(setup):
    ws, source, clock, _, _ = setup
    ws.frustration_scorer = lambda text, history, waited: 0.9 if "!!!" in text else 0.0
    open_chat(ws, source, clock, "calm", "hi, where is my order")
    open_chat(ws, source, clock, "angry", "WHERE IS MY ORDER!!!")
    assert ws.chats["angry"].frustration == 0.9
    assert ws.ranked_chats()[0].id == "angry"


def test_a_lone_surrogate_from_a_source_is_made_well_formed(setup):
    """Servers that send JSON escapes can deliver half a surrogate pair; nothing downstream (the
    tokenizer, SQLite) can encode it, so it becomes U+FFFD where text enters the app."""
    ws, source, clock, recorder, _ = setup
    source.open("c1", "Ana", clock.now())
    source.say("c1", "my parcel \ud83d is late", clock.now())
    ws.tick()
    text = ws.chats["c1"].messages[0].text
    assert text == "my parcel \ufffd is late" and text.encode("utf-8")
