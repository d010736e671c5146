"""Practice scoring speed: how long scoring one chat takes (target: at most 50 ms per chat).

    python bench/practice_scoring.py [--practices 200] [--seed 1]

Plays practices with scripted agents of mixed skill (so the chats cover good and bad runs, early
offers, forbidden promises, customers who leave), then scores every finished chat again, timing each
call to copilot.practice.scoring.score_chat with the playbook-wide and scenario promises. As a
baseline measured in the same run it prints what playing one chat end to end costs. Figures only.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from copilot.core.clock import ManualClock  # noqa: E402
from copilot.practice.promises import promises_for  # noqa: E402
from copilot.practice.runner import play  # noqa: E402
from copilot.practice.scoring import score_chat  # noqa: E402
from copilot.practice.scripted import UnassistedAgent  # noqa: E402
from copilot.practice.session import PracticeSession  # noqa: E402
from copilot.sources.scenario import load_scenarios  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    scenarios = load_scenarios()[0]
    chats = []
    started = time.perf_counter()
    for i in range(args.practices):
        session = PracticeSession.for_agent("bench", scenarios, 0.0, seed=args.seed * 10_000 + i)
        play(session, UnassistedAgent(0.4 + 0.5 * (i % 6) / 5, seed=i), ManualClock(0.0))
        chats += [c for c in session.chats.values() if c.outcome is not None]
    playing = (time.perf_counter() - started) / len(chats) * 1000
    promises = {c.scenario.id: promises_for(c.scenario) for c in chats}
    times = []
    for chat in chats:
        t = time.perf_counter()
        score_chat(chat, promises[chat.scenario.id])
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"scored {len(times)} chats: mean {statistics.fmean(times):.3f} ms, median {statistics.median(times):.3f} ms, "
          f"p99 {times[int(len(times) * 0.99)]:.3f} ms, max {times[-1]:.3f} ms per chat (target <= 50 ms)")
    print(f"baseline, same run: playing one chat end to end (simulator, scripted agent, scoring) {playing:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
