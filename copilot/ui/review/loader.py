"""Reading off the UI thread, as Jobs for the window's background helper (copilot/ui/background.py):
a team's logs (with progress, cancellable), the team store, and one agent's drill-down.

Loading many logs takes seconds; the window keeps painting and answering while a worker reads
them, reports each file as it is done, and stops at the next file when cancelled: a cancelled
load still comes back, with what was read (the `stop` event, not the job's own cancel, which
would drop the result). Results and progress are called back on the UI thread.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from copilot.core.display_text import display_name
from copilot.core.jobs import Job
from copilot.review.distributions import window_views
from copilot.review.team import TeamReview, review_logs

LANE = "review"  # one thread: a team load never waits behind (or delays) the app's other io work


class ReviewData:
    """A review and what the charts draw from it, all computed on the loading thread."""

    def __init__(self, review: TeamReview):
        self.review = review
        self.views = {window: window_views(review, window) for window in ("day", "week")}
        self.ready_at = time.perf_counter()  # when the data was ready (the bench times the window from here)


def files_job(paths: list[str], thresholds, since, until, stop: threading.Event, on_done: Callable,
              on_error: Callable, on_progress: Callable) -> Job:
    """Reads the logs; progress is (files done, files in all, the last file)."""
    def work(control) -> ReviewData:
        review = review_logs(paths, since, until, thresholds, progress=lambda *step: control.progress(step),
                             cancelled=stop.is_set)
        return ReviewData(review)

    return Job(work, "Loading the usage logs", on_done, on_error, on_progress, lane=LANE)


def store_job(config, thresholds, since, until, password: str | None, remember: bool, on_done: Callable,
              on_error: Callable) -> Job:
    """The team store's review (copilot.teamstore.review): the password from the keyring unless one was
    typed; a typed one the store accepts is kept in the keyring when `remember`."""
    def work(_control) -> ReviewData:
        from copilot.teamstore.config import resolve_password
        from copilot.teamstore.review import review_store

        review = review_store(config, password if password is not None else resolve_password(config), since,
                              until, thresholds)
        if remember and password:
            from copilot.secrets import set_team_store_password

            set_team_store_password(config.account, password)
        return ReviewData(review)

    return Job(work, "Reading the team store", on_done, on_error, lane=LANE)


def detail_job(review: TeamReview, agent: str, on_done: Callable, on_error: Callable) -> Job:
    def work(_control):
        from copilot.review.drilldown import agent_detail

        return agent_detail(review, agent)

    return Job(work, f"Reading {agent}'s sessions", on_done, on_error, lane=LANE)


class LoadingRow(QWidget):
    """A progress line above the table while logs load: what is being read, how far, and Cancel."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QLabel("")
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # file names are never markup
        self.bar = QProgressBar()
        self.cancel_button = QPushButton("Cancel")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 12, 6)
        row.addWidget(self.label)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        self.hide()

    def start(self) -> None:
        self.bar.setRange(0, 0)  # busy until the files are counted
        self.label.setText("Looking for usage logs…")
        self.cancel_button.setEnabled(True)
        self.show()

    def step(self, done: int, total: int, name: str, cancelling: bool) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        if not cancelling:
            self.label.setText(f"Reading {done} of {total}: {display_name(name)}")

    def cancelling(self) -> None:
        self.label.setText("Cancelling after this file…")
        self.cancel_button.setEnabled(False)
