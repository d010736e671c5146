"""The LLM engine against real servers: llama-cpp-python's OpenAI-compatible server (SmolLM2-135M)
for streaming and structured diagnosis, the same server killed mid-stream, a server that accepts
and never answers, and servers that answer with garbage. Prompts and token caps are small so the
file runs in a few minutes on two cores."""
from __future__ import annotations

import json
import socket
import threading
import time

import openai
import pytest

from copilot.__main__ import main
from copilot.assist.engine import Conversation, Turn
from copilot.assist.llm.config import NO_KEY, LLMConfig
from copilot.assist.llm.diagnosis import METHODS
from copilot.assist.llm.engine import LLMEngine
from copilot.assist.llm.errors import LLMError
from copilot.assist.engine import DraftRequest
from copilot.assist.engines import EndpointHealth, Engines
from copilot.assist.pipeline import SuggestionRequest, make_suggestion
from copilot.assist.offline import OfflineEngine
from copilot.core.chat import Sender
from copilot.core.modes import DraftKind

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def offline():
    return OfflineEngine.load_default()


def conversation(*texts: str) -> Conversation:
    turns = tuple(Turn(Sender.CUSTOMER, t, float(i)) for i, t in enumerate(texts))
    return Conversation("c1", "Ana Silva", turns, len(turns))


def config(base_url: str, **options) -> LLMConfig:
    options.setdefault("timeout", 60.0)
    options.setdefault("max_tokens", 32)
    return LLMConfig(base_url=base_url, model="smollm2", temperature=0.0, **options)


LATE = conversation("My parcel is late, order #48213.")


def suggest(engines: Engines, conv: Conversation = LATE, on_text=None):
    return make_suggestion(engines, SuggestionRequest(conv), time.time, on_text)


# ---- the real server ------------------------------------------------------------------------
def test_draft_streams_token_by_token(llama_server, offline):
    engine = LLMEngine(config(llama_server.base_url), offline.playbooks)
    seen: list[str] = []
    draft = engine.stream_draft(LATE, offline.diagnose(LATE), seen.append)
    assert draft is not None and draft.text and draft.category == "late_delivery"
    assert len(seen) >= 3  # pieces arrived one by one...
    assert all(b.startswith(a) for a, b in zip(seen, seen[1:]))  # ...each time the draft so far, growing
    assert seen[-1].strip() == draft.text
    assert isinstance(draft.flags, tuple)


def test_server_caps_the_draft_at_max_tokens(llama_server, offline):
    engine = LLMEngine(config(llama_server.base_url, max_tokens=16), offline.playbooks)
    seen: list[str] = []
    engine.stream_draft(LATE, offline.diagnose(LATE), seen.append)
    assert len(seen) <= 16  # the server read our token limit (llama.cpp reads max_tokens, not max_completion_tokens)


def test_structured_diagnosis_uses_what_the_server_supports(llama_server, offline):
    client = openai.OpenAI(base_url=llama_server.base_url, api_key=NO_KEY, max_retries=0, timeout=60)
    try:  # what this server does with a JSON-schema response format, asked directly
        client.chat.completions.create(
            model="smollm2", messages=[{"role": "user", "content": "Say {}"}], max_tokens=8,
            response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}})
        schema_supported = True
    except openai.APIStatusError:
        schema_supported = False
    engine = LLMEngine(config(llama_server.base_url, max_tokens=64), offline.playbooks)
    diagnosis = engine.diagnose(conversation("My parcel is late, it was due Monday. Order #48213."))
    diagnoser = engine._diagnoser
    assert diagnoser.last_method in METHODS
    if not schema_supported:
        assert diagnoser.start >= 1 and diagnoser.last_method != "json_schema"  # fell back, and remembers
    assert all(c.category in offline.playbooks for c in diagnosis.top)  # only taxonomy categories
    assert all(0.0 <= c.confidence <= 1.0 for c in diagnosis.top)
    again = engine.diagnose(conversation("The box arrived crushed and the vase inside is broken."))
    assert all(c.category in offline.playbooks for c in again.top)


def test_command_line_against_the_server(llama_server, tmp_path, capsys):
    path = tmp_path / "chat.json"
    path.write_text(json.dumps({"customer_name": "Ana", "messages": [
        {"from": "customer", "text": "My parcel is late, order #48213."}]}), encoding="utf-8")
    status = main(["suggest", "--transcript", str(path), "--engine", "llm", "--base-url", llama_server.base_url,
                   "--model", "smollm2", "--max-tokens", "32", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert status == 0 and result["fallback"] is None and result["engine"] == "llm:smollm2"


def test_server_killed_mid_stream_falls_back(own_llama_server, offline):
    primary = LLMEngine(config(own_llama_server.base_url, max_tokens=200), offline.playbooks)
    engines = Engines(offline, primary)
    seen: list[str] = []

    def on_text(text: str) -> None:
        if not seen:
            own_llama_server.kill()  # the server dies after the first token
        seen.append(text)

    # The agent's chosen category: the draft streams whatever the small model would diagnose.
    request = SuggestionRequest(LATE, DraftRequest(DraftKind.CHOSEN), category="late_delivery",
                                previous=offline.diagnose(LATE))
    suggestion = make_suggestion(engines, request, time.time, on_text)
    assert seen and suggestion.engine == "offline (fallback)"
    assert suggestion.draft.text.startswith("I'm sorry for the wait, Ana")  # the offline engine's draft
    assert "stopped mid-reply" in suggestion.notice


# ---- tiny misbehaving servers ----------------------------------------------------------------
class TinyServer:
    """Accepts connections on a free loopback port; `answer(conn)` decides what (if anything) to say."""

    def __init__(self, answer):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.base_url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"
        self.connections: list[socket.socket] = []
        self.answer = answer
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)
            threading.Thread(target=self.answer, args=(conn,), daemon=True).start()

    def close(self) -> None:
        self.sock.close()
        for conn in self.connections:
            conn.close()


def never_answer(conn: socket.socket) -> None:
    conn.recv(65536)  # reads the request, then says nothing


def junk_json(conn: socket.socket) -> None:
    conn.recv(65536)
    body = b"<html>Bad gateway</html> {{{ not json"
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


def not_http(conn: socket.socket) -> None:
    conn.recv(65536)
    conn.sendall(b"\x00\xffSSH-2.0-garbage\r\n\x13\x37" * 10)
    conn.close()


def test_hanging_server_times_out_and_the_offline_suggestion_follows_within_2_s(offline):
    server = TinyServer(never_answer)
    engines = Engines(offline, LLMEngine(config(server.base_url, timeout=1.5), offline.playbooks))
    try:
        started = time.monotonic()
        suggestion = suggest(engines)
        took = time.monotonic() - started
    finally:
        server.close()
    assert took < 1.5 + 2.0
    assert suggestion.engine == "offline (fallback)" and suggestion.draft is not None
    assert "did not answer within 1.5 s" in suggestion.notice


@pytest.mark.parametrize("answer,kind", [(junk_json, "bad_output"), (not_http, "connection")])
def test_garbage_servers_fail_cleanly_and_fall_back(offline, answer, kind):
    server = TinyServer(answer)
    try:
        llm = LLMEngine(config(server.base_url, timeout=5.0), offline.playbooks)
        with pytest.raises(LLMError) as caught:
            llm.diagnose(LATE)
        assert caught.value.kind == kind
        suggestion = suggest(Engines(offline, llm, EndpointHealth(cooldown=0)))
    finally:
        server.close()
    assert suggestion.engine == "offline (fallback)" and suggestion.draft is not None and suggestion.notice
