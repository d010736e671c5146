"""Word embeddings read straight from the wordllama wheel, and the fallback when it is missing."""
import json
import struct

import numpy as np
import pytest

from copilot.assist import embeddings
from copilot.assist.offline import OfflineEngine


def test_reads_a_safetensors_table(tmp_path):
    table = np.arange(12, dtype=np.float16).reshape(4, 3)
    header = json.dumps({"embedding.weight": {"dtype": "F16", "shape": [4, 3], "data_offsets": [0, 24]},
                         "__metadata__": {"x": "y"}}).encode()
    path = tmp_path / "t.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header + table.tobytes())
    assert np.array_equal(embeddings._read_safetensors(path), table)


@pytest.mark.skipif(not embeddings.available(), reason="wordllama not installed")
def test_paraphrases_are_closer_than_unrelated_text():
    e = embeddings.load()
    a, b, c = (e.embed(t) for t in ("my parcel has not arrived", "the package never came", "send me an invoice"))
    assert abs(np.linalg.norm(a) - 1) < 1e-4
    assert a @ b > a @ c + 0.1
    assert not e.embed("").any()


def test_default_engine_falls_back_to_ngrams_with_a_note(monkeypatch):
    def missing(name=embeddings.NAME):
        raise RuntimeError("this model uses word embeddings: install the 'wordllama' package")

    monkeypatch.setattr(embeddings, "load", missing)
    engine = OfflineEngine.load_default()
    assert engine.model.embeddings is None
    assert "wordllama" in engine.note
    from copilot.assist.engine import Conversation, Turn
    from copilot.core.chat import Sender

    d = engine.diagnose(Conversation("c", "", (Turn(Sender.CUSTOMER, "I was charged twice", 0.0),), 1))
    assert d.best.category == "charged_twice"
