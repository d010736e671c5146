"""The team review in SQL: per-session and per-agent sums, baselines, load splits and flag decisions.

Everything here runs on the server over the per-day sums (session_days), never over the events:
a thousand agents' month is some 40,000 rows. The flag decisions mirror the rules in
copilot/usage/reliance_flag.py and overload_flag.py, condition for condition, on the same sums
(tests/test_teamstore_review.py holds the two to the same answers); the explanations are then
written by those rules themselves for the flags a lead reads (the period's, and each drill-down).

A session's *baseline* is its agent's last `baseline_windows` sessions that started before it
(ties in start excluded, as judging.py's bisect does), summed in start order with a window frame.
Its *usual* load is the baseline's open chats per active second when the baseline covers enough
time, else its own. Its buckets are split at that level with the load profile of each day
(upload.py): width_bucket counts the levels on each side, the running sums give their totals.
"""
from __future__ import annotations

from dataclasses import fields

from copilot.teamstore.tables import EXTRAS_COLUMNS, SCHEMA as S, TALLY_COLUMNS
from copilot.usage.flag_model import FlagThresholds

PEAKS = ("concurrency_peak", "frustration_peak")
SUMS = tuple(c for c in TALLY_COLUMNS if c not in PEAKS)
# What baselines and the team reference need from each session (the rules read nothing else).
REFERENCE = ("accepted", "edited", "rejected", "accepted_fast", "accepted_timed", "concurrency_seconds",
             "active_seconds", "reply_seconds", "replies_timed", "frustration_sum", "frustration_scored")
SPLIT = {"high": ("active_seconds", "concurrency_seconds", "reply_seconds", "replies_timed", "frustration_sum",
                  "frustration_scored"),
         "low": ("reply_seconds", "replies_timed", "frustration_sum", "frustration_scored")}
SESSION_COLUMNS = ("uuid", "id", "key", "agent", "policy", "started_at", "span_end", "stores_text", "pos",
                   "or_judged", "or_raised", "ol_judged", "ol_raised", "high_minutes", "chosen",
                   *TALLY_COLUMNS, *EXTRAS_COLUMNS, "base_n", *(f"base_{c}" for c in REFERENCE),
                   *(f"{side}_{c}" for side, columns in SPLIT.items() for c in columns))


def atoms_sql() -> str:
    return (f"SELECT * FROM {S}.session_days WHERE (%(first_day)s::integer IS NULL OR day >= %(first_day)s) "
            "AND (%(stop_day)s::integer IS NULL OR day < %(stop_day)s)")


_COUNTS = {c for c, kind in {**TALLY_COLUMNS, **EXTRAS_COLUMNS}.items() if kind == "bigint"}


def _sum(expression: str, column: str) -> str:
    """sum() of a bigint is numeric in PostgreSQL; counts come back as bigint, as Python keeps them."""
    return f"sum({expression})::bigint" if column in _COUNTS else f"sum({expression})"


def summed(alias: str, order: str) -> str:
    """Every usage sum and the review's sums of the rows in a group, added in `order` (as Python adds them)."""
    parts = [_sum(f'{alias}."{c}" ORDER BY {order}', c) + f' AS "{c}"' for c in (*SUMS, *EXTRAS_COLUMNS)]
    parts += [f'max({alias}."{c}") AS "{c}"' for c in PEAKS]
    return ", ".join(parts)


def _split(side: str, column: str) -> str:
    p = f'a."p_{column}"'
    if side == "low":  # levels <= usual: the first width_bucket(usual) of the sorted levels
        value = f"coalesce({p}[width_bucket(u.usual, a.levels)], 0)"
    else:  # levels >= usual + margin: the last width_bucket(-(usual + margin), neg_levels) of them
        n = "cardinality(a.levels)"
        value = f"coalesce({p}[{n}] - coalesce({p}[{n} - width_bucket(-(u.usual + %(load_margin)s), a.neg_levels)], 0), 0)"
    return f'sum({value} ORDER BY a.day) AS "{side}_{column}"'


def _frame(windows: int) -> str:
    # judging.py takes earlier[-baseline_windows:], and a slice [-0:] is all of them
    return "UNBOUNDED PRECEDING" if windows <= 0 else f"{int(windows) - 1} PRECEDING"


