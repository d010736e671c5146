"""The server side of a sync pass: what the store already has, and sending batches that count once.

Each batch is one transaction: its rows (copied into a temporary table, then inserted with
ON CONFLICT DO NOTHING on their unique key) and the session's high-water mark for that table move
together. A connection cut mid-batch leaves neither; a batch sent twice (the app crashed after the
server committed) inserts nothing the second time. COPY goes through temporary tables because
PostgreSQL does not COPY into tables under row-level security; the INSERT from them is checked by
the policies (agent = current_user) like any other.
"""
from __future__ import annotations

import math

from copilot.teamstore.local_log import LocalSession
from copilot.teamstore.records import CHAT_ROW, EVENT_ROW
from copilot.teamstore.session_sums import SessionSums
from copilot.teamstore.tables import (EFFORT_COLUMNS, EXTRAS_COLUMNS, LOAD_FIELDS, PROFILED, SCHEMA as S,
                                      TALLY_COLUMNS, names)

DAY_ROW = ("agent", "session", "day", *TALLY_COLUMNS, *EXTRAS_COLUMNS, "nonzero")
LOAD_ROW = ("agent", "session", "bucket", *LOAD_FIELDS)
EFFORT_ROW = ("agent", "session", "escalation_id", *EFFORT_COLUMNS)
_STAGES = {"stage_events": ("events", EVENT_ROW), "stage_chats": ("chats", CHAT_ROW),
           "stage_days": ("session_days", DAY_ROW), "stage_load": ("session_load", LOAD_ROW),
           "stage_effort": ("escalation_effort", EFFORT_ROW)}
_CHAT_UPDATE = ", ".join(f'"{c}" = excluded."{c}"' for c in CHAT_ROW[3:])

# A day's load profile: its distinct 5-minute levels (open chats per active second) in ascending
# order, the same negated (so width_bucket counts levels >= x), and running sums of what the overload
# rule pools, through each level. The review then splits any session at any "usual" level with a
# binary search per day instead of reading its buckets (review_sql.py). Buckets share levels often
# (the same chats open all five minutes), so a day's arrays are usually much shorter than its buckets.
_RUNNING = ", ".join(f"sum({name}) OVER w AS c_{name}" for name in PROFILED)


def profile_sql(one_session: bool = True) -> str:
    """Makes the load profiles of one session's days (%(session)s), or of every day in the store."""
    where = "session = %(session)s AND " if one_session else ""
    return f"""
INSERT INTO {S}.day_profiles (agent, session, day, levels, neg_levels, {", ".join(f"p_{name}" for name in PROFILED)})
SELECT min(agent), session, day, array_agg(level ORDER BY level), array_agg(-level ORDER BY level DESC),
       {", ".join(f"array_agg(c_{name} ORDER BY level)" for name in PROFILED)}
FROM (SELECT DISTINCT ON (session, day, level) *
      FROM (SELECT agent, session, (bucket / 288)::integer AS day, concurrency_seconds / active_seconds AS level,
                   {_RUNNING}
            FROM {S}.session_load WHERE {where}active_seconds > 0
            WINDOW w AS (PARTITION BY session, bucket / 288 ORDER BY concurrency_seconds / active_seconds
                         RANGE UNBOUNDED PRECEDING)) x
      ORDER BY session, day, level) levels
GROUP BY session, day"""


_PROFILE_SQL = profile_sql()


