"""Endpoints that misbehave on purpose, served by tests/llm_fake_server.py on loopback: a server that
drips a byte every few tenths of a second, a stream that never ends, a 5 MB stream, a 100 KB
diagnosis. Every request ends by its total deadline or size cap with a clear LLMError (which the
fallback turns into the offline suggestion and a notice), and no message shows a key."""
from __future__ import annotations

import json
import random
import threading
import time

import pytest

from copilot.assist.llm.client import chat_model, check_connection
from copilot.assist.llm.config import LLMConfig
from copilot.assist.llm.diagnosis import Diagnoser, extract_json, parse
from copilot.assist.llm.drafter import stream_text
from copilot.assist.llm.engine import LLMEngine, Unmasking
from copilot.assist.llm.errors import KEY_HIDDEN, LLMError, scrub
from copilot.assist.llm.prompts import Masker
from tests.llm_fake_server import FakeOpenAI, big_diagnosis

SLACK = 1.5  # seconds past a deadline allowed for a loaded 2-core machine (the drip alone would take ~80 s)
LABELS = {"late_delivery": "Late delivery", "refund": "Refund"}
MESSAGES = [("user", "my parcel is late")]


@pytest.fixture
def server():
    fake = FakeOpenAI()
    yield fake
    fake.close()


def config(server, **options) -> LLMConfig:
    return LLMConfig(base_url=server.base_url, model="fake", timeout=options.pop("timeout", 1.0), retries=0,
                     **options)


def within(seconds: float, call):
    """(result or exception, elapsed): fails the test, instead of hanging it, if `call` outlives `seconds`."""
    out: list = []

    def run() -> None:
        started = time.monotonic()
        try:
            out.append(call())
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out.append(exc)
        out.append(time.monotonic() - started)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still waiting after {seconds} s: no total deadline"
    return out[0], out[1]


def diagnoser(server, tokens: int = 8) -> Diagnoser:
    cfg = config(server)
    return Diagnoser(chat_model(cfg, None, max_tokens=tokens), cfg, LABELS, tokens)


@pytest.mark.parametrize("headers_too", [False, True])
def test_a_dripping_diagnosis_stops_at_its_deadline(server, headers_too):
    """Before: each byte reset the 1 s read timeout, so the request ran for the whole drip (~80 s)."""
    server.default = ("drip", 0.25, headers_too)
    cfg = config(server)
    d = diagnoser(server)
    error, elapsed = within(20, lambda: d.run(MESSAGES))
    assert isinstance(error, LLMError) and error.kind == "timeout", error
    assert "in all" in str(error) and elapsed <= cfg.deadline(8) + SLACK


def test_a_dripping_draft_stops_at_its_deadline(server):
    server.default = ("drip", 0.25)
    cfg = config(server, max_tokens=8)
    model = chat_model(cfg, None)
    error, elapsed = within(20, lambda: stream_text(model, MESSAGES, cfg))
    assert isinstance(error, LLMError) and error.kind == "timeout" and elapsed <= cfg.deadline(8) + SLACK


def test_a_stream_that_never_ends_is_stopped(server):
    server.default = ("endless", "more ", 0.01)
    cfg = config(server, max_tokens=8)
    pieces: list[str] = []
    model = chat_model(cfg, None)
    error, elapsed = within(20, lambda: stream_text(model, MESSAGES, cfg, pieces.append))
    assert isinstance(error, LLMError) and error.kind in ("timeout", "too_large"), error
    assert elapsed <= cfg.deadline(8) + SLACK and sum(map(len, pieces)) <= cfg.max_answer_chars(8)


def test_a_5_mb_stream_is_cut_at_the_size_cap(server):
    server.default = ("flood", 5.0)
    cfg = config(server, max_tokens=256, timeout=10.0)
    model = chat_model(cfg, None)
    error, elapsed = within(30, lambda: stream_text(model, MESSAGES, cfg))
    assert isinstance(error, LLMError) and error.kind == "too_large", error
    assert "far more than asked" in str(error) or "longer answer" in str(error)


def test_a_100_kb_diagnosis_is_read_quickly(server):
    """Before: finding the JSON in 100 KB of brace-filled chatter took 51 s (quadratic scan)."""
    server.default = ("big_json", 100)
    d = diagnoser(server, tokens=96)
    result, elapsed = within(30, lambda: d.run(MESSAGES))
    assert elapsed < 10.0, elapsed  # one loopback request and a bounded parse: 0.1-0.3 s; 51 s before
    assert isinstance(result, LLMError) or result.category == "late_delivery"


