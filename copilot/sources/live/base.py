"""What every live source does the same way: two threads, the hand-over to poll(), the outbox, and
how a failure is met. A subclass (matrix/source.py, chatwoot/source.py) says how to receive
(`_receive`, one connection's life) and how to carry out one command (`_do`).

- The receiving thread keeps a connection alive: it calls `_receive` and, when that raises a
  ServerProblem, reports it (reconnecting with backoff, or offline for a refused sign-in) and tries
  again; while offline it waits for `reconnect()`.
- The command thread carries out commands in order (replies first of all), retrying what can be
  retried with backoff until the reply runs out of patience, then reports it FAILED.
- stop() returns within a few seconds: the command thread is joined, a receive in flight is left to
  end by itself (its answer is dropped: every subclass checks `stopping` before applying anything).
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from pathlib import Path

from copilot.core.events import SourceEvent
from copilot.sources.config import SourceConfig
from copilot.sources.live.arrivals import Arrivals
from copilot.sources.live.backoff import Backoff
from copilot.sources.live.link import LinkReporter
from copilot.sources.live.outbox import Outbox, Reply
from copilot.sources.live.problems import ServerProblem
from copilot.sources.live.state_file import StateFile

log = logging.getLogger(__name__)
WORKED_FOR = 2.0  # a connection that failed after this many seconds had worked: try again at once


class LiveSource:
    kind = "live"

    def __init__(self, config: SourceConfig, data_dir: Path, clock=time.time):
        self.config, self.clock = config, clock
        self.arrivals = Arrivals()
        self.link = LinkReporter(self.arrivals, clock)
        self.outbox = Outbox(self.arrivals, clock=clock)
        self.folder = data_dir / "sources"
        self.state_file = StateFile(self.folder / f"{config.slug}.json")
        self.problems: Counter = Counter()  # what went wrong so far, by kind (self-test summary, tests)
        self.stopping = threading.Event()
        self.ready = threading.Event()  # signed in: commands may go
        self._wake = threading.Event()
        self._commands: queue.Queue = queue.Queue()
        self._threads: list[threading.Thread] = []

    # ---- ChatSource --------------------------------------------------------------------------
    def start(self) -> None:
        self.link.connecting()  # the status area says so until the first answer
        self._load_state()
        for target, role in ((self._receive_loop, "receive"), (self._command_loop, "send")):
            thread = threading.Thread(target=target, name=f"{self.kind}-{role}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def poll(self, now: float) -> list[SourceEvent]:
        return self.arrivals.drain(now)

    def send(self, chat_id: str, text: str, now: float, outbox_id: str) -> None:
        reply = self.outbox.add(chat_id, text, outbox_id)
        if reply is not None:
            self.command("send", reply)

    def stop(self) -> None:
        self.stopping.set()
        self._wake.set()
        self._commands.put(("stop",))
        self._interrupt()
        receiving, sending = self._threads or (None, None)
        if sending is not None:
            sending.join(timeout=5)
        if receiving is not None:
            receiving.join(timeout=0.5)
        self._release()
        self._save_state()

    def reconnect(self) -> None:
        """The agent asks to try again after the source went offline (e.g. a new secret was saved)."""
        self._wake.set()

    def command(self, *command) -> None:
        self._commands.put(command)

    # ---- for subclasses ----------------------------------------------------------------------
    def _receive(self, backoff: Backoff) -> None:
        """Sign in if needed and receive until something fails (raise ServerProblem) or stopping."""
        raise NotImplementedError

    def _do(self, command: tuple) -> None:
        raise NotImplementedError

    def _gave_up(self, command: tuple, problem: ServerProblem) -> None:
        """A command that will not be retried (a reply is already reported FAILED)."""
        if command[0] != "send":
            log.warning("%s %s gave up: %s", self.kind, command[0], problem.detail)

    def _refusal(self, problem: ServerProblem) -> str:
        return problem.detail

    def _interrupt(self) -> None:
        """Make a receive in flight end soon (e.g. close a websocket)."""

    def _release(self) -> None:
        """Close the HTTP clients."""

    def _load_state(self) -> None: ...

    def _save_state(self) -> None: ...

    def went_offline(self, problem: ServerProblem) -> None:
        self.ready.clear()
        self.link.offline(self._refusal(problem))

    # ---- the receiving thread ----------------------------------------------------------------
    def _receive_loop(self) -> None:
        backoff = Backoff()
        while not self.stopping.is_set():
            if self.link.is_offline:
                if not self._wake.wait(1.0):
                    continue
                self._wake.clear()
                self.link.connecting()
            started = time.monotonic()
            try:
                self._receive(backoff)
            except ServerProblem as problem:
                if self.stopping.is_set():
                    break
                if time.monotonic() - started > WORKED_FOR:
                    backoff.reset()
                self._receive_failed(problem, backoff)
            except Exception:  # a bug must not end receiving for the shift: log it, back off, go on
                if self.stopping.is_set():
                    break
                log.exception("%s: receiving failed", self.kind)
                self.stopping.wait(backoff.next_delay())

    def _receive_failed(self, problem: ServerProblem, backoff: Backoff) -> None:
        self.problems[problem.kind] += 1
        if problem.kind in ("auth", "forbidden"):
            self.went_offline(problem)
            return
        delay = backoff.next_delay(problem.retry_after if problem.kind == "rate_limited" else None)
        self.link.reconnecting(delay, problem.detail)
        self.stopping.wait(delay)

    # ---- the command thread ------------------------------------------------------------------
    def _command_loop(self) -> None:
        while not self.stopping.is_set():
            command = self._commands.get()
            if command[0] == "stop":
                break
            try:
                self._perform(command)
            except Exception:
                log.exception("%s command %s failed", self.kind, command[0])

    def _perform(self, command: tuple) -> None:
        backoff = Backoff()
        reply: Reply | None = command[1] if command[0] == "send" else None
        while not self.stopping.is_set():
            if self.link.is_offline and reply is not None:
                self.outbox.failed(reply.outbox_id, f"not sent: {self.link.detail}")
                return
            if not self.ready.wait(timeout=1.0):
                if reply is not None and self.outbox.out_of_patience(reply):
                    self.outbox.failed(reply.outbox_id, f"not sent: {self.link.detail or 'no connection'}")
                    return
                continue
            try:
                self._do(command)
                return
            except ServerProblem as problem:
                self.problems[problem.kind] += 1
                if problem.kind == "auth":
                    self.went_offline(problem)
                if not problem.retryable or (reply is not None and self.outbox.out_of_patience(reply)):
                    if reply is not None:
                        self.outbox.failed(reply.outbox_id, self._failure(problem))
                    self._gave_up(command, problem)
                    return
                self.stopping.wait(backoff.next_delay(problem.retry_after if problem.kind == "rate_limited" else None))

    def _failure(self, problem: ServerProblem) -> str:
        """A failed reply's reason, in plain words."""
        return problem.detail
