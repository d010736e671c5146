"""Flags become nudges: a calm note whose one action changes how the agent works."""
from __future__ import annotations

from PySide6.QtCore import Qt

from copilot.core.workspace import AssistMode
from copilot.session import SessionOptions
from copilot.settings import Settings
from copilot.ui.app import Workbench, application
from copilot.usage.flag_model import Flag


def flag(kind: str) -> Flag:
    return Flag(kind, "ana", "session", "session 1", 0.0, 60.0, True, True, "thresholds",
                f"Explanation of {kind} with the figures.")


def bench(qtbot, tmp_path, settings: Settings) -> Workbench:
    application()
    wb = Workbench(SessionOptions(agent="ana", seed=1, total_chats=2, usage_log=tmp_path / "u.sqlite"), settings)
    qtbot.addWidget(wb.window)
    return wb


def test_over_reliance_nudge_offers_diagnose_first(qtbot, tmp_path):
    wb = bench(qtbot, tmp_path, Settings(agent_name="ana"))
    try:
        wb.flags.flag_raised.emit(flag("over_reliance"))
        bar = wb.window.notice_bar
        assert bar.isVisibleTo(wb.window) and bar.kind == "nudge"
        assert "over_reliance" in bar.text.text()
        qtbot.mouseClick(bar.action_button, Qt.MouseButton.LeftButton)
        assert wb.session.workspace.mode is AssistMode.DIAGNOSE_FIRST
        assert wb.settings.assist_mode == "diagnose_first"
    finally:
        wb.close()


def test_overload_nudge_lowers_the_chat_limit(qtbot, tmp_path):
    wb = bench(qtbot, tmp_path, Settings(agent_name="ana", max_concurrent_chats=5))
    try:
        wb.flags.flag_raised.emit(flag("overload"))
        qtbot.mouseClick(wb.window.notice_bar.action_button, Qt.MouseButton.LeftButton)
        assert wb.session.simulator.capacity < 5
    finally:
        wb.close()


def test_nudges_can_be_switched_off(qtbot, tmp_path):
    wb = bench(qtbot, tmp_path, Settings(agent_name="ana", nudges=False))
    try:
        wb.flags.flag_raised.emit(flag("over_reliance"))
        assert not wb.window.notice_bar.isVisibleTo(wb.window)
    finally:
        wb.close()
