"""The team store on a local PostgreSQL: sync speed, a week's catch-up beside the UI, and the review at scale.

    python bench/teamstore.py [--agents 1000] [--shifts 20] [--sync-events 200000] [--skip-team]

Prints measured figures only (they vary with the machine and its load; nothing passes or fails).
Targets (issue 14): one client syncs >= 20,000 events/s; a week offline (one agent, ~50,000
events) catches up in <= 10 s without slowing the UI; with 1,000 agents x 20 shifts (~20 M events)
the team review's summary <= 2 s and one agent's drill-down <= 0.5 s, from the server.

The server is Debian's PostgreSQL in a throwaway cluster (tests/pg_cluster.py; fsync off, 1 GB of
shared buffers). Sync: logs written by bench/review_team.py's realistic agents, sent by the app's
TeamSync; the baseline beside it is the same pass's local reading alone. Catch-up: the pass runs on
the app's background helper (its "sync" lane) while a 2 ms QTimer probe on the UI thread measures
how late its ticks run, against the probe alone for the same time (the idle baseline). Team: the
20 M events, the sessions, their per-day sums, 5-minute load and escalations are generated on the
server with generate_series (a few minutes), then the review is read as a lead reads it.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from review_team import write_agent_log  # noqa: E402

from copilot.teamstore.config import StoreConfig, connect  # noqa: E402
from copilot.teamstore.schema import init_store  # noqa: E402
from tests.pg_cluster import SUPERUSER, SUPERUSER_PASSWORD, PgCluster  # noqa: E402

PASSWORD = "bench-pw"
DAY0 = 1_767_225_600  # 2026-01-01 00:00 UTC


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def store(cluster: PgCluster, name: str) -> StoreConfig:
    with cluster.admin("postgres") as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    admin = StoreConfig.parse(cluster.url(SUPERUSER, None, name))
    with connect(admin, SUPERUSER_PASSWORD) as conn:
        init_store(conn, admin.target)
    return admin


def login(cluster: PgCluster, name: str, role: str = "copilot_agent") -> None:
    with cluster.admin("postgres") as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is None:
            conn.execute(f"CREATE ROLE {name} LOGIN PASSWORD '{PASSWORD}' IN ROLE {role}")


# ---- one client's sync speed ------------------------------------------------------------------------
def bench_sync(cluster: PgCluster, folder: Path, events: int) -> None:
    from copilot.teamstore import local_log
    from copilot.teamstore.records import RowMaker
    from copilot.teamstore.sync import TeamSync

    path = folder / "agent002.sqlite"
    t0 = time.perf_counter()
    written = write_agent_log(path, 2, events, days=5)
    print(f"local log: {written:,} events in 5 shifts, written in {time.perf_counter() - t0:.1f} s")
    admin = store(cluster, "sync_speed")
    login(cluster, "agent002")
    config = StoreConfig.parse(cluster.url("agent002", None, admin.dbname))

    t0 = time.perf_counter()  # the baseline: reading and converting the same rows, sending nothing
    local, maker, read = local_log.open_log(path), RowMaker("agent002", False), 0
    for s in local_log.sessions(local):
        for source in local_log.SOURCES[:-1]:
            after = 0
            while rows := local_log.rows_after(local, source, s.id, after, 5000):
                read += len([maker.event_row(source, s.uuid, r) for r in rows])
                after = rows[-1][0]
    local.close()
    baseline = time.perf_counter() - t0

    report = TeamSync(config, path, password=PASSWORD).run_once()
    assert report.ok, report.error
    print(f"sync, one client: {report.total:,} records in {report.seconds:.2f} s = {report.total / report.seconds:,.0f} "
          f"records/s (target >= 20,000); reading and converting them alone: {read / baseline:,.0f} rows/s "
          f"({baseline:.2f} s); load {load_average()}")
    again = TeamSync(config, path, password=PASSWORD, full=True).run_once()
    print(f"  the same log again, every session compared: {again.total} new records, {again.seconds:.2f} s")


# ---- a week offline, caught up beside the UI ----------------------------------------------------------
def probe(app, seconds: float, work=None) -> list[float]:
    """How late each 2 ms QTimer tick runs on this (the UI) thread, in ms, for `seconds` or until `work` ends."""
    from PySide6.QtCore import QTimer

    late, due = [], [time.perf_counter() + 0.002]

    def tick():
        now = time.perf_counter()
        late.append(max(0.0, (now - due[0]) * 1000))
        due[0] = now + 0.002

    timer = QTimer()
    timer.setInterval(2)
    timer.timeout.connect(tick)
    timer.start()
    t0 = time.perf_counter()
    while (time.perf_counter() - t0 < seconds) if work is None else not work():
        app.processEvents()
        time.sleep(0.0005)
    timer.stop()
    return late


def bench_catch_up(cluster: PgCluster, folder: Path, events: int) -> None:
    from copilot.core.jobs import Job
    from copilot.teamstore.sync import TeamSync
    from copilot.ui.app import application
    from copilot.ui.background import Background

    path = folder / "agent004.sqlite"
    written = write_agent_log(path, 4, events, days=7)
    admin = store(cluster, "catch_up")
    login(cluster, "agent004")
    sync = TeamSync(StoreConfig.parse(cluster.url("agent004", None, admin.dbname)), path, password=PASSWORD)
    app = application()
    background = Background()
    background.set_lane_size("sync", 1)
    done = []
    background.run(Job(lambda control: sync.run_once(cancelled=lambda: control.cancelled), "sync", lane="sync",
                       on_done=done.append))
    t0 = time.perf_counter()
    busy = probe(app, 0, work=lambda: bool(done))
    seconds = time.perf_counter() - t0
    report = done[0]
    assert report.ok, report.error
    idle = probe(app, seconds)

    def describe(values):
        return f"p50 {statistics.median(values):.1f} ms, p99 {sorted(values)[int(len(values) * 0.99)]:.1f} ms, " \
               f"longest {max(values):.1f} ms"

    print(f"catch-up after a week offline: {written:,} events in 7 shifts, {report.total:,} records sent in "
          f"{seconds:.2f} s on the background helper (target <= 10 s); load {load_average()}")
    print(f"  UI-thread probe (2 ms QTimer) lateness during the sync: {describe(busy)}; "
          f"alone for as long: {describe(idle)}")


# ---- a thousand agents' month -------------------------------------------------------------------------
def generate_team(cluster: PgCluster, agents: int, shifts: int) -> StoreConfig:
    from copilot.teamstore.upload import profile_sql

    admin = store(cluster, "team")
    login(cluster, "lead", "copilot_lead")
    with connect(admin, SUPERUSER_PASSWORD, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")  # bulk load: foreign keys were checked by design
        steps = [("sessions", SESSIONS), ("events", EVENTS), ("5-minute load", LOAD), ("per-day sums", DAYS),
                 ("load profiles", profile_sql(one_session=False)), ("escalations", EFFORT)]
        for what, sql in steps:
            t0 = time.perf_counter()
            rows = conn.execute(sql, {"agents": agents, "shifts": shifts, "day0": DAY0}).rowcount
            print(f"  generated {what}: {rows:,} rows in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
        print(f"  vacuum/analyze {time.perf_counter() - t0:.1f} s; database {size}")
    return StoreConfig.parse(cluster.url("lead", None, admin.dbname))


def bench_team(cluster: PgCluster, agents: int, shifts: int, repeats: int) -> None:
    from copilot.review.distributions import window_views
    from copilot.review.drilldown import agent_detail
    from copilot.teamstore.review import review_store

    with cluster.admin("postgres") as conn:
        ready = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'team'").fetchone()
    if ready:
        with cluster.admin("team") as conn:
            ready = conn.execute("SELECT count(*) FROM copilot.sessions").fetchone()[0] == agents * shifts
    if ready:
        print(f"reusing the generated team of {agents:,} agents x {shifts} shifts")
        config = StoreConfig.parse(cluster.url("lead", None, "team"))
    else:
        print(f"generating {agents:,} agents x {shifts} shifts on the server ...")
        config = generate_team(cluster, agents, shifts)
    for label, since in (("whole period", None), ("last 7 days", float(DAY0 + (shifts - 7) * 86400))):
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            review = review_store(config, PASSWORD, since=since)
            times.append(time.perf_counter() - t0)
        flagged = {k: sum(1 for a in review.agents if a.flags[k].raised) for k in ("over_reliance", "overload")}
        print(f"team review summary ({label}): {len(review.agents):,} agents, {review.sessions:,} sessions: best "
              f"{min(times):.2f} s, median {statistics.median(times):.2f} s (target <= 2 s); flagged {flagged}; "
              f"load {load_average()}")
    review = review_store(config, PASSWORD)
    for window in ("day", "week"):
        t0 = time.perf_counter()
        views = window_views(review, window)
        print(f"  trends by {window} ({len(views)} windows) for the charts: {time.perf_counter() - t0:.2f} s")
    times = []
    for agent in [a.agent for a in review.agents[:: max(1, len(review.agents) // repeats)]][:repeats]:
        t0 = time.perf_counter()
        detail = agent_detail(review, agent)
        times.append(time.perf_counter() - t0)
    print(f"one agent's drill-down ({len(detail.decisions)} decisions, {len(detail.sessions)} shifts): best "
          f"{min(times):.3f} s, median {statistics.median(times):.3f} s (target <= 0.5 s)")


_AGENT = "'agent' || lpad(a::text, 4, '0')"
SESSIONS = f"""
INSERT INTO copilot.sessions (uuid, agent, local_id, started_at, ended_at, span_end, app_version, engine, policy,
                              fingerprint)
