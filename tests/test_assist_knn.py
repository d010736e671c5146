"""The nearest-example memory next to the linear head."""
import numpy as np

from copilot.assist.knn import Memory, fuse, pick_weight


def test_similarity_is_the_closest_example_per_class():
    vectors = np.array([[1, 0], [0, 1], [1, 1]], np.float32)
    labels = np.array([2, 0, 2])
    mem = Memory.build(vectors, labels, 1.0, n_classes=3)
    sims = mem.similarity(np.array([1.0, 0.0], np.float32))[0]
    assert sims[1] == 0.0  # no example of class 1
    assert np.isclose(sims[2], 1.0) and np.isclose(sims[0], 0.0)


def test_memory_is_capped_per_class():
    vectors = np.random.default_rng(0).random((100, 4)).astype(np.float32)
    labels = np.repeat([0, 1], 50)
    mem = Memory.build(vectors, labels, 1.0, 2, per_class=7)
    assert len(mem.vectors) == 14 and (np.bincount(mem.labels) == 7).all()


def test_fuse_without_weight_keeps_the_head_ranking():
    logits = np.array([[2.0, 1.0, 3.0]])
    assert (fuse(logits, np.array([[0.0, 1.0, 0.0]]), 0.0).argmax(1) == [2]).all()
    assert (fuse(logits, np.array([[0.0, 1.0, 0.0]]), 5.0).argmax(1) == [1]).all()


def test_pick_weight_turns_the_memory_off_when_it_does_not_help():
    logits = np.array([[3.0, 0.0], [0.0, 3.0]])
    misleading = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert pick_weight(logits, misleading, np.array([0, 1])) == 0.0
    helpful_logits = np.array([[0.0, 0.1], [0.1, 0.0]])
    assert pick_weight(helpful_logits, np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 1])) > 0
