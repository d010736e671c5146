"""How long to wait before trying a server again.

Doubling from `base` up to `cap`, with jitter so many clients do not return at the same instant.
The cap is low (4 s) on purpose: a refused connection costs nothing, and the agent should be back
within seconds of the server. A server that says how long to wait (429 Retry-After, Matrix
`retry_after_ms`) is obeyed instead.
"""
from __future__ import annotations

import random


class Backoff:
    def __init__(self, base: float = 0.5, cap: float = 4.0, rng: random.Random | None = None):
        self.base, self.cap = base, cap
        self.failures = 0
        self._rng = rng or random.Random()

    def next_delay(self, retry_after: float | None = None) -> float:
        """Seconds to wait after one more failure."""
        self.failures += 1
        if retry_after is not None and retry_after >= 0:
            return min(retry_after, 3600.0)  # the server knows best, within reason
        delay = min(self.cap, self.base * 2 ** (self.failures - 1))
        return delay * self._rng.uniform(0.6, 1.0)

    def reset(self) -> None:
        self.failures = 0
