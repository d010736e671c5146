"""Escalations in the window: they rise to the top with type and timer, an upset customer left
waiting triggers a non-modal alert, and the draft switches to de-escalation."""
from __future__ import annotations

from PySide6.QtCore import Qt

from copilot.core.events import CustomerLeft
from tests.window_harness import Harness

ANGRY = "This is ridiculous!! I'm cancelling my account and leaving a review everywhere."


def test_emotional_escalation_rises_alerts_and_deescalates(qtbot):
    h = Harness(qtbot)
    h.customer("calm", "where is my parcel?", name="Calm Carla")
    h.clock.advance(120)
    h.customer("upset", "my parcel is late", name="Upset Ulla")
    h.clock.advance(5)
    h.customer("upset", ANGRY, name="Upset Ulla")
    chat = h.ws.chats["upset"]
    assert chat.escalation is not None and chat.escalation.type == "emotional"
    assert h.window.model.chat_id_at(0) == "upset"  # above a calm customer who waited far longer
    assert any(k == "escalation" for k, _, _ in h.recorder.records)
    h.ws.focus("upset")
    # Emotional: the draft is a de-escalation (an apology first), not the routine reply.
    assert "Reply to a" not in h.window.draft_panel.text.toPlainText()
    assert "sorry" in h.window.draft_panel.text.toPlainText().lower()
    assert "escalation" in h.window.chat_subtitle.text().lower()

    h.window.refresh()
    assert not h.window.notice_bar.isVisibleTo(h.window)  # not waited long enough yet
    h.clock.advance(61)
    h.window.refresh()
    assert h.window.notice_bar.isVisibleTo(h.window)
    assert "Upset Ulla" in h.window.notice_bar.text.text()
    assert any(k == "escalation_alert" for k, _, _ in h.recorder.records)
    h.close()


def test_answered_escalation_raises_no_alert(qtbot):
    h = Harness(qtbot)
    h.customer("upset", ANGRY, name="Upset Ulla")
    h.clock.advance(10)
    h.ws.send("upset", "I'm so sorry, let me sort this out right now.")
    h.clock.advance(120)
    h.window.refresh()
    assert not h.window.notice_bar.isVisibleTo(h.window)
    h.close()


def alerted_harness(qtbot) -> Harness:
    """Upset Ulla has waited past the limit (the alert is up); Calm Carla's chat is in focus."""
    h = Harness(qtbot)
    h.customer("calm", "where is my parcel?", name="Calm Carla")
    h.customer("upset", ANGRY, name="Upset Ulla")
    h.clock.advance(61)
    h.window.refresh()
    assert h.window.notice_bar.isVisibleTo(h.window) and "Upset Ulla" in h.window.notice_bar.text.text()
    assert h.ws.focused_id == "calm"
    return h


def test_alert_goes_when_its_chat_is_resolved(qtbot):
    h = alerted_harness(qtbot)
    h.ws.focus("upset")
    h.window.end_chat(resolved=True)
    assert not h.window.notice_bar.isVisibleTo(h.window)
    h.window.refresh()  # and it does not come back
    assert not h.window.notice_bar.isVisibleTo(h.window)
    h.close()


def test_alert_goes_when_the_customer_leaves(qtbot):
    h = alerted_harness(qtbot)
    h.ws.apply(CustomerLeft("upset", h.clock.now()))
    assert not h.window.notice_bar.isVisibleTo(h.window)
    h.close()


def test_alert_goes_when_the_agent_answers_that_customer(qtbot):
    h = alerted_harness(qtbot)
    h.ws.send("calm", "It is on its way.")  # another customer's answer changes nothing
    assert h.window.notice_bar.isVisibleTo(h.window)
    h.ws.send("upset", "I'm so sorry, let me sort this out right now.")
    assert not h.window.notice_bar.isVisibleTo(h.window)
    h.close()


def test_a_newer_notice_is_not_withdrawn_with_the_alert(qtbot):
    h = alerted_harness(qtbot)
    h.window.notify("The model endpoint did not answer; the offline engine is used.")
    h.ws.end_chat("upset", resolved=False)
    assert h.window.notice_bar.isVisibleTo(h.window)
    assert "offline engine" in h.window.notice_bar.text.text()
    h.close()


def test_go_to_chat_of_an_ended_chat_does_nothing(qtbot):
    h = alerted_harness(qtbot)
    bar = h.window.notice_bar
    go_to_chat = bar._action  # as if the click arrived just as the chat ended
    h.ws.end_chat("upset", resolved=True)
    assert bar._action is None  # a withdrawn notice keeps no action to run
    bar.action_button.click()
    go_to_chat()
    assert h.ws.focused_id == "calm"
    h.window._go_to_escalated_chat("no-such-chat")
    assert h.ws.focused_id == "calm"
    h.close()


def test_go_to_chat_focuses_the_upset_customer(qtbot):
    h = alerted_harness(qtbot)
    qtbot.mouseClick(h.window.notice_bar.action_button, Qt.MouseButton.LeftButton)
    assert h.ws.focused_id == "upset"
    assert not h.window.notice_bar.isVisibleTo(h.window)
    h.close()


def test_upset_after_an_answered_technical_escalation_still_alerts(qtbot):
    """The chat escalated (technical) first and the agent answered; later the customer gets upset and
    is left waiting: the alert counts from the emotional escalation, not from the first one."""
    h = Harness(qtbot)
    h.customer("c", "My charger sparked and smells of smoke", name="Sparky Sam")
    assert h.ws.chats["c"].escalation.type == "technical"
    h.clock.advance(10)
    h.ws.send("c", "Please unplug it now; I'm arranging a replacement.")
    h.clock.advance(30)
    h.customer("c", ANGRY, name="Sparky Sam")
    assert h.ws.chats["c"].escalation.type == "emotional"
    h.clock.advance(61)
    h.window.refresh()
    assert h.window.notice_bar.isVisibleTo(h.window) and "Sparky Sam" in h.window.notice_bar.text.text()
    h.close()