SELECT md5(a || '/' || s)::uuid, {_AGENT}, s, t.start, t.start + 28800, t.start + 28800, 'bench', 'offline',
       CASE a %% 10 WHEN 0 THEN 'passive' WHEN 1 THEN 'overloaded' ELSE 'careful' END, 'bench'
FROM generate_series(1, %(agents)s) a, generate_series(1, %(shifts)s) s,
     LATERAL (SELECT (%(day0)s + (s - 1) * 86400 + 28800 + (a %% 12) * 300)::float8 AS start) t"""
# 1,000 records a shift in groups of ten: a customer message, a suggestion, its decision, the reply,
# a focus change, another exchange, an open-chat change and a generic record; ids as the app's.
EVENTS = """
INSERT INTO copilot.events (agent, session, source, row_id, ts, chat_id, message_id, suggestion_id, sender, length,
    frustration, response_seconds, engine, category, confidence, abstained, draft_length, draft_hash, decision,
    seconds_to_decide, edit_distance, reason, sent_length, previous_chat_id, open_chats, cause, kind)
SELECT s.agent, s.uuid, src.source, i, s.started_at + i * 28.8, 'c' || (g %% 40), g, g,
       CASE WHEN k IN (0, 5, 9) THEN 'customer' WHEN k IN (3, 6) THEN 'agent' END,
       CASE WHEN src.source = 'messages' THEN 80 END,
       CASE WHEN k IN (0, 5, 9) THEN ((g * 7 + i) %% 10) / 10.0 END, CASE WHEN k IN (3, 6) THEN 20 + g %% 30 END,
       CASE WHEN k = 1 THEN 'offline' END, CASE WHEN k = 1 THEN 'late_delivery' END, CASE WHEN k = 1 THEN 0.8 END,
       CASE WHEN k = 1 THEN 0 END, CASE WHEN k = 1 THEN 140 END, CASE WHEN k = 1 THEN 'h' END,
       CASE WHEN k = 2 THEN (ARRAY['accepted', 'accepted', 'edited', 'rejected', 'ignored'])[1 + (g + i) %% 5] END,
       CASE WHEN k = 2 THEN 2 + (g %% 20) END, CASE WHEN k = 2 THEN 0.2 END, CASE WHEN k = 2 THEN '' END,
       CASE WHEN k = 2 THEN 140 END, CASE WHEN k = 4 THEN 'c1' END,
       CASE WHEN k IN (4, 7) THEN 1 + (g * 3 + s.local_id) %% 5 END, CASE WHEN k = 7 THEN 'chat_opened' END,
       CASE WHEN k = 8 THEN 'source_link' END
