"""Fuzzing the readers of files people write by hand: transcripts (`copilot suggest`), scenarios and
settings. Whatever the bytes, each reader either returns its value or raises its one documented
error with a one-line message (ValueError, scenario Invalid, or settings' defaults plus a problem);
never another exception, a RecursionError or a hang. (The model reader's fuzz test is engineer 12's.)

Hypothesis is derandomized, so CI runs the same examples every time; a failure prints the input."""
from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copilot import settings as user_settings
from copilot.cli.suggest import load_transcript
from copilot.sources.scenario import Invalid, default_scenarios_dir, load_scenario

FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# JSON values of every kind, nested, including the odd ones: huge and negative numbers, NaN,
# infinities, empty and control-laden strings, escaped lone surrogates.
odd_numbers = st.one_of(st.integers(min_value=-(2 ** 80), max_value=2 ** 80), st.floats(allow_nan=True),
                        st.just(float("inf")))
leaves = st.one_of(st.none(), st.booleans(), odd_numbers, st.text(max_size=30),
                   st.sampled_from(["\ud800", "\udfff", "\u202e", "\x00", "customer", "agent", ""]))
json_values = st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                           max_leaves=25)


@contextmanager
def written(data: bytes | str, suffix: str) -> Iterator[Path]:
    """`data` in a file of its own folder, removed afterwards (hypothesis runs hundreds of examples)."""
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    path = folder / f"input{suffix}"
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(data)
    try:
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def one_line(message: str) -> bool:
    return bool(message.strip()) and "\n" not in message.strip() and "Traceback" not in message


# ---- transcripts ------------------------------------------------------------------------------
# Mostly well-formed messages, so the fields after `from` and `text` get fuzzed too.
message = st.fixed_dictionaries(
    {"from": st.sampled_from(["customer", "customer", "agent", "system", "bot"]),
     "text": st.one_of(st.text(max_size=40), st.sampled_from(["late \ud800 parcel", "\u202eevil"]), json_values)},
    optional={"ts": json_values, "sender": st.sampled_from(["customer", "agent", 7])})
transcripts = st.one_of(
    json_values,
    st.builds(lambda msgs, extra: {"messages": msgs, **extra}, st.lists(message, max_size=5),
              st.dictionaries(st.sampled_from(["chat_id", "customer_name", "x"]), json_values, max_size=3)),
    st.lists(message, max_size=5),
)


def check_transcript(path: Path) -> None:
    try:
        conversation = load_transcript(path)
    except ValueError as exc:
        assert one_line(str(exc)), str(exc)
        return
    assert conversation.turns and all(isinstance(t.text, str) for t in conversation.turns)
    for turn in conversation.turns:  # what loads can be encoded: no lone surrogate gets through
        turn.text.encode("utf-8")


@FUZZ
@given(transcripts)
def test_transcripts_from_any_json(value):
    with written(json.dumps(value, ensure_ascii=True), ".json") as path:
        check_transcript(path)


@FUZZ
@given(st.integers(min_value=1, max_value=5000), st.sampled_from(["[", '{"a":', '{"messages": [']))
def test_transcripts_nested_deep(depth, opener):
    with written(opener * depth, ".json") as path:
        check_transcript(path)


# ---- scenarios --------------------------------------------------------------------------------
SHIPPED = sorted(default_scenarios_dir().glob("*.toml"))


def check_scenario(path: Path) -> None:
    try:
        load_scenario(path)
    except Invalid as exc:
        assert one_line(str(exc)), str(exc)


@FUZZ
@given(st.sampled_from(SHIPPED), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 8), st.text(max_size=6)),
                                          min_size=1, max_size=6))
def test_scenarios_mutated_from_the_shipped_ones(source, edits):
    text = source.read_text(encoding="utf-8")
    for where, cut, insert in edits:  # replace a few short spans with odd text
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut:]
    with written(text, ".toml") as path:
        check_scenario(path)


@FUZZ
@given(st.integers(min_value=1, max_value=3000), st.sampled_from(["a = [", "a = {b = ", "x = [[", "[t]\nv = ["]))
def test_scenarios_nested_deep(depth, opener):
    closer = {"a = [": "]", "a = {b = ": "}", "x = [[": "]]", "[t]\nv = [": "]"}[opener]
    with written(opener + (opener.split("= ")[-1]) * depth + "1" + closer * (depth + 1), ".toml") as path:
        check_scenario(path)


# ---- settings ---------------------------------------------------------------------------------
FIELDS = [f for f in user_settings.Settings.__dataclass_fields__]


@FUZZ
@given(st.one_of(json_values, st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6)))
def test_settings_from_any_json(value):
    with written(json.dumps(value, ensure_ascii=True), ".json") as path:
        loaded, problem = user_settings.load(path)
        assert isinstance(loaded, user_settings.Settings) and loaded.validated() is loaded
        if problem:
            assert one_line(problem) and loaded == user_settings.Settings()
            assert not path.exists() and any(path.parent.glob("input.json.unreadable*"))  # kept, not lost
        user_settings.save(loaded, path.with_name("saved.json"))  # what loads can be saved and read again
        assert user_settings.load(path.with_name("saved.json")) == (loaded, "")


def check_settings(path: Path) -> None:
    loaded, problem = user_settings.load(path)
    assert isinstance(loaded, user_settings.Settings) and (not problem or one_line(problem))


# ---- any bytes at all, for each reader --------------------------------------------------------
@pytest.mark.parametrize("check, suffix", [(check_transcript, ".json"), (check_scenario, ".toml"),
                                           (check_settings, ".json")], ids=["transcript", "scenario", "settings"])
@FUZZ
@given(data=st.binary(max_size=400))
def test_any_bytes(check, suffix, data):
    with written(data, suffix) as path:
        check(path)
