"""Clocks. All domain time is seconds as a float; the simulator may run faster than the wall."""
from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on this clock's time line (monotonic)."""


class WallClock:
    """Real time, as a Unix timestamp (so it can be shown and logged as a date)."""

    def now(self) -> float:
        return time.time()


class AcceleratedClock:
    """Wall time scaled by `speed` from the moment it was created.

    A shift simulated at speed 20 passes an hour of customer time in three minutes; everything
    that depends on time (patience, waiting, arrivals) reads this clock, so it all speeds up together.
    """

    def __init__(self, speed: float = 1.0, start: float | None = None):
        if speed <= 0:
            raise ValueError("clock speed must be positive")
        self.speed = speed
        self._start = time.time() if start is None else start
        self._t0 = time.monotonic()

    def now(self) -> float:
        return self._start + (time.monotonic() - self._t0) * self.speed


class ManualClock:
    """A clock that only moves when told to: for tests."""

    def __init__(self, start: float = 1_700_000_000.0):
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        self._now += seconds
        return self._now
