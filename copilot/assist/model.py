"""The trained classifier: n-gram features (+ optional word embeddings) and a calibrated softmax head.

A model directory holds `model.npz` (arrays, uncompressed so loading is a plain read) and
`model.json` (classes, temperature, abstain threshold, which embeddings, how it was trained).
Loading is a single np.load: no pickle, nothing executable, milliseconds. Training: training.py.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from copilot.assist import gate
from copilot.assist.features import Featuriser, grams, tokens
from copilot.assist.knn import Memory, fuse
from copilot.assist.linear import softmax
from copilot.assist.model_check import ModelError, check_arrays, check_meta, read_arrays

OOS = "oos"
FORMAT = 1
MAX_CONFIDENCE = 0.99  # no diagnosis is certain: 100 % on screen invites sending without reading


@dataclass(frozen=True)
class Row:
    """One text (or a mix of turns) as features: sparse n-grams and an optional dense vector."""

    idx: np.ndarray
    val: np.ndarray
    dense: np.ndarray | None = None


def _reference_length(vectors: list[np.ndarray]) -> float:
    """The first row's length; if it has none (a turn like "??" with no known n-grams), the first
    non-empty row's, so an empty newest turn does not scale the whole conversation to nothing."""
    for v in vectors:
        length = float(np.linalg.norm(v))
        if length > 0:
            return length
    return 0.0


def mix(rows: list[Row], weights: list[float]) -> Row:
    """Weighted sum of rows, rescaled to the first row's length so calibration still holds."""
    idx, inverse = np.unique(np.concatenate([r.idx for r in rows]), return_inverse=True)
    val = np.bincount(inverse, weights=np.concatenate([r.val * w for r, w in zip(rows, weights)]))
    val = val.astype(np.float32)
    norm = np.linalg.norm(val)
    if norm > 0:
        val *= _reference_length([r.val for r in rows]) / norm
    dense = None
    if rows[0].dense is not None:
        dense = sum(r.dense * np.float32(w) for r, w in zip(rows, weights))
        norm = np.linalg.norm(dense)
        if norm > 0:
            dense *= _reference_length([r.dense for r in rows]) / norm
    return Row(idx, val, dense)


