"""How much `UsageLog.record` costs the calling (UI) thread, and how fast the writer stores rows.

    python bench/usage_log.py [--events 100000]

Prints measured figures only; timing varies with the machine and its load, so nothing here passes
or fails. Phase 1 paces events (bursts, as a busy agent's session would never reach) and times
each `record` call; phase 2 records as fast as possible and times until everything is committed.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from copilot.usage import UsageLog  # noqa: E402


def event(i: int, ts: float) -> tuple[str, dict]:
    """A mix close to a real session: mostly messages and focus changes, some suggestions."""
    chat = f"c{i % 6}"
    match i % 5:
        case 0 | 1:
            return "message", dict(chat_id=chat, message_id=i, sender="customer", length=80, frustration=0.3)
        case 2:
            return "focus", dict(chat_id=chat, previous_chat_id="c0", open_chats=6)
        case 3:
            return "suggestion_shown", dict(chat_id=chat, suggestion_id=i, message_id=i - 2, engine="offline",
                                            category="late_delivery", confidence=0.8, abstained=False,
                                            draft_length=140, draft_hash="0123456789abcdef")
        case _:
            return "decision", dict(chat_id=chat, suggestion_id=i - 1, kind="edited", seconds_to_decide=5.2,
                                    edit_distance=0.2, reason="", sent_length=150, seconds_to_first_keystroke=1.1)


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    n = args.events
    events = [event(i, 0.0) for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        log = UsageLog.open(Path(tmp) / "usage.sqlite", agent="bench", app_version="bench", engine="offline")
        clock = time.perf_counter_ns
        costs = []
        for i, (kind, fields) in enumerate(events):
            t0 = clock()
            log.record(kind, 1.0 + i, **fields)
            costs.append(clock() - t0)
            if i % 100 == 99:
                time.sleep(0.001)  # paced: the writer runs alongside, as in the app
        log.flush(60)
        costs_us = sorted(c / 1000 for c in costs)
        print(f"record() on the calling thread, {n} events, paced (writer running alongside):")
        print(f"  p50 {percentile(costs_us, 0.50):.2f} us   p99 {percentile(costs_us, 0.99):.2f} us   "
              f"p99.9 {percentile(costs_us, 0.999):.1f} us   max {costs_us[-1]:.0f} us   "
              f"mean {statistics.fmean(costs_us):.2f} us")

        t0 = time.perf_counter()
        for i, (kind, fields) in enumerate(events):
            log.record(kind, 1.0 + i, **fields)
        queued = time.perf_counter() - t0
        log.flush(120)
        total = time.perf_counter() - t0
        print(f"unpaced: {n} events queued in {queued * 1000:.0f} ms ({n / queued:,.0f}/s), "
              f"all committed after {total * 1000:.0f} ms")
        print(f"  write throughput {n / total:,.0f} events/s end to end")
        counts = log.counts()
        log.close()
        print(f"rows this session: {counts}; writer errors: {log.errors}, last_error: {log.last_error!r}")
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
        print(f"file size after {2 * n} events: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
