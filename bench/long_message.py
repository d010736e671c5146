"""Huge messages: how long the offline engine takes to diagnose and draft one customer message of
100 KB to 10 MB, one word or ordinary words, against a normal message in the same run.

    OMP_NUM_THREADS=1 python bench/long_message.py

Before the input cap (features.clip) a 100 KB one-word message took 41 s and 10 MB more than 300 s;
now every turn is read up to its first 1,000 and last 1,500 characters. Target: 10 MB ≤ 1 s.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from copilot.assist.engine import Conversation, Turn  # noqa: E402
from copilot.assist.offline import OfflineEngine  # noqa: E402
from copilot.core.chat import Sender  # noqa: E402


def seconds(engine: OfflineEngine, text: str) -> float:
    conversation = Conversation("bench", "Alex", (Turn(Sender.CUSTOMER, text, 0.0),), 1)
    started = time.perf_counter()
    engine.draft(conversation, engine.diagnose(conversation))
    return time.perf_counter() - started


def main() -> None:
    engine = OfflineEngine.load_default()
    seconds(engine, "warm up: where is my order")
    print(f"{'message':<36}{'seconds':>10}")
    print(f"{'normal (45 characters)':<36}{seconds(engine, 'hi, my order 48213 has not arrived, any news?'):>10.4f}")
    words = "my parcel ORD-55123 never came and I want a refund to john@example.com "
    for size in (100_000, 1_000_000, 10_000_000):
        for kind, text in (("one word", "a" * size), ("words", (words * (size // len(words) + 1))[:size])):
            print(f"{f'{size // 1000:,} KB, {kind}':<36}{seconds(engine, text):>10.4f}")


if __name__ == "__main__":
    main()