FROM copilot.sessions s, generate_series(0, 999) i,
     LATERAL (SELECT i / 10 AS g, i %% 10 AS k) x,
     LATERAL (SELECT CASE WHEN k IN (0, 3, 5, 6, 9) THEN 'messages' WHEN k = 1 THEN 'suggestions'
                          WHEN k = 2 THEN 'decisions' WHEN k = 4 THEN 'focus_changes' WHEN k = 7 THEN 'concurrency'
                          ELSE 'events' END AS source) src"""
# 96 five-minute buckets a shift: load wanders around each agent's habit, a different level in nearly
# every slice (the load profiles' worst case); overloaded agents take on two more chats in the last
# third of the shift and answer three times slower, to more frustration.
LOAD = """
INSERT INTO copilot.session_load (agent, session, bucket, replies, reply_seconds, replies_timed, customer_messages,
    frustration_sum, frustration_scored, concurrency_seconds, concurrency_peak, active_seconds)
SELECT s.agent, s.uuid, floor(s.started_at / 300)::bigint + b, 3, 3 * v.latency, 3, 3, 3 * v.mood, 3,
       300 * v.level, ceil(v.level)::bigint, 300
FROM copilot.sessions s, generate_series(0, 95) b,
     LATERAL (SELECT s.policy = 'overloaded' AND b >= 64 AS busy) o,
     LATERAL (SELECT 2 + (hashtext(s.agent) %% 3 + 3) %% 3 * 0.5 + ((b * 7 + s.local_id) %% 5 - 2) * 0.2
                     + (hashtext(s.uuid::text || b) %% 1000) / 5000.0  -- chats change within most slices
                     + CASE WHEN o.busy THEN 2 ELSE 0 END AS level,
                     (20 + (hashtext(s.agent) %% 15 + 15) %% 15) * CASE WHEN o.busy THEN 3 ELSE 1 END AS latency,
                     0.2 + CASE WHEN o.busy THEN 0.3 ELSE 0 END AS mood) v"""
DAYS = """
INSERT INTO copilot.session_days (agent, session, day, shown, decisions, accepted, edited, rejected, ignored,
    sent_edit_distance, dwell_seconds, dwell_chars, accepted_timed, accepted_seconds, accepted_chars, accepted_fast,
    replies, reply_seconds, replies_timed, first_responses, first_response_seconds, customer_messages,
    frustration_sum, frustration_scored, frustration_peak, upset, angry, chats_opened, chats_ended,
    duration_seconds, durations, abandoned, switches, active_seconds, concurrency_seconds, concurrency_peak,
    review_assisted_replies, review_assisted_reply_seconds, review_chats_ended, review_chats_resolved,
    review_assisted_chats_ended, review_assisted_chats_resolved, review_handover_frustration_sum, review_handovers,
    nonzero)
