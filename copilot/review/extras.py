"""The review's own sums from a usage log, per session: where drafts were used and what came of it.

The usage figures (copilot/usage) say how an agent used drafts; a team lead also asks whether the
drafts helped. So, per session and within [since, until):
- replies sent from a draft vs written by the agent, and how long the customer had waited for each;
- chats that ended resolved, split by whether the agent sent at least one draft in them;
- the customer's frustration on the message that escalated a chat (the hand-over to a human's
  full attention): how upset customers were when the agent had to step in;
- which sessions kept message text (the team opted in); nothing else may quote a customer.
Each query is one grouped pass over a table: a 10,000-event log reads in a few milliseconds.
"""
from __future__ import annotations

import sqlite3

from copilot.review.model import Extras

_FAR = 1e18  # "no limit": the statement text never changes, so sqlite3 keeps it prepared

# Each query groups by {key}: the session (a whole file), or the UTC day of the row's own time (one
# session, for the team store's per-day sums); {where} narrows to one session there.
_FILE, _DAY = "session_id", "CAST({time} / 86400 AS INTEGER)"
# Replies sent from a draft; the agent's own are the rest of the replies in the stored sums.
_ASSISTED = """
SELECT {key}, count(response_seconds), sum(response_seconds) FROM messages {index}
WHERE {where} suggestion_id IS NOT NULL AND sender = 'agent' AND ts >= :since AND ts < :until GROUP BY 1"""
_TEXT_KEPT = "SELECT DISTINCT session_id FROM messages WHERE text > ''"
# A chat is "assisted" when the agent sent at least one reply from a draft in it (accepted or edited);
# the probe uses messages' (session_id, chat_id, ts) index, once per chat (LIMIT -1 keeps the
# subquery from being flattened, which would run the probe twice).
_CHATS = """
SELECT key, resolved, assisted, count(*) FROM (
    SELECT {key} AS key, c.status = 'resolved' AS resolved, EXISTS (SELECT 1 FROM messages m
           WHERE m.session_id = c.session_id AND m.chat_id = c.chat_id AND m.sender = 'agent'
           AND m.suggestion_id IS NOT NULL) AS assisted
    FROM chats c WHERE {where} c.closed_at >= :since AND c.closed_at < :until LIMIT -1)
GROUP BY 1, 2, 3"""
# CROSS JOIN: escalations first (a handful), each finding its message by index; not a scan of messages.
_HANDOVER = """
SELECT {key}, sum(m.frustration), count(m.frustration)
FROM escalations e CROSS JOIN messages m ON m.session_id = e.session_id AND m.chat_id = e.chat_id
     AND m.message_id = e.message_id AND m.sender = 'customer'
WHERE {where} e.ts >= :since AND e.ts < :until GROUP BY 1"""
_BY_FILE = (_ASSISTED.format(key=_FILE, index="NOT INDEXED", where=""),
            _CHATS.format(key="c." + _FILE, where=""), _HANDOVER.format(key="e." + _FILE, where=""))
_BY_DAY = (_ASSISTED.format(key=_DAY.format(time="ts"), index="", where="session_id = :session AND"),
           _CHATS.format(key=_DAY.format(time="c.closed_at"), where="c.session_id = :session AND"),
           _HANDOVER.format(key=_DAY.format(time="e.ts"), where="e.session_id = :session AND"))


def read_extras(conn: sqlite3.Connection, since: float | None = None,
                until: float | None = None) -> tuple[dict[int, Extras], set[int]]:
    """Session id -> its Extras (own replies left for the caller: all timed replies minus these),
    and the sessions that kept message text: only there may the review show what customers wrote."""
    params = {"since": -_FAR if since is None else since, "until": _FAR if until is None else until}
    return _read(conn, _BY_FILE, params), {sid for (sid,) in conn.execute(_TEXT_KEPT)}


def read_extras_by_day(conn: sqlite3.Connection, session_id: int) -> dict[int, Extras]:
    """One session's Extras per UTC day (own replies left for the caller), as read_extras counts them:
    a day's sums are what read_extras gives for that session over that day."""
    return _read(conn, _BY_DAY, {"since": -_FAR, "until": _FAR, "session": session_id})


def _read(conn: sqlite3.Connection, queries: tuple[str, str, str], params: dict) -> dict[int, Extras]:
    assisted, chats, handover = queries
    result: dict[int, Extras] = {}
    for key, timed, seconds in conn.execute(assisted, params):
        e = result.setdefault(key, Extras())
        e.assisted_replies, e.assisted_reply_seconds = timed or 0, seconds or 0.0
    for key, resolved, is_assisted, count in conn.execute(chats, params):
        e = result.setdefault(key, Extras())
        e.chats_ended += count
        e.chats_resolved += count if resolved else 0
        if is_assisted:
            e.assisted_chats_ended += count
            e.assisted_chats_resolved += count if resolved else 0
    if _has_table(conn, "escalations"):
        for key, total, count in conn.execute(handover, params):
            e = result.setdefault(key, Extras())
            e.handover_frustration_sum += total or 0.0
            e.handovers += count
    return result


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None