def sessions_sql(thresholds: FlagThresholds) -> str:
    """CREATE TEMP TABLE review_sessions: one row per session with anything in the range (SESSION_COLUMNS)."""
    ref = ", ".join(f'(sum("{c}") OVER w){"::bigint" if c in _COUNTS else ""} AS "{c}"' for c in REFERENCE)
    base = ", ".join(f'b."{c}" AS "base_{c}"' for c in REFERENCE)
    team = ", ".join(f'tm."{c}" - ag."{c}" AS "team_{c}"' for c in REFERENCE[:5])
    totals = ", ".join(_sum(f'"{c}"', c) + f' AS "{c}"' for c in REFERENCE[:5])
    splits = ", ".join(_split(side, c) for side, columns in SPLIT.items() for c in columns)
    split_names = ", ".join(f'coalesce(sp."{side}_{c}", 0) AS "{side}_{c}"' for side, columns in SPLIT.items()
                            for c in columns)
    return f"""
CREATE TEMP TABLE review_sessions ON COMMIT DROP AS
WITH atoms AS MATERIALIZED ({atoms_sql()}),
ses AS (
    SELECT s.uuid, s.id, (%(label)s || '#' || s.id) COLLATE "C" AS key, s.agent, coalesce(s.policy, '') AS policy,
           s.started_at, coalesce(s.span_end, s.ended_at, s.started_at) AS span_end, s.stores_text,
           {summed("a", "a.day")}
    FROM atoms a JOIN {S}.sessions s ON s.uuid = a.session
    GROUP BY s.uuid HAVING bool_or(a.nonzero)),
ordered AS (
    SELECT ses.*, ses.accepted + ses.edited + ses.rejected AS used,
           row_number() OVER (PARTITION BY agent ORDER BY started_at, key) AS pos,
           rank() OVER (PARTITION BY agent ORDER BY started_at) - 1 AS earlier
    FROM ses),
ten AS (
    SELECT agent, pos, count(*) OVER w AS n, {ref} FROM ordered
    WINDOW w AS (PARTITION BY agent ORDER BY pos ROWS BETWEEN {_frame(thresholds.baseline_windows)} AND CURRENT ROW)),
agent_totals AS (SELECT agent, {totals} FROM ses GROUP BY agent),
team AS (SELECT count(*) AS agents, {totals} FROM agent_totals),
refs AS (
    SELECT o.*, b.n AS base_n, {base}, tm.agents - 1 AS team_agents, {team},
           CASE WHEN b.n IS NOT NULL AND b.active_seconds > 0 AND b.active_seconds / 60.0 >= %(min_baseline_minutes)s
                THEN b.concurrency_seconds / b.active_seconds
                WHEN o.active_seconds > 0 THEN o.concurrency_seconds / o.active_seconds END AS usual
    FROM ordered o LEFT JOIN ten b ON b.agent = o.agent AND b.pos = o.earlier
    JOIN agent_totals ag ON ag.agent = o.agent CROSS JOIN team tm),
split AS (
    SELECT u.uuid, {splits}
    FROM refs u JOIN atoms a ON a.session = u.uuid WHERE u.usual IS NOT NULL GROUP BY u.uuid),
measured AS (
    SELECT r.*, {split_names},
           CASE WHEN r.used > 0 THEN r.accepted::float8 / r.used ELSE 0 END AS accept_share,
           CASE WHEN r.accepted_timed > 0 THEN r.accepted_fast::float8 / r.accepted_timed ELSE 0 END AS fast_share,
           CASE WHEN r.used > 0 THEN r.rejected::float8 / r.used ELSE 0 END AS reject_share,
           r.base_n IS NOT NULL AND r.base_accepted + r.base_edited + r.base_rejected >= %(min_used)s AS base_usable,
           CASE WHEN r.base_accepted_timed > 0 THEN r.base_accepted_fast::float8 / r.base_accepted_timed ELSE 0 END
               AS base_fast,
           r.team_agents > 0 AND r.team_accepted + r.team_edited + r.team_rejected >= %(min_used)s AS team_usable,
           CASE WHEN r.team_accepted_timed > 0 THEN r.team_accepted_fast::float8 / r.team_accepted_timed ELSE 0 END
               AS team_fast
    FROM refs r LEFT JOIN split sp ON sp.uuid = r.uuid),
compared AS (
    SELECT m.*,
           CASE WHEN m.high_replies_timed > 0 THEN m.high_reply_seconds / m.high_replies_timed END AS high_latency,
           CASE WHEN m.high_frustration_scored > 0 THEN m.high_frustration_sum / m.high_frustration_scored END
               AS high_mood,
           CASE WHEN m.high_replies_timed = 0 OR m.high_replies_timed < %(min_replies)s THEN NULL
                WHEN m.low_replies_timed > 0 AND m.low_replies_timed >= %(min_replies)s
                    THEN m.low_reply_seconds / m.low_replies_timed
                WHEN m.base_n IS NOT NULL AND m.base_replies_timed > 0
                    THEN m.base_reply_seconds / m.base_replies_timed END AS latency_reference,
           CASE WHEN m.high_frustration_scored = 0 OR m.high_frustration_scored < %(min_customer_messages)s THEN NULL
                WHEN m.low_frustration_scored > 0 AND m.low_frustration_scored >= %(min_customer_messages)s
                    THEN m.low_frustration_sum / m.low_frustration_scored
                WHEN m.base_n IS NOT NULL AND m.base_frustration_scored > 0
                    THEN m.base_frustration_sum / m.base_frustration_scored END AS mood_reference,
           (m.base_usable OR m.team_usable)
               AND (NOT m.base_usable OR m.fast_share - m.base_fast >= %(rise_over_reference)s)
               AND (NOT m.team_usable OR m.fast_share - m.team_fast >= %(rise_over_reference)s) AS stands_out
    FROM measured m),
judged AS (
    SELECT c.*,
           c.used >= %(min_used)s AS or_judged,
           c.used >= %(min_used)s AND (
               (c.accept_share >= %(high_acceptance)s AND c.fast_share >= %(fast_acceptance)s
                AND c.reject_share <= %(max_reject_rate)s)
               OR (c.stands_out AND c.accept_share >= %(relative_acceptance)s
                   AND c.fast_share >= %(relative_fast_acceptance)s
                   AND c.reject_share <= %(relative_max_reject_rate)s)) AS or_raised,
           CASE WHEN c.usual IS NULL THEN NULL ELSE c.high_active_seconds / 60 END AS high_minutes,
           c.usual IS NOT NULL AND (c.high_active_seconds / 60 < %(min_high_load_minutes)s
               OR c.latency_reference IS NOT NULL OR c.mood_reference IS NOT NULL) AS ol_judged,
           c.usual IS NOT NULL AND c.high_active_seconds / 60 >= %(min_high_load_minutes)s AND (
               (c.latency_reference IS NOT NULL AND c.high_latency >= %(latency_ratio)s * c.latency_reference
                AND c.high_latency - c.latency_reference >= %(latency_increase)s)
               OR (c.mood_reference IS NOT NULL AND c.high_mood - c.mood_reference >= %(frustration_increase)s))
               AS ol_raised
    FROM compared c)
SELECT j.*, row_number() OVER (PARTITION BY agent ORDER BY ol_raised DESC, ol_judged DESC,
                                coalesce(high_minutes, 0) DESC, pos) = 1 AS chosen
FROM judged j"""


