"""Held-out figures for a model: the numbers `copilot eval` prints and the bench compares.

Definitions (also in `copilot eval --help`):
- accuracy, macro_f1: when the examples include out-of-scope rows, an abstention counts as the
  prediction "oos" (so abstaining on an in-scope row is an error); without such rows, the best
  category is taken as is (plain top-1), which is how published intent benchmarks report.
- top3: in-scope rows whose category is among the 3 best.
- coverage: share of rows answered (not abstained); precision: precision when answering, the share
  of answered rows that are right.
- ece: expected calibration error of the confidence shown for the best category (10 bins; a row
  counts as right when its best category is its label; out-of-scope rows never are).
- oos_auroc: how well 1 - confidence ranks out-of-scope rows above in-scope ones (0.5: chance).
- in_scope_accuracy: in-scope rows answered with the right category; oos_recall: out-of-scope rows
  abstained on.
- p50_ms, p95_ms: one single-message diagnosis (features, scores, evidence, playbook), warm;
  p95_cpu_ms: the same in CPU time of the thread (robust to a busy machine).
"""
from __future__ import annotations

import time

import numpy as np

from copilot.assist.model import OOS, TextModel


def predictions(model: TextModel, texts: list[str]) -> tuple[list[list[str]], list[bool], list[float]]:
    """Per text: in-scope categories best first, whether the model abstains, and the confidence
    shown for the best category."""
    ranked, abstained, confidence = [], [], []
    for p in model.proba(texts):
        order, abstain = model.decide(p)
        ranked.append([model.classes[i] for i in order])
        abstained.append(abstain)
        confidence.append(float(p[order[0]]))
    return ranked, abstained, confidence


def expected_calibration_error(confidence: list[float], right: list[bool], bins: int = 10) -> float:
    """Mean |confidence - accuracy| over equal-width confidence bins, weighted by their rows."""
    conf, ok = np.asarray(confidence, float), np.asarray(right, float)
    which = np.minimum((conf * bins).astype(int), bins - 1)
    return float(sum(abs(conf[which == b].mean() - ok[which == b].mean()) * np.sum(which == b)
                     for b in range(bins) if np.any(which == b)) / max(1, len(conf)))


def auroc(positive: list[float], negative: list[float]) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    pos, neg = np.asarray(positive, float), np.asarray(negative, float)
    both = np.concatenate([pos, neg])
    order = np.argsort(both, kind="mergesort")
    ranks = np.empty(len(both))
    ranks[order] = np.arange(1, len(both) + 1)
    for value in np.unique(both):  # average ranks of ties
        tied = both == value
        ranks[tied] = ranks[tied].mean()
    return float((ranks[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def macro_f1(gold: list[str], pred: list[str]) -> float:
    scores = []
    for label in sorted(set(gold)):
        tp = sum(g == label and p == label for g, p in zip(gold, pred))
        fp = sum(g != label and p == label for g, p in zip(gold, pred))
        fn = sum(g == label and p != label for g, p in zip(gold, pred))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def evaluate(model: TextModel, texts: list[str], labels: list[str]) -> dict[str, float | int]:
    ranked, abstained, confidence = predictions(model, texts)
    has_oos = OOS in labels
    pred = [OOS if (a and has_oos) else r[0] for r, a in zip(ranked, abstained)]
    answered_pred = [OOS if a else r[0] for r, a in zip(ranked, abstained)]
    in_scope = [i for i, g in enumerate(labels) if g != OOS]
    answered = [i for i, a in enumerate(abstained) if not a]
    out: dict[str, float | int] = {
        "n": len(texts),
        "accuracy": float(np.mean([p == g for p, g in zip(pred, labels)])),
        "macro_f1": macro_f1(labels, pred),
        "top3": float(np.mean([labels[i] in ranked[i][:3] for i in in_scope])) if in_scope else 0.0,
        "threshold": model.threshold,
        "coverage": len(answered) / len(texts),
        "precision": float(np.mean([answered_pred[i] == labels[i] for i in answered])) if answered else 0.0,
        "ece": expected_calibration_error(confidence, [r[0] == g for r, g in zip(ranked, labels)]),
    }
    if has_oos:
        oos_rows = [i for i, g in enumerate(labels) if g == OOS]
        out["in_scope_accuracy"] = float(np.mean([answered_pred[i] == labels[i] for i in in_scope])) if in_scope else 0.0
        out["oos_recall"] = float(np.mean([abstained[i] for i in oos_rows]))
        if in_scope:  # how well the confidence separates out-of-scope rows from in-scope ones
            out["oos_auroc"] = auroc([1 - confidence[i] for i in oos_rows], [1 - confidence[i] for i in in_scope])
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}


def latency_ms(diagnose_one, texts: list[str], limit: int = 500) -> dict[str, float]:
    """p50/p95 wall time of `diagnose_one(text)` over up to `limit` texts, after a warm-up.

    Also p95 of the CPU time: on a busy machine the wall time includes waiting for a core, which
    says more about the neighbours than about the model.
    """
    sample = texts[:limit]
    for text in sample[:20]:
        diagnose_one(text)
    wall, cpu = [], []
    for text in sample:
        started, started_cpu = time.perf_counter(), time.thread_time()
        diagnose_one(text)
        cpu.append((time.thread_time() - started_cpu) * 1000.0)
        wall.append((time.perf_counter() - started) * 1000.0)
    return {"p50_ms": round(float(np.percentile(wall, 50)), 3), "p95_ms": round(float(np.percentile(wall, 95)), 3),
            "p95_cpu_ms": round(float(np.percentile(cpu, 95)), 3)}
