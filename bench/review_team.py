"""A synthetic team of usage logs for bench/review.py: one file per agent, written fast.

    write_team(folder, agents=200, events=2_000_000)  # -> events written

Rows go straight into the real schema with executemany: the file is set up at v1 (no triggers, so
inserts are cheap), filled, then migrated to the current version, which fills the stored 5-minute
sums exactly as the app's migration would. Escalations (a v3 table) are added after that.
Agents differ the way a real team does: most are careful, one in ten rubber-stamps drafts
(passive), one in ten takes on too many chats late in each shift and slows down (overloaded), and
their speed and how often they resolve chats vary, so the tiers have something to find.
"""
from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from copilot.usage.schema import migrate

DAY0 = 1_767_600_000.0  # 2026-01-05 08:00 UTC, a Monday
EVENTS_PER_MESSAGE = 5  # customer message, suggestion, decision, agent reply, focus change
_SQL = {
    "chats": "INSERT INTO chats (session_id, ts, chat_id, customer_name, scenario_id, concurrent_at_open, closed_at, "
             "status, duration) VALUES (?,?,?,?,?,?,?,?,?)",
    "concurrency": "INSERT INTO concurrency (session_id, ts, open_chats, chat_id, cause) VALUES (?,?,?,?,?)",
    "messages": "INSERT INTO messages (session_id, ts, chat_id, message_id, sender, length, frustration, "
                "response_seconds, suggestion_id) VALUES (?,?,?,?,?,?,?,?,?)",
    "suggestions": "INSERT INTO suggestions (session_id, ts, chat_id, suggestion_id, message_id, engine, category, "
                   "confidence, abstained, draft_length, draft_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    "decisions": "INSERT INTO decisions (session_id, ts, chat_id, suggestion_id, decision, seconds_to_decide, "
                 "edit_distance, reason, sent_length) VALUES (?,?,?,?,?,?,?,?,?)",
    "focus_changes": "INSERT INTO focus_changes (session_id, ts, chat_id, previous_chat_id, open_chats) VALUES (?,?,?,?,?)",
}


def profile(index: int) -> str:
    return {0: "passive", 1: "overloaded"}.get(index % 10, "careful")


def write_agent_log(path: Path, index: int, events: int, days: int = 5) -> int:
    """One agent's log of about `events` event rows over `days` shifts; returns the exact count."""
    rng = random.Random(index)
    kind = profile(index)
    skill = rng.uniform(0.6, 1.6)  # reply latency multiplier: the tiers come from this and resolution
    resolve = rng.uniform(0.65, 0.97)
    rows: dict[str, list[tuple]] = {t: [] for t in _SQL}
    escalations: list[tuple] = []
    conn = sqlite3.connect(path)
    migrate(Database(conn), target=1)
    conn.execute("INSERT INTO agents (id, name, first_seen) VALUES (1, ?, ?)", (f"agent{index:03d}", DAY0))
    per_session = events // days
    for day in range(days):
        sid, start = day + 1, DAY0 + day * 86400 + rng.uniform(0, 1800)
        count, t, chat_no, ends = 0, start + 20, 0, []
        while count < per_session:
            chat_no += 1
            chat = f"s{sid}c{chat_no}"
            ends = [e for e in ends if e > t]
            busy = kind == "overloaded" and chat_no > 25  # late in the shift: the floodgates open
            open_now = len(ends) + 1
            slow = min(3.0, 1 + (0.35 * max(0, open_now - 3) if kind == "overloaded" else 0.05 * max(0, open_now - 4)))
            msgs = rng.randint(3, 6)
            t_msg = t + 4
            for k in range(msgs):
                mid = chat_no * 10 + k
                frustration = min(1.0, rng.random() * 0.5 + (0.15 * open_now / 6 if kind == "overloaded" else 0))
                rows["messages"].append((sid, t_msg, chat, mid, "customer", 80, round(frustration, 3), None, None))
                rows["suggestions"].append((sid, t_msg + 2, chat, mid, mid, "offline", "late_delivery", 0.8, 0, 140, "h"))
                dwell = rng.uniform(0.5, 3.0) if kind == "passive" else rng.uniform(7, 25)
                decision = ("accepted" if kind == "passive" and rng.random() < 0.97
                            else rng.choices(["accepted", "edited", "rejected", "ignored"], [45, 30, 12, 13])[0])
                rows["decisions"].append((sid, t_msg + 2 + dwell, chat, mid, decision, dwell,
                                          0.3 if decision == "edited" else 0.0, "", 140))
                wait = (2 + dwell) * skill * slow + (rng.uniform(20, 60) * skill if decision != "accepted" else 0)
                drafted = mid if decision in ("accepted", "edited") else None
                rows["messages"].append((sid, t_msg + wait, chat, mid + 5, "agent", 140, None, round(wait, 3), drafted))
                rows["focus_changes"].append((sid, t_msg + 1, chat, "", open_now))
                if k == 1 and rng.random() < 0.08:
                    escalations.append((sid, t_msg, chat, rng.choice(["emotional", "technical"]), "threat",
                                        "threatens to leave", mid))
                t_msg += wait + rng.uniform(15, 50)
                count += EVENTS_PER_MESSAGE
            status = "resolved" if rng.random() < resolve else rng.choice(["closed", "abandoned"])
            rows["chats"].append((sid, t, chat, "Customer", "scenario", open_now, t_msg, status, t_msg - t))
            ends.append(t_msg)
            count += 3  # the chat row and its two open-chat changes
            t += rng.expovariate(1 / (35.0 if busy else 80.0))
        end = max(ends + [t]) + 60
        conn.execute("INSERT INTO sessions (id, uuid, agent_id, ts, started_at, ended_at, app_version, engine, policy) "
                     "VALUES (?, ?, 1, ?, ?, ?, 'bench', 'offline', ?)", (sid, f"a{index}-s{sid}", start, start, end, kind))
        changes = sorted([(c[1], 1, c[2]) for c in rows["chats"] if c[0] == sid]
                         + [(c[6], -1, c[2]) for c in rows["chats"] if c[0] == sid])
        open_chats = 0
        for ts, delta, chat in changes:
            open_chats += delta
            rows["concurrency"].append((sid, ts, open_chats, chat, "chat_opened" if delta > 0 else "chat_closed"))
    with conn:
        for table, sql in _SQL.items():
            conn.executemany(sql, sorted(rows[table], key=lambda r: (r[0], r[1])))
    migrate(Database(conn))  # v2 fills the stored sums from the rows; v3 adds the escalations table
    with conn:
        conn.executemany("INSERT INTO escalations (session_id, ts, chat_id, type, reason, trigger, message_id) "
                         "VALUES (?,?,?,?,?,?,?)", escalations)
    conn.close()
    return sum(len(r) for r in rows.values()) + len(escalations)


def _one(job: tuple[str, int, int]) -> int:
    folder, index, events = job
    path = Path(folder) / f"agent{index:03d}.sqlite"
    path.unlink(missing_ok=True)
    return write_agent_log(path, index, events)


def write_team(folder: Path, agents: int = 200, events: int = 2_000_000, processes: int = 2) -> int:
    """One log per agent in `folder`; returns the events written in total."""
    from multiprocessing import Pool

    folder.mkdir(parents=True, exist_ok=True)
    jobs = [(str(folder), i, events // agents) for i in range(agents)]
    with Pool(processes) as pool:
        return sum(pool.map(_one, jobs, chunksize=4))
