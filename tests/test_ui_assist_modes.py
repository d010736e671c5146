"""The cognitive-forcing modes in the real window: diagnose first, and suggestions on request."""
from __future__ import annotations

from PySide6.QtCore import Qt

from copilot.core.modes import AssistMode
from copilot.settings import Settings
from copilot.ui.settings_dialog import SettingsDialog
from tests.window_harness import Harness


def shown_records(h):
    return [f for k, _, f in h.recorder.records if k == "suggestion_shown"]


def test_on_request_hides_suggestion_until_asked(qtbot):
    h = Harness(qtbot)
    h.ws.mode = AssistMode.ON_REQUEST
    h.customer("c1", "My parcel is late")
    assert h.window.diagnosis_panel.reveal_button.isVisibleTo(h.window)
    assert h.window.draft_panel.text.toPlainText() == ""
    assert not h.window.draft_panel.accept_button.isEnabled()
    assert h.ws.accept("c1") is None  # nothing to accept before it is seen
    assert shown_records(h) == []
    h.clock.advance(7)
    h.qtbot.mouseClick(h.window.diagnosis_panel.reveal_button, Qt.MouseButton.LeftButton)
    assert h.window.draft_panel.text.toPlainText() == "Reply to a 17-character message."
    assert len(shown_records(h)) == 1
    assert any(k == "suggestion_requested" for k, _, _ in h.recorder.records)
    h.close()


def test_diagnose_first_agreeing_shows_the_draft(qtbot):
    h = Harness(qtbot)
    h.ws.mode = AssistMode.DIAGNOSE_FIRST
    h.customer("c1", "My parcel is late")
    panel = h.window.diagnosis_panel
    assert panel.category.text() == "Which issue is it?"
    assert panel.choice_buttons[0].isVisibleTo(h.window) and "Late delivery" in panel.choice_buttons[0].text()
    assert h.window.draft_panel.text.toPlainText() == ""
    h.qtbot.mouseClick(panel.choice_buttons[0], Qt.MouseButton.LeftButton)
    assert h.window.draft_panel.text.toPlainText() == "Reply to a 17-character message."
    confirmed = [f for k, _, f in h.recorder.records if k == "diagnosis_confirmed"]
    assert confirmed[-1]["agreed"] is True and confirmed[-1]["chosen"] == "late_delivery"
    h.close()


def test_diagnose_first_none_of_these_rejects(qtbot):
    h = Harness(qtbot)
    h.ws.mode = AssistMode.DIAGNOSE_FIRST
    h.customer("c1", "My parcel is late")
    h.qtbot.mouseClick(h.window.diagnosis_panel.none_button, Qt.MouseButton.LeftButton)
    assert h.decisions()[-1]["kind"] == "rejected" and h.decisions()[-1]["reason"] == "Wrong diagnosis"
    assert h.source.sent == []
    h.close()


def test_settings_dialog_returns_the_choices(qtbot):
    dialog = SettingsDialog(Settings(agent_name="Ana"))
    qtbot.addWidget(dialog)
    dialog.mode_buttons[AssistMode.DIAGNOSE_FIRST].setChecked(True)
    dialog.concurrency.setValue(3)
    dialog.agent.setText("  Ana Silva ")
    result = dialog.result_settings()
    assert (result.assist_mode, result.max_concurrent_chats, result.agent_name) == ("diagnose_first", 3, "Ana Silva")


def test_diagnose_first_other_category_gets_a_new_draft_for_it(qtbot):
    h = Harness(qtbot)
    h.ws.mode = AssistMode.DIAGNOSE_FIRST
    h.customer("c1", "My parcel is late")
    second = h.window.diagnosis_panel.choice_buttons[1]
    assert "Damaged item" in second.text()
    h.qtbot.mouseClick(second, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: h.ws.suggestion_for("c1").suggestion.diagnosis.chosen_by_agent, timeout=5000)
    assert h.window.draft_panel.text.toPlainText() == "Reply to a 17-character message. (damaged_item)"
    assert h.window.diagnosis_panel.category.text() == "Damaged item"
    confirmed = [f for k, _, f in h.recorder.records if k == "diagnosis_confirmed"]
    assert confirmed[-1]["agreed"] is False
    h.qtbot.mouseClick(h.window.draft_panel.accept_button, Qt.MouseButton.LeftButton)
    assert h.source.sent == [("c1", "Reply to a 17-character message. (damaged_item)")]
    h.close()
