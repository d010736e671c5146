"""The engine's word vectors (copilot/assist/embeddings.py) for knowledge items and queries.

The same wordllama table the offline classifier uses, so nothing more is installed or downloaded.
Items are embedded from their title (counted twice: it says what the item is about) and the start of
their body, in batches through the tokenizer's batch call. Without wordllama the index is full-text
only, and says so (`available()`).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from copilot.assist import embeddings

BODY_CHARS = 4000  # of an item's body: its opening says what it is about, the rest mostly adds noise


@lru_cache(maxsize=1)
def _embedder():
    try:
        return embeddings.load() if embeddings.available() else None
    except (RuntimeError, ValueError, OSError):
        return None


def available() -> bool:
    return _embedder() is not None


def item_text(title: str, body: str) -> str:
    return f"{title}\n{title}\n{body[:BODY_CHARS]}"


def embed_many(texts: list[str]) -> np.ndarray | None:
    """Unit vectors (n, dim) as float32, or None without embeddings."""
    embedder = _embedder()
    if embedder is None:
        return None
    encodings = embedder.tokenizer.encode_batch(texts, add_special_tokens=False)
    out = np.zeros((len(texts), embedder.dim), np.float32)
    for i, enc in enumerate(encodings):
        if enc.ids:
            out[i] = embedder.table[enc.ids].astype(np.float32).mean(axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


def embed(text: str) -> np.ndarray | None:
    embedder = _embedder()
    return None if embedder is None else embedder.embed(text)
