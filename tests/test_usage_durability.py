"""The usage log survives the app being killed: SIGKILL a busy logger, then check the file.

A child process logs a few thousand events a second and prints, after each burst, the ts of the
last event it handed to `record`. The parent kills it at a random moment, then checks that the
file is intact and holds every event up to at most MAX_LOSS seconds before the last one reported.
"""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")]

RUNS = 20
MAX_LOSS = 0.25  # seconds of events a kill may lose

CHILD = r"""
import sys, time
from copilot.usage import UsageLog
log = UsageLog.open(sys.argv[1], agent="durability", app_version="test", engine="offline")
print("session", log.session_id, flush=True)
seq = 0
while True:
    for _ in range(40):  # a burst, then a pause: several thousand events a second
        seq += 1
        ts = time.time()
        log.record("message", ts, chat_id="c%d" % (seq % 7), message_id=seq, sender="customer", length=seq % 300,
                   frustration=0.5, text="not stored")
        if seq % 10 == 0:
            log.record("focus", ts, chat_id="c%d" % (seq % 7), previous_chat_id="c0", open_chats=7)
    print("acked", seq, repr(ts), flush=True)
    time.sleep(0.005)
"""


def run_and_kill(path: Path, rng: random.Random) -> tuple[int, int, float]:
    """Returns (session id, last acknowledged seq, its ts)."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        first = child.stdout.readline().split()
        assert first[:1] == ["session"], f"child did not start: {first}"
        time.sleep(rng.uniform(0.2, 1.0))
        os.kill(child.pid, signal.SIGKILL)
        rest, _ = child.communicate(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    acked = [line.split() for line in rest.splitlines() if line.startswith("acked ")]
    acked = [words for words in acked if len(words) == 3]  # the last line may be cut by the kill
    assert acked, "child reported nothing before the kill"
    _, seq, ts = acked[-1]
    return int(first[1]), int(seq), float(ts)


def test_sigkill_loses_at_most_a_quarter_second(tmp_path):
    path = tmp_path / "usage.sqlite"
    rng = random.Random(1234)
    losses = []
    started = time.monotonic()
    for _ in range(RUNS):
        session_id, acked_seq, acked_ts = run_and_kill(path, rng)
        with sqlite3.connect(path) as conn:  # opening recovers the WAL, as the next app start would
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            count, top_seq, top_ts = conn.execute(
                "SELECT count(*), max(message_id), max(ts) FROM messages WHERE session_id = ?", (session_id,)
            ).fetchone()
            stray_text = conn.execute("SELECT count(*) FROM messages WHERE text IS NOT NULL").fetchone()[0]
        conn.close()
        assert count == top_seq, "rows are missing in the middle: a batch was half written"
        assert stray_text == 0
        losses.append(acked_ts - top_ts)
        assert top_ts >= acked_ts - MAX_LOSS, f"lost {acked_ts - top_ts:.3f}s (acked seq {acked_seq}, kept {top_seq})"
        if time.monotonic() - started > 50:
            break  # a slow machine: fewer runs, same checks
    print(f"\n{len(losses)} kills; seconds lost: max {max(losses):.3f}, mean {sum(losses) / len(losses):.3f}, "
          f"min {min(losses):.3f}")
    with sqlite3.connect(path) as conn:
        sessions = conn.execute("SELECT count(*), count(ended_at) FROM sessions").fetchone()
    conn.close()
    assert sessions == (len(losses), 0)  # every killed run was a session, none ended cleanly
