"""Running sums from which every usage figure is derived.

Metrics are summed per 5-minute bucket, and a window (a session, day or week) is the sum of its
buckets; an agent's baseline and the team reference are sums of windows. Keeping sums rather
than means makes every such combination exact: a mean of means would weight a quiet bucket like
a busy one.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

# Figures that combine by max; every other field adds up.
_PEAKS = ("concurrency_peak", "frustration_peak")


@dataclass(slots=True)
class Tally:
    # suggestions and what became of them
    shown: int = 0
    decisions: int = 0
    accepted: int = 0
    edited: int = 0
    rejected: int = 0
    ignored: int = 0
    sent_edit_distance: float = 0.0  # summed over accepted (0) and edited drafts
    dwell_seconds: float = 0.0  # display-to-decision time of used or rejected drafts with text...
    dwell_chars: float = 0.0  # ...and those drafts' lengths, so dwell per word = seconds / words
    accepted_timed: int = 0  # accepted drafts with text
    accepted_seconds: float = 0.0
    accepted_chars: float = 0.0
    accepted_fast: int = 0  # of those, accepted faster than they could be read
    # replies and customers
    replies: int = 0
    reply_seconds: float = 0.0
    replies_timed: int = 0
    first_responses: int = 0
    first_response_seconds: float = 0.0
    customer_messages: int = 0
    frustration_sum: float = 0.0
    frustration_scored: int = 0
    frustration_peak: float = 0.0
    upset: int = 0  # customer messages at or above UPSET (the chat list's amber badge)
    angry: int = 0  # ... at or above ANGRY (the red badge)
    # chats
    chats_opened: int = 0
    chats_ended: int = 0
    duration_seconds: float = 0.0
    durations: int = 0
    abandoned: int = 0  # customers who left waiting
    # attention and load
    switches: int = 0
    active_seconds: float = 0.0  # time the agent's app was running (sessions), within the window
    concurrency_seconds: float = 0.0  # integral of open chats over active time
    concurrency_peak: int = 0

    def add(self, other: Tally, names: tuple[str, ...] | None = None) -> Tally:
        """Add another tally's sums (all, or only `names`); peaks keep the larger."""
        for name in _SUMS if names is None else names:
            if name in _PEAKS:
                setattr(self, name, max(getattr(self, name), getattr(other, name)))
            else:
                setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    def add_values(self, names: list[str], values: list) -> None:
        """Add a query row: values of the named fields (None counts as nothing)."""
        for name, value in zip(names, values):
            if value is None:
                continue
            if name in INT_FIELDS:
                value = int(value)  # stored sums are REAL columns
            if name in _PEAKS:
                setattr(self, name, max(getattr(self, name), value))
            else:
                setattr(self, name, getattr(self, name) + value)

    @property
    def used(self) -> int:
        """Drafts the agent acted on: sent as is, edited, or turned down (not ignored)."""
        return self.accepted + self.edited + self.rejected

    @classmethod
    def total(cls, tallies) -> Tally:
        result = cls()
        for tally in tallies:
            result.add(tally)
        return result


def ratio(numerator: float, denominator: float) -> float | None:
    """None rather than 0 when there is nothing to divide: 'no data' is not 'zero'."""
    return numerator / denominator if denominator else None


_SUMS = tuple(f.name for f in fields(Tally))
INT_FIELDS = frozenset(f.name for f in fields(Tally) if f.type == "int")
