"""Per-agent usage metrics by window (session, day or week), from one or more usage logs.

    compute_metrics("usage.sqlite", agent="ann", window="day") -> [AgentMetrics, ...]

Each window's figures (copilot/usage/figures.py says what each one means) come from its sums, and
it keeps its 5-minute bucket sums, which the overload flag compares within the shift.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from copilot.usage.bucket_queries import LOAD_COLUMNS, LogSums, SessionSpan, read_sums
from copilot.usage.errors import UsageLogError
from copilot.usage.figures import Figures
from copilot.usage.read_only import open_read_only
from copilot.usage.tally import Tally
from copilot.usage.timeframes import BUCKET_SECONDS, DAY, check_window, iso, window_label, window_start

Source = str | Path | sqlite3.Connection
_LOAD = (*LOAD_COLUMNS, "active_seconds")


@dataclass
class AgentMetrics:
    agent: str
    window: str  # session | day | week
    key: str  # "session 3", "2026-03-02", "2026-W10"
    start: float  # the session's span, or the day's/week's bounds, clipped to since/until
    end: float
    sessions: int
    source: str  # the file, for session windows (ids repeat across files)
    figures: Figures
    tally: Tally = field(repr=False)
    buckets: list[tuple[float, Tally]] = field(repr=False)  # (bucket start, sums), in time order

    def to_dict(self) -> dict:
        """Flat and JSON-ready: identity, UTC times, then every figure."""
        return {"agent": self.agent, "window": self.window, "key": self.key, "start": self.start,
                "end": self.end, "start_utc": iso(self.start), "end_utc": iso(self.end),
                "sessions": self.sessions, "source": self.source, **self.figures.to_dict()}


def compute_metrics(sources: Source | list[Source], agent: str | None = None, since: float | None = None,
                    until: float | None = None, window: str = "session", bucket_seconds: int = BUCKET_SECONDS,
                    use_stored: bool = True) -> list[AgentMetrics]:
    """Metrics per agent and window over events in [since, until), sorted by agent then start.

    `sources`: a path, an open connection (left open), or a list of them (e.g. a team's files).
    Paths are opened read-only; a file that is not a usable usage log raises UsageLogError.
    `use_stored=False` ignores the stored 5-minute sums and reads every event (for checking them).
    """
    check_window(window)
    if DAY % bucket_seconds:
        raise ValueError("bucket_seconds must divide a day")
    windows: dict[tuple, _Window] = {}
    for index, source in enumerate(sources if isinstance(sources, list) else [sources]):
        name = "" if isinstance(source, sqlite3.Connection) else str(source)
        sums = _read(source, agent, since, until, bucket_seconds, use_stored)
        for (sid, day), tally in sums.days.items():
            span = sums.spans[sid]
            key = (index, sid) if window == "session" else (span.agent, window_start(window, day * DAY))
            windows.setdefault(key, _Window(span.agent, name if window == "session" else "")).add_total(span, tally)
        for (sid, b), tally in sums.load.items():
            span = sums.spans[sid]
            key = (index, sid) if window == "session" else (span.agent, window_start(window, b * bucket_seconds))
            windows[key].add_load(b * bucket_seconds, tally)
    result = [w.metrics(window, key, since, until) for key, w in windows.items()]
    return sorted((m for m in result if m.tally != Tally()), key=lambda m: (m.agent, m.start, m.key))


def _read(source: Source, agent, since, until, bucket_seconds, use_stored) -> LogSums:
    conn = source if isinstance(source, sqlite3.Connection) else open_read_only(source)
    try:
        return read_sums(conn, agent, since, until, bucket_seconds, use_stored)
    except sqlite3.DatabaseError as exc:  # a damaged page deep in the file shows only when read
        raise UsageLogError(f"{source} could not be read ({exc}); it may be damaged. It was left untouched.") from exc
    finally:
        if conn is not source:
            conn.close()


class _Window:
    """One window's sums while the sources are read."""

    def __init__(self, agent: str, source: str):
        self.agent, self.source = agent, source
        self.spans: dict[int, SessionSpan] = {}
        self.total = Tally()
        self.load: dict[float, Tally] = {}  # bucket start -> load sums (bucket_queries.LOAD_COLUMNS)

    def add_total(self, span: SessionSpan, tally: Tally) -> None:
        self.spans[span.id] = span
        self.total.add(tally)

    def add_load(self, start: float, tally: Tally) -> None:
        if start in self.load:  # two sessions in the same 5 minutes (two app windows) add up
            self.load[start] = Tally().add(self.load[start], _LOAD).add(tally, _LOAD)
        else:
            self.load[start] = tally

    def metrics(self, window: str, key: tuple, since: float | None, until: float | None) -> AgentMetrics:
        if window == "session":
            span = next(iter(self.spans.values()))
            start, end, name = span.start, span.end, f"session {span.id}"
        else:
            start = key[1]
            end = window_start(window, start + (1.5 if window == "day" else 7.5) * DAY)  # the next one's start
            name = window_label(window, start)
        start = start if since is None else max(start, since)
        end = end if until is None else min(end, until)
        return AgentMetrics(self.agent, window, name, start, end, len(self.spans), self.source,
                            Figures.of(self.total), self.total, sorted(self.load.items()))
