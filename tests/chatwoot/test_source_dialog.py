"""Copilot ▸ Chat source…: the dialog tests the connection off the UI thread (against the Chatwoot
CONTRACT DOUBLE, not Chatwoot), keeps the token out of the settings, and says what is wrong plainly."""
from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from copilot import secrets
from copilot.settings import Settings
from copilot.sources.config import SourceConfig
from copilot.ui.background import Background
from copilot.ui.source_dialog import SourceDialog
from tests.chatwoot.double import ChatwootDouble


@pytest.fixture
def no_keyring(monkeypatch):
    previous = keyring.get_keyring()
    monkeypatch.setattr(secrets, "store", secrets.KeyStore())
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_the_dialog_tests_saves_and_keeps_the_token_out_of_the_settings(qtbot, no_keyring):
    double = ChatwootDouble().start()
    try:
        dialog = SourceDialog(Settings(), Background())
        qtbot.addWidget(dialog)
        dialog.kind.setCurrentIndex(dialog.kind.findData("chatwoot"))
        dialog.url.setText(double.url)
        dialog.secret.setText("agent-token")
        dialog.test_button.click()
        qtbot.waitUntil(lambda: dialog.test_result.text().startswith(("✓", "✗")), timeout=15000)
        assert dialog.test_result.text().startswith("✓ Connected to Chatwoot as Dana (account 3)")
        assert not dialog.user.isEnabled() and dialog.inboxes.isEnabled()
        settings = dialog.result_settings()
        assert SourceConfig.from_dict(settings.chat_source) == SourceConfig(kind="chatwoot", url=double.url, login="token")
        assert "agent-token" not in str(settings)
        assert "this session only" in dialog.save_secret()
        assert secrets.get_source_secret(SourceConfig(kind="chatwoot", url=double.url).secret_account) == "agent-token"
        assert Settings(**{**settings.__dict__}).validated().chat_source["kind"] == "chatwoot"
    finally:
        double.stop()


def test_the_dialog_says_what_is_wrong_before_testing(qtbot):
    dialog = SourceDialog(Settings(), Background())
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("matrix"))
    dialog.url.setText("matrix.example.com")
    dialog.test_button.click()
    assert dialog.test_result.text().startswith("✗ the matrix address must be an http(s) URL")
    dialog.kind.setCurrentIndex(dialog.kind.findData("simulator"))
    assert dialog.result_settings().chat_source == {}
