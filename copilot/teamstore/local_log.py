"""What the sync reads from the local usage log (read-only, while the app may be writing it).

The local log stays the source of truth: the sync only reads it (copilot.usage.read_only), so a
sync can never damage it, and the app works the same with the store away for days.
A session's *fingerprint* says how far its rows go (the last row id of each table, the chats
closed, how it ended); the store keeps the fingerprint it was last brought up to, so a pass knows
without sending anything which sessions are already complete there.
"""
from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from copilot.teamstore.records import local_columns
from copilot.teamstore.tables import EVENT_SOURCES
from copilot.usage.read_only import open_read_only

SOURCES = (*EVENT_SOURCES, "chats")  # every local table whose rows the store keeps


@dataclass(frozen=True)
class LocalSession:
    id: int
    uuid: str
    agent: str
    started_at: float
    ended_at: float | None
    app_version: str | None
    engine: str | None
    policy: str | None


def open_log(path: str | Path) -> sqlite3.Connection:
    """Read-only; raises UsageLogError (with the usage log's own message) for an unusable file."""
    return open_read_only(path)


def sessions(conn: sqlite3.Connection) -> list[LocalSession]:
    sql = ("SELECT se.id, se.uuid, a.name, se.started_at, se.ended_at, se.app_version, se.engine, se.policy "
           "FROM sessions se JOIN agents a ON a.id = se.agent_id WHERE se.uuid IS NOT NULL "
           "AND se.started_at IS NOT NULL ORDER BY se.started_at, se.id")
    return [LocalSession(sid, store_uuid(raw, agent), agent, *rest) for sid, raw, agent, *rest in conn.execute(sql)]


def store_uuid(raw, agent: str) -> str:
    """The session's uuid as the store keys it (hex). The app writes uuid4s; a log from elsewhere (an
    old build, a tool) may hold any text, which gets a uuid of its own, the same at every pass."""
    try:
        return uuid.UUID(str(raw)).hex
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"agent-copilot-session:{agent}/{raw}").hex


_FINGERPRINT = ("SELECT " + ", ".join(f"(SELECT max(id) FROM {s} WHERE session_id = :s)" for s in SOURCES)
                + ", (SELECT count(closed_at) FROM chats WHERE session_id = :s)")


def fingerprint(conn: sqlite3.Connection, session: LocalSession) -> str:
    """Changes whenever the session gains a row, a chat closes, or the session ends."""
    marks = conn.execute(_FINGERPRINT, {"s": session.id}).fetchone()
    return "/".join("-" if m is None else str(m) for m in marks) + f"/{session.ended_at!r}"


def last_ids(conn: sqlite3.Connection, session_id: int) -> dict[str, int]:
    """The last row id of each table in the session (0 for none)."""
    marks = conn.execute(_FINGERPRINT, {"s": session_id}).fetchone()
    return {source: mark or 0 for source, mark in zip(SOURCES, marks)}


def closed_chats(conn: sqlite3.Connection, session_id: int) -> int:
    return conn.execute("SELECT count(closed_at) FROM chats WHERE session_id = ?", (session_id,)).fetchone()[0]


def _select(source: str) -> str:
    return f"SELECT id, ts, {', '.join(local_columns(source))} FROM {source}"


def rows_after(conn: sqlite3.Connection, source: str, session_id: int, after: int, limit: int) -> list[tuple]:
    """The session's rows of one table with ids above `after`, oldest first: (id, ts, *columns)."""
    sql = f"{_select(source)} WHERE session_id = ? AND id > ? ORDER BY id LIMIT ?"
    return conn.execute(sql, (session_id, after, limit)).fetchall()


def all_closed_chats(conn: sqlite3.Connection, session_id: int) -> list[tuple]:
    """Every closed chat of the session: a close updates a chat row the store may already hold."""
    return conn.execute(f"{_select('chats')} WHERE session_id = ? AND closed_at IS NOT NULL ORDER BY id",
                        (session_id,)).fetchall()


def oldest_after(conn: sqlite3.Connection, session_id: int, marks: dict[str, int]) -> float | None:
    """The time of the session's oldest row the store does not have yet (per the marks given)."""
    found = [conn.execute(f"SELECT min(ts) FROM {source} WHERE session_id = ? AND id > ?",
                          (session_id, marks.get(source, 0))).fetchone()[0] for source in SOURCES]
    found = [ts for ts in found if isinstance(ts, int | float)]
    return min(found) if found else None
