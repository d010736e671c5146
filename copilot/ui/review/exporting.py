"""Exports from the review window, written on the thread pool: the UI thread never waits on the disk."""
from __future__ import annotations

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Signals(QObject):
    done = Signal(str, str)  # path, error ("" when written)


class _ExportJob(QRunnable):
    def __init__(self, signals: _Signals, kind: str, review, path: str, agents: list[str] | None,
                 inputs: list[str]):
        super().__init__()
        self.signals, self.kind, self.review, self.path, self.agents = signals, kind, review, path, agents
        self.inputs = inputs

    def run(self) -> None:
        from copilot.review.export import output_problem, write_csv
        from copilot.review.html_report import write_html

        try:
            problem = output_problem(self.path, self.inputs)
            if problem:
                raise ValueError(problem)
            if self.kind == "html":
                write_html(self.review, self.path)
            else:
                write_csv(self.review, self.path, self.agents)
            error = ""
        except OSError as exc:  # a full disk, a folder without write access: reported, not raised
            error = exc.strerror or str(exc)
        except Exception as exc:
            error = str(exc)
        try:
            self.signals.done.emit(self.path, error)
        except RuntimeError:  # the window closed while this wrote: nobody to tell
            pass


class Exporter(QObject):
    """`export("html" | "csv", review, path, agents, inputs)`; `done(path, error)` when the file is written.

    `inputs`: the logs the review was read from (files or folders), which an export never overwrites."""

    done = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._signals = _Signals()  # no parent: a job still writing when the window closes keeps it alive
        self._signals.done.connect(self.done)

    def export(self, kind: str, review, path: str, agents: list[str] | None = None,
               inputs: list[str] | None = None) -> None:
        inputs = list(review.files) + [p.path for p in review.problems] if inputs is None else inputs
        QThreadPool.globalInstance().start(_ExportJob(self._signals, kind, review, path, agents, inputs))
