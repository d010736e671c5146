"""Small agents' usage logs for the review tests, written through the real UsageLog.

Each builder writes one session: chats that open and end, customer messages and replies, and
drafts decided in a pattern (tests/usage_log_builders.write_drafts), so every figure the review
shows has something behind it.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.usage_log_builders import T0, open_log, write_drafts, write_load

HOUR = 3600.0
CAREFUL = "aaeerraeaieaerae" * 2  # 32 drafts: accepts, edits and rejects, read at a careful pace


def careful_log(path: Path, agent: str, start: float = T0, latency: float = 20.0, store_text: bool = False) -> Path:
    log = open_log(path, agent, start) if not store_text else _open_with_text(path, agent, start)
    t = write_load(log, start, [(10, 2, latency, 0.2), (10, 3, latency, 0.2), (10, 1, latency, 0.2),
                                (10, 3, latency, 0.2)])  # five chats open and end
    end = write_drafts(log, start + 60, CAREFUL, seconds_per_word=0.6)
    log.close(ended_at=max(t, end) + 60)
    return path


def passive_log(path: Path, agent: str, start: float = T0) -> Path:
    log = open_log(path, agent, start)
    t = write_load(log, start, [(10, 3, 8.0, 0.2), (10, 1, 8.0, 0.2), (20, 3, 8.0, 0.2)])
    end = write_drafts(log, start + 60, "a" * 40, seconds_per_word=0.08)
    log.close(ended_at=max(t, end) + 60)
    return path


def overloaded_log(path: Path, agent: str, start: float = T0) -> Path:
    """Calm for 20 minutes, then five chats at once and replies three times slower."""
    log = open_log(path, agent, start)
    t = write_load(log, start, [(20, 2, 20.0, 0.2), (25, 5, 65.0, 0.5)])
    end = write_drafts(log, start + 60, CAREFUL, seconds_per_word=0.6)
    log.close(ended_at=max(t, end) + 60)
    return path


def escalated_chat(path: Path, agent: str, start: float, store_text: bool, words: str) -> Path:
    """One chat whose customer's words trigger an emotional escalation the agent answers 30 s later."""
    log = _open_with_text(path, agent, start) if store_text else open_log(path, agent, start)
    log.record("chat_opened", start + 1, chat_id="c1", customer="Dana Secret", scenario_id="s", concurrent=1)
    log.record("message", start + 5, chat_id="c1", message_id=1, sender="customer", length=len(words),
               frustration=0.8, text=words)
    log.record("escalation", start + 5, chat_id="c1", type="emotional", reason="threat",
               trigger=f"threatens to leave: '{words}'", message_id=1)
    log.record("suggestion_shown", start + 6, chat_id="c1", suggestion_id=1, message_id=1, engine="offline",
               category="x", confidence=0.8, abstained=False, draft_length=110, draft_hash="h")
    log.record("decision", start + 8, chat_id="c1", suggestion_id=1, kind="accepted", seconds_to_decide=2.0,
               edit_distance=0.0, reason="", sent_length=110, seconds_to_first_keystroke=None)
    log.record("message", start + 35, chat_id="c1", message_id=2, sender="agent", length=110, suggestion_id=1,
               response_seconds=30.0, text="Sorry about that, let me fix it now.")
    log.record("chat_closed", start + 90, chat_id="c1", status="resolved", concurrent=0, duration=89.0)
    log.close(ended_at=start + 120)
    return path


def _open_with_text(path: Path, agent: str, start: float):
    from copilot.usage import UsageLog

    return UsageLog.open(path, agent=agent, app_version="test", engine="offline", started_at=start, store_text=True)


def newer_schema_copy(source: Path, target: Path) -> Path:
    """A copy of a log as a future version would leave it: schema v99."""
    target.write_bytes(source.read_bytes())
    with sqlite3.connect(target) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    return target


def other_app_db(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('groceries')")
    conn.close()
    return path
