"""What a store review asks the server for after the summary: trends, and one agent's drill-down.

A TeamReview built from the store carries a StoreSource (TeamReview.source): the review's trend
charts (copilot.review.distributions.window_views) and its drill-down
(copilot.review.drilldown.agent_detail) call it instead of reading files. Both run where the file
review's would (the window's loading thread and its worker pool), each on its own connection.

The drill-down reads one agent's sessions: their 5-minute load (for the overload stretches),
decisions and open-chat steps from the raw events, and their escalations; their flags are judged
in full by the usual rules, with explanations.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import fields, replace

from copilot.review.drilldown import AgentDetail, assemble_detail, review_range
from copilot.review.judging import judge_windows, team_references
from copilot.review.model import Extras
from copilot.review.team import SessionReview
from copilot.teamstore.config import StoreConfig, connect, resolve_password
from copilot.teamstore.errors import TeamStoreError, operation_error
from copilot.teamstore.review_sql import atoms_sql, summed
from copilot.teamstore.tables import EFFORT_COLUMNS, EXTRAS_FIELDS, LOAD_FIELDS, SCHEMA as S
from copilot.usage.escalation_effort import EscalationEffortRow
from copilot.usage.tally import Tally
from copilot.usage.timeframes import BUCKET_SECONDS, DAY

_TALLY = tuple(f.name for f in fields(Tally))
_WINDOW_START = {"day": "({day} * 86400)::float8", "week": "((floor(({day} - 4) / 7.0) * 7 + 4) * 86400)::float8"}


def _trend_sql(window: str) -> tuple[str, str]:
    start = _WINDOW_START[window]
    sessions = f"""
WITH atoms AS MATERIALIZED ({atoms_sql()}),
kept AS (SELECT session FROM atoms GROUP BY session HAVING bool_or(nonzero)),
days AS (SELECT s.started_at, (%(label)s || '#' || s.id) COLLATE "C" AS key, a.*
         FROM atoms a JOIN kept k ON k.session = a.session JOIN {S}.sessions s ON s.uuid = a.session)"""
    tallies = f"""{sessions}
SELECT {start.format(day="d.day")} AS start, d.agent, {summed("d", "d.started_at, d.key, d.day")}
FROM days d GROUP BY 1, 2"""
    extras = f"""{sessions},
per_session AS (SELECT d.session, min(d.agent) AS agent, min(d.started_at) AS started_at, min(d.key) AS key,
                       {summed("d", "d.day")} FROM days d GROUP BY d.session)
SELECT {start.format(day="floor(p.started_at / 86400)")} AS start, p.agent,
       {", ".join(f'sum(p."review_{name}" ORDER BY p.started_at, p.key) AS "{name}"' for name in EXTRAS_FIELDS)},
       sum(p.replies_timed - p.review_assisted_replies ORDER BY p.started_at, p.key) AS own_replies,
       sum(p.reply_seconds - p.review_assisted_reply_seconds ORDER BY p.started_at, p.key) AS own_reply_seconds
FROM per_session p GROUP BY 1, 2"""
    return tallies, extras


_DECISIONS = f"""
SELECT d.session, d.ts, d.chat_id, d.decision, d.seconds_to_decide, d.edit_distance, s.draft_length,
       CASE WHEN %(text)s AND se.stores_text THEN m.text END AS text
FROM {S}.events d JOIN {S}.sessions se ON se.uuid = d.session
LEFT JOIN {S}.events s ON s.session = d.session AND s.source = 'suggestions' AND s.suggestion_id = d.suggestion_id
LEFT JOIN {S}.events m ON se.stores_text AND m.session = d.session AND m.source = 'messages'
     AND m.chat_id = d.chat_id AND m.message_id = s.message_id AND m.sender = 'customer'
