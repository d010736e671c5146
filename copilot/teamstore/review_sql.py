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
# Every session's row as the review reads it; the sums and the baseline and split behind a flag
# only for the session each agent's period overload flag quotes (CHOSEN_COLUMNS).
SESSION_COLUMNS = ("uuid", "id", "agent", "policy", "started_at", "span_end", "stores_text",
                   "or_judged", "or_raised", "ol_judged", "ol_raised", "high_minutes", "chosen",
                   "accepted_fast", "accepted_timed")  # the last two: the skill section's weekly reliance
CHOSEN_COLUMNS = ("uuid", *TALLY_COLUMNS, "base_n", *(f"base_{c}" for c in REFERENCE),
                  *(f"{side}_{c}" for side, columns in SPLIT.items() for c in columns))
_SCALARS = ("session", "day", *TALLY_COLUMNS, *EXTRAS_COLUMNS, "nonzero")


IN_RANGE = ("(%(first_day)s::integer IS NULL OR {day} >= %(first_day)s) "
            "AND (%(stop_day)s::integer IS NULL OR {day} < %(stop_day)s)")


def atoms_sql() -> str:
    """The per-day rows in the review's range (whole UTC days), each session's in day order: plain
    sums over this input add in that order, as the file review adds them (an aggregate's own ORDER BY
    would sort for each of the forty-odd sums)."""
    return (f"SELECT {', '.join(_SCALARS)} FROM {S}.session_days WHERE {IN_RANGE.format(day='day')} "
            "ORDER BY session, day")


def day_columns(alias: str) -> str:
    return ", ".join(f'{alias}."{c}"' for c in _SCALARS)


_COUNTS = {c for c, kind in {**TALLY_COLUMNS, **EXTRAS_COLUMNS}.items() if kind == "bigint"}


def sum_of(expression: str, column: str) -> str:
    """sum() of a bigint is numeric in PostgreSQL; counts come back as bigint, as Python keeps them."""
    return f"sum({expression})::bigint" if column in _COUNTS else f"sum({expression})"


def summed(alias: str) -> str:
    """Every usage sum and the review's sums of the rows in a group (fed in the order to add them)."""
    parts = [sum_of(f'{alias}."{c}"', c) + f' AS "{c}"' for c in (*SUMS, *EXTRAS_COLUMNS)]
    parts += [f'max({alias}."{c}") AS "{c}"' for c in PEAKS]
    return ", ".join(parts)


def _split(side: str, column: str) -> str:
    """One day's share of a session's high- or usual-load sum (computed before the rows are sorted:
    sorting them with their arrays would spill to disk)."""
    p = f'd."p_{column}"'
    if side == "low":  # levels <= usual: the first width_bucket(usual) of the sorted levels
        value = f"coalesce({p}[k.low], 0)"
    else:  # levels >= usual + margin: the last width_bucket(-(usual + margin), neg_levels) of them
        value = f"coalesce({p}[k.n] - coalesce({p}[k.n - k.high], 0), 0)"
    return f'{value} AS "{side}_{column}"'


def _frame(windows: int) -> str:
    # judging.py takes earlier[-baseline_windows:], and a slice [-0:] is all of them
    return "UNBOUNDED PRECEDING" if windows <= 0 else f"{int(windows) - 1} PRECEDING"