@pytest.mark.parametrize("text", [big_diagnosis(1_000_000), '{"a": "' * 200_000, "{" * 500_000,
                                  '{"a": ' * 100_000 + "1" + "}" * 100_000])
def test_finding_json_in_a_huge_answer_is_quick(text):
    started = time.perf_counter()
    extract_json(text)
    parse(text, LABELS)
    assert time.perf_counter() - started < 5.0  # linear: milliseconds; the quadratic scan took minutes


def test_json_is_still_found_where_a_model_puts_it():
    assert extract_json('Sure! ```json\n{"category": "refund", "confidence": 0.7,}\n```') == \
        {"category": "refund", "confidence": 0.7}
    assert extract_json('I think {not json} then {"category": "late_delivery"} ok')["category"] == "late_delivery"
    assert extract_json("no object here") is None


def test_test_connection_has_a_total_deadline(server):
    server.default = ("drip", 0.25)
    cfg = config(server)
    (ok, message), elapsed = within(20, lambda: check_connection(cfg, None))
    assert not ok and "in all" in message and elapsed <= cfg.deadline(4) + SLACK + 1.0  # + making the client


@pytest.mark.parametrize("key", ["gsk_" + "A1b2C3d4" * 6, "0123456789abcdef" * 4, "sk-proj-" + "Zz9" * 12, "hunter2-password"])
def test_messages_never_show_the_key_or_url_credentials(server, key):
    """Before: keys that did not start with sk- (gsk_…, hex) were shown whole in the notice."""
    server.default = ("status", 401, {}, f"Incorrect API key provided: {key}. Also {key[:6]}****{key[-4:]}")
    url = server.base_url.replace("http://", "http://admin:s3cret-pw@")
    cfg = LLMConfig(base_url=url, model="fake", timeout=2.0, retries=0)
    ok, message = check_connection(cfg, key)
    assert not ok and key not in message and key[-4:] not in message and "s3cret" not in message, message
    server.default = ("status", 404, {}, f"no model for key {key} at {url}")
    with pytest.raises(LLMError) as caught:
        LLMEngine(cfg, {}, api_key=key)._ready()[1].run(MESSAGES)
    assert key not in str(caught.value) and "s3cret" not in str(caught.value)
    assert scrub(f"{url} says {key}", key) == f"{server.base_url} says {KEY_HIDDEN}"


def test_unmasking_appends_and_matches_a_whole_unmask():
    rng = random.Random(7)
    text = " Hello [NAME], your parcel [NAME]is late.  [NAME] Bye [NA"
    for name in ("Ana Silva", ""):
        masker = Masker(name, True)
        for _ in range(200):
            cuts = sorted(rng.sample(range(1, len(text)), rng.randint(1, 12)))
            shown = Unmasking(masker)
            seen = [shown.add(text[a:b]) for a, b in zip([0, *cuts], [*cuts, len(text)])]
            whole = masker.back(text).lstrip()
            assert all(whole.startswith(s) for s in seen) and whole.startswith(seen[-1].rstrip())
            assert len(seen[-1]) >= len(whole) - len(" [NA") - 1


def test_a_dripping_endpoint_gets_the_offline_suggestion_and_a_notice(server, monkeypatch):
    """Through the suggestion pipeline: the deadline error becomes the offline suggestion and a notice."""
    from copilot.assist import llm
    from copilot.assist.engine import Conversation, Turn
    from copilot.assist.engines import Engines
    from copilot.assist.offline import OfflineEngine
    from copilot.assist.pipeline import SuggestionRequest, make_suggestion
    from copilot.core.chat import Sender

    monkeypatch.setattr(llm.config, "SLOWEST_TOKENS_PER_SECOND", 100.0)  # a 2 s deadline keeps the test short
    server.default = ("drip", 0.25)
    offline = OfflineEngine.load_default()
    cfg = config(server)
    engines = Engines(offline, LLMEngine(cfg, offline.playbooks))
    chat = Conversation("c1", "Ana Silva", (Turn(Sender.CUSTOMER, "My parcel is late, order #48213", 0.0),), 1)
    suggestion, elapsed = within(30, lambda: make_suggestion(engines, SuggestionRequest(chat), time.time))
    assert not isinstance(suggestion, BaseException), suggestion
    assert suggestion.diagnosis.best is not None and "in all" in suggestion.notice and "offline" in suggestion.notice
    assert elapsed <= cfg.deadline(96) + SLACK + 1.0