@dataclass
class TextModel:
    feats: Featuriser
    W: np.ndarray  # (sparse dim + dense dim + 1, k); the last row is the bias
    classes: list[str]
    temperature: float = 1.0
    threshold: float = 0.5
    info: dict = field(default_factory=dict)
    embeddings: str | None = None  # e.g. embeddings.NAME; None: n-grams only
    dense_weight: float = 1.0  # scale of the embedding block next to the n-gram blocks
    memory: Memory | None = None  # nearest training examples (needs embeddings); None: head only
    gate: np.ndarray | None = None  # confidence model (gate.py); None: the softmax is the confidence

    @property
    def oos_index(self) -> int | None:
        return self.classes.index(OOS) if OOS in self.classes else None

    @property
    def embedder(self):
        from copilot.assist import embeddings

        return embeddings.load(self.embeddings)

    # ---- inference ---------------------------------------------------------------------------
    def row(self, text: str) -> Row:
        idx, val = self.feats.row(grams(text))
        dense = self.embedder.embed(text) * np.float32(self.dense_weight) if self.embeddings else None
        return Row(idx, val, dense)

    def logits(self, row: Row) -> np.ndarray:
        z = row.val @ self.W[row.idx] + self.W[-1]
        if row.dense is not None:
            z = z + row.dense @ self.W[self.feats.dim:-1]
            if self.memory is not None and self.memory.weight:
                z = fuse(z, self.memory.similarity(row.dense)[0], self.memory.weight)
        return z

    def similarity(self, row: Row) -> np.ndarray | None:
        """Cosine similarity to the nearest training example of each class (None without memory)."""
        if self.memory is None or row.dense is None:
            return None
        return self.memory.similarity(row.dense)[0]

    def calibrated(self, z: np.ndarray, sim: np.ndarray | None) -> np.ndarray:
        """Probabilities from logits (m, k): temperature-scaled softmax, then the gate's confidence
        for the best in-scope class; never above MAX_CONFIDENCE."""
        p = softmax(np.atleast_2d(z) / self.temperature)
        if self.gate is not None:
            conf = gate.confidence(self.gate, gate.features(z, self.temperature, self.oos_index, sim))
            p = gate.rescale(p, self.oos_index, conf, MAX_CONFIDENCE)
        return np.minimum(p, MAX_CONFIDENCE)

    def oos_probability(self, row: Row) -> float:
        """The out-of-scope class's own probability (temperature-scaled softmax, before the gate):
        how much a single turn looks like the examples labelled out-of-scope ("yes", "hello??")."""
        if self.oos_index is None:
            return 0.0
        return float(softmax(self.logits(row) / self.temperature)[self.oos_index])

    def proba_row(self, row: Row) -> np.ndarray:
        return self.calibrated(self.logits(row), self.similarity(row))[0]

    def proba(self, texts: list[str]) -> np.ndarray:
        rows = [self.row(t) for t in texts]
        sims = [self.similarity(r) for r in rows]
        return self.calibrated(np.stack([self.logits(r) for r in rows]),
                               None if sims[0] is None else np.stack(sims))

    def decide(self, p: np.ndarray) -> tuple[list[int], bool]:
        """In-scope classes best first, and whether to abstain (out-of-scope or not confident). With a
        gate, p[best] is already its confidence that the best category is right (it weighs the
        out-of-scope class in); without, the out-of-scope class winning also abstains."""
        order = [int(i) for i in np.argsort(-p) if int(i) != self.oos_index]
        abstain = p[order[0]] < self.threshold or (self.gate is None and int(np.argmax(p)) == self.oos_index)
        return order, bool(abstain)

    def evidence(self, texts: list[str], cls: int, limit: int = 5) -> list[str]:
        """Words whose n-grams pushed hardest toward `cls` (weight above the class average)."""
        W = self.W[:self.feats.dim]
        credit: dict[str, float] = {}
        f = self.feats
        for text in texts:
            g = grams(text)
            for ids, src, vocab, idf, off in ((g.word_ids, g.word_src, f.word_vocab, f.word_idf, 0),
                                              (g.char_ids, g.char_src, f.char_vocab, f.char_idf, len(f.word_vocab))):
                if not ids or not len(vocab):
                    continue
                arr = np.asarray(ids, np.uint32)
                pos = np.minimum(np.searchsorted(vocab, arr), len(vocab) - 1)
                known = vocab[pos] == arr
                rows = W[pos + off]
                push = (rows[:, cls] - rows.mean(axis=1)) * idf[pos] * known
                per_source: dict[str, float] = {}  # a word has up to 4 × its length char n-grams: sum first
                for source, v in zip(src, push.tolist()):
                    per_source[source] = per_source.get(source, 0.0) + v
                for source, v in per_source.items():
                    for w in source.split():
                        credit[w] = credit.get(w, 0.0) + v
        ranked = sorted((w for w, v in credit.items() if v > 0 and w not in STOPWORDS and len(w) > 2),
                        key=lambda w: -credit[w])
        return ranked[:limit]

    @classmethod
    def train(cls, texts: list[str], labels: list[str], **options) -> "TextModel":
        """See training.train_model for the options."""
        from copilot.assist.training import train_model

        return train_model(texts, labels, **options)

    # ---- persistence -------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        extra = self.memory.state() if self.memory is not None else {}
        if self.gate is not None:
            extra["gate"] = self.gate.astype(np.float64)
        np.savez(directory / "model.npz", W=self.W.astype(np.float16), **self.feats.state(), **extra)
        meta = {"format": FORMAT, "classes": self.classes, "temperature": self.temperature,
                "threshold": self.threshold, "embeddings": self.embeddings, "dense_weight": self.dense_weight,
                "knn_weight": self.memory.weight if self.memory is not None else 0.0, "info": self.info}
        (directory / "model.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "TextModel":
        """Reads and checks a model folder; raises model_check.ModelError (one line) if it is damaged,
        RuntimeError if it needs an embeddings package that is not installed."""
        directory = Path(directory)
        try:
            meta = check_meta(json.loads((directory / "model.json").read_text(encoding="utf-8")), FORMAT)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)[:80] or type(exc).__name__
            raise ModelError(f"{directory / 'model.json'}: unreadable ({reason})") from None
        except ModelError as exc:
            raise ModelError(f"{directory / 'model.json'}: {exc}") from None
        try:
            arrays = read_arrays(directory / "model.npz")
        except ModelError as exc:
            raise ModelError(f"{directory / 'model.npz'}: {exc}") from None
        embedder = None
        if meta["embeddings"]:
            from copilot.assist import embeddings

            embedder = embeddings.load(meta["embeddings"])  # fail now, clearly, rather than on the first chat
        try:
            check_arrays(arrays, meta, embedder.dim if embedder else 0)
        except ModelError as exc:
            raise ModelError(f"{directory / 'model.npz'}: {exc}") from None
        memory = None
        if "knn_vectors" in arrays and embedder is not None:
            memory = Memory.from_state(arrays, meta["knn_weight"], len(meta["classes"]))
        return cls(Featuriser.from_state(arrays), arrays["W"].astype(np.float32), meta["classes"],
                   meta["temperature"], meta["threshold"], meta["info"], meta["embeddings"], meta["dense_weight"],
                   memory, arrays.get("gate"))


STOPWORDS = frozenset(tokens(
    "i me my we our you your it its is am are was were be been the a an and or but to of in on at "
    "for with this that there here have has had do does did not no so just can could would should "
    "will hi hello hey please thanks thank what when where why how who which from by as up get got "
    "im i'm it's dont don't any some still yet all about com"))
