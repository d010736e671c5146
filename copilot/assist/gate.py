"""The confidence shown with a diagnosis: the probability that the best category is right.

The softmax alone is a poor judge of a message that belongs to no category: it spreads 100 %
over the categories it knows, and one that shares a scene word ("subscription") wins by a mile.
The gate is a small logistic regression, fitted on held-out rows during training, that reads
several signals at once and answers "is the top category right?":

- how sure the head is (log of the best probability, its margin over the second),
- the out-of-scope class's probability (when the examples had out-of-scope rows),
- the best in-scope score before normalisation (max-logit: low for text unlike any category,
  which the softmax hides),
- how close the message is to the nearest training example of the best category, and of any
  category (embedding cosine; 0 without embeddings).

Its output is calibrated by construction on the held-out rows (out-of-scope rows and synthetic
near misses count as "not right"), so it is what the engine shows and what the abstain
threshold is set on.
"""
from __future__ import annotations

import numpy as np

from copilot.assist.linear import softmax

N_FEATURES = 6
RIDGE = 1e-3
MIN_ROWS, MIN_EACH = 40, 5  # fewer held-out rows, or right/wrong ones, than this: no gate (softmax only)


def features(z: np.ndarray, temperature: float, oos: int | None, sim: np.ndarray | None) -> np.ndarray:
    """(m, N_FEATURES) gate inputs from logits z (m, k) and nearest-example similarity (m, k) or None."""
    z = np.atleast_2d(z)
    p = softmax(z / temperature)
    in_scope = np.ones(z.shape[1], bool)
    if oos is not None:
        in_scope[oos] = False
    p_in, z_in = p[:, in_scope], z[:, in_scope]
    ranked = np.sort(p_in, axis=1)
    top, second = ranked[:, -1], ranked[:, -2]
    best = np.argmax(p_in, axis=1)
    rows = np.arange(len(z))
    p_oos = p[:, oos] if oos is not None else np.zeros(len(z))
    if sim is None:
        sim_top = sim_max = np.zeros(len(z))
    else:
        sim_in = np.atleast_2d(sim)[:, in_scope]
        sim_top, sim_max = sim_in[rows, best], sim_in.max(axis=1)
    return np.column_stack([np.log(top + 1e-9), np.log(top + 1e-9) - np.log(second + 1e-9), p_oos,
                            z_in.max(axis=1) / temperature, sim_top, sim_max]).astype(np.float64)


def fit(X: np.ndarray, right: np.ndarray, iterations: int = 50) -> np.ndarray | None:
    """Logistic regression by Newton's method; weights (N_FEATURES + 1,) with the bias last.
    None when the rows are all right or all wrong (nothing to learn from)."""
    right = right.astype(np.float64)
    if right.min() == right.max():
        return None
    mean, scale = X.mean(axis=0), X.std(axis=0) + 1e-6
    A = np.column_stack([(X - mean) / scale, np.ones(len(X))])
    w = np.zeros(A.shape[1])
    ridge = RIDGE * len(X) * np.r_[np.ones(A.shape[1] - 1), 0.0]
    for _ in range(iterations):
        q = 1.0 / (1.0 + np.exp(-np.clip(A @ w, -30, 30)))
        grad = A.T @ (q - right) + ridge * w
        hess = (A * (q * (1 - q))[:, None]).T @ A + np.diag(ridge + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    # fold the standardisation into the weights: the model file keeps one vector
    return np.r_[w[:-1] / scale, w[-1] - float(np.sum(w[:-1] * mean / scale))]


def confidence(weights: np.ndarray, X: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(X @ weights[:-1] + weights[-1], -30, 30)))


def rescale(p: np.ndarray, oos: int | None, conf: np.ndarray, cap: float) -> np.ndarray:
    """Class probabilities whose best in-scope value is the gate's confidence; the other in-scope
    classes keep their ratio to it, and what is left goes to out-of-scope."""
    p = np.atleast_2d(p)
    in_scope = np.ones(p.shape[1], bool)
    if oos is not None:
        in_scope[oos] = False
    p_in = p[:, in_scope]
    c = np.minimum(conf, cap)[:, None]
    scaled = p_in * (c / p_in.max(axis=1, keepdims=True))
    total = scaled.sum(axis=1, keepdims=True)
    scaled *= np.minimum(1.0, cap / total)  # the in-scope classes together stay below the cap
    if oos is None:
        return scaled  # no out-of-scope class: the probabilities add up to the confidence left
    out = np.zeros(p.shape)
    out[:, in_scope], out[:, oos] = scaled, 1.0 - scaled.sum(axis=1)
    return out
