"""A damaged model folder fails at load with one clear line; huge messages cost what a long one does.

The fuzz tests feed the model reader truncated archives, archives with arrays swapped or
reshaped, and model.json files with wrong types: either the model loads and then diagnoses
(the damage did not matter), or loading raises ModelError. Nothing else may escape.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copilot.assist.engine import Conversation, Turn
from copilot.assist.features import clip, grams
from copilot.assist.model import TextModel
from copilot.assist.model_check import ModelError
from copilot.assist.offline import OfflineEngine
from copilot.core.chat import Sender

TEXTS = ["where is my order", "has my parcel shipped", "my order has not arrived yet", "tracking please",
         "i want a refund", "refund my money", "when do i get my refund", "refund not received yet",
         "what is the weather", "tell me a joke", "who won the match", "what time is it"]
LABELS = ["order_status"] * 4 + ["refund_status"] * 4 + ["oos"] * 4


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("model")
    TextModel.train(TEXTS, LABELS, use_embeddings=False).save(folder)
    return folder


def conv(text: str) -> Conversation:
    return Conversation("c", "", (Turn(Sender.CUSTOMER, text, 0.0),), 1)


def _diagnoses(folder: Path) -> None:
    """Loads and answers, or raises ModelError: the only two outcomes allowed."""
    try:
        engine = OfflineEngine(TextModel.load(folder), {})
    except ModelError as exc:
        assert "\n" not in str(exc) and str(folder) in str(exc)
        return
    d = engine.diagnose(conv("where is my refund"))
    assert all(0.0 <= c.confidence < 1.0 for c in d.top)


def test_the_intact_model_loads(model_dir):
    assert TextModel.load(model_dir).classes == sorted(set(LABELS))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(0.0, 0.999))
def test_a_truncated_archive_is_refused_at_load(model_dir, tmp_path_factory, cut):
    folder = tmp_path_factory.mktemp("cut")
    shutil.copy(model_dir / "model.json", folder)
    data = (model_dir / "model.npz").read_bytes()
    (folder / "model.npz").write_bytes(data[:int(len(data) * cut)])
    with pytest.raises(ModelError, match="model.npz"):
        TextModel.load(folder)


_JUNK = st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.floats(allow_nan=True, allow_infinity=True),
                  st.text(max_size=5), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3),
                                                                                            st.integers(), max_size=2))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["format", "classes", "temperature", "threshold", "embeddings", "dense_weight",
                              "knn_weight", "info", None]), value=_JUNK)
def test_model_json_with_wrong_types_is_refused_or_harmless(model_dir, tmp_path_factory, field, value):
    folder = tmp_path_factory.mktemp("meta")
    shutil.copy(model_dir / "model.npz", folder)
    meta = json.loads((model_dir / "model.json").read_text())
    if field is None:
        meta = value  # the whole file is something else
    else:
        meta[field] = value
    (folder / "model.json").write_text(json.dumps(meta))
    _diagnoses(folder)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["W", "word_vocab", "word_idf", "char_vocab", "char_idf", "char_weight"]),
       change=st.sampled_from(["drop", "shorten", "reverse", "int", "nan", "2d", "scalar"]))
def test_archive_with_a_wrong_array_is_refused_or_harmless(model_dir, tmp_path_factory, name, change):
    folder = tmp_path_factory.mktemp("arrays")
    shutil.copy(model_dir / "model.json", folder)
    with np.load(model_dir / "model.npz") as archive:
        arrays = {k: archive[k] for k in archive.files}
    a = arrays[name]
    if change == "drop":
        del arrays[name]
    elif change == "shorten":
        arrays[name] = a[: max(0, len(a) - 1)] if a.ndim else a
    elif change == "reverse":
        arrays[name] = a[::-1] if a.ndim else a
    elif change == "int":
        arrays[name] = a.astype(np.int64)
    elif change == "nan":
        arrays[name] = np.full_like(a, np.nan, dtype=np.float32)
    elif change == "2d":
        arrays[name] = np.atleast_2d(a)
    else:
        arrays[name] = np.float32(1.0)
    np.savez(folder / "model.npz", **arrays)
    _diagnoses(folder)


def test_the_cli_says_so_in_one_line_and_exits_2(model_dir, tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(model_dir, folder)
    (folder / "model.npz").write_bytes((model_dir / "model.npz").read_bytes()[:1000])
    examples = tmp_path / "x.csv"
    examples.write_text("text,category\nwhere is my order,order_status\n")
    out = subprocess.run([sys.executable, "-m", "copilot", "eval", "--model", str(folder), "--examples",
                          str(examples)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "model.npz" in out.stderr and "damaged" in out.stderr


# ---- huge input -------------------------------------------------------------------------------
def test_only_the_start_and_end_of_a_huge_turn_are_read():
    text = "please cancel my order " + "x" * 5_000_000 + " it has not shipped yet"
    kept = clip(text)
    assert len(kept) <= 2600 and kept.startswith("please cancel") and kept.endswith("shipped yet")
    assert clip("short message") == "short message"
    one_word = grams("a" * 3_000_000)  # one "word": its n-grams are bounded by the word cap
    assert len(one_word.char_ids) < 400  # two 40-letter words (start and end), not millions


def test_a_10_mb_message_is_diagnosed_as_its_readable_part(model_dir):
    engine = OfflineEngine(TextModel.load(model_dir), {})
    huge = "where is my refund " + "z" * 10_000_000
    assert engine.diagnose(conv(huge)) == engine.diagnose(conv(clip(huge)))
