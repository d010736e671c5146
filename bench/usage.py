"""Usage-log targets: the cost of logging an event on the calling thread, and metrics + flags over
a million events.

    python bench/usage.py [--events 1000000] [--record-events 50000] [--keep FILE]

Prints measured figures only (timing varies with the machine and its load; nothing passes or
fails). The synthetic log is written straight into the real schema with executemany: shifts of
8 hours by a team of agents, each chat a realistic run of customer messages, suggestions,
decisions, replies, focus changes and open-chat changes. Targets (issue 4): record() p99 <= 50 us;
metrics + flags over 1,000,000 events <= 1 s.
"""
from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlite_utils import Database  # noqa: E402

from copilot.usage import UsageLog  # noqa: E402
from copilot.usage.flags import compute_flags  # noqa: E402
from copilot.usage.metrics import compute_metrics  # noqa: E402
from copilot.usage.schema import migrate  # noqa: E402

SHIFT = 8 * 3600.0
DAY0 = 1_767_225_600.0  # 2026-01-01
EVENTS_PER_CHAT = 33  # roughly: 1 chat row, 2 concurrency, 6+6 messages, 6 suggestions, 6 decisions, 6 focus


def synthetic_log(path: Path, events: int, agents: int = 10, seed: int = 1) -> int:
    """Write about `events` event rows in the v1 layout (no triggers: fast); returns the exact count.

    The caller migrates the file to the current schema, which fills the stored 5-minute sums.
    """
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    migrate(Database(conn), target=1)
    rows: dict[str, list[tuple]] = {t: [] for t in ("chats", "concurrency", "messages", "suggestions", "decisions",
                                                    "focus_changes")}
    chats_needed = events // EVENTS_PER_CHAT
    day0, sid, chat_no = DAY0, 1, 0
    while chat_no < chats_needed:
        agent = f"agent{sid % agents:02d}"
        start = day0 + (sid // agents) * 86400 + rng.uniform(0, 3600)
        conn.execute("INSERT OR IGNORE INTO agents (name, first_seen) VALUES (?, ?)", (agent, start))
        conn.execute("INSERT INTO sessions (id, uuid, agent_id, ts, started_at, ended_at, app_version, engine) "
                     "SELECT ?, ?, id, ?, ?, ?, 'bench', 'offline' FROM agents WHERE name = ?",
                     (sid, f"s{sid}", start, start, start + SHIFT, agent))
        passive = sid % agents == 0  # one agent in ten rubber-stamps drafts
        changes = []
        t = start + 30
        while t < start + SHIFT - 900 and chat_no < chats_needed:
            chat_no += 1
            chat = f"c{chat_no}"
            opened, t_msg = t, t + 5
            for k in range(6):
                mid = chat_no * 100 + k
                rows["messages"].append((sid, t_msg, chat, mid, "customer", 90, rng.random() * 0.8, None, None))
                rows["suggestions"].append((sid, t_msg + 2, chat, mid, mid, "offline", "late_delivery", 0.8, 0, 130,
                                            "0123456789abcdef"))
                rows["focus_changes"].append((sid, t_msg + 3, chat, "c0", 4))
                dwell = rng.uniform(0.5, 2.5) if passive else rng.uniform(5, 20)
                kind = "accepted" if passive or rng.random() < 0.4 else rng.choice(["edited", "rejected", "ignored"])
                rows["decisions"].append((sid, t_msg + 2 + dwell, chat, mid, kind, dwell,
                                          0.3 if kind == "edited" else 0.0, "", 130, 1.0))
                rows["messages"].append((sid, t_msg + 3 + dwell, chat, mid + 50, "agent", 130, None,
                                         1 + dwell, mid))
                t_msg += rng.uniform(30, 70)
            rows["chats"].append((sid, opened, chat, "Customer", "scenario", 0, t_msg,
                                  "abandoned" if rng.random() < 0.05 else "resolved", t_msg - opened))
            changes += [(opened, 1, chat, "chat_opened"), (t_msg, -1, chat, "chat_closed")]
            t += rng.expovariate(1 / 75.0)  # a new chat every 75 s on average: 4-5 open at once
        open_chats = 0
        for ts, delta, chat, cause in sorted(changes):
            open_chats += delta
            rows["concurrency"].append((sid, ts, open_chats, chat, cause))
        sid += 1
    with conn:
        insert = {
            "chats": "INSERT INTO chats (session_id, ts, chat_id, customer_name, scenario_id, concurrent_at_open, "
                     "closed_at, status, duration) VALUES (?,?,?,?,?,?,?,?,?)",
            "concurrency": "INSERT INTO concurrency (session_id, ts, open_chats, chat_id, cause) VALUES (?,?,?,?,?)",
            "messages": "INSERT INTO messages (session_id, ts, chat_id, message_id, sender, length, frustration, "
                        "response_seconds, suggestion_id) VALUES (?,?,?,?,?,?,?,?,?)",
            "suggestions": "INSERT INTO suggestions (session_id, ts, chat_id, suggestion_id, message_id, engine, "
                           "category, confidence, abstained, draft_length, draft_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            "decisions": "INSERT INTO decisions (session_id, ts, chat_id, suggestion_id, decision, seconds_to_decide, "
                         "edit_distance, reason, sent_length, seconds_to_first_keystroke) VALUES (?,?,?,?,?,?,?,?,?,?)",
            "focus_changes": "INSERT INTO focus_changes (session_id, ts, chat_id, previous_chat_id, open_chats) "
                             "VALUES (?,?,?,?,?)",
        }
        for table, sql in insert.items():
            conn.executemany(sql, sorted(rows[table], key=lambda r: (r[0], r[1])))  # time order, as logged
    conn.close()
    return sum(len(r) for r in rows.values())


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def bench_record(n: int, folder: Path) -> None:
    """record() as the workspace calls it, paced like a busy UI thread, the writer running alongside."""
    log = UsageLog.open(folder / "record.sqlite", agent="bench", app_version="bench", engine="offline")
    costs = []
    clock = time.perf_counter_ns
    for i in range(n):
        t0 = clock()
        log.record("decision", 1.0 + i, chat_id="c1", suggestion_id=i, kind="accepted", seconds_to_decide=3.2,
                   edit_distance=0.0, reason="", sent_length=120, seconds_to_first_keystroke=None)
        costs.append(clock() - t0)
        if i % 10 == 9:
            time.sleep(0.001)  # bursts of 10: far busier than a person, within what the writer sustains
    t0 = time.perf_counter()
    log.close()
    us = sorted(c / 1000 for c in costs)
    print(f"writer drained the last events in {(time.perf_counter() - t0) * 1000:.0f} ms after the loop "
          f"(it runs SQLite's triggers for the stored sums off the calling thread)")
    print(f"record() on the calling thread, {n} events: p50 {percentile(us, 0.5):.2f} us, "
          f"p99 {percentile(us, 0.99):.2f} us, p99.9 {percentile(us, 0.999):.1f} us, max {us[-1]:.0f} us, "
          f"mean {statistics.fmean(us):.2f} us   (target p99 <= 50 us)")


def bench_metrics(path: Path, repeats: int = 3) -> None:
    for window in ("session", "day", "week"):
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            metrics = compute_metrics(path, window=window)
            t1 = time.perf_counter()
            flags = compute_flags(metrics)
            times.append((t1 - t0, time.perf_counter() - t1))
        best = min(times, key=sum)
        raised = sorted({f.agent for f in flags if f.raised})
        print(f"  window={window:<7} {len(metrics):4d} windows: metrics {best[0] * 1000:6.0f} ms + flags "
              f"{best[1] * 1000:4.0f} ms = {sum(best) * 1000:6.0f} ms (best of {repeats}); raised for {raised}")
    since, until = DAY0 + 3.3 * 86400, DAY0 + 6.7 * 86400  # edges inside buckets: read from the events
    t0 = time.perf_counter()
    metrics = compute_metrics(path, since=since, until=until)
    print(f"  --since/--until mid-bucket, {len(metrics)} sessions: metrics {(time.perf_counter() - t0) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--record-events", type=int, default=50_000)
    parser.add_argument("--keep", type=Path, help="write the synthetic log here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_record(args.record_events, Path(tmp))
        path = args.keep or Path(tmp) / "million.sqlite"
        t0 = time.perf_counter()
        count = synthetic_log(path, args.events)
        print(f"synthetic log: {count:,} events written in {time.perf_counter() - t0:.1f} s (schema v1)")
        t0 = time.perf_counter()
        db = Database(path)
        version = migrate(db)
        db.close()
        print(f"migration v1 -> v{version} (fills the stored 5-minute sums): {time.perf_counter() - t0:.1f} s; "
              f"file {path.stat().st_size / 1e6:.0f} MB")
        print(f"metrics + flags over {count:,} events (target <= 1 s):")
        bench_metrics(path)


if __name__ == "__main__":
    main()