SELECT s.agent, s.uuid, floor(s.started_at / 86400)::integer, 100, 100, d.acc, d.edi, d.rej, 100 - d.acc - d.edi - d.rej,
       d.edi * 0.3, (d.acc + d.edi + d.rej) * d.dwell, (d.acc + d.edi + d.rej) * 140, d.acc, d.acc * d.dwell,
       d.acc * 140, CASE WHEN s.policy = 'passive' THEN d.acc - 3 ELSE 2 END,
       l.replies, l.reply_seconds, l.replies, 40, l.reply_seconds / l.replies * 40, l.customers,
       l.frustration_sum, l.customers, 0.9, l.customers / 4, l.customers / 10, 40, 40, 40 * 600, 40,
       (hashtext(s.agent) %% 4 + 4) %% 4, 300, l.active, l.busy, l.peak,
       l.replies / 2, l.reply_seconds / 2 * 0.8, 40, 28 + (hashtext(s.agent) %% 10 + 10) %% 10, 30, 25, 3.5, 5, true
FROM copilot.sessions s
JOIN (SELECT session, sum(replies) AS replies, sum(reply_seconds) AS reply_seconds, sum(customer_messages) AS customers,
             sum(frustration_sum) AS frustration_sum, sum(active_seconds) AS active,
             sum(concurrency_seconds) AS busy, max(concurrency_peak) AS peak
      FROM copilot.session_load GROUP BY session) l ON l.session = s.uuid,
     LATERAL (SELECT CASE WHEN s.policy = 'passive' THEN 95 ELSE 45 + s.local_id %% 10 END AS acc,
                     CASE WHEN s.policy = 'passive' THEN 3 ELSE 30 END AS edi,
                     CASE WHEN s.policy = 'passive' THEN 1 ELSE 12 END AS rej,
                     CASE WHEN s.policy = 'passive' THEN 1.5 ELSE 9 END AS dwell) d"""
EFFORT = """
INSERT INTO copilot.escalation_effort (agent, session, escalation_id, chat_id, type, reason, trigger, message_id,
    escalated_at, seconds_to_intervene, agent_messages, customer_messages, agent_share, questions, solutions)
SELECT s.agent, s.uuid, e, 'c' || e, CASE WHEN e %% 2 = 0 THEN 'emotional' ELSE 'technical' END, 'threat',
       'threatens to leave', e, s.started_at + e * 5000, 20 + (e * 13 + s.local_id) %% 90, 3, 2, 0.6, 1, 1
FROM copilot.sessions s, generate_series(1, 5) e"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--shifts", type=int, default=20)
    parser.add_argument("--sync-events", type=int, default=200_000)
    parser.add_argument("--week-events", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-team", action="store_true", help="only the sync figures")
    parser.add_argument("--skip-sync", action="store_true", help="only the team review's figures")
    parser.add_argument("--keep", type=Path, help="keep the cluster (and the generated team) in this folder, "
                                                  "and reuse it when run again")
    args = parser.parse_args()
    cluster = PgCluster.start("-c shared_buffers=1GB -c work_mem=64MB -c maintenance_work_mem=512MB "
                              "-c max_wal_size=4GB -c checkpoint_timeout=30min", keep=args.keep)
    try:
        print(f"PostgreSQL cluster on port {cluster.port}; load {load_average()}")
        if not args.skip_sync:
            with tempfile.TemporaryDirectory() as tmp:
                bench_sync(cluster, Path(tmp), args.sync_events)
                bench_catch_up(cluster, Path(tmp), args.week_events)
        if not args.skip_team:
            bench_team(cluster, args.agents, args.shifts, args.repeats)
    finally:
        cluster.pause() if args.keep else cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
