"""Checks a model folder as it is read, so a damaged or hand-edited model fails at load with one
clear sentence instead of loading and then failing on every chat.

`model.json` must hold the right types and sane numbers; `model.npz` must be a whole archive
whose arrays have the shapes, kinds and orderings the engine relies on. Anything else raises
ModelError naming the file and the fault.
"""
from __future__ import annotations

import math
import zipfile
from pathlib import Path

import numpy as np

from copilot.assist.embeddings import NAME as EMBEDDINGS
from copilot.assist.gate import N_FEATURES

ARRAYS = ("W", "word_vocab", "word_idf", "char_vocab", "char_idf", "char_weight")


class ModelError(ValueError):
    """A model folder that cannot be used; the message is one line for the person who made it."""


def _number(meta: dict, key: str, low: float, high: float, default=None) -> float:
    value = meta.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ModelError(f"'{key}' must be a number (found {value!r:.40})")
    if not low <= value <= high:
        raise ModelError(f"'{key}' must be between {low} and {high} (found {value})")
    return float(value)


def check_meta(meta, fmt: int) -> dict:
    """The fields of model.json, type-checked; raises ModelError."""
    if not isinstance(meta, dict):
        raise ModelError("expected a JSON object")
    if meta.get("format") != fmt:
        raise ModelError(f"unsupported model format {meta.get('format')!r:.40} (this version reads {fmt})")
    classes = meta.get("classes")
    if (not isinstance(classes, list) or len(classes) < 2 or len(set(map(str, classes))) != len(classes)
            or not all(isinstance(c, str) and c.strip() for c in classes)):
        raise ModelError("'classes' must be a list of at least 2 distinct category names")
    embeddings = meta.get("embeddings")
    if embeddings is not None and embeddings != EMBEDDINGS:
        raise ModelError(f"unknown embeddings {embeddings!r:.60} (this version knows {EMBEDDINGS!r} or null)")
    info = meta.get("info", {})
    return {"classes": classes, "temperature": _number(meta, "temperature", 1e-3, 1e3),
            "threshold": _number(meta, "threshold", 0.0, 1.0), "embeddings": embeddings,
            "dense_weight": _number(meta, "dense_weight", 0.0, 1e3, 1.0),
            "knn_weight": _number(meta, "knn_weight", 0.0, 1e3, 0.0),
            "info": info if isinstance(info, dict) else {}}


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array of model.npz, read now (a truncated archive fails here, not on the first chat)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except FileNotFoundError:
        raise ModelError("missing (the folder holds no model.npz)") from None
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, KeyError) as exc:
        raise ModelError(f"damaged or not a model archive ({type(exc).__name__}: {str(exc)[:80]})") from None


def _vocab(arrays: dict, vocab: str, idf: str) -> int:
    v, w = arrays[vocab], arrays[idf]
    if v.ndim != 1 or v.dtype != np.uint32 or w.shape != v.shape or w.dtype.kind != "f":
        raise ModelError(f"'{vocab}'/'{idf}' have the wrong kind or shape")
    if len(v) > 1 and not np.all(v[1:] > v[:-1]):
        raise ModelError(f"'{vocab}' is not sorted")
    return len(v)


def check_arrays(arrays: dict, meta: dict, dense_dim: int) -> None:
    """Shapes and kinds that inference relies on; `dense_dim` is the embedder's width (0: none)."""
    absent = [name for name in ARRAYS if name not in arrays]
    if absent:
        raise ModelError(f"arrays missing: {', '.join(absent)}")
    dim = _vocab(arrays, "word_vocab", "word_idf") + _vocab(arrays, "char_vocab", "char_idf")
    k = len(meta["classes"])
    W = arrays["W"]
    if W.dtype.kind != "f" or W.shape != (dim + dense_dim + 1, k):
        raise ModelError(f"weights have shape {W.shape}, expected {(dim + dense_dim + 1, k)}")
    if arrays["char_weight"].shape != () or arrays["char_weight"].dtype.kind != "f":
        raise ModelError("'char_weight' must be one number")
    for name in ("W", "word_idf", "char_idf", "char_weight"):
        if not np.all(np.isfinite(arrays[name])):
            raise ModelError(f"'{name}' holds values that are not finite numbers")
    if "gate" in arrays and (arrays["gate"].shape != (N_FEATURES + 1,) or arrays["gate"].dtype.kind != "f"
                             or not np.all(np.isfinite(arrays["gate"]))):
        raise ModelError("the confidence gate has the wrong kind or shape")
    if "knn_vectors" in arrays and dense_dim:
        vectors, labels = arrays["knn_vectors"], arrays.get("knn_labels")
        if (labels is None or vectors.dtype.kind != "f" or vectors.ndim != 2 or vectors.shape[1] != dense_dim
                or labels.shape != (len(vectors),) or labels.dtype.kind not in "iu" or not len(labels)):
            raise ModelError("the nearest-example memory has the wrong kind or shape")
        if labels.min() < 0 or labels.max() >= k or np.any(np.diff(labels) < 0):
            raise ModelError("the nearest-example memory's labels are out of range or unsorted")
        if not np.all(np.isfinite(vectors)):
            raise ModelError("the nearest-example memory holds values that are not finite numbers")
