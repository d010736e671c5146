"""The LLM engine against a scripted OpenAI-compatible server: structured diagnosis and its
fallbacks, streamed drafts, retries, timeouts, garbage, and the offline fallback with its notice."""
from __future__ import annotations

import json
import time

import pytest

from copilot.assist.engine import Conversation, Turn
from copilot.assist.llm.config import LLMConfig
from copilot.assist.llm.engine import LLMEngine
from copilot.assist.llm.errors import Cancelled, LLMError
from copilot.assist.engines import Engines
from copilot.assist.pipeline import SuggestionRequest, make_suggestion
from copilot.assist.offline import OfflineEngine
from copilot.core.chat import Sender
from tests.llm_fake_server import FakeOpenAI

LATE = {"category": "late_delivery", "confidence": 0.9, "evidence": ["parcel is late"], "missing": [],
        "alternatives": ["order_status"]}


@pytest.fixture(scope="module")
def offline():
    return OfflineEngine.load_default()


@pytest.fixture
def server():
    fake = FakeOpenAI()
    yield fake
    fake.close()


def conversation(*texts: str, name: str = "Ana Silva") -> Conversation:
    turns = tuple(Turn(Sender.CUSTOMER, t, float(i)) for i, t in enumerate(texts))
    return Conversation("c1", name, turns, len(turns))


def engine(server, offline, **options) -> LLMEngine:
    config = LLMConfig(base_url=server.base_url, model="fake", timeout=options.pop("timeout", 5.0), **options)
    return LLMEngine(config, offline.playbooks)


def suggest(engines: Engines, conv: Conversation, on_text=None):
    return make_suggestion(engines, SuggestionRequest(conv), time.time, on_text)


def test_native_json_schema_diagnosis(server, offline):
    server.script.append(("json", json.dumps(LATE)))
    d = engine(server, offline).diagnose(conversation("My parcel is late, order #48213"))
    assert not d.abstained and d.best.category == "late_delivery" and d.best.label == "Late delivery"
    assert d.evidence == ("parcel is late",) and d.steps  # the playbook's steps come with it
    assert [c.category for c in d.top] == ["late_delivery", "order_status"]
    sent = server.requests[0]
    assert sent["response_format"]["type"] == "json_schema"
    schema = json.dumps(sent["response_format"])
    assert '"late_delivery"' in schema and '"other"' in schema  # categories limited to the taxonomy


def test_server_rejecting_json_schema_falls_back_to_json_mode_and_remembers(server, offline):
    def answer(body):
        if body.get("response_format", {}).get("type") == "json_schema":
            return ("status", 400)  # like llama.cpp's server
        return ("json", json.dumps(LATE))

    server.default = answer
    llm = engine(server, offline)
    assert llm.diagnose(conversation("My parcel is late")).best.category == "late_delivery"
    assert llm.diagnose(conversation("Still late")).best.category == "late_delivery"
    kinds = [r.get("response_format", {}).get("type") for r in server.requests]
    assert kinds == ["json_schema", "json_object", "json_object"]  # the rejection is paid once


def test_tool_calling_and_plain_text_fallbacks(server, offline):
    server.script.extend([("status", 400), ("status", 422), ("tool", LATE)])
    llm = engine(server, offline)
    assert llm.diagnose(conversation("late parcel")).best.category == "late_delivery"
    assert server.requests[-1]["tools"][0]["function"]["name"] == "IssueDiagnosis"
    server.script.append(("json", 'Sure! ```json\n{"category": "Damaged Item", "confidence": "85%",}\n```'))
    assert llm.diagnose(conversation("it arrived broken")).best.category == "damaged_item"


def test_unknown_category_and_invented_evidence_abstain_safely(server, offline):
    server.script.append(("json", json.dumps({"category": "alien_abduction", "confidence": 0.99,
                                              "evidence": ["words nobody wrote"]})))
    d = engine(server, offline).diagnose(conversation("hello?"))
    assert d.abstained and d.evidence == () and d.best is None


def test_draft_streams_and_is_grounded_in_the_playbook(server, offline):
    server.script.append(("stream", ["Thanks ", "Ana, ", "I'm checking ", "order 48213 now."], 0.01))
    llm = engine(server, offline)
    diagnosis = offline.diagnose(conversation("My parcel is late, order #48213"))
    seen: list[str] = []
    draft = llm.stream_draft(conversation("My parcel is late, order #48213"), diagnosis, seen.append)
    assert draft.text == "Thanks Ana, I'm checking order 48213 now." and draft.category == "late_delivery"
    assert seen[0] == "Thanks " and seen[-1] == draft.text and len(seen) == 4  # the draft so far, growing
    system = server.requests[0]["messages"][0]["content"]
    assert "Late delivery" in system and "carrier" in system  # playbook steps and its reply
    assert server.requests[0]["stream"] is True


