"""Static word embeddings from the `wordllama` wheel, read directly: no download, no torch.

wordllama ships a 32k-token × 256 embedding table (16 MB, safetensors) and its tokenizer inside
the wheel. We read both files ourselves (numpy for the table, the small `tokenizers` library for
the tokenizer) instead of importing wordllama, whose loader looks in the wrong folder and then
tries to download. A sentence vector is the mean of its token vectors, L2-normalised.

Embeddings catch paraphrase ("hasn't turned up" ~ "not arrived") that n-grams miss; they are
optional: without wordllama installed, models are trained on n-grams alone.
"""
from __future__ import annotations

import importlib.util
import json
import struct
from functools import lru_cache
from pathlib import Path

import numpy as np

NAME = "wordllama:l2_supercat_256"
_WEIGHTS = ("weights", "l2_supercat_256.safetensors")
_TOKENIZER = ("tokenizers", "l2_supercat_tokenizer_config.json")


def _package_dir() -> Path | None:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def available() -> bool:
    root = _package_dir()
    if root is None or not root.joinpath(*_WEIGHTS).is_file():
        return False
    return importlib.util.find_spec("tokenizers") is not None


def _read_safetensors(path: Path) -> np.ndarray:
    """The single 2-D tensor in a safetensors file (format: u64 header size, JSON header, raw data)."""
    with open(path, "rb") as fh:
        (header_len,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(header_len))
        tensors = {k: v for k, v in header.items() if k != "__metadata__"}
        if len(tensors) != 1:
            raise ValueError(f"{path.name}: expected one tensor, found {sorted(tensors)}")
        (meta,) = tensors.values()
        dtype = {"F16": np.float16, "F32": np.float32, "BF16": None}[meta["dtype"]]
        if dtype is None:
            raise ValueError(f"{path.name}: bfloat16 tables are not supported")
        start, stop = meta["data_offsets"]
        fh.seek(8 + header_len + start)
        data = np.frombuffer(fh.read(stop - start), dtype=dtype)
    return data.reshape(meta["shape"])


class Embedder:
    """text → 256-d unit vector (zeros for text with no known token)."""

    def __init__(self, table: np.ndarray, tokenizer):
        self.table = table  # float16, (vocab, dim)
        self.tokenizer = tokenizer
        self.dim = table.shape[1]

    def token_ids(self, text: str) -> list[int]:
        return self.tokenizer.encode(text, add_special_tokens=False).ids

    def embed(self, text: str) -> np.ndarray:
        from copilot.assist.features import clip

        ids = self.token_ids(clip(text))  # the tokenizer is quadratic in the length of one word
        if not ids:
            return np.zeros(self.dim, np.float32)
        v = self.table[ids].astype(np.float32).mean(axis=0)
        norm = np.linalg.norm(v)
        return v / norm if norm > 0 else v

    def embed_many(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.embed(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)


@lru_cache(maxsize=1)
def load(name: str = NAME) -> Embedder:
    """The embedder a model was trained with; a clear error if its package is not installed."""
    if name != NAME:
        raise ValueError(f"unknown embeddings {name!r} (this version knows {NAME!r})")
    root = _package_dir()
    if root is None or not available():
        raise RuntimeError("this model uses word embeddings: install the 'wordllama' package "
                           "(it ships the embedding table), or retrain with --no-embeddings")
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(root.joinpath(*_TOKENIZER)))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return Embedder(_read_safetensors(root.joinpath(*_WEIGHTS)), tokenizer)
