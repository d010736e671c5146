"""Escalations in the window: they rise to the top with type and timer, an upset customer left
waiting triggers a non-modal alert, and the draft switches to de-escalation."""
from __future__ import annotations

from tests.test_ui_window import Harness

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
    h.pool.wait_idle()


def test_answered_escalation_raises_no_alert(qtbot):
    h = Harness(qtbot)
    h.customer("upset", ANGRY, name="Upset Ulla")
    h.clock.advance(10)
    h.ws.send("upset", "I'm so sorry, let me sort this out right now.")
    h.clock.advance(120)
    h.window.refresh()
    assert not h.window.notice_bar.isVisibleTo(h.window)
    h.pool.wait_idle()
