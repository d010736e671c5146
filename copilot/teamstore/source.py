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
from copilot.teamstore.review_sql import IN_RANGE, day_columns, sum_of, summed
from copilot.teamstore.tables import EFFORT_COLUMNS, EXTRAS_FIELDS, LOAD_FIELDS, SCHEMA as S
from copilot.usage.escalation_effort import EscalationEffortRow
from copilot.usage.figures import Figures
from copilot.usage.metrics import AgentMetrics
from copilot.usage.tally import Tally
from copilot.usage.timeframes import BUCKET_SECONDS, DAY

_TALLY = tuple(f.name for f in fields(Tally))
_WINDOW_START = {"day": "({day} * 86400)::float8", "week": "((floor(({day} - 4) / 7.0) * 7 + 4) * 86400)::float8"}


def _trend_sql(window: str) -> tuple[str, str]:
    """(window start, agent) -> the days' sums, and the sessions' review sums by the window they started
    in, each added in the file review's order (distributions.window_sums)."""
    start = _WINDOW_START[window]
    rows = f"""
WITH kept AS (SELECT session FROM {S}.session_days WHERE {IN_RANGE.format(day="day")}
              GROUP BY session HAVING bool_or(nonzero)),
rows AS (SELECT s.agent AS who, s.started_at, (%(label)s || '#' || s.id) COLLATE "C" AS key, {day_columns("d")}
         FROM {S}.session_days d JOIN kept k ON k.session = d.session JOIN {S}.sessions s ON s.uuid = d.session
         WHERE {IN_RANGE.format(day="d.day")} ORDER BY s.agent, s.started_at, key, d.day)"""
    tallies = f"""{rows}
SELECT {start.format(day="r.day")} AS start, r.who AS agent, {summed("r")} FROM rows r GROUP BY 1, 2"""
    extras = f"""{rows},
per_session AS (SELECT r.session, min(r.who) AS agent, min(r.started_at) AS started_at, min(r.key) AS key,
                       {summed("r")} FROM rows r GROUP BY r.session)
SELECT {start.format(day="floor(p.started_at / 86400)")} AS start, p.agent,
       {", ".join(sum_of(f'p."review_{name}"', f"review_{name}") + f' AS "{name}"' for name in EXTRAS_FIELDS)},
       sum(p.replies_timed - p.review_assisted_replies)::bigint AS own_replies,
       sum(p.reply_seconds - p.review_assisted_reply_seconds) AS own_reply_seconds
FROM (SELECT * FROM per_session ORDER BY agent, started_at, key) p GROUP BY 1, 2"""
    return tallies, extras


_DECISIONS = f"""
SELECT d.session, d.ts, d.chat_id, d.decision, d.seconds_to_decide, d.edit_distance, s.draft_length,
       CASE WHEN se.stores_text THEN m.text END AS text
FROM {S}.events d JOIN {S}.sessions se ON se.uuid = d.session
LEFT JOIN {S}.events s ON s.session = d.session AND s.source = 'suggestions' AND s.suggestion_id = d.suggestion_id
     AND s.session = ANY(%(sessions)s::uuid[])
LEFT JOIN {S}.events m ON se.stores_text AND m.session = d.session AND m.source = 'messages'
     AND m.chat_id = d.chat_id AND m.message_id = s.message_id AND m.sender = 'customer'
     AND m.session = ANY(%(text_sessions)s::uuid[])
WHERE d.session = ANY(%(sessions)s::uuid[]) AND d.source = 'decisions' AND d.ts >= %(lo)s AND d.ts < %(hi)s
ORDER BY d.session, d.ts, d.row_id"""
_SESSION_SUMS = f"""
SELECT a.session, {summed("a")}
FROM (SELECT {day_columns("d")} FROM {S}.session_days d
      WHERE d.session = ANY(%(sessions)s::uuid[]) AND {IN_RANGE.format(day="d.day")} ORDER BY d.session, d.day) a
GROUP BY a.session"""
_STEPS = (f"SELECT session, ts, open_chats FROM {S}.events WHERE session = ANY(%(sessions)s::uuid[]) "
          "AND source = 'concurrency' ORDER BY session, ts, row_id")
_LOAD = (f"SELECT session, bucket, {', '.join(LOAD_FIELDS)} FROM {S}.session_load "
         "WHERE session = ANY(%(sessions)s::uuid[]) "
         "AND bucket >= %(first)s AND bucket < %(stop)s ORDER BY session, bucket")
