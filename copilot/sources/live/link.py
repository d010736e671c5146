"""The connection state a source reports (ConnectionChanged), told only when it changes."""
from __future__ import annotations

import threading
import time

from copilot.core.events import ConnectionChanged, Link
from copilot.sources.live.arrivals import Arrivals


class LinkReporter:
    def __init__(self, arrivals: Arrivals, clock=time.time):
        self._arrivals = arrivals
        self._clock = clock
        self._lock = threading.Lock()
        self.state: Link | None = None  # nothing told yet: start() tells CONNECTING
        self.detail = ""
        self.since: float | None = None  # when the connection last worked

    def _tell(self, state: Link, detail: str = "", retry_at: float | None = None) -> None:
        now = self._clock()
        with self._lock:
            if state is Link.CONNECTED:
                self.since = now
            unchanged = state is self.state and detail == self.detail and state is not Link.RECONNECTING
            self.state, self.detail = state, detail
            since = self.since
        if not unchanged:
            self._arrivals.put(ConnectionChanged(state, now, detail, retry_at, since))

    def connecting(self) -> None:
        self._tell(Link.CONNECTING)

    def connected(self) -> None:
        self._tell(Link.CONNECTED)

    def reconnecting(self, delay: float, detail: str) -> None:
        self._tell(Link.RECONNECTING, detail, self._clock() + delay)

    def offline(self, detail: str) -> None:
        self._tell(Link.OFFLINE, detail)

    @property
    def is_offline(self) -> bool:
        return self.state is Link.OFFLINE
