"""The LLM fields in the settings file: defaults for older files, validation, nothing secret."""
from __future__ import annotations

import json

import pytest

from copilot.settings import Settings, load, save


def test_files_from_before_the_llm_fields_load_with_defaults(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"schema_version": 1, "agent_name": "Bo"}')
    loaded, message = load(path)
    assert message == "" and loaded.agent_name == "Bo"
    assert (loaded.engine, loaded.llm_base_url, loaded.llm_redact_remote) == ("offline", "http://127.0.0.1:8080/v1", True)


def test_llm_settings_round_trip_without_any_key_field(tmp_path):
    path = save(Settings(engine="llm", llm_base_url="https://api.openai.com/v1", llm_model="gpt-4o-mini",
                         llm_temperature=0.3, llm_timeout=15.0, llm_max_tokens=300), tmp_path / "s.json")
    data = json.loads(path.read_text())
    assert data["engine"] == "llm" and data["llm_model"] == "gpt-4o-mini"
    assert not [k for k in data if "key" in k.lower() or "secret" in k.lower() or "token" == k.lower()]
    assert load(path)[0].llm_timeout == 15.0


@pytest.mark.parametrize("bad", [{"engine": "gpt"}, {"llm_base_url": "ftp://x"}, {"llm_temperature": 5},
                                 {"llm_timeout": 0}, {"llm_max_tokens": 0}])
def test_unusable_llm_settings_are_refused(tmp_path, bad):
    with pytest.raises(ValueError):
        save(Settings(**bad), tmp_path / "s.json")
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(bad))
    loaded, message = load(path)
    assert loaded == Settings() and "defaults are in use" in message


def test_suggest_is_a_subcommand():
    from copilot.__main__ import build_parser

    assert "suggest" in build_parser().format_help()
