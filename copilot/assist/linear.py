"""A sparse matrix just big enough for our needs, and multinomial logistic regression in numpy.

The runtime needs only numpy: one message is a handful of rows of the weight matrix. Training
uses scipy.sparse for the big products when it happens to be installed (several times faster),
and a chunked numpy path otherwise; both compute the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Csr:
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    n_cols: int

    @classmethod
    def from_rows(cls, rows: list[tuple[np.ndarray, np.ndarray]], n_cols: int) -> "Csr":
        lengths = np.array([len(i) for i, _ in rows], dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        indices = np.concatenate([i for i, _ in rows] or [np.empty(0, np.int64)]).astype(np.int64)
        data = np.concatenate([v for _, v in rows] or [np.empty(0, np.float32)]).astype(np.float32)
        return cls(indptr, indices, data, n_cols)

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def take(self, rows: np.ndarray) -> "Csr":
        parts = [(self.indices[self.indptr[r]:self.indptr[r + 1]], self.data[self.indptr[r]:self.indptr[r + 1]])
                 for r in rows]
        return Csr.from_rows(parts, self.n_cols)

    def transpose(self) -> "Csr":
        row_of = np.repeat(np.arange(self.n_rows), np.diff(self.indptr))
        order = np.argsort(self.indices, kind="stable")
        counts = np.bincount(self.indices, minlength=self.n_cols)
        indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return Csr(indptr, row_of[order], self.data[order], self.n_rows)

    def dot(self, dense: np.ndarray, chunk: int = 2048) -> np.ndarray:
        """self @ dense, with dense of shape (n_cols, k)."""
        out = np.zeros((self.n_rows, dense.shape[1]), dtype=np.float32)
        for start in range(0, self.n_rows, chunk):
            stop = min(self.n_rows, start + chunk)
            lo, hi = self.indptr[start], self.indptr[stop]
            if hi == lo:
                continue
            prod = dense[self.indices[lo:hi]] * self.data[lo:hi, None]
            starts = self.indptr[start:stop] - lo
            nonempty = np.diff(self.indptr[start:stop + 1]) > 0
            out[start:stop][nonempty] = np.add.reduceat(prod, starts[nonempty], axis=0)
        return out

    def matmul_fn(self):
        """A fast `X @ dense` for repeated use during training (scipy imported only here: slow import)."""
        try:
            import scipy.sparse as sp
        except ImportError:  # pragma: no cover - exercised where scipy is absent
            return self.dot
        m = sp.csr_matrix((self.data, self.indices, self.indptr), shape=(self.n_rows, self.n_cols))
        return lambda d: np.asarray(m @ d, dtype=np.float32)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def fit_softmax(X: Csr, y: np.ndarray, n_classes: int, l2: float = 1e-4, max_iter: int = 300,
                dense: np.ndarray | None = None, w0: np.ndarray | None = None,
                tol: float = 1e-5) -> np.ndarray:
    """Multinomial logistic regression by L-BFGS. Returns W of shape (n_features [+dense] + 1, k).

    The last row is the bias (not regularised). `dense` adds extra dense features per row.
    """
    n = X.n_rows
    xw, xtw = X.matmul_fn(), X.transpose().matmul_fn()
    d_sparse = X.n_cols
    d_dense = 0 if dense is None else dense.shape[1]
    d = d_sparse + d_dense
    Y = np.zeros((n, n_classes), np.float32)
    Y[np.arange(n), y] = 1.0

    def f_grad(wflat: np.ndarray) -> tuple[float, np.ndarray]:
        W = wflat.reshape(d + 1, n_classes).astype(np.float32)
        z = xw(W[:d_sparse]) + W[d]
        if d_dense:
            z += dense @ W[d_sparse:d]
        z -= z.max(axis=1, keepdims=True)
        logsum = np.log(np.exp(z).sum(axis=1))
        loss = float(np.mean(logsum - (z * Y).sum(axis=1)))
        G = (np.exp(z - logsum[:, None]) - Y) / n
        grad = np.empty_like(W)
        grad[:d_sparse] = xtw(G)
        if d_dense:
            grad[d_sparse:d] = dense.T @ G
        grad[d] = G.sum(axis=0)
        Wr = W[:d].astype(np.float64)
        loss += 0.5 * l2 * float((Wr * Wr).sum())
        grad[:d] += l2 * W[:d]
        return loss, grad.ravel().astype(np.float64)

    x = np.zeros((d + 1) * n_classes) if w0 is None else w0.ravel().astype(np.float64)
    return _lbfgs(f_grad, x, max_iter, tol).reshape(d + 1, n_classes).astype(np.float32)


def _lbfgs(f_grad, x: np.ndarray, max_iter: int, tol: float, m: int = 10) -> np.ndarray:
    """Plain L-BFGS with a backtracking (Armijo) line search; enough for a convex smooth loss."""
    f, g = f_grad(x)
    s_hist: list[np.ndarray] = []
    y_hist: list[np.ndarray] = []
    sy_hist: list[float] = []  # y·s of each pair, kept: each dot product reads two model-sized vectors
    for _ in range(max_iter):
        q = g.copy()
        alphas = []
        for s, yv, sy in zip(reversed(s_hist), reversed(y_hist), reversed(sy_hist)):
            a = s @ q / sy
            alphas.append(a)
            q -= a * yv
        if s_hist:
            q *= sy_hist[-1] / (y_hist[-1] @ y_hist[-1])
        for s, yv, sy, a in zip(s_hist, y_hist, sy_hist, reversed(alphas)):
            q += s * (a - yv @ q / sy)
        direction = -q
        slope = g @ direction
        if slope >= 0:  # not a descent direction: restart from steepest descent
            s_hist.clear(), y_hist.clear(), sy_hist.clear()
            direction, slope = -g, -(g @ g)
        step = 1.0 if s_hist else 1.0 / max(1.0, np.sqrt(g @ g))
        while True:
            x_new = x + step * direction
            f_new, g_new = f_grad(x_new)
            if f_new <= f + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s, yv = x_new - x, g_new - g
        sy = float(yv @ s)
        if sy > 1e-10:
            s_hist.append(s), y_hist.append(yv), sy_hist.append(sy)
            if len(s_hist) > m:
                s_hist.pop(0), y_hist.pop(0), sy_hist.pop(0)
        converged = abs(f - f_new) <= tol * max(1.0, abs(f))
        x, f, g = x_new, f_new, g_new
        if converged:
            break
    return x