WHERE d.session = ANY(%(sessions)s::uuid[]) AND d.source = 'decisions' AND d.ts >= %(lo)s AND d.ts < %(hi)s
ORDER BY d.session, d.ts, d.row_id"""
_STEPS = (f"SELECT session, ts, open_chats FROM {S}.events WHERE session = ANY(%(sessions)s::uuid[]) "
          "AND source = 'concurrency' ORDER BY session, ts, row_id")
_LOAD = (f"SELECT session, bucket, {', '.join(LOAD_FIELDS)} FROM {S}.session_load WHERE session = ANY(%(sessions)s::uuid[]) "
         "AND bucket >= %(first)s AND bucket < %(stop)s ORDER BY session, bucket")
_EFFORT = (f"SELECT session, escalation_id, {', '.join(EFFORT_COLUMNS)} FROM {S}.escalation_effort "
           "WHERE session = ANY(%(sessions)s::uuid[]) AND escalated_at >= %(lo)s AND escalated_at < %(hi)s ORDER BY escalated_at")


class StoreSource:
    def __init__(self, config: StoreConfig, password: str | None, params: dict):
        self.config, self._password, self.params = config, password, dict(params)

    def _connect(self):
        password = self._password if self._password is not None else resolve_password(self.config)
        return connect(self.config, password)

    def _read(self, doing: str, queries: list[tuple[str, dict]]) -> list[list]:
        from psycopg.rows import dict_row

        conn = self._connect()
        try:
            with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
                return [cur.execute(sql, params).fetchall() for sql, params in queries]
        except TeamStoreError:
            raise
        except Exception as exc:
            raise operation_error(exc, doing) from None
        finally:
            conn.close()

    def window_sums(self, review, window: str):
        """distributions.window_sums' answer, summed on the server: (window, agent) -> Tally, Extras."""
        tallies_sql, extras_sql = _trend_sql(window)
        tally_rows, extras_rows = self._read("reading the trends", [(tallies_sql, self.params),
                                                                    (extras_sql, self.params)])
        tallies = {(row["start"], row["agent"]): Tally(**{n: row[n] for n in _TALLY}) for row in tally_rows}
        extras = {(row["start"], row["agent"]): Extras(**{n: row[n] for n in (*EXTRAS_FIELDS, "own_replies",
                                                                                "own_reply_seconds")})
                  for row in extras_rows}
        return tallies, extras

    def agent_detail(self, review, agent: str) -> AgentDetail:
        a = review.agent(agent)
        lo, hi = review_range(review)
        keys = {s.session.uuid: s.session.key for s in a.sessions}
        first = self.params["first_day"]
        stop = self.params["stop_day"]
        params = {"sessions": list(keys), "lo": lo, "hi": hi, "text": True,
                  "first": -2**62 if first is None else int(first * DAY // BUCKET_SECONDS),
                  "stop": 2**62 if stop is None else int(stop * DAY // BUCKET_SECONDS)}
        decisions, steps, load, effort = self._read(f"reading {agent}'s drill-down",
                                                    [(_DECISIONS, params), (_STEPS, params), (_LOAD, params),
                                                     (_EFFORT, params)])
        rows: dict[str, tuple[list, list]] = {key: ([], []) for key in keys.values()}
        for r in decisions:
            rows[keys[r["session"].hex]][0].append((r["ts"], r["chat_id"], r["decision"], r["seconds_to_decide"],
                                                    r["edit_distance"], r["draft_length"], r["text"]))
        for r in steps:
            rows[keys[r["session"].hex]][1].append((r["ts"], r["open_chats"]))
        return assemble_detail(review, self._judged(review, a, load, effort), rows)

    def _judged(self, review, a, load: list[dict], effort: list[dict]):
        """The agent's sessions with their 5-minute load and escalations, judged in full (explanations)."""
        buckets = defaultdict(list)
        for r in load:
            buckets[r["session"].hex].append((r["bucket"] * BUCKET_SECONDS, Tally(**{n: r[n] for n in LOAD_FIELDS})))
        ids = {s.session.uuid: s.session.id for s in a.sessions}
        escalations = defaultdict(list)
        for r in effort:
            uuid = r["session"].hex
            escalations[uuid].append(EscalationEffortRow(r["escalation_id"], a.agent, ids[uuid],
                                                         **{n: r[n] for n in EFFORT_COLUMNS}))
        windows = [replace(s.metrics, buckets=buckets[s.session.uuid]) for s in a.sessions]
        teams = team_references([x.metrics for x in review.agents])
        flags = judge_windows(windows, review.thresholds, teams=teams)
        sessions = [SessionReview(replace(s.session, escalations=escalations[s.session.uuid]), m, f)
                    for s, m, f in zip(a.sessions, windows, flags)]
        return replace(a, sessions=sessions)
