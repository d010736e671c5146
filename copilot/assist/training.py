"""Fitting a TextModel: features, the softmax head, then calibration and the abstain threshold.

A stratified slice of the examples is held out first to calibrate (temperature scaling) and to
pick the abstain threshold on rows the head has not seen; the final head is then refitted on all
examples, warm-started, with the same settings. Confidences therefore mean roughly what they say.
"""
from __future__ import annotations

import time

import numpy as np

from copilot.assist import embeddings
from copilot.assist.features import Featuriser
from copilot.assist.knn import Memory, fuse, pick_weight
from copilot.assist.linear import fit_softmax, softmax
from copilot.assist.model import TextModel

MIN_THRESHOLD = 0.3  # below this a "diagnosis" is mostly noise


def train_model(texts: list[str], labels: list[str], *, l2: float = 3e-5, char_weight: float = 1.0,
                use_embeddings: bool | None = None, dense_weight: float | None = None, target_precision: float = 0.9,
                dev_fraction: float = 0.15, seed: int = 0) -> TextModel:
    """`use_embeddings`: True requires them, False never, None uses them when installed.
    `dense_weight`: scale of the embedding block; None picks it from the examples per class."""
    started = time.perf_counter()
    if use_embeddings is None:
        use_embeddings = embeddings.available()
    classes = sorted(set(labels))
    y = np.array([classes.index(lab) for lab in labels])
    if dense_weight is None:
        # with few examples per class the embeddings generalise better than the n-grams, so they
        # get more say (Banking77, 10 per class: 78.6 % at 1.0, 81.1 % at 2.0; full data: 1.0 best)
        dense_weight = 2.0 if np.median(np.bincount(y)) < 25 else 1.0
    feats, X = Featuriser.fit_transform(texts, char_weight=char_weight)
    dense = None
    if use_embeddings:
        dense = embeddings.load().embed_many(texts) * np.float32(dense_weight)
    shell = TextModel(feats, np.zeros(0), classes, embeddings=embeddings.NAME if use_embeddings else None,
                      dense_weight=dense_weight)

    def logits_of(W: np.ndarray, rows: np.ndarray) -> np.ndarray:
        z = X.take(rows).dot(W[:feats.dim]) + W[-1]
        return z if dense is None else z + dense[rows] @ W[feats.dim:-1]

    dev = _stratified_dev(y, dev_fraction, seed)
    w0, knn_weight = None, 0.0
    if len(dev):
        fit_rows = np.setdiff1d(np.arange(len(y)), dev)
        w0 = fit_softmax(X.take(fit_rows), y[fit_rows], len(classes), l2=l2,
                         dense=None if dense is None else dense[fit_rows])
        logits = logits_of(w0, dev)
        if dense is not None:
            similarity = Memory.build(dense[fit_rows], y[fit_rows], 0.0, len(classes)).similarity(dense[dev])
            knn_weight = pick_weight(logits, similarity, y[dev])
            logits = fuse(logits, similarity, knn_weight) if knn_weight else logits
        shell.temperature = _fit_temperature(logits, y[dev])
        shell.threshold = pick_threshold(shell, softmax(logits / shell.temperature), y[dev], target_precision)
    shell.W = fit_softmax(X, y, len(classes), l2=l2, dense=dense, w0=w0)
    if knn_weight:
        shell.memory = Memory.build(dense, y, knn_weight, len(classes))
    shell.info = {"n": len(texts), "l2": l2, "char_weight": char_weight, "dense_weight": dense_weight,
                  "dev_size": int(len(dev)),
                  "knn_weight": knn_weight,
                  "target_precision": target_precision,
                  "train_seconds": round(time.perf_counter() - started, 2)}
    return shell


def pick_threshold(model: TextModel, probs: np.ndarray, y: np.ndarray, target: float) -> float:
    """Lowest threshold whose answered held-out predictions reach `target` precision."""
    best_t, best_prec = 0.9, -1.0
    for t in np.arange(MIN_THRESHOLD, 0.91, 0.02):
        model.threshold = float(t)
        right = answered = 0
        for p, truth in zip(probs, y):
            order, abstain = model.decide(p)
            if not abstain:
                answered += 1
                right += order[0] == truth
        prec = right / answered if answered else 0.0
        if prec >= target:
            return round(float(t), 2)
        if prec > best_prec:
            best_t, best_prec = float(t), prec
    return round(best_t, 2)


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


