"""Renders the real main window mid-shift: chats in every state, a diagnosis and a draft in focus."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

from copilot.selftest.policy import ScriptedAgent
from copilot.session import SessionOptions
from copilot.ui.app import application
from copilot.ui.workbench import Workbench
from copilot.ui.selftest_driver import SelftestDriver


def _spin(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def take_screenshot(out: Path, chats: int, seed: int, size: tuple[int, int], usage_log: Path | None = None) -> Path:
    app = application()
    with tempfile.TemporaryDirectory() as tmp:
        options = SessionOptions(
            agent="screenshot", seed=seed, speed=25.0, arrival_per_minute=30.0, max_concurrent=chats,
            total_chats=chats, usage_log=usage_log or Path(tmp) / "usage.sqlite", policy="careful",
        )
        bench = Workbench(options)
        bench.window.resize(*size)
        bench.window.show()
        bench.start()
        # A careful agent works the shift for a while, so chats are in different states.
        driver = SelftestDriver(bench, ScriptedAgent("careful", bench.session.simulator, seed), chats, 60)
        driver.start()
        deadline = time.monotonic() + 20
        ws = bench.session.workspace
        while time.monotonic() < deadline:
            _spin(0.25)
            if len(ws.chats) >= chats and ws.tally["agent_messages"] >= chats:
                break
        driver.stop()
        bench.window.stop()
        # Focus the most urgent chat that has a fresh suggestion, as an agent would.
        candidates = [c for c in ws.ranked_chats() if c.is_open and ws.suggestion_for(c.id) and not ws.suggestion_for(c.id).decision]
        if candidates:
            ws.focus(candidates[0].id)
        bench.window.refresh()
        _spin(0.3)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not bench.window.grab().save(str(out)):
            raise OSError(f"could not write {out}")
        bench.close()
    return out.resolve()
