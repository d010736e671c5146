"""The numpy sparse products and the softmax trainer behind every model."""
import numpy as np

from copilot.assist.linear import Csr, fit_softmax


def random_csr(rng, n_rows=30, n_cols=12, density=0.3):
    dense = rng.random((n_rows, n_cols)).astype(np.float32) * (rng.random((n_rows, n_cols)) < density)
    dense[3] = 0.0  # an empty row
    rows = [(np.flatnonzero(r), r[np.flatnonzero(r)]) for r in dense]
    return dense, Csr.from_rows(rows, n_cols)


def test_dot_and_transpose_match_dense_numpy():
    rng = np.random.default_rng(0)
    dense, X = random_csr(rng)
    W = rng.random((12, 4)).astype(np.float32)
    assert np.allclose(X.dot(W, chunk=7), dense @ W, atol=1e-5)
    G = rng.random((30, 4)).astype(np.float32)
    assert np.allclose(X.transpose().dot(G), dense.T @ G, atol=1e-5)
    assert np.allclose(X.matmul_fn()(W), dense @ W, atol=1e-5)
    assert np.allclose(X.take(np.array([5, 3, 0])).dot(W), dense[[5, 3, 0]] @ W, atol=1e-5)


def test_softmax_regression_learns_a_separable_problem():
    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(3), 20)
    dense = np.zeros((60, 6), np.float32)
    dense[np.arange(60), y * 2] = 1.0  # each class has its own feature
    dense += rng.random((60, 6)).astype(np.float32) * 0.2
    X = Csr.from_rows([(np.arange(6), r) for r in dense], 6)
    W = fit_softmax(X, y, 3, l2=1e-3)
    assert W.shape == (7, 3)
    assert ((dense @ W[:-1] + W[-1]).argmax(1) == y).all()


def test_dense_block_is_used():
    y = np.array([0, 1] * 10)
    X = Csr.from_rows([(np.empty(0, np.int64), np.empty(0, np.float32))] * 20, 1)  # no sparse signal
    dense = np.stack([y, 1 - y], axis=1).astype(np.float32)
    W = fit_softmax(X, y, 2, l2=1e-3, dense=dense)
    assert ((dense @ W[1:-1] + W[-1]).argmax(1) == y).all()
