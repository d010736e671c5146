"""Text → sparse TF-IDF features: word 1-2 grams plus character 2-5 grams inside word boundaries.

Character n-grams catch typos, plurals and product codes; word bigrams catch short phrases
("not arrived", "charged twice"). Features are identified by a stable 32-bit hash (crc32) of the
n-gram, so the model stores no vocabulary of strings and loads in milliseconds.
"""
from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # linear.py imports scipy lazily; features must stay light to import
    from copilot.assist.linear import Csr

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[€$£]")
_DIGITS = re.compile(r"\d+")
HEAD_CHARS, TAIL_CHARS = 1000, 1500  # what is read of one turn: its start and its end
MAX_WORD = 40  # longer "words" (pasted hashes, keyboard mashing) give only their first letters' n-grams


def clip(text: str) -> str:
    """The part of one turn the engine reads: all of it up to 2,500 characters, else its first 1,000
    and last 1,500 (a request comes first or last; a pasted log in the middle says little).
    Bounds the cost of a hostile or accidental 10 MB message to that of a long one."""
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        return text
    return text[:HEAD_CHARS] + " \n " + text[-TAIL_CHARS:]


def normalise(text: str) -> str:
    """Lower-case, strip accents, and fold every digit run to "0" (order numbers are not topics)."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _DIGITS.sub("0", text.replace("’", "'"))


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text))


@lru_cache(maxsize=1 << 17)
def _h(s: str) -> int:
    return zlib.crc32(s.encode("utf-8"))  # cached: the same n-grams recur in every message


@dataclass(frozen=True)
class Grams:
    """The n-grams of one text, each hashed, with the word it came from (for evidence)."""

    word_ids: list[int]
    word_src: list[str]
    char_ids: list[int]
    char_src: list[str]


def grams(text: str) -> Grams:
    """The n-grams of a turn's readable part (see clip)."""
    return _grams(clip(text))


@lru_cache(maxsize=1024)  # a message is featurised for scoring and again for its evidence
def _grams(text: str, char_min: int = 2, char_max: int = 5) -> Grams:
    toks = tokens(text)
    word_ids, word_src = [], []
    for i, tok in enumerate(toks):
        word_ids.append(_h("w " + tok))
        word_src.append(tok)
        if i + 1 < len(toks):
            word_ids.append(_h("b " + tok + " " + toks[i + 1]))
            word_src.append(tok + " " + toks[i + 1])
    char_ids, char_src = [], []
    for tok in toks:
        padded = f" {tok[:MAX_WORD]} "
        for n in range(char_min, char_max + 1):
            for j in range(0, max(1, len(padded) - n + 1)):
                char_ids.append(_h("c" + padded[j:j + n]))
                char_src.append(tok)
    return Grams(word_ids, word_src, char_ids, char_src)


def _tfidf_block(ids: list[int], vocab: np.ndarray, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map hashed ids onto the vocabulary; sublinear tf × idf; L2-normalised. Unknown ids drop."""
    if not ids:
        return np.empty(0, np.int64), np.empty(0, np.float32)
    uniq, counts = np.unique(np.asarray(ids, dtype=np.uint32), return_counts=True)
    pos = np.searchsorted(vocab, uniq)
    pos = np.minimum(pos, len(vocab) - 1)
    known = vocab[pos] == uniq
    pos, counts = pos[known], counts[known]
    vals = (1.0 + np.log(counts)) * idf[pos]
    norm = np.linalg.norm(vals)
    return pos.astype(np.int64), (vals / norm if norm > 0 else vals).astype(np.float32)


@dataclass
class Featuriser:
    """Holds the vocabulary (sorted hash ids) and idf of each block; produces sparse rows."""

    word_vocab: np.ndarray  # uint32, sorted
    word_idf: np.ndarray
    char_vocab: np.ndarray
    char_idf: np.ndarray
    char_weight: float = 1.0  # how much the char block counts next to the word block

    @property
    def dim(self) -> int:
        return len(self.word_vocab) + len(self.char_vocab)

    @classmethod
    def fit(cls, texts: list[str], min_df: int = 1, char_weight: float = 1.0) -> "Featuriser":
        return cls._fit_grams([grams(t) for t in texts], min_df, char_weight)

    @classmethod
    def fit_transform(cls, texts: list[str], min_df: int = 1, char_weight: float = 1.0) -> tuple["Featuriser", "Csr"]:
        """fit() then transform(), n-gramming each text once (training's largest cost after the head)."""
        from copilot.assist.linear import Csr

        all_grams = [_grams.__wrapped__(clip(t)) for t in texts]  # not through the small cache: each text once
        feats = cls._fit_grams(all_grams, min_df, char_weight)
        return feats, Csr.from_rows([feats.row(g) for g in all_grams], feats.dim)

    @classmethod
    def _fit_grams(cls, all_grams: list[Grams], min_df: int, char_weight: float) -> "Featuriser":
        blocks = []
        n_texts = len(all_grams)
        for pick in (lambda g: g.word_ids, lambda g: g.char_ids):
            df_ids = np.concatenate([np.unique(np.asarray(pick(g), np.uint32)) for g in all_grams] or
                                    [np.empty(0, np.uint32)])
            vocab, df = np.unique(df_ids, return_counts=True)
            keep = df >= min_df
            vocab, df = vocab[keep], df[keep]
            idf = (np.log((1 + n_texts) / (1 + df)) + 1.0).astype(np.float32)
            blocks += [vocab.astype(np.uint32), idf]
        return cls(*blocks, char_weight=char_weight)

    def row(self, g: Grams) -> tuple[np.ndarray, np.ndarray]:
        """Sparse (indices, values) for one text; the two blocks are each unit-length, then mixed."""
        wi, wv = _tfidf_block(g.word_ids, self.word_vocab, self.word_idf)
        ci, cv = _tfidf_block(g.char_ids, self.char_vocab, self.char_idf)
        return (np.concatenate([wi, ci + len(self.word_vocab)]),
                np.concatenate([wv, cv * np.float32(self.char_weight)]))

    def transform(self, texts: list[str]) -> "Csr":
        from copilot.assist.linear import Csr

        rows = [self.row(grams(t)) for t in texts]
        return Csr.from_rows(rows, self.dim)

    def state(self) -> dict[str, np.ndarray]:
        return {"word_vocab": self.word_vocab, "word_idf": self.word_idf,
                "char_vocab": self.char_vocab, "char_idf": self.char_idf,
                "char_weight": np.float32(self.char_weight)}

    @classmethod
    def from_state(cls, s) -> "Featuriser":
        return cls(s["word_vocab"], s["word_idf"], s["char_vocab"], s["char_idf"],
                   float(s["char_weight"]))
