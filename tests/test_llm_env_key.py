"""OPENAI_API_KEY is OpenAI's key: it goes to OpenAI's API host only, never to whatever endpoint is
configured (before: it was sent to any host), and the endpoint dialog's note says so."""
from __future__ import annotations

import json

import keyring
import pytest
from keyring.backends import fail

from copilot import secrets
from copilot.__main__ import main
from tests.llm_fake_server import FakeOpenAI

ENV_KEY = "sk-env-9f8e7d6c5b4a39281706f5e4d3c2b1a0"


@pytest.fixture
def store(monkeypatch):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    fresh = secrets.KeyStore()
    monkeypatch.setattr(secrets, "store", fresh)
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    yield fresh
    keyring.set_keyring(previous)


def test_the_environment_key_is_only_for_openai(store):
    assert secrets.get_api_key("https://api.openai.com/v1") == ENV_KEY
    for other in ("https://api.groq.com/openai/v1", "http://127.0.0.1:8080/v1", "http://api.openai.com/v1",
                  "https://api.openai.com.evil.example/v1"):
        assert secrets.get_api_key(other) is None, other
        assert store.source(other) == "environment_not_sent"
        assert "only sent to OpenAI" in secrets.key_source_note(other)
    assert "OPENAI_API_KEY environment variable" in secrets.key_source_note("https://api.openai.com/v1")
    secrets.set_api_key("http://127.0.0.1:8080/v1", "typed-for-this-host")  # a key kept for a host still wins
    assert secrets.get_api_key("http://127.0.0.1:8080/v1") == "typed-for-this-host"


def test_suggest_does_not_send_the_environment_key_to_another_endpoint(store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COPILOT_CONFIG_DIR", str(tmp_path / "config"))
    server = FakeOpenAI()
    server.default = lambda body: ("stream", ["Sorry, ", "checking."]) if body.get("stream") else (
        "json", json.dumps({"category": "late_delivery", "confidence": 0.9}))
    transcript = tmp_path / "t.json"
    transcript.write_text(json.dumps({"messages": [{"from": "customer", "text": "my parcel is late"}]}))
    try:
        assert main(["suggest", "--transcript", str(transcript), "--engine", "llm", "--base-url", server.base_url,
                     "--json"]) == 0
    finally:
        server.close()
    assert server.headers, "the endpoint was asked"
    sent = " ".join(str(v) for h in server.headers for v in h.values())
    assert ENV_KEY not in sent