def test_retries_429_and_5xx_with_backoff(server, offline):
    server.script.extend([("status", 429, {"retry-after": "0.2"}), ("status", 503), ("json", json.dumps(LATE))])
    started = time.monotonic()
    d = engine(server, offline).diagnose(conversation("late parcel"))
    assert d.best.category == "late_delivery" and len(server.requests) == 3
    assert time.monotonic() - started >= 0.2 + 0.4  # Retry-After honoured, then exponential backoff


def test_gives_up_after_the_retries(server, offline):
    server.default = ("status", 500)
    with pytest.raises(LLMError) as caught:
        engine(server, offline, retries=1).diagnose(conversation("late parcel"))
    assert caught.value.kind == "server_error" and len(server.requests) == 2


def test_garbage_is_an_error_not_a_crash(server, offline):
    server.default = ("garbage",)
    with pytest.raises(LLMError) as caught:
        engine(server, offline).diagnose(conversation("late parcel"))
    assert caught.value.kind == "bad_output"


def test_timeout_falls_back_to_offline_with_a_notice_soon_after(server, offline):
    server.default = ("hang", 30)
    engines = Engines(offline, engine(server, offline, timeout=1.0))
    started = time.monotonic()
    s = suggest(engines, conversation("My parcel is late, order #48213"))
    assert time.monotonic() - started < 1.0 + 2.0
    assert s.engine == "offline (fallback)" and s.draft is not None and s.diagnosis.best.category == "late_delivery"
    assert s.diagnosis_engine.value == s.draft_engine.value == "offline_fallback"
    assert "did not answer within 1 s" in s.notice and "offline" in s.notice
    # The endpoint now rests: the next chat does not wait for another timeout.
    started = time.monotonic()
    rested = suggest(engines, conversation("where is it"))
    assert rested.engine == "offline (fallback)" and not rested.notice  # said once, not for every chat
    assert time.monotonic() - started < 0.5 and len(server.requests) == 1


def test_server_dying_mid_stream_falls_back_to_the_offline_draft(server, offline):
    server.script.extend([("json", json.dumps(LATE)), ("die", ["Thanks ", "Ana, ", "I'm ", "checking ", "it"])])
    seen: list[str] = []
    s = suggest(Engines(offline, engine(server, offline)), conversation("My parcel is late, order #48213"), seen.append)
    assert seen  # part of the draft was shown...
    assert s.engine == "offline (fallback)" and s.draft.text.startswith("I'm sorry for the wait, Ana")
    assert "stopped mid-reply" in s.notice and "draft" in s.notice
    assert s.diagnosis.best.category == "late_delivery"  # ...the model's diagnosis is kept
    assert (s.diagnosis_engine.value, s.draft_engine.value) == ("llm", "offline_fallback")


def test_a_stream_cut_off_without_its_end_is_not_taken_for_a_whole_draft(server, offline):
    server.script.append(("cut", ["Thanks ", "Ana, ", "I'll"]))  # llama-cpp-python interrupting a stream
    with pytest.raises(LLMError) as caught:
        engine(server, offline).stream_draft(conversation("late"), offline.diagnose(conversation("My parcel is late")))
    assert caught.value.kind == "interrupted" and "mid-reply" in str(caught.value)


def test_stale_stream_stops_at_the_next_token(server, offline):
    server.script.append(("stream", [f"w{i} " for i in range(200)], 0.01))
    llm = engine(server, offline)
    diagnosis = offline.diagnose(conversation("My parcel is late"))
    seen: list[str] = []
    with pytest.raises(Cancelled):
        llm.stream_draft(conversation("My parcel is late"), diagnosis, seen.append, lambda: len(seen) >= 3)
    assert len(seen) == 3


def test_stale_request_stops_waiting_for_its_retry(server, offline):
    server.default = ("status", 503, {"retry-after": "5"})
    started = time.monotonic()
    with pytest.raises(Cancelled):
        engine(server, offline).diagnose(conversation("late"), cancelled=lambda: time.monotonic() - started > 0.2)
    assert time.monotonic() - started < 1.0


def test_personal_data_never_reaches_a_remote_endpoint(server, offline, monkeypatch):
    monkeypatch.setattr("copilot.assist.llm.config.is_loopback", lambda url: False)  # pretend it is remote
    server.default = lambda body: ("stream", ["Hi [NAME], ", "checking order 48213."]) if body.get("stream") else (
        "json", json.dumps(LATE))
    c = conversation("I'm Ana Silva, ana.silva@example.com, +44 7700 900123, 12 Baker Street. Order #48213 is late")
    s = suggest(Engines(offline, engine(server, offline)), c)
    sent = json.dumps(server.requests)
    for private in ("Ana", "Silva", "ana.silva@example.com", "7700 900123", "Baker Street"):
        assert private not in sent
    assert "48213" in sent and "[EMAIL]" in sent
    assert s.draft.text == "Hi Ana, checking order 48213."  # the name is put back locally
