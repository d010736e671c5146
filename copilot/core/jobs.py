"""Background work as the Qt-free code describes it.

Domain code (the suggestion coordinator, the flag check, a settings save) builds a Job: `work`
runs off the UI thread and may report progress and check `control.cancelled`; `on_done`,
`on_error` and `on_progress` are called back on the thread that owns the job (the UI thread in
the app). The UI's one background helper (copilot/ui/background.py) runs Jobs on its pools;
`run_now` runs one inline, for the command line and unit tests.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class JobControl(Protocol):
    @property
    def cancelled(self) -> bool: ...

    def progress(self, value: Any) -> None:
        """Report progress. Only the latest value counts: the UI may skip values in between."""


@dataclass
class Job:
    work: Callable[[JobControl], Any]
    label: str  # what it is, in words for the agent: "Saving your settings"
    on_done: Callable[[Any], None] | None = None
    on_error: Callable[[BaseException], None] | None = None  # None: the helper shows the error itself
    on_progress: Callable[[Any], None] | None = None
    lane: str = "io"  # which pool: "assist" (engine work), "io" (disk, network checks, one at a time)


class Runner(Protocol):
    def __call__(self, job: Job) -> JobControl: ...


class _Inline:
    def __init__(self) -> None:
        self.cancelled = False
        self.on_progress: Callable[[Any], None] | None = None

    def progress(self, value: Any) -> None:
        if self.on_progress is not None:
            self.on_progress(value)

    def cancel(self) -> None:
        self.cancelled = True


def run_now(job: Job) -> JobControl:
    """Runs the job on this thread and calls back at once: for the command line and tests."""
    control = _Inline()
    control.on_progress = job.on_progress
    try:
        result = job.work(control)
    except BaseException as exc:  # noqa: BLE001 - handed to on_error, as the background helper does
        if job.on_error is None:
            raise
        job.on_error(exc)
    else:
        if job.on_done is not None:
            job.on_done(result)
    return control
