"""Turns the Qt-free workspace's callbacks into Qt signals the widgets connect to."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from copilot.core.workspace import Workspace


class WorkspaceBridge(QObject):
    chat_added = Signal(str)
    chat_changed = Signal(str)
    suggestion_changed = Signal(str)
    focus_changed = Signal(str)  # "" when no chat is in focus

    def __init__(self, workspace: Workspace, parent: QObject | None = None):
        super().__init__(parent)
        self.workspace = workspace
        workspace.subscribe(self._on_workspace)

    def _on_workspace(self, what: str, chat_id: str) -> None:
        signal = {
            "added": self.chat_added,
            "changed": self.chat_changed,
            "suggestion": self.suggestion_changed,
            "focus": self.focus_changed,
        }.get(what)
        if signal is not None:
            signal.emit(chat_id)
