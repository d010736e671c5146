"""The status line's shift figures: shares of the agent's own decisions only."""
from __future__ import annotations

import pytest

from copilot.core.clock import ManualClock
from copilot.core.events import CustomerLeft
from copilot.core.recorder import MemoryRecorder
from copilot.core.workspace import Workspace
from copilot.ui.status_area import shift_summary
from tests.fakes import EchoEngine, ScriptedSource, make


@pytest.fixture
def ws():
    return Workspace(source=ScriptedSource(), clock=ManualClock(), recorder=MemoryRecorder())


def say(ws: Workspace, chat_id: str, text: str) -> None:
    """The customer writes; the draft for it arrives and is shown (chats are focused in turn)."""
    if chat_id not in ws.chats:
        ws.source.open(chat_id, "Ana", ws.clock.now())
    ws.source.say(chat_id, text, ws.clock.now())
    ws.tick()
    ws.focus(chat_id)
    chat = ws.chats[chat_id]
    ws.offer_suggestion(make(EchoEngine(), chat, ws.clock.now()))
    ws.clock.advance(2)


def test_drafts_the_customer_overtook_are_no_share_of_the_agents_decisions(ws):
    say(ws, "c1", "my parcel is late")
    say(ws, "c1", "hello?")  # wrote again before the agent did anything
    say(ws, "c2", "wrong size")
    ws.apply(CustomerLeft("c2", ws.clock.now()))  # ... and left before the agent did anything
    assert ws.tally["ignored"] == 2  # still logged as ignored decisions
    text = shift_summary(ws)
    assert "set aside" not in text and "%" not in text
    assert text == "This shift: 3 drafts seen, none decided yet"


def test_shares_count_own_replies_and_ended_chats_as_set_aside(ws):
    say(ws, "c1", "my parcel is late")
    ws.accept("c1")
    say(ws, "c2", "wrong size")
    say(ws, "c2", "hello??")  # overtaken: not counted below
    ws.send("c2", "Let me check that for you.")  # saw the draft, wrote their own
    say(ws, "c3", "refund please")
    ws.reject("c3", "Wrong tone")
    say(ws, "c4", "never mind")
    ws.end_chat("c4", resolved=True)  # closed with the draft unused
    assert ws.tally["ignored"] == 3 and ws.tally["superseded"] == 1
    assert shift_summary(ws) == ("This shift: 4 drafts decided · 25% sent as is · 0% edited · 25% rejected · "
                                 "50% set aside · 2 s typical decision")


def test_one_draft_is_one_draft():
    from copilot.ui.status_area import drafts
    assert (drafts(1), drafts(0), drafts(2)) == ("1 draft", "0 drafts", "2 drafts")
