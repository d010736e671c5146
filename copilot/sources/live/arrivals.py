"""The hand-over between a source's network threads and the UI thread's poll().

Network threads `put` events as they learn them; `drain(now)` takes everything at once under a
lock, so poll() never waits on the network. Times are clamped to `now` (a server clock running a
little ahead must not put an event in the future of the session), and a remote id is reported at
most once per source, however often a resync sees it.
"""
from __future__ import annotations

import dataclasses
import threading

from copilot.core.events import SourceEvent


class Arrivals:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[SourceEvent] = []
        self._seen: set[str] = set()

    def put(self, event: SourceEvent) -> bool:
        """Queue an event. False (and dropped) when it carries a remote id already reported."""
        remote_id = getattr(event, "remote_id", "")
        with self._lock:
            if remote_id:
                if remote_id in self._seen:
                    return False
                self._seen.add(remote_id)
            self._events.append(event)
        return True

    def seen(self, remote_id: str) -> bool:
        with self._lock:
            return remote_id in self._seen

    def mark_seen(self, remote_id: str) -> None:
        """Remember an id that must never be reported (e.g. the echo of our own reply)."""
        with self._lock:
            self._seen.add(remote_id)

    def drain(self, now: float) -> list[SourceEvent]:
        with self._lock:
            events, self._events = self._events, []
        return [_not_after(event, now) for event in events]


def _not_after(event: SourceEvent, now: float) -> SourceEvent:
    if event.ts <= now:
        return event
    return dataclasses.replace(event, ts=now)
