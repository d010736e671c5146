"""Polls a live chat source as the window does, and keeps everything it reported."""
from __future__ import annotations

import time


class Gathered:
    """Everything a source reported, polled as the window would (every 50 ms)."""

    def __init__(self, source):
        self.source = source
        self.events: list = []
        self.poll_seconds: list[float] = []

    def poll(self) -> list:
        started = time.perf_counter()
        new = self.source.poll(time.time())
        self.poll_seconds.append(time.perf_counter() - started)
        self.events += new
        return new

    def until(self, predicate, timeout: float = 15.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.poll()
            if predicate(self.events):
                return True
            time.sleep(0.05)
        return False

    def of(self, kind) -> list:
        return [e for e in self.events if isinstance(e, kind)]
