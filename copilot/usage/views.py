"""Views with plain names, for a team lead browsing the file with `sqlite-utils` or Datasette.

    sqlite-utils rows usage.sqlite session_summary --table
    datasette usage.sqlite

Times are shown as UTC text next to the raw seconds, so the views sort and read well. The views
join grouped sub-queries rather than correlated ones: one pass per table, however long the log.
"""
from __future__ import annotations

from sqlite_utils import Database

from copilot.usage.bucket_sums import BUCKET_SECONDS

_DECISION_COUNTS = """
    count(*) AS decisions,
    sum(decision = 'accepted') AS accepted,
    sum(decision = 'edited') AS edited,
    sum(decision = 'rejected') AS rejected,
    sum(decision = 'ignored') AS ignored"""

DECISIONS_READABLE = """
SELECT d.id AS decision_id, a.name AS agent, d.session_id,
       datetime(d.ts, 'unixepoch') AS time_utc, d.chat_id, d.suggestion_id,
       s.engine, s.category, s.confidence, s.abstained,
       d.decision, d.seconds_to_decide, d.seconds_to_first_keystroke,
       d.edit_distance, s.draft_length, d.sent_length, d.reason, d.ts
FROM decisions d
JOIN sessions se ON se.id = d.session_id
LEFT JOIN agents a ON a.id = se.agent_id
LEFT JOIN suggestions s ON s.session_id = d.session_id AND s.suggestion_id = d.suggestion_id
"""

CHATS_SUMMARY = f"""
SELECT c.id AS row_id, a.name AS agent, c.session_id, c.chat_id, c.customer_name, c.scenario_id,
       datetime(c.ts, 'unixepoch') AS opened_utc, datetime(c.closed_at, 'unixepoch') AS closed_utc,
       c.status, c.duration AS duration_seconds, c.concurrent_at_open,
       coalesce(m.customer_messages, 0) AS customer_messages,
       coalesce(m.agent_messages, 0) AS agent_messages,
       m.mean_response_seconds, m.max_frustration,
       coalesce(sg.shown, 0) AS suggestions_shown,
       coalesce(dc.accepted, 0) AS accepted, coalesce(dc.edited, 0) AS edited,
       coalesce(dc.rejected, 0) AS rejected, coalesce(dc.ignored, 0) AS ignored,
       dc.mean_edit_distance
FROM chats c
JOIN sessions se ON se.id = c.session_id
LEFT JOIN agents a ON a.id = se.agent_id
LEFT JOIN (
    SELECT session_id, chat_id,
           sum(sender = 'customer') AS customer_messages, sum(sender = 'agent') AS agent_messages,
           avg(CASE WHEN sender = 'agent' THEN response_seconds END) AS mean_response_seconds,
           max(CASE WHEN sender = 'customer' THEN frustration END) AS max_frustration
    FROM messages GROUP BY session_id, chat_id
) m ON m.session_id = c.session_id AND m.chat_id = c.chat_id
LEFT JOIN (
    SELECT session_id, chat_id, count(*) AS shown FROM suggestions GROUP BY session_id, chat_id
) sg ON sg.session_id = c.session_id AND sg.chat_id = c.chat_id
LEFT JOIN (
    SELECT session_id, chat_id, {_DECISION_COUNTS},
           avg(CASE WHEN decision IN ('accepted', 'edited') THEN edit_distance END) AS mean_edit_distance
    FROM decisions GROUP BY session_id, chat_id
) dc ON dc.session_id = c.session_id AND dc.chat_id = c.chat_id
"""

