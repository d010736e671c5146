"""Usage logs with known contents, written through the real UsageLog (or, for v1 files, its RecordWriter).

Times are explicit, so every figure computed from these logs can be worked out by hand.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from copilot.usage import UsageLog
from copilot.usage.record_writer import RecordWriter
from copilot.usage.schema import migrate

T0 = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC, a Thursday (ISO week 2026-W01); on a bucket boundary

# The hand-worked session (offsets from its start). Its figures are in test_usage_metrics.py.
KNOWN_SESSION = [
    ("chat_opened", 10, dict(chat_id="c1", customer="Ann", scenario_id="s", concurrent=1)),
    ("message", 20, dict(chat_id="c1", message_id=1, sender="customer", length=30, frustration=0.2)),
    ("suggestion_shown", 25, dict(chat_id="c1", suggestion_id=1, message_id=1, engine="offline", category="x",
                                  confidence=0.9, abstained=False, draft_length=110, draft_hash="a")),
    ("decision", 27, dict(chat_id="c1", suggestion_id=1, kind="accepted", seconds_to_decide=2.0, edit_distance=0.0,
                          reason="", sent_length=110, seconds_to_first_keystroke=None)),
    ("message", 27, dict(chat_id="c1", message_id=2, sender="agent", length=110, suggestion_id=1,
                         response_seconds=7.0)),
    ("chat_opened", 40, dict(chat_id="c2", customer="Bo", scenario_id="s", concurrent=2)),
    ("focus", 41, dict(chat_id="c2", previous_chat_id="c1", open_chats=2)),
    ("message", 50, dict(chat_id="c2", message_id=3, sender="customer", length=30, frustration=0.7)),
    ("suggestion_shown", 55, dict(chat_id="c2", suggestion_id=2, message_id=3, engine="offline", category="x",
                                  confidence=0.8, abstained=False, draft_length=220, draft_hash="b")),
    ("decision", 75, dict(chat_id="c2", suggestion_id=2, kind="edited", seconds_to_decide=20.0, edit_distance=0.3,
                          reason="", sent_length=230, seconds_to_first_keystroke=3.0)),
    ("message", 75, dict(chat_id="c2", message_id=4, sender="agent", length=230, suggestion_id=2,
                         response_seconds=25.0)),
    ("suggestion_shown", 80, dict(chat_id="c1", suggestion_id=3, message_id=1, engine="offline", category="x",
                                  confidence=0.4, abstained=False, draft_length=55, draft_hash="c")),
    ("decision", 84, dict(chat_id="c1", suggestion_id=3, kind="rejected", seconds_to_decide=4.0, edit_distance=0.0,
                          reason="Wrong diagnosis", sent_length=0, seconds_to_first_keystroke=None)),
    ("suggestion_shown", 90, dict(chat_id="c2", suggestion_id=4, message_id=3, engine="offline", category="",
                                  confidence=0.0, abstained=True, draft_length=0, draft_hash="")),
    ("decision", 100, dict(chat_id="c2", suggestion_id=4, kind="ignored", seconds_to_decide=10.0, edit_distance=0.0,
                           reason="", sent_length=0, seconds_to_first_keystroke=None)),
    ("message", 100, dict(chat_id="c1", message_id=5, sender="customer", length=30, frustration=0.4)),
    ("message", 110, dict(chat_id="c1", message_id=6, sender="agent", length=40, response_seconds=10.0)),
    ("chat_closed", 130, dict(chat_id="c1", status="abandoned", concurrent=1, duration=120.0)),
    ("chat_closed", 160, dict(chat_id="c2", status="resolved", concurrent=0, duration=120.0)),
]
KNOWN_END = 200


def open_log(path: Path, agent: str, start: float) -> UsageLog:
    return UsageLog.open(path, agent=agent, app_version="test", engine="offline", started_at=start)


def write_known_session(path: Path, agent: str = "ann", start: float = T0, end: float | None = KNOWN_END) -> int:
    """The hand-worked session; end=None leaves it unended, as a killed app would. Returns its id."""
    log = open_log(path, agent, start)
    for kind, offset, fields in KNOWN_SESSION:
        log.record(kind, start + offset, **fields)
    log.close(ended_at=None if end is None else start + end)
    if end is None:
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE sessions SET ended_at = NULL WHERE id = ?", (log.session_id,))
        conn.close()
    return log.session_id


def write_v1_file(path: Path, agent: str = "ann", start: float = T0) -> None:
    """A file in the v1 layout holding the known session, written by the real RecordWriter."""
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(Database(conn), target=1)
    conn.execute("INSERT INTO agents (name, first_seen) VALUES (?, ?)", (agent, start))
    sid = conn.execute("INSERT INTO sessions (uuid, agent_id, ts, started_at, ended_at) VALUES ('v1', 1, ?, ?, ?)",
                       (start, start, start + KNOWN_END)).lastrowid
    writer = RecordWriter(conn, sid, False, lambda text: text, on_error=lambda exc, what: None)
    conn.execute("BEGIN")
    for kind, offset, fields in KNOWN_SESSION:
        writer.write(kind, start + offset, fields)
    conn.execute("COMMIT")
    conn.close()


def write_drafts(log: UsageLog, start: float, pattern: str, seconds_per_word: float, draft_chars: int = 110,
                 gap: float = 30.0) -> float:
    """One suggestion and its decision per letter of `pattern` (a=accepted, e=edited, r=rejected,
    i=ignored), `gap` seconds apart, each decided at `seconds_per_word`. Returns the time after."""
    kinds = {"a": "accepted", "e": "edited", "r": "rejected", "i": "ignored"}
    words = draft_chars / 5.5
    t = start
    for n, letter in enumerate(pattern, start=1):
        sid = int(t * 10) % 10**9 + n  # unique within the session
        log.record("suggestion_shown", t, chat_id="c1", suggestion_id=sid, message_id=n, engine="offline",
                   category="x", confidence=0.8, abstained=False, draft_length=draft_chars, draft_hash="h")
        dwell = seconds_per_word * words
        log.record("decision", t + dwell, chat_id="c1", suggestion_id=sid, kind=kinds[letter],
                   seconds_to_decide=dwell, edit_distance=0.25 if letter == "e" else 0.0, reason="",
                   sent_length=draft_chars, seconds_to_first_keystroke=None)
        t += gap
    return t


def write_load(log: UsageLog, start: float, phases: list[tuple[float, int, float, float]]) -> float:
    """Phases of (minutes, open chats, reply latency in seconds, customer frustration): the agent holds
    that many chats open and answers a customer every 20 s with that latency. Returns the end time."""
    t, open_now, chat_no = start, [], 0
    for minutes, chats, latency, frustration in phases:
        while len(open_now) < chats:
            chat_no += 1
            open_now.append(f"c{chat_no}")
            log.record("chat_opened", t, chat_id=open_now[-1], customer="x", scenario_id="s", concurrent=len(open_now))
        while len(open_now) > chats:
            log.record("chat_closed", t, chat_id=open_now.pop(), status="resolved", concurrent=len(open_now),
                       duration=60.0)
        end = t + minutes * 60
        n = 0
        while t + 20 <= end:
            chat = open_now[n % len(open_now)]
            n += 1
            log.record("message", t, chat_id=chat, message_id=n, sender="customer", length=20, frustration=frustration)
            log.record("message", t + 1, chat_id=chat, message_id=n, sender="agent", length=20,
                       response_seconds=latency)
            t += 20
        t = end
    for chat in reversed(open_now):
        open_now.remove(chat)
        log.record("chat_closed", t, chat_id=chat, status="resolved", concurrent=len(open_now), duration=60.0)
    return t
