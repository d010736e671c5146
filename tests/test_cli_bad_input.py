"""Hostile or careless input to the command line and the files it reads: a one-line message and exit
status 2, never a traceback (each case gave one before)."""
from __future__ import annotations

import json

import pytest

from copilot import settings as user_settings
from copilot.__main__ import main
from copilot.sources.scenario import load_scenarios

DEEP_JSON = "[" * 100_000 + "]" * 100_000


def run(capsys, *argv: str) -> tuple[int, str]:
    try:
        status = main(list(argv))
    except SystemExit as exc:  # argparse and bad_input exit this way
        status = exc.code
    err = capsys.readouterr().err
    return status, err


def one_line_error(err: str) -> bool:
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("usage:")]
    return "Traceback" not in err and len(lines) == 1


TRANSCRIPTS = {
    "ts_null": ('{"messages": [{"from": "customer", "text": "my parcel is late", "ts": null}]}', "ts must be a number"),
    "ts_list": ('{"messages": [{"from": "customer", "text": "my parcel is late", "ts": [1]}]}', "ts must be a number"),
    "ts_nan": ('{"messages": [{"from": "customer", "text": "my parcel is late", "ts": NaN}]}', "ts must be a number"),
    "surrogate": ('{"messages": [{"from": "customer", "text": "parcel \\ud800 late"}]}', "lone surrogate"),
    "deep": (DEEP_JSON, "nested more than"),
    "deep_in_object": ('{"messages": [], "x": ' + DEEP_JSON + "}", "nested more than"),
}


@pytest.mark.parametrize("case", sorted(TRANSCRIPTS))
def test_bad_transcripts(tmp_path, capsys, monkeypatch, case):
    monkeypatch.setenv("COPILOT_CONFIG_DIR", str(tmp_path / "config"))
    content, message = TRANSCRIPTS[case]
    path = tmp_path / "t.json"
    path.write_text(content, encoding="utf-8")
    status, err = run(capsys, "suggest", "--transcript", str(path), "--json")
    assert status == 2 and message in err and one_line_error(err), err


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-2", "fast"])
def test_speed_and_rate_must_be_finite_and_positive(capsys, value):
    for option in ("--speed", "--rate"):
        status, err = run(capsys, "run", option, value)
        assert status == 2 and option in err and "Traceback" not in err


@pytest.mark.parametrize("value", ["nan", "-0.5", "inf", "lots"])
def test_flag_thresholds_must_be_finite_and_not_negative(tmp_path, capsys, value):
    for command in ("usage", "review"):
        args = ["--db", str(tmp_path / "x.sqlite")] if command == "usage" else ["--logs", str(tmp_path), "--json"]
        status, err = run(capsys, command, *args, "--threshold", f"high_acceptance={value}")
        assert status == 2 and "high_acceptance" in err and one_line_error(err), err


def test_screenshot_to_a_folder(tmp_path, capsys):
    status, err = run(capsys, "screenshot", str(tmp_path))
    assert status == 2 and "is a folder" in err and one_line_error(err)
    status, err = run(capsys, "screenshot", str(tmp_path / "shot.txt"))
    assert status == 2 and ".png" in err and one_line_error(err)


def test_deeply_nested_settings_fall_back_to_defaults(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"agent_name": ' + DEEP_JSON + "}")
    settings, problem = user_settings.load(path)
    assert settings == user_settings.Settings() and "nested more than" in problem


@pytest.mark.parametrize("content", ['{"agent_name": ["x"]}', '{"max_concurrent_chats": Infinity}',
                                     '{"nudges": "yes"}', '{"llm_timeout": NaN}', '{"agent_name": "\\udc80"}'])
def test_settings_of_the_wrong_type_fall_back_to_defaults(tmp_path, content):
    path = tmp_path / "settings.json"
    path.write_text(content)
    settings, problem = user_settings.load(path)
    assert settings == user_settings.Settings() and problem


def test_a_second_bad_settings_file_does_not_replace_the_first_backup(tmp_path):
    """Before: the second unreadable file was renamed over the first one's backup, losing it."""
    path = tmp_path / "settings.json"
    path.write_text("first {")
    _, problem = user_settings.load(path)
    path.write_text("second {")
    _, problem2 = user_settings.load(path)
    assert (tmp_path / "settings.json.unreadable").read_text() == "first {"
    assert (tmp_path / "settings.json.unreadable-2").read_text() == "second {"
    assert "settings.json.unreadable-2" in problem2 and not path.exists()


def test_suggest_says_when_it_moved_the_settings_aside(tmp_path, capsys, monkeypatch):
    """Before: `copilot suggest` moved a bad settings file aside without a word."""
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.json").write_text("{broken")
    monkeypatch.setenv("COPILOT_CONFIG_DIR", str(config))
    transcript = tmp_path / "t.json"
    transcript.write_text(json.dumps({"messages": [{"from": "customer", "text": "my parcel is late"}]}))
    status, err = run(capsys, "suggest", "--transcript", str(transcript), "--json")
    assert status == 0 and "warning" in err and "settings.json.unreadable" in err
    (config / "settings.json").write_text("{broken again")
    status, err = run(capsys, "suggest", "--transcript", str(transcript), "--json")
    assert status == 0 and "warning" in err and "settings.json.unreadable-2" in err


def test_a_deeply_nested_scenario_is_a_problem_not_a_crash(tmp_path):
    (tmp_path / "deep.toml").write_text("a = " + "[" * 5000 + "]" * 5000)
    (tmp_path / "inline.toml").write_text("a = " + "{b = " * 3000 + "1" + "}" * 3000)
    scenarios, problems = load_scenarios(tmp_path)
    assert scenarios == [] and len(problems) == 2
    assert all("nested more than" in p.message for p in problems)
