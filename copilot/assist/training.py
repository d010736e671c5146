"""Fitting a TextModel: features, the softmax head, then calibration and the abstain threshold.

A stratified slice of the examples is held out first to calibrate (temperature scaling) and to
pick the abstain threshold on rows the head has not seen; the final head is then refitted on all
examples, warm-started, with the same settings. Confidences therefore mean roughly what they say.
"""
from __future__ import annotations

import time

import numpy as np

from copilot.assist import embeddings, gate
from copilot.assist.features import Featuriser
from copilot.assist.knn import Memory, fuse, pick_weight
from copilot.assist.linear import fit_softmax, softmax
from copilot.assist.model import OOS, TextModel
from copilot.assist.negatives import near_misses

MIN_THRESHOLD = 0.3  # below this a "diagnosis" is mostly noise


def train_model(texts: list[str], labels: list[str], *, l2: float = 3e-5, char_weight: float = 1.0,
                use_embeddings: bool | None = None, dense_weight: float | None = None, target_precision: float = 0.9,
                dev_fraction: float = 0.15, seed: int = 0, near_miss: float = 0.0,
                threshold_rule: str = "auto", use_gate: bool = True) -> TextModel:
    """`use_embeddings`: True requires them, False never, None uses them when installed.
    `dense_weight`: scale of the embedding block; None picks it from the examples per class.
    `near_miss`: synthetic near-miss negatives per in-scope example (negatives.py; 0, the default: none;
    measured in bench/diagnosis.py and bench/ecommerce_cv.py, they did not pay)."""
    started = time.perf_counter()
    if use_embeddings is None:
        use_embeddings = embeddings.available()
    n_real = len(texts)
    negatives = near_misses(texts, labels, OOS, seed, near_miss) if near_miss > 0 else []
    source = np.concatenate([np.arange(n_real), [src for _, src in negatives]]).astype(np.int64)
    texts = list(texts) + [t for t, _ in negatives]
    labels = list(labels) + [OOS] * len(negatives)
    classes = sorted(set(labels))
    y = np.array([classes.index(lab) for lab in labels])
    if dense_weight is None:
        # with few examples per class the embeddings generalise better than the n-grams, so they
        # get more say (Banking77, 10 per class: 78.6 % at 1.0, 81.1 % at 2.0; full data: 1.0 best)
        dense_weight = 2.0 if np.median(np.bincount(y[:n_real])) < 25 else 1.0
    feats, X = Featuriser.fit_transform(texts, char_weight=char_weight)
    dense = None
    if use_embeddings:
        dense = embeddings.load().embed_many(texts) * np.float32(dense_weight)
    shell = TextModel(feats, np.zeros(0), classes, embeddings=embeddings.NAME if use_embeddings else None,
                      dense_weight=dense_weight)

    def logits_of(W: np.ndarray, rows: np.ndarray) -> np.ndarray:
        z = X.take(rows).dot(W[:feats.dim]) + W[-1]
        return z if dense is None else z + dense[rows] @ W[feats.dim:-1]

    dev = _stratified_dev(y[:n_real], dev_fraction, seed)  # real examples only
    real = np.arange(n_real)
    w0, knn_weight = None, 0.0
    if len(dev):
        held = np.flatnonzero(np.isin(source, dev))  # the held-out examples and their near misses
        fit_rows = np.setdiff1d(np.arange(len(y)), held)
        w0 = fit_softmax(X.take(fit_rows), y[fit_rows], len(classes), l2=l2,
                         dense=None if dense is None else dense[fit_rows])
        logits, similarity = logits_of(w0, held), None
        if dense is not None:
            memory_rows = np.setdiff1d(real, dev)
            similarity = Memory.build(dense[memory_rows], y[memory_rows], 0.0, len(classes)).similarity(dense[held])
            is_dev = held < n_real
            knn_weight = pick_weight(logits[is_dev], similarity[is_dev], y[held][is_dev])
            logits = fuse(logits, similarity, knn_weight) if knn_weight else logits
        _calibrate(shell, logits, similarity, y[held], held < n_real, target_precision, threshold_rule, use_gate)
    shell.W = fit_softmax(X, y, len(classes), l2=l2, dense=dense, w0=w0)
    if dense is not None:
        shell.memory = Memory.build(dense[real], y[real], knn_weight, len(classes))
    shell.info = {"n": n_real, "near_miss_negatives": len(negatives), "l2": l2, "char_weight": char_weight,
                  "dense_weight": dense_weight, "dev_size": int(len(dev)), "knn_weight": knn_weight,
                  "target_precision": target_precision,
                  "train_seconds": round(time.perf_counter() - started, 2)}
    return shell


def _calibrate(model: TextModel, logits: np.ndarray, similarity: np.ndarray | None, y: np.ndarray,
               real: np.ndarray, target_precision: float, threshold_rule: str, use_gate: bool) -> None:
    """Temperature, confidence gate and abstain threshold from the held-out rows (`real`: the
    examples themselves; the others are their synthetic near misses, used by the gate only)."""
    model.temperature = _fit_temperature(logits[real], y[real])
    X = gate.features(logits, model.temperature, model.oos_index, similarity)
    best = np.argmax(np.where(np.arange(len(model.classes)) == model.oos_index, -np.inf, logits), axis=1)
    right = best == y
    enough = len(right) >= gate.MIN_ROWS and min(right.sum(), (~right).sum()) >= gate.MIN_EACH
    model.gate = gate.fit(X, right) if use_gate and enough else None
    probs = model.calibrated(logits[real], None if similarity is None else similarity[real])
    model.threshold = pick_threshold(model, probs, y[real], target_precision, threshold_rule)


def pick_threshold(model: TextModel, probs: np.ndarray, y: np.ndarray, target: float, rule: str = "auto") -> float:
    """The abstain threshold, from held-out rows.

    With labelled out-of-scope rows among them ("balanced", the default then): the threshold that
    maximises the mean of in-scope accuracy (answered and right) and out-of-scope recall, among
    those whose answers reach `target` precision. Without ("precision"): the lowest threshold whose
    answers reach `target` precision (abstaining more would only lose right answers)."""
    oos = model.oos_index
    has_oos = oos is not None and bool(np.any(y == oos))
    if rule == "auto":
        rule = "balanced" if has_oos else "precision"
    best_t, best_score, best_prec = None, -1.0, (-1.0, 0.9)
    for t in np.arange(MIN_THRESHOLD, 0.91, 0.02):
        model.threshold = float(t)
        decided = [model.decide(p) for p in probs]
        right = np.array([not a and order[0] == truth for (order, a), truth in zip(decided, y)])
        answered = np.array([not a for _, a in decided])
        prec = right.sum() / answered.sum() if answered.any() else 0.0
        if prec > best_prec[0]:
            best_prec = (prec, float(t))
        if prec < target:
            continue
        if rule == "precision":
            return round(float(t), 2)
        in_scope = y != oos
        score = right[in_scope].mean() + (~answered[~in_scope]).mean() if has_oos else right.mean()
        if score > best_score:
            best_t, best_score = float(t), score
    return round(best_t if best_t is not None else best_prec[1], 2)


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


