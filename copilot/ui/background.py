"""The one way the window runs work off the UI thread (in the spirit of Anki's QueryOp).

`Background.run(job)` takes a Qt-free Job (copilot/core/jobs.py): its `work` runs on a pool, and
`on_done`, `on_error` and `on_progress` are called back on the UI thread. A job whose `on_error`
is None has its failure shown to the agent (the window's notice bar), never swallowed. Work is
cancellable (`control.cancel()`; the work sees `control.cancelled`, and a cancelled job's result
is dropped). Progress is "latest value wins" and reaches the UI at most once per frame for all
jobs together, so streamed text from five drafts costs one repaint per frame, not one per token.

Lanes: "assist" runs engine work (several at once: model servers answer several chats), "io"
runs disk and network checks one at a time, in order (a settings save never races the next).
Jobs start once the UI event that asked for them is handled: a tick that brings ten messages
runs to its end without worker threads competing with it for the interpreter lock.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from copilot.core.jobs import Job

log = logging.getLogger(__name__)
FRAME_MS = 16  # one frame at 60 Hz: progress is delivered at most this often
LANES = {"assist": 2, "io": 1}  # threads per lane; set_lane_size changes one


class Control:
    """What the work sees (cancelled, progress) and the caller keeps (cancel)."""

    def __init__(self, background: "Background", job: Job):
        self._background = background
        self.job = job
        self._cancelled = False
        self._lock = threading.Lock()
        self._latest: Any = None
        self._has_progress = False
        self.finished = False

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        self._cancelled = True

    def progress(self, value: Any) -> None:  # on the worker thread
        with self._lock:
            first = not self._has_progress
            self._latest, self._has_progress = value, True
        if first and not self._cancelled:
            try:
                self._background._relay.progress.emit(self)
            except RuntimeError:  # the app closed meanwhile
                self._cancelled = True

    def take_progress(self) -> tuple[bool, Any]:  # on the UI thread
        with self._lock:
            has, value = self._has_progress, self._latest
            self._has_progress, self._latest = False, None
        return has, value


class _Relay(QObject):
    # Emitted from pool threads; queued to the UI thread, where the Background object lives.
    finished = Signal(object, bool, object)  # control, ok, result or exception
    progress = Signal(object)  # control with progress waiting


class _Run(QRunnable):
    def __init__(self, control: Control):
        super().__init__()
        self.control = control
        self.setAutoDelete(True)

    def run(self) -> None:
        control = self.control
        if control.cancelled:
            self._report(False, None)
            return
        try:
            result = control.job.work(control)
        except BaseException as exc:  # noqa: BLE001 - reported on the UI thread, never lost
            self._report(False, exc)
        else:
            self._report(True, result)

    def _report(self, ok: bool, payload) -> None:
        try:
            self.control._background._relay.finished.emit(self.control, ok, payload)
        except RuntimeError:  # the app closed while this ran (e.g. a model still answering): nobody to tell
            log.debug("%s finished after the app closed", self.control.job.label)


class Background(QObject):
    failed = Signal(str)  # a job without its own on_error failed: the sentence for the agent

    def __init__(self, parent: QObject | None = None, lanes: dict[str, int] | None = None):
        super().__init__(parent)
        self._relay = _Relay()
        self._relay.finished.connect(self._finished)
        self._relay.progress.connect(self._progress_waiting)
        self._pools: dict[str, QThreadPool] = {}
        for lane, size in (lanes or LANES).items():
            self.set_lane_size(lane, size)
        self._pending: list[Control] = []
        self._running: set[Control] = set()
        self._start_soon = QTimer(self, singleShot=True, interval=0)
        self._start_soon.timeout.connect(self.start_pending)
        self._with_progress: list[Control] = []
        self._frame = QTimer(self, singleShot=True)
        self._frame.timeout.connect(self._deliver_progress)
        self._last_frame = 0.0

    def set_lane_size(self, lane: str, threads: int) -> None:
        pool = self._pools.get(lane)
        if pool is None:
            pool = self._pools[lane] = QThreadPool(self)
        pool.setMaxThreadCount(max(1, threads))

    def lane_size(self, lane: str) -> int:
        return self._pools[lane].maxThreadCount()

    # ---- submitting ------------------------------------------------------------------------------
    def run(self, job: Job) -> Control:
        if job.lane not in self._pools:
            raise ValueError(f"unknown lane {job.lane!r}")
        control = Control(self, job)
        self._pending.append(control)
        self._start_soon.start()
        return control

    __call__ = run  # a Background is a copilot.core.jobs.Runner

    def start_pending(self) -> None:
        pending, self._pending = self._pending, []
        for control in pending:
            self._running.add(control)
            self._pools[control.job.lane].start(_Run(control))

    def cancel_all(self, lanes: tuple[str, ...] | None = None) -> None:
        """Cancel the work of these lanes (all by default): what has not started never runs."""
        chosen = set(self._pools) if lanes is None else set(lanes)
        for control in [*self._pending, *self._running]:
            if control.job.lane in chosen:
                control.cancel()
        self._pending = [c for c in self._pending if c.job.lane not in chosen]
        for lane in chosen:
            self._pools[lane].clear()  # queued, not started: they never run (and never report)

    def wait_idle(self, msecs: int = 5000) -> bool:
        """Start what is pending and wait for every pool (at close, in tests)."""
        self.start_pending()
        deadline = time.monotonic() + msecs / 1000
        return all(pool.waitForDone(max(0, int((deadline - time.monotonic()) * 1000))) for pool in self._pools.values())

    @property
    def busy(self) -> int:
        return len(self._pending) + len(self._running)

    # ---- results, on the UI thread ---------------------------------------------------------------
    def _finished(self, control: Control, ok: bool, payload: Any) -> None:
        self._running.discard(control)
        control.finished = True
        job = control.job
        if control.cancelled:
            return
        if ok:
            self._flush_one(control)  # the last progress before the result, never after it
            if job.on_done is not None:
                self._call(job, job.on_done, payload)
        elif payload is not None:
            self._report(job, payload)

    def _report(self, job: Job, error: BaseException) -> None:
        if job.on_error is not None:
            self._call(job, job.on_error, error, report=False)
            return
        log.error("%s failed", job.label, exc_info=error)
        self.failed.emit(f"{job.label} failed: {error}" if str(error) else f"{job.label} failed ({type(error).__name__}).")

    def _call(self, job: Job, callback: Callable, value: Any, report: bool = True) -> None:
        try:
            callback(value)
        except Exception as exc:  # a bug in a callback must not take the event loop down
            log.exception("callback of %s failed", job.label)
            if report:
                self.failed.emit(f"{job.label} failed: {type(exc).__name__}: {exc}")

    def _progress_waiting(self, control: Control) -> None:
        self._with_progress.append(control)
        if not self._frame.isActive():
            wait = FRAME_MS - (time.monotonic() - self._last_frame) * 1000
            self._frame.start(max(0, int(wait)))

    def _deliver_progress(self) -> None:
        self._last_frame = time.monotonic()
        waiting, self._with_progress = self._with_progress, []
        for control in waiting:
            self._flush_one(control)

    def _flush_one(self, control: Control) -> None:
        has, value = control.take_progress()
        if has and not control.cancelled and control.job.on_progress is not None:
            self._call(control.job, control.job.on_progress, value)
