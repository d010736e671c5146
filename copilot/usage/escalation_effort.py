"""Escalations in the usage log, and the agent's effort after each one, by escalation type.

The workspace records `escalation` (chat_id, type, reason, trigger, message_id) when a chat
escalates; agent `message` records carry `is_question` and `offers_solution` in their `extra`
JSON (copilot.assist.escalation.effort.agent_message_flags). From those, per escalation:

    seconds_to_intervene  escalation -> the agent's first message in that chat after it (NULL: never)
    agent_messages        agent messages after it      customer_messages  customer messages after it
    agent_share           agent / (agent + customer) messages after it
    questions, solutions  agent messages after it that ask something / offer a remedy
                          (NULL when those agent messages were recorded without the flags)

The same definitions as copilot/assist/escalation/effort.py, which computes them from a chat's
messages in memory; a test holds the two to the same answers.
"""
from __future__ import annotations

import sqlite3
import statistics
from dataclasses import dataclass

from sqlite_utils import Database

ESCALATION_COLUMNS: dict[str, type] = {"chat_id": str, "type": str, "reason": str, "trigger": str, "message_id": int}


def create_escalations_table(db: Database) -> None:
    """The migration step that adds the `escalations` table (one row per escalation record)."""
    db["escalations"].create(
        {"id": int, "session_id": int, "ts": float, **ESCALATION_COLUMNS, "extra": str},
        pk="id", foreign_keys=[("session_id", "sessions", "id")], if_not_exists=True,
    )
    db["escalations"].create_index(["session_id", "ts"], if_not_exists=True)
    db["escalations"].create_index(["session_id", "chat_id", "ts"], if_not_exists=True)


# One row per escalation. The join uses messages' (session_id, chat_id, ts) index.
EFFORT_PER_ESCALATION = """
SELECT e.id AS escalation_id, a.name AS agent, e.session_id, e.chat_id, e.type, e.reason, e.trigger,
       e.message_id, e.ts AS escalated_at, datetime(e.ts, 'unixepoch') AS escalated_utc,
       min(CASE WHEN m.sender = 'agent' THEN m.ts END) - e.ts AS seconds_to_intervene,
       coalesce(sum(m.sender = 'agent'), 0) AS agent_messages,
       coalesce(sum(m.sender = 'customer'), 0) AS customer_messages,
       CAST(sum(m.sender = 'agent') AS REAL) / nullif(count(m.id), 0) AS agent_share,
       sum(m.sender = 'agent' AND json_extract(m.extra, '$.is_question')) AS questions,
       sum(m.sender = 'agent' AND json_extract(m.extra, '$.offers_solution')) AS solutions,
       coalesce(sum(m.sender = 'agent' AND json_extract(m.extra, '$.is_question') IS NULL), 0) AS unflagged
FROM escalations e
JOIN sessions se ON se.id = e.session_id
LEFT JOIN agents a ON a.id = se.agent_id
LEFT JOIN messages m ON m.session_id = e.session_id AND m.chat_id = e.chat_id AND m.ts > e.ts
                    AND m.sender IN ('agent', 'customer')
GROUP BY e.id
"""

_FILTERED = f"""
SELECT * FROM ({EFFORT_PER_ESCALATION})
WHERE (:agent IS NULL OR agent = :agent) AND (:session_id IS NULL OR session_id = :session_id)
  AND escalated_at >= :since AND escalated_at < :until
ORDER BY escalated_at
"""
_FAR = 1e18  # "no limit", so the statement text never changes (sqlite3 caches it)


@dataclass(frozen=True)
class EscalationEffortRow:
    escalation_id: int
    agent: str | None
    session_id: int
    chat_id: str
    type: str
    reason: str | None
    trigger: str | None
    message_id: int | None
    escalated_at: float
    seconds_to_intervene: float | None
    agent_messages: int
    customer_messages: int
    agent_share: float | None
    questions: int | None  # None: some agent messages after it carry no flags
    solutions: int | None


@dataclass(frozen=True)
class EffortByType:
    type: str
    escalations: int
    intervened: int  # escalations the agent answered at all
    median_seconds_to_intervene: float | None
    mean_seconds_to_intervene: float | None
    within_60s: float | None  # share of escalations answered within a minute (the alert's default limit)
    mean_agent_messages: float
    mean_agent_share: float | None
    mean_questions: float | None
    mean_solutions: float | None


def read_effort(conn: sqlite3.Connection, agent: str | None = None, session_id: int | None = None,
                since: float | None = None, until: float | None = None) -> list[EscalationEffortRow]:
    """Per-escalation effort, oldest first. [] for a log from before escalations were recorded."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'escalations'").fetchone() is None:
        return []
    params = {"agent": agent, "session_id": session_id, "since": -_FAR if since is None else since,
              "until": _FAR if until is None else until}
    cursor = conn.execute(_FILTERED, params)
    names = [d[0] for d in cursor.description]
    rows = []
    for values in cursor.fetchall():
        row = dict(zip(names, values))
        flagged = row["unflagged"] == 0
        rows.append(EscalationEffortRow(
            row["escalation_id"], row["agent"], row["session_id"], row["chat_id"], row["type"], row["reason"],
            row["trigger"], row["message_id"], row["escalated_at"], row["seconds_to_intervene"],
            row["agent_messages"], row["customer_messages"], row["agent_share"],
            (row["questions"] or 0) if flagged else None, (row["solutions"] or 0) if flagged else None,
        ))
    return rows


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 3) if values else None


def effort_by_type(rows: list[EscalationEffortRow]) -> dict[str, EffortByType]:
    """The review's table: intervention time and effort, one entry per escalation type."""
    result = {}
    for kind in sorted({r.type for r in rows}):
        mine = [r for r in rows if r.type == kind]
        times = [r.seconds_to_intervene for r in mine if r.seconds_to_intervene is not None]
        flagged = [r for r in mine if r.questions is not None]
        result[kind] = EffortByType(
            type=kind, escalations=len(mine), intervened=len(times),
            median_seconds_to_intervene=round(statistics.median(times), 3) if times else None,
            mean_seconds_to_intervene=_mean(times),
            within_60s=round(sum(t <= 60 for t in times) / len(mine), 3),
            mean_agent_messages=round(statistics.fmean(r.agent_messages for r in mine), 3),
            mean_agent_share=_mean([r.agent_share for r in mine if r.agent_share is not None]),
            mean_questions=_mean([r.questions for r in flagged]),
            mean_solutions=_mean([r.solutions for r in flagged]),
        )
    return result
