"""Reading logs off the UI thread: loading a team (with progress, cancellable) and one agent's detail.

Loading many logs takes seconds; the window keeps painting and answering while a QThread reads
them, reports each file as it is done, and stops at the next file when cancelled. Results come
back as signals, so they are handled on the UI thread.
"""
from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from copilot.review.distributions import window_views
from copilot.review.team import TeamReview, review_logs


class ReviewData:
    """A review and what the charts draw from it, all computed on the loading thread."""

    def __init__(self, review: TeamReview):
        self.review = review
        self.views = {window: window_views(review, window) for window in ("day", "week")}
        self.ready_at = time.perf_counter()  # when the data was ready (the bench times the window from here)


class LoadThread(QThread):
    progress = Signal(int, int, str)  # files done, files in all, the last file
    loaded = Signal(object)  # ReviewData
    failed = Signal(str)

    def __init__(self, paths: list[str], thresholds=None, since=None, until=None, parent=None):
        super().__init__(parent)
        self.paths, self.thresholds, self.since, self.until = list(paths), thresholds, since, until
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        try:
            review = review_logs(self.paths, self.since, self.until, self.thresholds,
                                 progress=self.progress.emit, cancelled=self._cancel.is_set)
            self.loaded.emit(ReviewData(review))
        except Exception as exc:  # a bug or an unexpected OS error: say so instead of dying silently
            self.failed.emit(f"{type(exc).__name__}: {exc}")


class _DetailSignals(QObject):
    done = Signal(str, object)  # agent, AgentDetail or an Exception


class _DetailJob(QRunnable):
    def __init__(self, signals: _DetailSignals, review: TeamReview, agent: str):
        super().__init__()
        self.signals, self.review, self.agent = signals, review, agent

    def run(self) -> None:
        from copilot.review.drilldown import agent_detail

        try:
            result = agent_detail(self.review, self.agent)
        except Exception as exc:  # e.g. the file was moved since the review loaded
            result = exc
        try:
            self.signals.done.emit(self.agent, result)
        except RuntimeError:  # the window closed (or the app quit) while this ran: nobody to tell
            pass


class DetailLoader(QObject):
    """Reads one agent's drill-down on the shared pool; only the latest request's answer is used."""

    done = Signal(str, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._signals = _DetailSignals()  # no parent: a job still running when the window closes keeps it alive
        self._signals.done.connect(self._arrived)
        self._wanted = ""

    def request(self, review: TeamReview, agent: str) -> None:
        self._wanted = agent
        QThreadPool.globalInstance().start(_DetailJob(self._signals, review, agent))

    def _arrived(self, agent: str, result) -> None:
        if agent == self._wanted:  # a slower, older request must not overwrite the newer one
            self.done.emit(agent, result)


class LoadingRow(QWidget):
    """A progress line above the table while logs load: what is being read, how far, and Cancel."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QLabel("")
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
            self.label.setText(f"Reading {done} of {total}: {name}")

    def cancelling(self) -> None:
        self.label.setText("Cancelling after this file…")
        self.cancel_button.setEnabled(False)


class StoreLoadThread(QThread):
    """Reads a review from the team store (copilot.teamstore.review) off the UI thread, as LoadThread
    reads files: the password comes from the keyring unless one was typed, and a typed one that the
    store accepts is kept in the keyring when asked. `needs_password` asks the window for one."""

    loaded = Signal(object)  # ReviewData
    failed = Signal(str)
    needs_password = Signal(str)  # why (the store refused or wants a password)

    def __init__(self, config, thresholds=None, since=None, until=None, password: str | None = None,
                 remember: bool = False, parent=None):
        super().__init__(parent)
        self.config, self.thresholds, self.since, self.until = config, thresholds, since, until
        self.password, self.remember = password, remember
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """The server's answer is dropped when it comes (a query cannot be stopped half-way here)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        from copilot.teamstore.config import resolve_password
        from copilot.teamstore.errors import TeamStoreError
        from copilot.teamstore.review import review_store

        try:
            password = self.password if self.password is not None else resolve_password(self.config)
            review = review_store(self.config, password, self.since, self.until, self.thresholds)
            if self.remember and self.password:
                from copilot.secrets import set_team_store_password

                set_team_store_password(self.config.account, self.password)
            data = ReviewData(review)
            if self.cancelled:
                self.failed.emit("")  # nothing to say: the lead cancelled
                return
            self.loaded.emit(data)
        except TeamStoreError as exc:
            (self.needs_password if exc.kind == "auth" else self.failed).emit(str(exc))
        except Exception as exc:  # a bug or an unexpected OS error: say so instead of dying silently
            self.failed.emit(f"{type(exc).__name__}: {exc}")
