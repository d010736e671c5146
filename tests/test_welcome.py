"""First-run welcome: asks the agent's name, shows where data is kept, and run_app saves the name."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

from copilot import paths
from copilot import settings as user_settings
from copilot.session import SessionOptions
from copilot.settings import Settings
from copilot.ui import app as app_module
from copilot.ui.app import application, run_app
from copilot.ui.welcome import WelcomeDialog, ask_first_run


def when_welcome_opens(action, attempts: int = 200) -> None:
    """Runs action(dialog) once the modal welcome is up (exec() blocks the test until it closes)."""
    def poll(left: int) -> None:
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, WelcomeDialog) and w.isVisible()]
        if dialogs:
            action(dialogs[0])
        elif left:
            QTimer.singleShot(25, lambda: poll(left - 1))
    QTimer.singleShot(0, lambda: poll(attempts))


def start_as(name: str):
    def act(dialog: WelcomeDialog) -> None:
        dialog.name_edit.setText(name)
        dialog.start_button.click()
    return act


def test_dialog_shows_the_name_and_where_data_is_kept(qtbot, tmp_path):
    dialog = WelcomeDialog("jdoe", tmp_path / "data", tmp_path / "config" / "settings.json")
    qtbot.addWidget(dialog)
    assert dialog.name_edit.text() == "jdoe"
    assert dialog.data_label.text() == str(tmp_path / "data")
    assert dialog.settings_label.text().endswith("settings.json")
    assert dialog.start_button.isEnabled()
    dialog.name_edit.setText("   ")
    assert not dialog.start_button.isEnabled()  # a name is needed to start
    dialog.name_edit.setText("  Dana   Smith ")
    assert dialog.start_button.isEnabled()
    assert dialog.agent_name() == "Dana Smith"


def test_ask_first_run_returns_the_settings_with_the_name(qtbot):
    application()
    when_welcome_opens(start_as("Dana Smith"))
    result = ask_first_run(Settings(max_concurrent_chats=7), "jdoe")
    assert result == Settings(agent_name="Dana Smith", max_concurrent_chats=7)


def test_later_returns_nothing(qtbot):
    application()
    when_welcome_opens(lambda dialog: dialog.reject())
    assert ask_first_run(Settings(), "jdoe") is None


def test_the_welcome_names_the_real_data_directory(qtbot, private_data_dir):
    application()
    seen = {}

    def look(dialog: WelcomeDialog) -> None:
        seen["data"] = dialog.data_label.text()
        dialog.reject()
    when_welcome_opens(look)
    ask_first_run(Settings(), "jdoe")
    assert seen["data"] == str(paths.data_dir()) == str(private_data_dir)


@pytest.fixture
def exit_after_shown(monkeypatch, qapp):
    """run_app returns once its window has painted; its quit hook is removed afterwards."""
    monkeypatch.setenv(app_module.EXIT_AFTER_SHOWN, "1")
    yield
    QThreadPool.globalInstance().waitForDone(5000)
    qapp.aboutToQuit.disconnect()  # the closed workbench must not be closed again by later tests


def quick_options(tmp_path, agent: str = "jdoe") -> SessionOptions:
    return SessionOptions(agent=agent, seed=1, speed=20, total_chats=2, usage_log=tmp_path / "usage.sqlite")


def test_first_run_asks_the_name_and_saves_it(qtbot, tmp_path, capsys, exit_after_shown):
    options = quick_options(tmp_path)
    when_welcome_opens(start_as("Dana Smith"))
    assert run_app(options, Settings()) == 0
    # the settings are written off the UI thread; quitting finishes that write instead of dropping it
    saved = json.loads(user_settings.settings_path().read_text(encoding="utf-8"))
    assert saved["agent_name"] == "Dana Smith"
    assert options.agent == "Dana Smith"  # the session (and its usage log) runs under that name
    assert capsys.readouterr().out.startswith("shown ")


def test_later_starts_under_the_login_name_and_saves_nothing(qtbot, tmp_path, exit_after_shown):
    options = quick_options(tmp_path)
    when_welcome_opens(lambda dialog: dialog.reject())
    assert run_app(options, Settings()) == 0
    assert options.agent == "jdoe"
    assert not user_settings.settings_path().exists()  # asked again next time


def test_no_welcome_once_the_name_is_known(qtbot, tmp_path, monkeypatch, exit_after_shown):
    def unexpected(*args, **kwargs):
        raise AssertionError("the welcome was shown again")
    monkeypatch.setattr(app_module, "ask_first_run", unexpected)
    assert run_app(quick_options(tmp_path, agent="Dana Smith"), Settings(agent_name="Dana Smith")) == 0
