"""A small, calm line of shift figures at the bottom of the window."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QWidget

from copilot.core.workspace import Workspace
from copilot.core.display_text import format_wait
from copilot.ui.diagnosis_panel import plain_label


class StatusArea(QWidget):
    def __init__(self, workspace: Workspace, parent=None):
        super().__init__(parent)
        self.workspace = workspace
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        self.load = plain_label("", wrap=False)
        self.shift = plain_label("", wrap=False)
        self.health = plain_label("", "healthWarning", wrap=False)  # the usage log failing: never silent
        self.health.setStyleSheet("color: #b45309; font-weight: 600;")
        self.health.hide()
        self.health_source = None  # e.g. UsageLog.health: () -> UsageLogHealth
        self.source = plain_label("", "muted", wrap=False)
        self.source.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.team_store = plain_label("", "muted", wrap=False)  # "team store: 3 h behind" (copilot/ui/team_sync.py)
        self.team_store.hide()
        # Long figures must never widen the window: they are cut by the layout instead.
        for label in (self.load, self.shift, self.health, self.team_store, self.source):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.load, 2)
        layout.addSpacing(24)
        layout.addWidget(self.shift, 5)
        layout.addWidget(self.health, 3)
        layout.addWidget(self.team_store, 2)
        layout.addWidget(self.source, 2)
        self.refresh()

    def set_source_text(self, text: str) -> None:
        self.source.setText(text)

    def set_team_store_text(self, text: str) -> None:
        self.team_store.setText(text)
        self.team_store.setToolTip(text)
        self.team_store.setVisible(bool(text))

    def refresh(self) -> None:
        ws = self.workspace
        now = ws.clock.now()
        open_chats = ws.open_chats
        waiting = [c.waiting_seconds(now) for c in open_chats if c.awaiting_reply_since is not None]
        load = f"{len(open_chats)} open · {len(waiting)} waiting"
        if waiting:
            load += f" · longest {format_wait(max(waiting))}"
        self.load.setText(load)
        self.shift.setText(shift_summary(ws))
        self._show_health()

    def _show_health(self) -> None:
        """The product's evidence is the usage log: when records fail or wait, say so (it only reads
        counters, so it is cheap on the refresh timer)."""
        health = self.health_source() if self.health_source is not None else None
        summary = health.summary() if health is not None and not health.ok else ""
        if summary:
            self.health.setText(f"⚠ {summary}")
            self.health.setToolTip(summary)
        self.health.setVisible(bool(summary))


def drafts(n: int) -> str:
    return f"{n} draft" if n == 1 else f"{n} drafts"


def shift_summary(ws: Workspace) -> str:
    """The agent's own figures, in words: shares of decisions and the typical time to decide.

    Only the agent's own decisions count. "Set aside" is a draft the agent saw and then left: they
    replied in their own words, or ended the chat. A draft the customer overtook (they wrote again,
    or left, before the agent acted) was never the agent's choice, so it is no share here; the
    usage log still records it as an ignored decision, marked `superseded`.
    """
    t = ws.tally
    counts = {k: t[k] for k in ("accepted", "edited", "rejected")}
    counts["set aside"] = max(0, t["ignored"] - t["superseded"])
    decided = sum(counts.values())
    if not decided:
        return f"This shift: {drafts(t['shown'])} seen, none decided yet"
    share = lambda k: f"{counts[k] / decided:.0%}"  # noqa: E731
    timed = sorted(d.seconds_to_decide for d in ws.decisions if d.kind.value in ("accepted", "edited", "rejected"))
    median = f" · {timed[len(timed) // 2]:.0f} s typical decision" if timed else ""
    return (f"This shift: {drafts(decided)} decided · {share('accepted')} sent as is · {share('edited')} edited · "
            f"{share('rejected')} rejected · {share('set aside')} set aside{median}")
