"""The one background-work helper: results and errors on the UI thread, failures shown to the
agent, cancellation, progress coalesced to at most one delivery per frame."""
from __future__ import annotations

import threading
import time

from copilot.core.jobs import Job
from copilot.session import SessionOptions
from copilot.ui.app import application
from copilot.ui.background import Background


def test_results_and_errors_come_back_on_the_ui_thread(qtbot):
    application()
    background = Background()
    ui_thread = threading.get_ident()
    seen = []
    background.run(Job(lambda c: threading.get_ident(), "work", on_done=lambda t: seen.append(("done", t))))
    background.run(Job(lambda c: 1 / 0, "broken", on_error=lambda e: seen.append(("error", type(e).__name__))))
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=3000)
    done = dict(seen)
    assert done["done"] != ui_thread  # the work ran elsewhere...
    assert done["error"] == "ZeroDivisionError"
    assert background.busy == 0


def test_a_failure_nobody_handles_reaches_the_agent(qtbot):
    application()
    background = Background()
    with qtbot.waitSignal(background.failed, timeout=3000) as failed:
        background.run(Job(lambda c: open("/nonexistent/dir/settings.json", "w"), "Saving your settings"))
    assert failed.args[0].startswith("Saving your settings failed:") and "No such file" in failed.args[0]


def test_a_settings_save_that_fails_is_shown_in_the_window(qtbot, tmp_path, monkeypatch):
    from copilot.settings import Settings
    from copilot.ui.workbench import Workbench

    application()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the config folder should be")
    monkeypatch.setenv("COPILOT_CONFIG_DIR", str(blocker))
    bench = Workbench(SessionOptions(agent="ana", seed=1, usage_log=tmp_path / "usage.sqlite"), Settings())
    qtbot.addWidget(bench.window)
    bench.window.show()
    bench.apply_settings(Settings(agent_name="Ana", max_concurrent_chats=3))
    qtbot.waitUntil(lambda: bench.window.notice_bar.isVisible(), timeout=5000)
    assert "Saving your settings failed" in bench.window.notice_bar.text.text()
    bench.close()


def test_cancelled_work_never_reports(qtbot):
    application()
    background = Background(lanes={"io": 1, "assist": 1})
    gate = threading.Event()
    seen = []
    first = background.run(Job(lambda c: gate.wait(2) and "first", "blocking", on_done=seen.append))
    queued = background.run(Job(lambda c: "queued", "queued", on_done=seen.append))
    background.start_pending()
    queued.cancel()
    first.cancel()
    gate.set()
    assert background.wait_idle(3000)
    qtbot.wait(50)
    assert seen == []


def test_progress_is_the_latest_value_at_most_once_per_frame(qtbot):
    application()
    background = Background()
    deliveries: list[int] = []
    done = []

    def work(control):
        for i in range(2000):  # far faster than frames
            control.progress(i)
        time.sleep(0.05)
        control.progress(2000)
        return "ok"

    started = time.monotonic()
    background.run(Job(work, "stream", lane="assist", on_progress=deliveries.append, on_done=done.append))
    qtbot.waitUntil(lambda: done == ["ok"], timeout=3000)
    elapsed_frames = (time.monotonic() - started) / 0.016 + 2
    assert deliveries[-1] == 2000  # the last value always arrives, before the result
    assert len(deliveries) <= elapsed_frames and len(deliveries) < 50
    assert deliveries == sorted(deliveries)
