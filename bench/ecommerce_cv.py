"""Stratified k-fold cross-validation of the offline engine on a labelled CSV (the shipped e-commerce set
by default): how well a model trained on a team's examples does on examples it has not seen.

    OMP_NUM_THREADS=1 python bench/ecommerce_cv.py [--examples CSV] [--folds 5] [--seed 0] [--no-embeddings]
                                                   [--only-rows-of OLDER_CSV]

Trains one model per fold with the same code as `copilot train` and scores the held-out fold with
`copilot eval`'s metrics; prints figures weighted by fold size. `--only-rows-of` also scores just the
rows that appear in an older version of the file (to compare before and after examples were added).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from copilot.assist.dataset import load_examples  # noqa: E402
from copilot.assist.metrics import evaluate  # noqa: E402
from copilot.assist.training import train_model  # noqa: E402

FIGURES = ("accuracy", "in_scope_accuracy", "oos_recall", "macro_f1", "coverage", "precision", "ece")
DEFAULT_EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "training" / "ecommerce.csv"


def stratified_folds(labels: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Fold number per row: each label's rows shuffled, then dealt round the folds."""
    rng = np.random.default_rng(seed)
    fold = np.empty(len(labels), dtype=int)
    for label in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == label))
        fold[rows] = np.arange(len(rows)) % folds
    return fold


def weighted(sums: dict[str, float], total: int) -> dict[str, float]:
    return {key: round(value / total, 4) for key, value in sums.items()} | {"n": total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=Path, default=DEFAULT_EXAMPLES)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-embeddings", action="store_true", help="n-grams only, as the -ngrams model")
    parser.add_argument("--only-rows-of", type=Path, help="also score only the rows also in this CSV")
    args = parser.parse_args()

    examples = load_examples(args.examples)
    texts = np.array(examples.texts, dtype=object)
    labels = np.array(examples.labels)
    fold = stratified_folds(labels, args.folds, args.seed)
    older = None
    if args.only_rows_of:
        earlier = load_examples(args.only_rows_of)
        known = set(zip(earlier.texts, earlier.labels))
        older = np.array([(t, lab) in known for t, lab in zip(texts, labels)])

    overall: dict[str, float] = dict.fromkeys(FIGURES, 0.0)
    on_older: dict[str, float] = dict.fromkeys(FIGURES, 0.0)
    for k in range(args.folds):
        train, test = fold != k, fold == k
        model = train_model(list(texts[train]), list(labels[train]), use_embeddings=not args.no_embeddings)
        for sums, rows in ((overall, test), (on_older, test & older if older is not None else None)):
            if rows is None or not rows.any():
                continue
            figures = evaluate(model, list(texts[rows]), list(labels[rows]))
            for key in FIGURES:
                sums[key] += figures[key] * rows.sum()
        print(f"fold {k + 1}/{args.folds} done", file=sys.stderr)
    result = {"examples": str(args.examples), "folds": args.folds, "seed": args.seed,
              "embeddings": not args.no_embeddings, "all rows": weighted(overall, len(labels))}
    if older is not None:
        result["rows also in " + args.only_rows_of.name] = weighted(on_older, int(older.sum()))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
