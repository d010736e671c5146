"""The API key lives in the OS keyring (or this session's memory when there is none, said plainly),
OPENAI_API_KEY is honoured, and the key never reaches the settings file, the usage log or logs."""
from __future__ import annotations

import json
import logging

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from copilot import secrets
from copilot import settings as user_settings
from copilot.session import SessionOptions
from copilot.settings import Settings
from tests.llm_fake_server import FakeOpenAI

KEY = "sk-test-7Hq2ZrW9xV4mN8pL3kD6sJ1"


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.items.get((service, username))

    def set_password(self, service, username, password):
        self.items[(service, username)] = password

    def delete_password(self, service, username):
        self.items.pop((service, username), None)


@pytest.fixture
def store(monkeypatch):
    previous = keyring.get_keyring()
    fresh = secrets.KeyStore()
    monkeypatch.setattr(secrets, "store", fresh)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    yield fresh
    keyring.set_keyring(previous)


def test_no_keyring_backend_keeps_the_key_for_the_session_and_says_so(store):
    keyring.set_keyring(fail.Keyring())
    message = secrets.set_api_key("https://api.openai.com/v1", KEY)
    assert "No system keyring" in message and "this session only" in message
    assert secrets.keyring_problem() == message
    assert secrets.get_api_key("https://api.openai.com/v1") == KEY
    assert store.source("https://api.openai.com/v1") == "session"
    assert secrets.get_api_key("https://other.example/v1") is None  # keys are per endpoint host
    secrets.delete_api_key("https://api.openai.com/v1")
    assert secrets.get_api_key("https://api.openai.com/v1") is None


def test_a_keyring_backend_stores_the_key(store):
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    assert "saved in the system keyring (MemoryKeyring)" in secrets.set_api_key("https://api.openai.com/v1", KEY)
    assert ring.items == {(secrets.SERVICE, "api-key:api.openai.com"): KEY}
    assert secrets.get_api_key("https://api.openai.com/v1") == KEY and secrets.keyring_problem() == ""


def test_the_environment_variable_is_honoured(store, monkeypatch):
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    assert secrets.get_api_key("https://api.openai.com/v1") == KEY
    assert store.source("https://api.openai.com/v1") == "environment"


def test_the_key_never_reaches_settings_usage_log_or_logs(store, qtbot, tmp_path, caplog, capfd):
    from copilot.ui.app import application
    from copilot.ui.background import Background
    from copilot.ui.workbench import Workbench
    from copilot.ui.llm_settings import LLMSettingsDialog

    application()
    keyring.set_keyring(fail.Keyring())  # the harder case: the key lives in this process only
    caplog.set_level(logging.DEBUG)  # the SDK's and httpx's debug logs included
    server = FakeOpenAI()
    server.default = lambda body: ("stream", ["Thanks, ", "checking ", "now."]) if body.get("stream") else (
        "json", json.dumps({"category": "late_delivery", "confidence": 0.9}))
    try:
        settings = Settings(engine="llm", llm_base_url=server.base_url, llm_timeout=5.0)
        dialog = LLMSettingsDialog(settings, Background())
        qtbot.addWidget(dialog)
        dialog.key.setText(KEY)
        dialog.save_key()
        saved = user_settings.save(dialog.result_settings())
        bench = Workbench(SessionOptions(agent="t", seed=3, speed=60, arrival_per_minute=60, max_concurrent=3,
                                         total_chats=3, usage_log=tmp_path / "usage.sqlite"), dialog.result_settings())
        qtbot.addWidget(bench.window)
        try:
            assert bench.session.engines.label.startswith("llm:")
            bench.start()
            qtbot.waitUntil(lambda: bench.session.workspace.tally["shown"] >= 2, timeout=30000)
        finally:
            bench.close()
    finally:
        server.close()
    sent = [{k.lower(): v for k, v in h.items()}.get("authorization") for h in server.headers]
    assert f"Bearer {KEY}" in sent  # the key was used...
    files = [saved, *tmp_path.glob("usage.sqlite*")]
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path  # ...but never written down
    assert any(r.name.startswith(("openai", "httpx")) for r in caplog.records)  # the SDK logged
    assert KEY not in caplog.text
    out, err = capfd.readouterr()
    assert KEY not in out and KEY not in err
