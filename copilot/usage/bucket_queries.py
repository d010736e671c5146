"""Reads a usage log into sums per (session, day) and light per-(session, 5-minute bucket) sums.

Whole buckets come from `usage_buckets`, which SQLite keeps up to date (bucket_sums.py,
concurrency_sums.py), summed per day in SQL so only a few rows reach Python. Partial buckets at the
edges of a --since/--until range, and files from before schema v2 (read-only here, so not
migrated), are summed from the event tables with the same expressions, and their open-chat time
by walking the concurrency table. Active time and the still-running open-chat step are added here.
"""
from __future__ import annotations

import math
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field

from copilot.usage import bucket_sums
from copilot.usage.tally import INT_FIELDS, Tally

_FAR = 1e18  # stands in for "no limit" so the SQL text never changes (sqlite3 caches statements)
# What the overload rule compares bucket by bucket (plus active time, added in Python).
LOAD_COLUMNS = ("replies", "reply_seconds", "replies_timed", "customer_messages", "frustration_sum",
                "frustration_scored", "concurrency_seconds", "concurrency_peak")

_AGENT_SESSIONS = """(SELECT se.id FROM sessions se JOIN agents a ON a.id = se.agent_id
                      WHERE (:agent IS NULL OR a.name = :agent) AND (:session IS NULL OR se.id = :session))"""
_STORED_WHERE = f"session_id IN {_AGENT_SESSIONS} AND bucket >= :first AND bucket < :stop"
_STORED_TOTALS = ("SELECT session_id, bucket / :per_day, "
                  + ", ".join(f"max({c})" if c.endswith("_peak") else f"sum({c})" for c in bucket_sums.COLUMNS)
                  + f" FROM {bucket_sums.TABLE} WHERE {_STORED_WHERE} GROUP BY 1, 2")
_STORED_LOAD = ("SELECT session_id, bucket, "
                + ", ".join(f"CAST({c} AS INTEGER)" if c in INT_FIELDS else c for c in LOAD_COLUMNS)
                + f" FROM {bucket_sums.TABLE} WHERE {_STORED_WHERE}")
_SESSIONS = """
SELECT se.id, a.name, se.started_at, se.ended_at FROM sessions se JOIN agents a ON a.id = se.agent_id
WHERE (:agent IS NULL OR a.name = :agent) AND (:session IS NULL OR se.id = :session) AND se.started_at < :until
ORDER BY se.id"""
_LAST_EVENT = " UNION ALL ".join(
    f"SELECT max(ts) FROM {table} WHERE session_id = ?"  # one index probe each
    for table in ("messages", "suggestions", "decisions", "focus_changes", "concurrency", "chats", "events")
)
_LAST_STEP = "SELECT ts, open_chats FROM concurrency WHERE session_id = ? ORDER BY ts DESC, id DESC LIMIT 1"
_STEPS = "SELECT ts, open_chats FROM concurrency WHERE session_id = ? AND ts < ? ORDER BY ts, id"


@dataclass(frozen=True)
class SessionSpan:
    id: int
    agent: str
    start: float
    end: float  # ended_at, or the last event of a session that never ended (the app was killed)


