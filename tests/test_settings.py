"""Settings: typed, versioned, saved atomically; an unreadable file is kept, never lost."""
from __future__ import annotations

import json

import pytest

from copilot import settings as settings_module
from copilot.settings import Settings, load, save


def test_round_trip(tmp_path):
    path = tmp_path / "settings.json"
    save(Settings(agent_name="Ana", assist_mode="diagnose_first", max_concurrent_chats=3), path)
    loaded, message = load(path)
    assert message == "" and loaded.agent_name == "Ana" and loaded.assist_mode == "diagnose_first"
    assert json.loads(path.read_text())["schema_version"] == settings_module.SCHEMA_VERSION


def test_missing_file_gives_defaults(tmp_path):
    loaded, message = load(tmp_path / "none.json")
    assert loaded == Settings() and message == ""


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b'{"assist_mode": "autopilot"}', b"\xff\xfe\x00",
                                     b'{"schema_version": 99}', b'{"max_concurrent_chats": 0}'])
def test_unreadable_file_is_kept_and_defaults_used(tmp_path, content):
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    loaded, message = load(path)
    assert loaded == Settings()
    assert "defaults are in use" in message
    assert (tmp_path / "settings.json.unreadable").read_bytes() == content


def test_unknown_keys_from_older_builds_are_ignored(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"agent_name": "Bo", "removed_option": true}')
    loaded, message = load(path)
    assert loaded.agent_name == "Bo" and message == ""


def test_invalid_settings_are_not_saved(tmp_path):
    with pytest.raises(ValueError):
        save(Settings(assist_mode="nonsense"), tmp_path / "s.json")
    assert not (tmp_path / "s.json").exists()
