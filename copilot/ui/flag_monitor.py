"""Watches the agent's own usage log for over-reliance and overload, off the UI thread.

Every `interval` seconds (and only when new decisions were made) it reads the log read-only on
the thread pool, computes this session's metrics and flags against the agent's earlier sessions,
and reports flags that have just been raised. The window turns them into a gentle nudge.
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from copilot.core.jobs import Job
from copilot.core.workspace import Workspace

log = logging.getLogger(__name__)


def current_flags(path: Path, agent: str, session_id: int) -> list:
    """Flags for this session, judged against the agent's earlier sessions in the same file."""
    from copilot.usage.flags import compute_flags
    from copilot.usage.metrics import compute_metrics

    windows = compute_metrics(str(path), agent=agent, window="session")
    current = [w for w in windows if w.key == f"session {session_id}"]
    earlier = [w for w in windows if w.key != f"session {session_id}" and current and w.start < current[0].start]
    return compute_flags(current, history=earlier) if current else []


class FlagMonitor(QObject):
    flag_raised = Signal(object)  # a Flag that was not raised at the previous check

    def __init__(self, workspace: Workspace, usage_log, agent: str, background, interval_ms: int = 30_000,
                 parent=None):
        super().__init__(parent)
        self.workspace = workspace
        self.background = background  # copilot.ui.background.Background
        self.usage_log = usage_log
        self.agent = agent
        self.raised: set[str] = set()  # kinds currently raised
        self.last_error: Exception | None = None
        self._decided_at_last_check = -1
        self._busy = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.setInterval(interval_ms)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def check(self) -> None:
        decided = len(self.workspace.decisions)
        if self._busy or decided == self._decided_at_last_check:
            return  # nothing new to judge, or the previous check is still running
        self._busy = True
        self._decided_at_last_check = decided
        path, agent, session_id = Path(self.usage_log.path), self.agent, self.usage_log.session_id
        self.background.run(Job(lambda _control: current_flags(path, agent, session_id), "Checking your usage flags",
                                on_done=self._done, on_error=self._failed))

    def _failed(self, error: BaseException) -> None:
        """A broken read is logged and tried again at the next check: a nudge is not worth an alarm."""
        self._busy = False
        self.last_error = error
        log.warning("usage flags could not be computed: %s", error)

    def _done(self, result) -> None:
        self._busy = False
        now_raised = {flag.kind for flag in result if flag.raised}
        for flag in result:
            if flag.raised and flag.kind not in self.raised:
                self.flag_raised.emit(flag)
        self.raised = now_raised