_EFFORT = (f"SELECT session, escalation_id, {', '.join(EFFORT_COLUMNS)} FROM {S}.escalation_effort "
           "WHERE session = ANY(%(sessions)s::uuid[]) AND escalated_at >= %(lo)s AND escalated_at < %(hi)s "
           "ORDER BY escalated_at")


_SKILL = (f"SELECT agent, ts, kind, fields FROM {S}.events WHERE source = 'events' AND kind = ANY(%(kinds)s) "
          "AND ts >= %(since)s AND ts < %(until)s ORDER BY ts, row_id")


class StoreSource:
    def __init__(self, config: StoreConfig, password: str | None, params: dict,
                 fast: dict[str, tuple[int, int]] | None = None):
        """`fast`: session uuid -> (accepted faster than reading, accepted with a timed draft), from the summary."""
        self.config, self._password, self.params, self.fast = config, password, dict(params), fast or {}

    def skill(self, review):
        """The review's skill section (copilot/review/skill.py) from the practice and blind-first records
        in the store, with the weekly reliance from the summary's per-session sums."""
        from copilot.practice.records import FIELD_FOR_KIND, KINDS, AgentSkillRecords
        from copilot.review.skill import build_skill

        (rows,) = self._read("reading practice records", [(_SKILL, self.params | {"kinds": list(KINDS)})])
        records: dict[str, AgentSkillRecords] = {}
        for r in rows:
            if isinstance(r["fields"], dict):
                found = records.setdefault(r["agent"], AgentSkillRecords(r["agent"]))
                getattr(found, FIELD_FOR_KIND[r["kind"]]).append((r["ts"], r["fields"]))

        def tally_of(s) -> Tally:
            fast, timed = self.fast.get(s.session.uuid, (0, 0))
            return Tally(accepted_fast=fast, accepted_timed=timed)

        return build_skill(review, records=records, tally_of=tally_of)

    def _connect(self):
        password = self._password if self._password is not None else resolve_password(self.config)
        return connect(self.config, password)

    def _read(self, doing: str, queries: list[tuple[str, dict]]) -> list[list]:
        from psycopg.rows import dict_row

        conn = self._connect()
        try:
            with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
                cur.execute("SET LOCAL jit = off")  # compiling these queries costs more than running them
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
        params = {"sessions": list(keys), "lo": lo, "hi": hi, "first_day": first, "stop_day": stop,
                  "text_sessions": [s.session.uuid for s in a.sessions if s.session.stores_text],
                  "first": -2**62 if first is None else int(first * DAY // BUCKET_SECONDS),
                  "stop": 2**62 if stop is None else int(stop * DAY // BUCKET_SECONDS)}
        sums, decisions, steps, load, effort = self._read(
            f"reading {agent}'s drill-down", [(_SESSION_SUMS, params), (_DECISIONS, params), (_STEPS, params),
                                              (_LOAD, params), (_EFFORT, params)])
        rows: dict[str, tuple[list, list]] = {key: ([], []) for key in keys.values()}
        for r in decisions:
            rows[keys[r["session"].hex]][0].append((r["ts"], r["chat_id"], r["decision"], r["seconds_to_decide"],
                                                    r["edit_distance"], r["draft_length"], r["text"]))
        for r in steps:
            rows[keys[r["session"].hex]][1].append((r["ts"], r["open_chats"]))
        return assemble_detail(review, self._judged(review, a, sums, load, effort), rows)

    def _judged(self, review, a, sums: list[dict], load: list[dict], effort: list[dict]):
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
        tallies = {r["session"].hex: Tally(**{n: r[n] for n in _TALLY}) for r in sums}
        windows = [AgentMetrics(a.agent, "session", s.session.key, s.session.start, s.session.end, 1, s.session.path,
                                Figures.of(tallies[s.session.uuid]), tallies[s.session.uuid], buckets[s.session.uuid])
                   for s in a.sessions]
        teams = team_references([x.metrics for x in review.agents])
        flags = judge_windows(windows, review.thresholds, teams=teams)
        sessions = [SessionReview(replace(s.session, escalations=escalations[s.session.uuid]), m, f)
                    for s, m, f in zip(a.sessions, windows, flags)]
        return replace(a, sessions=sessions)