@dataclass
class LogSums:
    spans: dict[int, SessionSpan]
    days: dict[tuple[int, int], Tally] = field(default_factory=lambda: defaultdict(Tally))  # (session, day)
    load: dict[tuple[int, int], Tally] = field(default_factory=lambda: defaultdict(Tally))  # (session, bucket)

    def add(self, sid: int, b: int, tally: Tally, per_day: int) -> None:
        self.days[(sid, b // per_day)].add(tally)
        self.load[(sid, b)].add(tally, LOAD_COLUMNS)


def read_sums(conn: sqlite3.Connection, agent: str | None, since: float | None, until: float | None,
              bucket: int, use_stored: bool = True, session_id: int | None = None) -> LogSums:
    """Sums of events with times in [since, until), for the agent's sessions (or everyone's, or one)."""
    given = (since is not None, until is not None)
    since, until = (-_FAR if since is None else since), (_FAR if until is None else until)
    params = {"agent": agent, "session": session_id, "since": since, "until": until, "per_day": 86400 // bucket}
    sums = LogSums(_spans(conn, params))
    first, stop = math.ceil(since / bucket), math.floor(until / bucket)
    if use_stored and bucket == bucket_sums.BUCKET_SECONDS and first < stop and _has_stored_sums(conn):
        _add_stored(conn, params | {"first": first, "stop": stop}, sums)
        edges = [(since, first * bucket), (stop * bucket, until)]
        raw = [edge for edge, was_given in zip(edges, given) if was_given]
        for span in sums.spans.values():  # the step still running at the end of each session
            last = conn.execute(_LAST_STEP, (span.id,)).fetchone()
            if last is not None and last[0] is not None and last[1] is not None:
                _add_steps(span, [last], max(since, first * bucket), min(until, stop * bucket), bucket, sums)
    else:
        raw = [(since, until)]
    for lo, hi in raw:
        if lo < hi:
            _add_raw(conn, params | {"since": lo, "until": hi}, bucket, sums)
    _add_active_time(sums, since, until, bucket)
    return sums


def _spans(conn: sqlite3.Connection, params: dict) -> dict[int, SessionSpan]:
    spans = {}
    for sid, name, start, ended in conn.execute(_SESSIONS, params).fetchall():
        if ended is None:  # no clean close: the session lasted until its last recorded event
            ends = [t for (t,) in conn.execute(_LAST_EVENT, (sid,) * 7) if t is not None]
            ended = max(ends, default=start)
        spans[sid] = SessionSpan(sid, name, start, max(start, ended))
    return spans


def _has_stored_sums(conn: sqlite3.Connection) -> bool:
    sql = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?"
    return conn.execute(sql, (f"{bucket_sums.TABLE}_%_insert",)).fetchone()[0] > 0


def _add_stored(conn: sqlite3.Connection, params: dict, sums: LogSums) -> None:
    for sid, day, *values in conn.execute(_STORED_TOTALS, params):
        if sid in sums.spans:
            sums.days[(sid, day)].add_values(bucket_sums.COLUMNS, values)
    for sid, b, *values in conn.execute(_STORED_LOAD, params):  # the first sums into `load`: no adding
        if sid in sums.spans:
            sums.load[(sid, b)] = Tally(**dict(zip(LOAD_COLUMNS, values)))


def _add_raw(conn: sqlite3.Connection, params: dict, bucket: int, sums: LogSums) -> None:
    for source in bucket_sums.CONTRIBUTIONS:
        where = (f" WHERE b.session_id IN {_AGENT_SESSIONS} AND b.{source.time} >= :since "
                 f"AND b.{source.time} < :until")
        cursor = conn.execute(bucket_sums.grouped_select(source, bucket, where), params)
        names = [column[0] for column in cursor.description[2:]]
        for sid, b, *values in cursor:
            if sid in sums.spans:
                tally = Tally()
                tally.add_values(names, values)
                sums.add(sid, b, tally, params["per_day"])
    for span in sums.spans.values():
        if span.start < params["until"] and span.end >= params["since"]:
            steps = conn.execute(_STEPS, (span.id, params["until"])).fetchall()
            _add_steps(span, steps, params["since"], params["until"], bucket, sums)


def _add_steps(span: SessionSpan, steps: list, lo: float, hi: float, bucket: int, sums: LogSums) -> None:
    """Integrate open chats over [lo, hi) within the session: each step lasts until the next or the end."""
    lo = max(lo, span.start)
    per_day = 86400 // bucket
    for i, (t0, value) in enumerate(steps):
        t1 = steps[i + 1][0] if i + 1 < len(steps) else span.end
        pieces = []
        if lo <= t0 < hi and t0 <= span.end:  # the instant of a change counts for the peak, even the last
            pieces.append((math.floor(t0 / bucket), 0.0))
        a, z = max(t0, lo), min(t1, hi, span.end)
        while a < z:
            b = math.floor(a / bucket)
            e = min(z, (b + 1) * bucket)
            pieces.append((b, e - a))
            a = e
        for b, seconds in pieces:
            sums.add(span.id, b, Tally(concurrency_seconds=value * seconds, concurrency_peak=value), per_day)


def _add_active_time(sums: LogSums, since: float, until: float, bucket: int) -> None:
    per_day = 86400 // bucket
    for span in sums.spans.values():
        a, z = max(span.start, since), min(span.end, until)
        while a < z:
            b = math.floor(a / bucket)
            e = min(z, (b + 1) * bucket)
            sums.days[(span.id, b // per_day)].active_seconds += e - a
            sums.load[(span.id, b)].active_seconds += e - a
            a = e