def sessions_sql(thresholds: FlagThresholds) -> str:
    """CREATE TEMP TABLE review_sessions: one row per session with anything in the range."""
    ref = ", ".join(f'(sum("{c}") OVER w){"::bigint" if c in _COUNTS else ""} AS "{c}"' for c in REFERENCE)
    base = ", ".join(f'b."{c}" AS "base_{c}"' for c in REFERENCE)
    team = ", ".join(f'tm."{c}" - ag."{c}" AS "team_{c}"' for c in REFERENCE[:5])
    totals = ", ".join(sum_of(f'"{c}"', c) + f' AS "{c}"' for c in REFERENCE[:5])
    values = ", ".join(_split(side, c) for side, columns in SPLIT.items() for c in columns)
    splits = ", ".join(f'sum(a."{side}_{c}") AS "{side}_{c}"' for side, columns in SPLIT.items() for c in columns)
    split_names = ", ".join(f'coalesce(sp."{side}_{c}", 0) AS "{side}_{c}"' for side, columns in SPLIT.items()
                            for c in columns)
    return f"""
CREATE TEMP TABLE review_sessions ON COMMIT DROP AS
WITH sums AS (
    SELECT a.session, {summed("a")}, bool_or(a.nonzero) AS nonzero
    FROM ({atoms_sql()}) a GROUP BY a.session),
ordered AS (
    SELECT s.uuid, s.id, (%(label)s || '#' || s.id) COLLATE "C" AS key, s.agent, coalesce(s.policy, '') AS policy,
           s.started_at, coalesce(s.span_end, s.ended_at, s.started_at) AS span_end, s.stores_text, t.*,
           t.accepted + t.edited + t.rejected AS used,
           row_number() OVER (PARTITION BY s.agent
                              ORDER BY s.started_at, (%(label)s || '#' || s.id) COLLATE "C") AS pos,
           rank() OVER (PARTITION BY s.agent ORDER BY s.started_at) - 1 AS earlier
    FROM sums t JOIN {S}.sessions s ON s.uuid = t.session WHERE t.nonzero),
ten AS (
    SELECT agent, pos, count(*) OVER w AS n, {ref} FROM ordered
    WINDOW w AS (PARTITION BY agent ORDER BY pos ROWS BETWEEN {_frame(thresholds.baseline_windows)} AND CURRENT ROW)),
agent_totals AS (SELECT agent, {totals} FROM ordered GROUP BY agent),
team AS (SELECT count(*) AS agents, {totals} FROM agent_totals),
refs AS (
    SELECT o.*, b.n AS base_n, {base}, tm.agents - 1 AS team_agents, {team},
           CASE WHEN b.n IS NOT NULL AND b.active_seconds > 0 AND b.active_seconds / 60.0 >= %(min_baseline_minutes)s
                THEN b.concurrency_seconds / b.active_seconds
                WHEN o.active_seconds > 0 THEN o.concurrency_seconds / o.active_seconds END AS usual
    FROM ordered o LEFT JOIN ten b ON b.agent = o.agent AND b.pos = o.earlier
    JOIN agent_totals ag ON ag.agent = o.agent CROSS JOIN team tm),
split AS (
    SELECT a.session, {splits}
    FROM (SELECT u.uuid AS session, v.*
          FROM refs u CROSS JOIN LATERAL (  -- each session's days by their key: no hashing of the arrays
              SELECT d.day, {values}
              FROM {S}.day_profiles d
              CROSS JOIN LATERAL (SELECT cardinality(d.levels) AS n, width_bucket(u.usual, d.levels) AS low,
                                         width_bucket(-(u.usual + %(load_margin)s), d.neg_levels) AS high) k
              WHERE d.session = u.uuid AND {IN_RANGE.format(day="d.day")} OFFSET 0) v  -- OFFSET 0: kept a lookup
          WHERE u.usual IS NOT NULL ORDER BY u.uuid, v.day) a
    GROUP BY a.session),
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
    FROM refs r LEFT JOIN split sp ON sp.session = r.uuid),
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


def chosen_rows_sql() -> str:
    columns = ", ".join(f'"{c}"' for c in CHOSEN_COLUMNS)
    return f"SELECT {columns} FROM review_sessions WHERE chosen"


def agents_sql() -> str:
    """Per agent: the period's sums, added as the file review adds them (session by session, day by day)."""
    days = day_columns("d")
    return f"""
WITH period AS (
    SELECT a.who AS agent, min(a.started_at) AS start, max(a.span_end) AS "end", {summed("a")}
    FROM (SELECT r.agent AS who, r.started_at, r.span_end, {days}
          FROM review_sessions r JOIN {S}.session_days d ON d.session = r.uuid
          WHERE {IN_RANGE.format(day="d.day")}
          ORDER BY r.agent, r.started_at, r.key, d.day) a
    GROUP BY a.who),
own AS (
    SELECT r.agent, count(*) AS sessions, sum(r.replies_timed - r.review_assisted_replies)::bigint AS own_replies,
           sum(r.reply_seconds - r.review_assisted_reply_seconds) AS own_reply_seconds
    FROM (SELECT * FROM review_sessions ORDER BY agent, started_at, key) r GROUP BY r.agent)
SELECT p.*, own.sessions, own.own_replies, own.own_reply_seconds
FROM period p JOIN own ON own.agent = p.agent ORDER BY p.agent COLLATE "C"
"""


def effort_sql() -> str:
    """Escalation effort by type (effort_by_type's figures, unrounded), per agent and ("" ) for the team."""
    return f"""
SELECT coalesce(e.agent, '') AS agent, e.type, count(*) AS escalations, count(e.seconds_to_intervene) AS intervened,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY e.seconds_to_intervene) AS median,
       avg(e.seconds_to_intervene) AS mean, count(*) FILTER (WHERE e.seconds_to_intervene <= 60)::float8 / count(*)
       AS within_60s, avg(e.agent_messages)::float8 AS agent_messages, avg(e.agent_share) AS agent_share,
       avg(e.questions)::float8 AS questions, avg(e.solutions)::float8 AS solutions
FROM {S}.escalation_effort e JOIN review_sessions r ON r.uuid = e.session
WHERE e.escalated_at >= %(since)s AND e.escalated_at < %(until)s
GROUP BY GROUPING SETS ((e.agent, e.type), (e.type))"""


def params(thresholds: FlagThresholds, first_day: int | None, stop_day: int | None, label: str) -> dict:
    values = {f.name: getattr(thresholds, f.name) for f in fields(thresholds)}
    return values | {"first_day": first_day, "stop_day": stop_day, "label": label,
                     "since": -1e18 if first_day is None else first_day * 86400.0,
                     "until": 1e18 if stop_day is None else stop_day * 86400.0}
