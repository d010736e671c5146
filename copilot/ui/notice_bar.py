"""A calm, non-blocking note across the top of the workspace: fallbacks, problems, nudges.

It never takes focus and never needs answering; the agent can dismiss it (Esc works when it has
focus) or use its one optional action. A notice may carry a key, so whoever raised it can withdraw
it once it no longer holds (say, an alert about a chat that has since ended); a newer notice
replaces the one shown, and withdrawing by an old key then leaves the newer one alone.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton

from copilot.ui.diagnosis_panel import plain_label


class NoticeBar(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("noticeBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 8, 10, 8)
        self.text = plain_label("")
        self.action_button = QPushButton()
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.action_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.dismiss_button)
        self.dismiss_button.clicked.connect(lambda: self.withdraw())  # not `checked` as a key
        self._action: Callable[[], None] | None = None
        self.action_button.clicked.connect(self._run_action)
        self.kind = ""
        self.key = ""  # what the shown notice is about, for withdraw(); "" when it has no key
        self.hide()

    def show_notice(self, text: str, kind: str = "info", action: tuple[str, Callable[[], None]] | None = None,
                    key: str = "") -> None:
        """kind: info | warning | nudge — only the colour changes. key: see withdraw()."""
        self.kind = kind
        self.key = key
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.text.setText(text)
        self._action = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setVisible(action is not None)
        self.show()

    def withdraw(self, key: str | None = None) -> bool:
        """Take the notice away: any notice (key None), or only one shown with that key.

        Its action goes with it, so a withdrawn notice can never run it. True if one was withdrawn.
        """
        if key is not None and (not key or key != self.key or self.isHidden()):
            return False
        self._action = None
        self.key = ""
        self.hide()
        return True

    def _run_action(self) -> None:
        # The notice goes first: the action may well raise a new notice, which must stay.
        action = self._action
        self.withdraw()
        if action is not None:
            action()
