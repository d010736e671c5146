"""Copilot ▸ Practice…: the live-work window and keyboard over a practice session, suggestions hidden.
pytest-qt, offscreen."""
from __future__ import annotations

from PySide6.QtCore import Qt

from copilot.core.clock import ManualClock
from copilot.core.recorder import MemoryRecorder
from copilot.practice.records import read_skill_files
from copilot.practice.selection import choose_scenarios
from copilot.practice.session import PracticeSession
from copilot.session import SessionOptions
from copilot.settings import Settings
from copilot.sources import load_scenarios
from copilot.ui.app import application
from copilot.ui.practice_window import practice_window
from copilot.ui.workbench import Workbench


def test_a_practice_chat_in_the_window_is_named_worked_and_scored(qtbot):
    application()
    scenarios = load_scenarios()[0]
    clock = ManualClock(1_767_600_000.0)
    recorder = MemoryRecorder()
    practice = PracticeSession("ann", choose_scenarios(scenarios, {}, 1, seed=2), clock.now(), recorder=recorder)
    window = practice_window(practice, clock)
    qtbot.addWidget(window)
    window.show()
    ws = window.workspace
    assert ws.recorder.__class__.__name__ == "NullRecorder"  # practice chats are not live usage
    assert not window.diagnosis_panel.isVisible() and not window.draft_panel.isVisible()
    assert window.panel.isVisible()

    ws.tick()
    clock.advance(20)
    ws.tick()
    (chat_id,) = list(ws.chats)
    ws.focus(chat_id)
    scenario = practice.chats[chat_id].scenario
    # Alt+I goes to the issue picker; Enter names the selected issue for the chat in focus
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    issues = window.panel.issues
    qtbot.waitUntil(issues.hasFocus, timeout=3000)
    row = next(i for i in range(issues.count()) if issues.item(i).data(Qt.ItemDataRole.UserRole) == scenario.issue)
    issues.setCurrentRow(row)
    qtbot.keyClick(issues, Qt.Key.Key_Return)
    assert practice.chats[chat_id].named[-1][1] == scenario.issue
    assert window.panel.named.text().startswith("You named: ")

    for fact in scenario.resolution.requires:
        window.send_from_composer(scenario.fill(scenario.rule_revealing(fact).ask))
        clock.advance(15)
        ws.tick()
    window.send_from_composer(scenario.fill(scenario.resolution.offer))
    clock.advance(15)
    ws.tick()
    assert not ws.suggestions  # nothing was ever suggested
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # resolve, as in live work
    ws.tick()
    window.refresh()
    assert practice.finished
    text = window.panel.scores.toPlainText()
    assert "Chat 1: " in text and "Tip: " in text and "Practice score " in text
    assert practice.chat_score(chat_id).part("diagnosis").points == 20.0
    assert recorder.kinds() == ["practice_chat", "practice_session"]
    assert not window.end_action.isEnabled()


def test_the_live_window_opens_a_practice_from_its_menu(qtbot, tmp_path):
    application()
    log = tmp_path / "u.sqlite"
    wb = Workbench(SessionOptions(agent="ana", seed=1, total_chats=2, usage_log=log), Settings(agent_name="ana"))
    qtbot.addWidget(wb.window)
    try:
        assert wb.window.practice_action.text() == "&Practice…"
        wb.window.practice_action.trigger()
        qtbot.waitUntil(lambda: wb.practice_window is not None, timeout=10_000)
        practice = wb.practice_window.practice
        qtbot.addWidget(wb.practice_window)
        assert practice.agent == "ana" and len(practice.planned) == Settings().practice_chats
        practice.end(wb.practice_window.workspace.clock.now())  # ended at once: recorded in the agent's log
        wb.session.usage_log.flush()
        records = read_skill_files([log])["ana"]
        assert len(records.practices) == 1 and records.practices[0][1]["complete"] is False
    finally:
        wb.close()


def test_a_due_practice_is_offered_at_start(qtbot, tmp_path, capsys):
    """An agent whose usage log flags passive reliance is invited to practise when the app starts."""
    from copilot.__main__ import main

    application()
    log = tmp_path / "u.sqlite"
    import time

    week_ago = str(time.time() - 6 * 86_400)
    assert main(["practice", "--agent", "ana", "--policy", "passive", "--skill", "0.7", "--weeks", "1",
                 "--shifts-per-week", "2", "--start", week_ago, "--usage-log", str(log)]) == 0
    capsys.readouterr()
    wb = Workbench(SessionOptions(agent="ana", seed=1, total_chats=1, usage_log=log), Settings(agent_name="ana"))
    qtbot.addWidget(wb.window)
    try:
        wb.start()
        bar = wb.window.notice_bar
        qtbot.waitUntil(lambda: bar.kind == "nudge" and "unedited" in bar.text.text(), timeout=10_000)
        assert bar.action_button.text() == "Practise now"
    finally:
        wb.close()
