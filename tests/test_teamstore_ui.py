"""The team store in the windows (real PostgreSQL, offscreen Qt): the review window opens the store,
asking for a password it wants; the app syncs in the background and says how far behind it is."""
from __future__ import annotations

from dataclasses import replace

import pytest

from copilot.secrets import delete_team_store_password, get_team_store_password, set_team_store_password
from copilot.settings import Settings
from copilot.ui.app import application
from copilot.ui.review import window as review_window
from copilot.ui.review.window import ReviewWindow
from tests.review_builders import careful_log, overloaded_log
from tests.teamstore_helpers import LEAD, PASSWORD
from tests.usage_log_builders import T0


@pytest.fixture
def synced(team_store, tmp_path):
    for agent, builder in (("ann", careful_log), ("cy", overloaded_log)):
        log = builder(tmp_path / f"{agent}.sqlite", agent, T0)
        assert team_store.sync(agent, log).run_once().ok
    return team_store


def test_the_review_window_opens_the_team_store_and_asks_for_the_password(qtbot, synced, monkeypatch):
    application()
    config = synced.config(LEAD)
    delete_team_store_password(config.account)
    asked = []
    monkeypatch.setattr(review_window.QInputDialog, "getText",
                        lambda *args, **kwargs: (asked.append(args[2]), (PASSWORD, True))[1])
    window = ReviewWindow()
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.review_shown, timeout=30000):
        window.load_store(config)  # nothing in the keyring: the store refuses, the window asks
    assert len(asked) == 1 and ("needs a password for 'lee'" in asked[0] or "refused the password" in asked[0])
    assert get_team_store_password(config.account) == PASSWORD  # accepted, so kept for next time
    assert window.proxy.rowCount() == 2
    assert f"from the team store at {config.target}" in window.status.text()
    assert "summed on the server" in window.status.text()
    with qtbot.waitSignal(window.detail_shown, timeout=10000):
        window.select_agent("cy")
    assert window.agent_view.decisions.rowCount() > 0
    window.close()


def test_the_app_syncs_in_the_background_and_says_how_far_behind_it_is(qtbot, synced, tmp_path):
    from copilot.session import SessionOptions
    from copilot.ui.workbench import Workbench

    application()
    settings = Settings(agent_name="ann", team_store_url=synced.url("ann"), team_store_sync=True)
    set_team_store_password(synced.config("ann").account, PASSWORD)
    bench = Workbench(SessionOptions(agent="ann", seed=3, usage_log=tmp_path / "usage.sqlite"), settings)
    qtbot.addWidget(bench.window)
    bench.team_sync.configure(settings)
    bench.team_sync.run_pass()
    label = bench.window.status_area.team_store
    qtbot.waitUntil(lambda: label.text() == "team store: up to date", timeout=20000)
    assert label.isVisible() or not bench.window.isVisible()
    with synced.admin() as conn:  # the running session is in the store
        assert conn.execute("SELECT count(*) FROM copilot.sessions WHERE agent = 'ann' AND ended_at IS NULL"
                            ).fetchone()[0] == 1

    away = replace(settings, team_store_url="postgresql://ann@127.0.0.1:9/copilot")  # nothing listens there
    bench.apply_settings(away)
    bench.team_sync.run_pass()
    qtbot.waitUntil(lambda: "cannot reach the team store" in label.text(), timeout=20000)
    assert label.text().startswith("team store: nothing waiting to be sent · cannot reach the team store at 127.0.0.1:9")
    usage = bench.session.usage_log
    usage.record("focus", usage_time := bench.workspace.clock.now(), chat_id="", previous_chat_id="", open_chats=0)
    assert usage.flush()
    bench.team_sync.run_pass()
    qtbot.waitUntil(lambda: "behind" in label.text(), timeout=20000)
    assert label.text().startswith("team store: under a minute behind · cannot reach") and usage_time
    bench.apply_settings(replace(away, team_store_sync=False))
    assert not label.text()
    bench.close()


def test_settings_refuse_a_team_store_address_with_a_password(qtbot):
    from copilot.ui.settings_dialog import SettingsDialog

    application()
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    box = dialog.team_store
    box.url.setText("postgresql://ann:secret@db.example.com/copilot")
    assert "must not hold a password" in box.problem(Settings())
    box.url.setText("postgresql://ann@db.example.com/copilot")
    box.sslmode.setCurrentText("verify-full")
    box.sync.setChecked(True)
    assert box.problem(Settings()) == ""
    result = dialog.result_settings()
    assert (result.team_store_url, result.team_store_sslmode, result.team_store_sync) == (
        "postgresql://ann@db.example.com/copilot", "verify-full", True)
    box.password.setText("pw")
    job = box.password_job(result)
    assert job is not None and job.lane == "io"
