"""How long a misbehaving endpoint can hold one suggestion, through the app's LLM engine.

    python bench/hostile_endpoints.py [--timeout 20]

Starts tests/llm_fake_server.py on loopback and asks the LLM engine for a diagnosis and a draft
while the server behaves well (the baseline, same run), drips one byte every 2 s, streams without
end, floods 5 MB, or pads its diagnosis to 100 KB. Prints, for each, the seconds until the engine
gave its answer or its error, which error, and the text it let through. The bound for each is
the request's total deadline (LLMConfig.deadline: the timeout plus 1/8 s per token asked for).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from copilot.assist.engine import Conversation, Turn  # noqa: E402
from copilot.assist.llm.config import LLMConfig  # noqa: E402
from copilot.assist.llm.engine import DIAGNOSIS_TOKENS, LLMEngine  # noqa: E402
from copilot.assist.offline import OfflineEngine  # noqa: E402
from copilot.core.chat import Sender  # noqa: E402
from tests.llm_fake_server import FakeOpenAI  # noqa: E402

GOOD = json.dumps({"category": "late_delivery", "confidence": 0.9, "evidence": ["parcel"]})
CASES = {  # name: (what a diagnosis request gets, what a draft request gets)
    "well-behaved": (("json", GOOD), ("stream", [f"word{i} " for i in range(120)], 0.001)),
    "drip 1 byte / 2 s": (("drip", 2.0), ("drip", 2.0)),
    "endless stream": (("json", GOOD), ("endless", "more ", 0.01)),
    "5 MB flood": (("json", GOOD), ("flood", 5.0)),
    "100 KB diagnosis": (("big_json", 100), ("stream", ["ok"], 0.0)),
}


def timed(call) -> tuple[float, str, int]:
    started = time.perf_counter()
    try:
        result = call()
        outcome, size = "answer", len(getattr(result, "text", "") or "")
    except Exception as exc:  # noqa: BLE001 - the figure is what happened
        outcome, size = f"{getattr(exc, 'kind', type(exc).__name__)}", 0
    return time.perf_counter() - started, outcome, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=20.0, help="the engine's timeout setting (default 20 s)")
    args = parser.parse_args()
    offline = OfflineEngine.load_default()
    chat = Conversation("c1", "Ana Silva", (Turn(Sender.CUSTOMER, "My parcel is late, order #48213", 0.0),), 1)
    diagnosis = offline.diagnose(chat)
    server = FakeOpenAI()
    config = LLMConfig(base_url=server.base_url, model="fake", timeout=args.timeout, retries=0)
    print(f"deadlines: diagnosis {config.deadline(DIAGNOSIS_TOKENS):g} s, draft {config.deadline(config.max_tokens):g} s;"
          f" draft text cap {config.max_answer_chars(config.max_tokens):,} characters")
    print(f"{'endpoint':<20} {'diagnosis s':>11} {'outcome':<12} {'draft s':>8} {'outcome':<12} {'draft chars':>11}")
    try:
        for name, (for_diagnosis, for_draft) in CASES.items():
            engine = LLMEngine(config, offline.playbooks)
            engine.warm_up()
            server.default = for_diagnosis
            d_seconds, d_outcome, _ = timed(lambda: engine.diagnose(chat))
            server.default = for_draft
            w_seconds, w_outcome, chars = timed(lambda: engine.stream_draft(chat, diagnosis))
            print(f"{name:<20} {d_seconds:>11.2f} {d_outcome:<12} {w_seconds:>8.2f} {w_outcome:<12} {chars:>11,}")
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