def session_rows_sql() -> str:
    columns = ", ".join(f'"{c}"' for c in SESSION_COLUMNS)
    return f'SELECT {columns} FROM review_sessions ORDER BY agent COLLATE "C", pos'


def agents_sql() -> str:
    """Per agent: the period's sums, added as the file review adds them (session by session, day by day)."""
    return f"""
WITH atoms AS ({atoms_sql()}),
own AS (SELECT agent, sum(replies_timed - review_assisted_replies ORDER BY started_at, key) AS own_replies,
               sum(reply_seconds - review_assisted_reply_seconds ORDER BY started_at, key) AS own_reply_seconds
        FROM review_sessions GROUP BY agent)
SELECT r.agent, min(r.started_at) AS start, max(r.span_end) AS "end", count(DISTINCT r.uuid) AS sessions,
       {summed("a", "r.started_at, r.key, a.day")}, min(own.own_replies)::bigint AS own_replies,
       min(own.own_reply_seconds) AS own_reply_seconds
FROM review_sessions r JOIN atoms a ON a.session = r.uuid JOIN own ON own.agent = r.agent
GROUP BY r.agent ORDER BY r.agent COLLATE "C"
"""


def effort_sql(per_agent: bool) -> str:
    """Escalation effort by type (effort_by_type's figures, unrounded), per agent or for the team."""
    who = "e.agent" if per_agent else "''"
    return f"""
SELECT {who} AS agent, e.type, count(*) AS escalations, count(e.seconds_to_intervene) AS intervened,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY e.seconds_to_intervene) AS median,
       avg(e.seconds_to_intervene) AS mean, count(*) FILTER (WHERE e.seconds_to_intervene <= 60)::float8 / count(*)
       AS within_60s, avg(e.agent_messages)::float8 AS agent_messages, avg(e.agent_share) AS agent_share,
       avg(e.questions)::float8 AS questions, avg(e.solutions)::float8 AS solutions
FROM {S}.escalation_effort e JOIN review_sessions r ON r.uuid = e.session
WHERE e.escalated_at >= %(since)s AND e.escalated_at < %(until)s
GROUP BY 1, 2 ORDER BY 1, 2"""


def params(thresholds: FlagThresholds, first_day: int | None, stop_day: int | None, label: str) -> dict:
    values = {f.name: getattr(thresholds, f.name) for f in fields(thresholds)}
    return values | {"first_day": first_day, "stop_day": stop_day, "label": label,
                     "since": -1e18 if first_day is None else first_day * 86400.0,
                     "until": 1e18 if stop_day is None else stop_day * 86400.0}
