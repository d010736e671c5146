"""The trained classifier: features + a softmax head, calibrated, with an abstain threshold.

A model directory holds `model.npz` (arrays) and `model.json` (classes, temperature, threshold,
how it was trained). Loading is a single np.load: no pickle, nothing executable, milliseconds.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from copilot.assist.features import Featuriser, grams, tokens
from copilot.assist.linear import Csr, fit_softmax, softmax

OOS = "oos"
FORMAT = 1


@dataclass
class TextModel:
    feats: Featuriser
    W: np.ndarray  # (dim + 1, k); last row is the bias
    classes: list[str]
    temperature: float = 1.0
    threshold: float = 0.5
    info: dict = field(default_factory=dict)

    # ---- inference ---------------------------------------------------------------------------
    @property
    def oos_index(self) -> int | None:
        return self.classes.index(OOS) if OOS in self.classes else None

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        return self.feats.row(grams(text))

    def proba_row(self, idx: np.ndarray, val: np.ndarray) -> np.ndarray:
        z = val @ self.W[idx] + self.W[-1]
        return softmax(z / self.temperature)

    def proba(self, texts: list[str]) -> np.ndarray:
        X = self.feats.transform(texts)
        return softmax((X.dot(self.W[:-1]) + self.W[-1]) / self.temperature)

    def decide(self, p: np.ndarray) -> tuple[list[int], bool]:
        """In-scope classes best first, and whether to abstain (out-of-scope or not confident)."""
        order = [int(i) for i in np.argsort(-p) if int(i) != self.oos_index]
        abstain = int(np.argmax(p)) == self.oos_index or p[order[0]] < self.threshold
        return order, bool(abstain)

    def evidence(self, texts: list[str], cls: int, limit: int = 5) -> list[str]:
        """Words whose n-grams pushed hardest toward `cls` (weight above the class average)."""
        W = self.W[:-1]
        credit: dict[str, float] = {}
        nw = len(self.feats.word_vocab)
        for text in texts:
            g = grams(text)
            for ids, src, vocab, idf, off in ((g.word_ids, g.word_src, self.feats.word_vocab, self.feats.word_idf, 0),
                                              (g.char_ids, g.char_src, self.feats.char_vocab, self.feats.char_idf, nw)):
                if not ids:
                    continue
                arr = np.asarray(ids, np.uint32)
                pos = np.minimum(np.searchsorted(vocab, arr), len(vocab) - 1)
                known = vocab[pos] == arr
                rows = W[pos + off]
                push = (rows[:, cls] - rows.mean(axis=1)) * idf[pos] * known
                for word, v in zip(src, push):
                    for w in word.split():
                        credit[w] = credit.get(w, 0.0) + float(v)
        stop = _STOPWORDS
        ranked = sorted((w for w, v in credit.items() if v > 0 and w not in stop and w != "0"),
                        key=lambda w: -credit[w])
        return ranked[:limit]

    # ---- training ----------------------------------------------------------------------------
    @classmethod
    def train(cls, texts: list[str], labels: list[str], l2: float = 3e-5, char_weight: float = 1.0,
              target_precision: float = 0.9, dev_fraction: float = 0.15, seed: int = 0) -> "TextModel":
        started = time.perf_counter()
        classes = sorted(set(labels))
        y = np.array([classes.index(lab) for lab in labels])
        feats = Featuriser.fit(texts, char_weight=char_weight)
        X = feats.transform(texts)
        dev = _stratified_dev(y, dev_fraction, seed)
        temperature, threshold, w0 = 1.0, 0.5, None
        if len(dev):
            train_rows = np.setdiff1d(np.arange(len(y)), dev)
            w0 = fit_softmax(X.take(train_rows), y[train_rows], len(classes), l2=l2)
            Xd = X.take(dev)
            logits = Xd.dot(w0[:-1]) + w0[-1]
            temperature = _fit_temperature(logits, y[dev])
            model = cls(feats, w0, classes, temperature)
            threshold = model.pick_threshold(softmax(logits / temperature), y[dev], target_precision)
        W = fit_softmax(X, y, len(classes), l2=l2, w0=w0)
        info = {"n": len(texts), "l2": l2, "char_weight": char_weight, "dev_size": int(len(dev)),
                "train_seconds": round(time.perf_counter() - started, 2)}
        return cls(feats, W, classes, temperature, threshold, info)

    def pick_threshold(self, probs: np.ndarray, y: np.ndarray, target: float) -> float:
        """Lowest threshold whose answered predictions reach `target` precision on held-out rows."""
        best_t, best_prec = 0.9, -1.0
        for t in np.arange(0.30, 0.91, 0.02):  # below 0.3 a "diagnosis" is mostly noise
            self.threshold = float(t)
            right = answered = 0
            for p, truth in zip(probs, y):
                order, abstain = self.decide(p)
                if not abstain:
                    answered += 1
                    right += order[0] == truth
            prec = right / answered if answered else 0.0
            if prec >= target:
                return round(float(t), 2)
            if prec > best_prec:
                best_t, best_prec = float(t), prec
        return round(best_t, 2)

    # ---- persistence -------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(directory / "model.npz", W=self.W.astype(np.float16), **self.feats.state())
        meta = {"format": FORMAT, "classes": self.classes, "temperature": self.temperature,
                "threshold": self.threshold, "info": self.info}
        (directory / "model.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "TextModel":
        meta = json.loads((Path(directory) / "model.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{directory}: unsupported model format {meta.get('format')!r}")
        with np.load(Path(directory) / "model.npz") as arrays:
            feats = Featuriser.from_state(arrays)
            W = arrays["W"].astype(np.float32)
        return cls(feats, W, meta["classes"], meta["temperature"], meta["threshold"], meta.get("info", {}))


def _stratified_dev(y: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Hold out `fraction` of each class that has at least 4 examples (for calibration only)."""
    rng = np.random.default_rng(seed)
    dev = []
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        if len(members) >= 4:
            dev.extend(rng.choice(members, max(1, int(round(len(members) * fraction))), replace=False))
    return np.sort(np.array(dev, dtype=np.int64))


def _fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Temperature minimising held-out negative log-likelihood (so confidences mean what they say)."""
    best, best_nll = 1.0, np.inf
    for t in np.exp(np.linspace(np.log(0.05), np.log(5.0), 60)):
        p = softmax(logits / t)
        nll = -np.mean(np.log(p[np.arange(len(y)), y] + 1e-12))
        if nll < best_nll:
            best, best_nll = float(t), nll
    return best


_STOPWORDS = frozenset(tokens(
    "i me my we our you your it its is am are was were be been the a an and or but to of in on at "
    "for with this that there here have has had do does did not no so just can could would should "
    "will hi hello hey please thanks thank what when where why how who which from by as up get got "
    "im i'm it's dont don't any some still yet all about"))
