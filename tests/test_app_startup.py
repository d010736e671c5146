"""Starting the real app parts: a malformed scenario file is reported by name and the rest load."""
from __future__ import annotations

import shutil

from copilot import paths
from copilot.session import SessionOptions
from copilot.ui.app import Workbench, application


def test_malformed_scenario_is_named_and_the_others_still_play(qtbot, tmp_path):
    application()
    folder = tmp_path / "scenarios"
    shutil.copytree(paths.resource("scenarios"), folder)
    (folder / "zz_broken.toml").write_text('id = "broken"\nissue = [unclosed', encoding="utf-8")
    (folder / "zz_latin1.toml").write_bytes("title = 'caf\xe9'".encode("latin-1"))
    bench = Workbench(SessionOptions(agent="t", seed=1, speed=50, arrival_per_minute=60, max_concurrent=3,
                                     total_chats=3, scenarios_dir=folder, usage_log=tmp_path / "u.sqlite"))
    qtbot.addWidget(bench.window)
    try:
        problems = "\n".join(bench.session.problems)
        assert "zz_broken.toml" in problems and "zz_latin1.toml" in problems
        assert len(bench.session.problems) == 2
        bench.window.show()
        bench.start()
        qtbot.waitUntil(lambda: len(bench.session.workspace.chats) >= 2, timeout=15000)
        qtbot.waitUntil(lambda: bench.session.workspace.tally["shown"] >= 1, timeout=15000)
    finally:
        bench.close()