# mean_edit_distance is over drafts that were sent (accepted count as 0): how much agents change them.
SESSION_SUMMARY = f"""
SELECT se.id AS session_id, a.name AS agent,
       datetime(se.started_at, 'unixepoch') AS started_utc, datetime(se.ended_at, 'unixepoch') AS ended_utc,
       round((coalesce(se.ended_at, se.started_at) - se.started_at) / 60.0, 1) AS minutes,
       se.app_version, se.engine, se.policy,
       coalesce(c.chats, 0) AS chats,
       coalesce(sg.shown, 0) AS suggestions_shown,
       coalesce(dc.accepted, 0) AS accepted, coalesce(dc.edited, 0) AS edited,
       coalesce(dc.rejected, 0) AS rejected, coalesce(dc.ignored, 0) AS ignored,
       dc.mean_edit_distance, dc.mean_seconds_to_decide,
       m.mean_response_seconds,
       coalesce(f.focus_changes, 0) AS focus_changes,
       coalesce(cc.peak_concurrency, 0) AS peak_concurrency
FROM sessions se
LEFT JOIN agents a ON a.id = se.agent_id
LEFT JOIN (SELECT session_id, count(*) AS chats FROM chats GROUP BY session_id) c ON c.session_id = se.id
LEFT JOIN (SELECT session_id, count(*) AS shown FROM suggestions GROUP BY session_id) sg
       ON sg.session_id = se.id
LEFT JOIN (
    SELECT session_id, {_DECISION_COUNTS},
           avg(CASE WHEN decision IN ('accepted', 'edited') THEN edit_distance END) AS mean_edit_distance,
           avg(CASE WHEN decision != 'ignored' THEN seconds_to_decide END) AS mean_seconds_to_decide
    FROM decisions GROUP BY session_id
) dc ON dc.session_id = se.id
LEFT JOIN (
    SELECT session_id, avg(response_seconds) AS mean_response_seconds
    FROM messages WHERE sender = 'agent' GROUP BY session_id
) m ON m.session_id = se.id
LEFT JOIN (SELECT session_id, count(*) AS focus_changes FROM focus_changes GROUP BY session_id) f
       ON f.session_id = se.id
LEFT JOIN (SELECT session_id, max(open_chats) AS peak_concurrency FROM concurrency GROUP BY session_id) cc
       ON cc.session_id = se.id
"""

# The stored 5-minute sums (bucket_sums.py), readable: what happened in each slice of each shift.
ACTIVITY_BY_5_MINUTES = f"""
SELECT a.name AS agent, u.session_id, datetime(u.bucket * {BUCKET_SECONDS}, 'unixepoch') AS from_utc,
       CAST(u.shown AS INTEGER) AS suggestions_shown, CAST(u.decisions AS INTEGER) AS decisions,
       CAST(u.accepted AS INTEGER) AS accepted, CAST(u.edited AS INTEGER) AS edited,
       CAST(u.rejected AS INTEGER) AS rejected, CAST(u.ignored AS INTEGER) AS ignored,
       CAST(u.accepted_fast AS INTEGER) AS accepted_faster_than_reading,
       CAST(u.replies AS INTEGER) AS replies, round(u.reply_seconds / nullif(u.replies_timed, 0), 1) AS mean_reply_seconds,
       CAST(u.customer_messages AS INTEGER) AS customer_messages,
       round(u.frustration_sum / nullif(u.frustration_scored, 0), 2) AS mean_frustration,
       round(u.concurrency_seconds / 60.0, 1) AS open_chat_minutes, CAST(u.concurrency_peak AS INTEGER) AS peak_open_chats,
       CAST(u.switches AS INTEGER) AS focus_changes, CAST(u.chats_opened AS INTEGER) AS chats_opened,
       CAST(u.chats_ended AS INTEGER) AS chats_ended, CAST(u.abandoned AS INTEGER) AS customers_left_waiting
FROM usage_buckets u
JOIN sessions se ON se.id = u.session_id
LEFT JOIN agents a ON a.id = se.agent_id
"""

VIEWS = {
    "decisions_readable": DECISIONS_READABLE,
    "chats_summary": CHATS_SUMMARY,
    "session_summary": SESSION_SUMMARY,
    "activity_by_5_minutes": ACTIVITY_BY_5_MINUTES,
}


def create_views(db: Database) -> None:
    """(Re)create the views; unchanged ones are left alone, changed ones are replaced."""
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)
