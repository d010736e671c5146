"""The real main window, driven with pytest-qt: a scripted source and a simple engine stand in
for the simulator and the offline engine, so each behaviour is checked in isolation."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.window_harness import Harness


@pytest.fixture
def h(qtbot):
    harness = Harness(qtbot)
    yield harness
    harness.close()


def test_chat_arrives_with_diagnosis_and_draft(h):
    h.customer("c1", "My parcel is late")
    assert h.window.model.rowCount() == 1
    assert h.window.chat_title.text() == "Ana Silva"
    assert h.window.diagnosis_panel.category.text() == "Late delivery"
    assert h.window.draft_panel.text.toPlainText() == "Reply to a 17-character message."
    assert h.window.draft_panel.accept_button.isEnabled()
    assert "My parcel is late" in h.window.chat_view.toPlainText()


def test_accept_button_sends_draft_and_logs(h):
    h.customer("c1", "My parcel is late")
    h.clock.advance(3)
    h.qtbot.mouseClick(h.window.draft_panel.accept_button, Qt.MouseButton.LeftButton)
    assert h.source.sent == [("c1", "Reply to a 17-character message.")]
    assert h.decisions()[-1]["kind"] == "accepted" and h.decisions()[-1]["seconds_to_decide"] == 3
    assert "You" in h.window.chat_view.toPlainText()
    assert not h.window.draft_panel.accept_button.isEnabled()
    assert h.window.draft_panel.status.text() == "Sent as is."


def test_edit_shortcut_loads_composer_and_enter_sends_edited(h):
    h.customer("c1", "My parcel is late")
    h.window.activateWindow()
    h.qtbot.waitUntil(lambda: h.window.isActiveWindow(), timeout=3000)
    h.qtbot.keyClick(h.window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert h.window.composer.toPlainText() == "Reply to a 17-character message."
    h.qtbot.keyClicks(h.window.composer, " Sorry!")
    h.qtbot.keyClick(h.window.composer, Qt.Key.Key_Return)
    assert h.source.sent == [("c1", "Reply to a 17-character message. Sorry!")]
    decision = h.decisions()[-1]
    assert decision["kind"] == "edited" and decision["edit_distance"] > 0
    assert decision["seconds_to_first_keystroke"] is not None
    assert h.window.composer.toPlainText() == ""


def test_reject_with_quick_reason_and_free_text(h):
    h.customer("c1", "My parcel is late")
    menu = h.window.draft_panel.reasons_menu
    next(a for a in menu.actions() if a.text() == "Wrong tone").trigger()
    assert h.decisions()[-1] == {**h.decisions()[-1], "kind": "rejected", "reason": "Wrong tone"}
    assert h.source.sent == []
    h.customer("c1", "hello?")
    next(a for a in menu.actions() if a.text().startswith("Other")).trigger()
    assert h.window.draft_panel.reason_edit.isVisibleTo(h.window)
    h.qtbot.keyClicks(h.window.draft_panel.reason_edit, "Promises a refund we cannot give")
    h.qtbot.keyClick(h.window.draft_panel.reason_edit, Qt.Key.Key_Return)
    assert h.decisions()[-1]["reason"] == "Promises a refund we cannot give"


def test_shift_enter_is_a_new_line_not_a_send(h):
    h.customer("c1", "hi")
    composer = h.window.composer
    h.qtbot.keyClicks(composer, "line one")
    h.qtbot.keyClick(composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    h.qtbot.keyClicks(composer, "line two")
    assert h.source.sent == []
    h.qtbot.keyClick(composer, Qt.Key.Key_Return)
    assert h.source.sent == [("c1", "line one\nline two")]


def test_newer_message_replaces_suggestion_whole(h):
    h.customer("c1", "My parcel is late")
    h.customer("c1", "Hello?? It is a birthday present")
    assert h.window.draft_panel.text.toPlainText() == "Reply to a 32-character message."
    assert h.decisions()[-1]["kind"] == "ignored"


def test_urgent_chat_is_listed_first_and_focus_follows_clicks(h):
    h.customer("calm", "a question", name="Calm Customer")
    h.clock.advance(100)
    h.customer("new", "another", name="Newer Customer")
    assert h.window.model.chat_id_at(0) == "calm"  # waited 100 s
    rect = h.window.chat_list.visualRect(h.window.model.index(1))
    h.qtbot.mouseClick(h.window.chat_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert h.ws.focused_id == "new"
    assert h.window.chat_title.text() == "Newer Customer"


def test_resolve_closes_chat_and_moves_on(h):
    h.customer("c1", "first")
    h.customer("c2", "second", name="Bo")
    h.qtbot.mouseClick(h.window.resolve_button, Qt.MouseButton.LeftButton)
    assert h.source.closed == [("c1", True)]
    assert h.ws.focused_id == "c2"


def test_hostile_customer_text_is_plain_and_does_not_freeze(h):
    hostile = "<b>bold</b><img src=x onerror=alert(1)>\x00\x1b[2J" + ("A" * 1_000_000) + "\u202eevil"
    h.customer("c1", hostile)
    h.window.refresh()
    shown = h.window.chat_view.toPlainText()
    assert "<b>bold</b><img src=x onerror=alert(1)>" in shown  # the markup is text, not formatting
    assert "\x00" not in shown and "␀" in shown
    assert "1,000" in shown and "characters in total" in shown  # cut for display, with a note
    assert len(h.ws.chats["c1"].messages[0].text) == len(hostile)  # nothing lost
    # What keeps the window responsive: the document holds the cut text, not the megabyte.
    assert h.window.chat_view.document().characterCount() < 30_000


def test_engine_failure_is_visible_and_agent_can_still_reply(h):
    def broken(conversation, cancelled=None):
        raise RuntimeError("model exploded")

    h.engine.diagnose = broken
    h.customer("c1", "hello")
    assert "model exploded" in h.window.draft_panel.status.text()
    h.qtbot.keyClicks(h.window.composer, "Hi, how can I help?")
    h.qtbot.keyClick(h.window.composer, Qt.Key.Key_Return)
    assert h.source.sent == [("c1", "Hi, how can I help?")]


def test_assist_work_starts_after_the_tick_that_brought_the_messages(h):
    """Ten messages in one tick: no engine call runs while the UI thread is still taking them in
    (worker threads would compete with it for the interpreter lock); all start right after."""
    for i in range(10):
        h.source.open(f"b{i}", f"Customer {i}", h.clock.now())
        h.source.say(f"b{i}", "my parcel is late", h.clock.now())
    h.ws.tick()
    assert h.engine.calls == 0 and h.background.busy == 10
    h.qtbot.waitUntil(lambda: len(h.ws.suggestions) == 10, timeout=5000)
    assert h.engine.calls == 10


def test_closing_drops_assist_work_that_has_not_started(h):
    h.source.open("z", "Zoe", h.clock.now())
    h.source.say("z", "my parcel is late", h.clock.now())
    h.ws.tick()
    h.background.cancel_all()
    assert h.background.wait_idle(2000) and h.engine.calls == 0


def test_a_half_written_reply_waits_in_its_chat_while_the_agent_looks_elsewhere(h):
    h.customer("a", "where is my parcel?", name="Ann")
    h.customer("b", "I was charged twice", name="Bo")
    h.ws.focus("a")
    h.qtbot.keyClicks(h.window.composer, "Hi Ann, let me")
    h.ws.focus("b")
    assert h.window.composer.toPlainText() == ""  # Bo's chat starts empty
    assert h.window.model.unsent == {"a"}  # the list marks Ann's chat as holding a started reply
    row = h.window.model.row_of("a")
    assert "not sent" in h.window.model.data(h.window.model.index(row), Qt.ItemDataRole.ToolTipRole)
    h.qtbot.keyClicks(h.window.composer, "Sorry Bo")
    h.ws.focus("a")
    assert h.window.composer.toPlainText() == "Hi Ann, let me"
    assert h.window.model.unsent == {"b"}
    h.qtbot.keyClicks(h.window.composer, " check.")
    h.qtbot.keyClick(h.window.composer, Qt.Key.Key_Return)
    assert h.ws.chats["a"].messages[-1].text == "Hi Ann, let me check."
    h.ws.focus("b")
    assert h.window.composer.toPlainText() == "Sorry Bo"
    h.window.end_chat(resolved=True)  # what was left unsent in an ended chat is not carried anywhere
    h.ws.focus("a")
    assert h.window.composer.toPlainText() == ""
    assert "b" not in h.window._unsent
