"""The real app, logging heavily, is SIGKILLed 50 times at random moments: the usage log survives.

tests/usage_kill_app_child.py forks the real Workbench (offscreen, a passive self-test shift at
200x) and reports every event the workspace logged, with the wall time. After each kill the file
must pass `PRAGMA integrity_check`; then, once the log is reopened (which replays the killed
session's pending journal, as the next app start does), every reported event must be in it,
except events reported in the last MAX_LOSS seconds before the kill. What SQLite alone had
committed at the kill is measured too and printed. At the end, the stored 5-minute sums must agree
with the events they sum, and `copilot usage` must read the file.
"""
from __future__ import annotations

import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import fields
from pathlib import Path

import pytest

from copilot.usage.log import recover
from copilot.usage.metrics import compute_metrics
from copilot.usage.pending_journal import SUFFIX

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="needs fork and SIGKILL")]

KILLS = 50
MAX_LOSS = 0.25  # seconds of logged events a kill may lose
BUDGET = 150.0  # seconds: on a very slow machine, fewer kills (at least MIN_KILLS), same checks
MIN_KILLS = 20
CHILD = Path(__file__).with_name("usage_kill_app_child.py")
# Record kinds checked row by row: where each lands, and which column holds its ts.
WHERE = {"message": ("messages", "ts"), "suggestion_shown": ("suggestions", "ts"), "decision": ("decisions", "ts"),
         "focus": ("focus_changes", "ts"), "chat_opened": ("chats", "ts"), "chat_closed": ("chats", "closed_at")}


class Forker:
    """The helper process, with a thread reading its output so the app never blocks on a full pipe."""

    def __init__(self, log: Path):
        env = dict(os.environ, PYTHONPATH=str(CHILD.parent.parent))
        self.proc = subprocess.Popen([sys.executable, str(CHILD), str(log)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.errors: deque[str] = deque(maxlen=30)  # Qt's offscreen chatter, or a traceback
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.errors.extend(self.proc.stderr), daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put("")  # the helper has gone

    def expect(self, word: str, seen: list[str], timeout: float = 60.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            seen.append(line)
            parts = line.split()
            if parts[:1] == [word]:
                return parts
            assert line and parts[:1] != ["exit"], (
                f"the app ended on its own before '{word}': {seen[-3:]}\n{''.join(self.errors)}")

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def kill_once(forker: Forker, seed: int, rng: random.Random) -> tuple[int, float, list[tuple[str, float, float]]]:
    """Start a shift, kill it at a random moment; returns (session id, kill time, events reported)."""
    seen: list[str] = []
    forker.proc.stdin.write(f"run {seed}\n")
    forker.proc.stdin.flush()
    pid = int(forker.expect("pid", seen)[1])
    session = int(forker.expect("session", seen)[1])
    time.sleep(rng.uniform(0.0, 1.5))  # from the first events on, start-up included
    killed_at = time.time()
    os.kill(pid, signal.SIGKILL)
    while True:
        line = forker.lines.get(timeout=30)
        seen.append(line)
        if line.startswith(f"exit {pid} "):
            break
        assert line, "the helper process died"
    status = int(seen[-1].split()[2])
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, f"the app ended by itself: {status}"
    events = []
    for line in seen:
        parts = line.split()
        if len(parts) == 4 and parts[0] == "e" and line.endswith("\n"):  # a line cut by the kill is skipped
            events.append((parts[1], float(parts[2]), float(parts[3])))
    return session, killed_at, events


def oldest_missing(path: Path, session: int, killed_at: float, events) -> tuple[float, list]:
    """The age at the kill of the oldest reported event the file lacks (0 if none), and those events."""
    with sqlite3.connect(path) as conn:  # opening recovers SQLite's WAL
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = Counter()
        for kind, (table, column) in WHERE.items():
            rows = conn.execute(f"SELECT {column} FROM {table} WHERE session_id = ? AND {column} IS NOT NULL",
                                (session,))
            stored.update((kind, ts) for (ts,) in rows)
    conn.close()
    reported = Counter((kind, ts) for kind, ts, _ in events if kind in WHERE)
    missing = reported - stored  # (stored but unreported is fine: killed between logging and reporting)
    walls = {(kind, ts): wall for kind, ts, wall in events}
    return max((killed_at - walls[key] for key in missing), default=0.0), sorted(missing)


def check_file(path: Path, session: int, killed_at: float, events) -> tuple[float, float, int]:
    """(loss in SQLite alone, loss after the restart's recovery, records recovered) for one kill."""
    before, _ = oldest_missing(path, session, killed_at, events)
    recovered = recover(path)  # what the next app start does first
    assert not list(path.parent.glob(f"{path.name}{SUFFIX}*")), "the replayed journal was left behind"
    after, missing = oldest_missing(path, session, killed_at, events)
    assert after <= MAX_LOSS, f"lost events logged {after:.3f} s before the kill: {missing[:5]}"
    return before, after, recovered


def test_killing_the_app_loses_at_most_a_quarter_second(tmp_path):
    path = tmp_path / "usage.sqlite"
    rng = random.Random(20260104)
    forker = Forker(path)
    losses, sqlite_losses, logged, recovered, started = [], [], 0, 0, time.monotonic()
    try:
        for n in range(KILLS):
            session, killed_at, events = kill_once(forker, seed=n, rng=rng)
            before, after, replayed = check_file(path, session, killed_at, events)
            sqlite_losses.append(before)
            losses.append(after)
            recovered += replayed
            logged += len(events)
            if time.monotonic() - started > BUDGET and n + 1 >= MIN_KILLS:
                break
    finally:
        forker.close()
    print(f"\n{len(losses)} kills in {time.monotonic() - started:.0f} s, {logged} events logged; oldest lost "
          f"event per kill after recovery: max {max(losses) * 1000:.0f} ms, mean "
          f"{sum(losses) / len(losses) * 1000:.0f} ms; in SQLite alone before recovery: max "
          f"{max(sqlite_losses) * 1000:.0f} ms, mean {sum(sqlite_losses) / len(sqlite_losses) * 1000:.0f} ms; "
          f"{recovered} records replayed from journals")
    assert logged > 20 * len(losses), "the app was not logging heavily"
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*), count(ended_at) FROM sessions").fetchone() == (len(losses), 0)
    conn.close()
    stored, direct = compute_metrics(path), compute_metrics(path, use_stored=False)
    assert len(stored) == len(direct) > len(losses) / 2  # (a kill during start-up leaves an empty session)
    for a, b in zip(stored, direct):  # the triggers' sums were never half written
        for f in fields(a.tally):
            assert getattr(a.tally, f.name) == pytest.approx(getattr(b.tally, f.name), abs=1e-6), f.name
    result = subprocess.run([sys.executable, "-m", "copilot", "usage", "--db", str(path)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