class Uploader:
    def __init__(self, conn, agent: str):
        self.conn, self.agent = conn, agent
        with conn.transaction():
            for stage, (table, _) in _STAGES.items():
                conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {S}.{table} INCLUDING DEFAULTS) "
                             "ON COMMIT DELETE ROWS")

    def server_state(self) -> dict[str, tuple[str | None, dict[str, int]]]:
        """Session uuid (hex) -> (the fingerprint its sums describe, its marks per table)."""
        state: dict[str, tuple[str | None, dict[str, int]]] = {}
        with self.conn.transaction():
            rows = self.conn.execute(
                f"SELECT replace(s.uuid::text, '-', ''), s.fingerprint, m.source, m.last_row_id FROM {S}.sessions s "
                f"LEFT JOIN {S}.sync_marks m ON m.session = s.uuid WHERE s.agent = %s", (self.agent,)).fetchall()
        for uuid, fingerprint, source, mark in rows:
            marks = state.setdefault(uuid, (fingerprint, {}))[1]
            if source is not None:
                marks[source] = mark
        return state

    def upsert_session(self, s: LocalSession) -> None:
        """The session's row, before its records (they refer to it); its fingerprint waits for the sums."""
        with self.conn.transaction():
            self.conn.execute(
                f"INSERT INTO {S}.sessions (uuid, agent, local_id, started_at, ended_at, app_version, engine, policy) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (uuid) DO UPDATE SET ended_at = excluded.ended_at, "
                "fingerprint = NULL", (s.uuid, self.agent, s.id, s.started_at, s.ended_at, s.app_version, s.engine,
                                       s.policy))

    def send_events(self, source: str, session: str, rows: list[list], last_id: int) -> int:
        """One batch of one table's rows; returns how many were new to the store."""
        times = [row[4] for row in rows if not math.isnan(row[4])]
        with self.conn.transaction():
            if times:
                self.conn.execute(f"SELECT {S}.ensure_partitions(%s, %s)", (min(times), max(times)))
            self._copy("stage_events", rows)
            added = self.conn.execute(f"INSERT INTO {S}.events SELECT * FROM stage_events "
                                      "ON CONFLICT DO NOTHING").rowcount
            self._mark(session, source, last_id)
        return added

    def send_chats(self, session: str, rows: list[list], marks: dict[str, int]) -> int:
        """Chats, new or closed since: upserted (a close changes a row the store may hold already)."""
        with self.conn.transaction():
            self._copy("stage_chats", rows)
            added = self.conn.execute(
                f"INSERT INTO {S}.chats SELECT * FROM stage_chats ON CONFLICT (session, row_id) DO UPDATE SET "
                f"{_CHAT_UPDATE} WHERE ({S}.chats.closed_at, {S}.chats.status) IS DISTINCT FROM "
                "(excluded.closed_at, excluded.status)").rowcount
            for source, mark in marks.items():
                self._mark(session, source, mark)
        return added

    def replace_sums(self, session: str, sums: SessionSums, fingerprint: str, trigger) -> None:
        """The session's review sums, replaced as a whole, and the fingerprint they describe."""
        with self.conn.transaction():
            for table in ("session_days", "day_profiles", "session_load", "escalation_effort"):
                self.conn.execute(f"DELETE FROM {S}.{table} WHERE session = %s", (session,))
            for stage, rows in (("stage_days", sums.day_rows(self.agent, session)),
                                ("stage_load", sums.load_rows(self.agent, session)),
                                ("stage_effort", sums.effort_rows(self.agent, session, trigger))):
                if rows:
                    self._copy(stage, rows)
                    table, columns = _STAGES[stage]
                    self.conn.execute(f"INSERT INTO {S}.{table} ({names(columns)}) "
                                      f"SELECT {names(columns)} FROM {stage}")
            self.conn.execute(_PROFILE_SQL, {"session": session})
            self.conn.execute(f"UPDATE {S}.sessions SET started_at = %s, span_end = %s, stores_text = %s, "
                              "fingerprint = %s WHERE uuid = %s",
                              (sums.start, sums.end, sums.stores_text, fingerprint, session))

    def _copy(self, stage: str, rows: list[list]) -> None:
        columns = _STAGES[stage][1]
        with self.conn.cursor() as cur, cur.copy(f"COPY {stage} ({names(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _mark(self, session: str, source: str, last_id: int) -> None:
        self.conn.execute(f"INSERT INTO {S}.sync_marks (agent, session, source, last_row_id) VALUES (%s, %s, %s, %s) "
                          "ON CONFLICT (session, source) DO UPDATE SET last_row_id = "
                          f"greatest({S}.sync_marks.last_row_id, excluded.last_row_id)",
                          (self.agent, session, source, last_id))
