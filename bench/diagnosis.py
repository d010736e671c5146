"""Diagnosis benchmark on Banking77: our offline model next to a scikit-learn TF-IDF + LR baseline.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python bench/diagnosis.py [--quick] [--json FILE]

Trains on the shared Banking77 train file with a stratified dev split held out here (the official
test split is kept by the maintainers), and prints, for both engines measured in the same run:
top-1 / top-3 / macro-F1 on the dev split; coverage and precision at the abstain threshold;
top-1 with 10 examples per class; open set as CLINC150 poses it: 16 classes leave the taxonomy,
100 rows of 6 of them become the `oos` training examples, and the dev rows of the other 10 are the
out-of-scope test queries (kinds of request never seen in training), scored as out-of-scope recall,
in-scope accuracy, precision when answering, ECE and AUROC; the same with synthetic near-miss
negatives (negatives.py); p50/p95 of one message, warm, one thread; model load; training time on
all ~10k examples. scikit-learn is needed here only (pip install scikit-learn), never at runtime.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from copilot.assist import embeddings  # noqa: E402
from copilot.assist.dataset import load_examples  # noqa: E402
from copilot.assist.metrics import evaluate, latency_ms  # noqa: E402
from copilot.assist.model import OOS, TextModel  # noqa: E402
from copilot.assist.training import train_model  # noqa: E402

# shared/ sits beside the checkout (or beside the worktrees' folder)
DATA = next((p / "shared" / "data" / "banking77" / "train.csv" for p in (ROOT.parent, ROOT.parent.parent)
             if (p / "shared" / "data" / "banking77" / "train.csv").exists()),
            ROOT.parent / "shared" / "data" / "banking77" / "train.csv")


class Baseline:
    """TF-IDF (word 1-2 + char_wb 2-5, sublinear) + LogisticRegression, same decision rule as ours."""

    def __init__(self, texts: list[str], labels: list[str], threshold: float = 0.5):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        features = make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                              TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True))
        self.pipe = make_pipeline(features, LogisticRegression(C=10, max_iter=2000))
        self.pipe.fit(texts, labels)
        self.classes = list(self.pipe.classes_)
        self.threshold = threshold

    gate = None  # the softmax is its confidence
    oos_index = TextModel.oos_index
    decide = TextModel.decide

    def proba(self, texts: list[str]) -> np.ndarray:
        return self.pipe.predict_proba(texts)


def stratified_split(labels: list[str], fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels_arr = np.array(labels)
    held = []
    for c in sorted(set(labels)):
        members = np.flatnonzero(labels_arr == c)
        held.extend(rng.choice(members, int(round(len(members) * fraction)), replace=False))
    held = np.sort(np.array(held))
    return np.setdiff1d(np.arange(len(labels)), held), held


def per_class(labels: list[str], rows: np.ndarray, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    labels_arr = np.array(labels)[rows]
    picked = [rng.choice(rows[labels_arr == c], k, replace=False) for c in sorted(set(labels_arr))]
    return np.sort(np.concatenate(picked))


def oos_setting(labels: list[str], train: np.ndarray, dev: np.ndarray, seed: int, seen: int = 6, unseen: int = 10,
                oos_rows: int = 100):
    """CLINC150-like open set: `seen` + `unseen` classes leave; `oos_rows` training rows of the seen
    ones become `oos` examples; the dev rows of the unseen ones are the out-of-scope test queries."""
    rng = np.random.default_rng(seed)
    gone = list(rng.choice(sorted(set(labels)), seen + unseen, replace=False))
    seen_set, unseen_set = set(gone[:seen]), set(gone[seen:])
    new = [OOS if lab in seen_set | unseen_set else lab for lab in labels]
    pool = [i for i in train if labels[i] in seen_set]
    keep = [i for i in train if labels[i] not in seen_set | unseen_set] + list(rng.choice(pool, oos_rows, replace=False))
    test = [i for i in dev if labels[i] not in seen_set]
    return new, np.sort(np.array(keep)), np.array(test)


def measure(name, fit, texts, labels, train, dev, figures, timing=True):
    started, started_cpu = time.perf_counter(), time.thread_time()
    model = fit([texts[i] for i in train], [labels[i] for i in train])
    seconds, cpu = time.perf_counter() - started, time.thread_time() - started_cpu
    dev_texts = [texts[i] for i in dev]
    out = evaluate(model, dev_texts, [labels[i] for i in dev])
    out["train_s"], out["train_cpu_s"] = round(seconds, 1), round(cpu, 1)
    if timing:
        out.update(latency_ms(lambda t: model.decide(model.proba([t])[0]), dev_texts))
    figures[name] = out
    print(f"  {name}: {json.dumps(out)}", file=sys.stderr, flush=True)
    return model


def package_mb(*names: str) -> float:
    import importlib.util

    total = 0
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec and spec.submodule_search_locations:
            total += sum(p.stat().st_size for p in Path(list(spec.submodule_search_locations)[0]).rglob("*")
                         if p.is_file())
    return round(total / 1e6, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--quick", action="store_true", help="skip the 10-per-class and out-of-scope runs")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--json", type=Path, help="also write all figures to this file")
    args = parser.parse_args()

    ex = load_examples(args.data)
    texts, labels = ex.texts, ex.labels
    train, dev = stratified_split(labels, 0.2, seed=0)
    print(f"{len(texts)} examples, {len(set(labels))} classes; train {len(train)}, dev {len(dev)}; "
          f"embeddings: {'yes' if embeddings.available() else 'NOT INSTALLED'}", file=sys.stderr)
    engines = {"ours": lambda t, y: train_model(t, y)}
    if not args.no_baseline:
        engines["sklearn"] = lambda t, y: Baseline(t, y)
    figures: dict[str, dict] = {}
    for eng, fit in engines.items():
        measure(f"{eng}/full", fit, texts, labels, train, dev, figures)
        if not args.quick:
            measure(f"{eng}/10-per-class", fit, texts, labels, per_class(labels, train, 10, 0), dev, figures,
                    timing=False)
            o_labels, o_train, o_dev = oos_setting(labels, train, dev, seed=0)
            measure(f"{eng}/oos", fit, texts, o_labels, o_train, o_dev, figures, timing=False)
            if eng == "ours":
                measure("near-miss/oos", lambda t, y: train_model(t, y, near_miss=0.2), texts, o_labels, o_train,
                        o_dev, figures, timing=False)

    started, started_cpu = time.perf_counter(), time.thread_time()
    model = train_model(texts, labels)
    figures["ours/all-10k"] = {"train_s": round(time.perf_counter() - started, 1), "n": len(texts),
                               "train_cpu_s": round(time.thread_time() - started_cpu, 1)}
    with tempfile.TemporaryDirectory() as tmp:
        model.save(Path(tmp))
        embeddings.load.cache_clear()
        started, started_cpu = time.perf_counter(), time.thread_time()
        TextModel.load(Path(tmp))
        figures["ours/all-10k"]["load_ms"] = round((time.perf_counter() - started) * 1000, 1)
        figures["ours/all-10k"]["load_cpu_ms"] = round((time.thread_time() - started_cpu) * 1000, 1)
        figures["ours/all-10k"]["model_mb"] = round(sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6, 2)
    figures["install_mb"] = {"wordllama+tokenizers+safetensors": package_mb("wordllama", "tokenizers", "safetensors"),
                             "sklearn+scipy (baseline only)": package_mb("sklearn", "scipy")}
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


def report(figures: dict) -> None:
    rows = [("top-1 (dev)", "full", "accuracy"), ("top-3 (dev)", "full", "top3"),
            ("macro-F1 (dev)", "full", "macro_f1"), ("coverage at threshold", "full", "coverage"),
            ("precision at threshold", "full", "precision"), ("top-1, 10 per class", "10-per-class", "accuracy"),
            ("ECE (dev)", "full", "ece"),
            ("oos recall", "oos", "oos_recall"), ("in-scope accuracy (with oos)", "oos", "in_scope_accuracy"),
            ("precision when answering (oos)", "oos", "precision"), ("ECE (oos)", "oos", "ece"),
            ("oos AUROC", "oos", "oos_auroc"),
            ("p50 ms", "full", "p50_ms"), ("p95 ms", "full", "p95_ms"), ("p95 CPU ms", "full", "p95_cpu_ms"),
            ("train s (80% split)", "full", "train_s"), ("train CPU s (80% split)", "full", "train_cpu_s")]
    print(f"{'metric':<32}{'ours':>10}{'sklearn':>10}{'near-miss':>11}")
    for title, run, key in rows:
        cells = []
        for eng in ("ours", "sklearn", "near-miss"):
            v = figures.get(f"{eng}/{run}", {}).get(key)
            cells.append("-" if v is None else f"{v:.3f}" if key in ("ece", "oos_auroc") else
                         f"{v * 100:.1f}%" if not key.endswith(("_ms", "_s")) else f"{v}")
        print(f"{title:<32}{cells[0]:>10}{cells[1]:>10}{cells[2]:>11}")
    allrun = figures["ours/all-10k"]
    print(f"ours, all {allrun['n']} examples: train {allrun['train_s']} s ({allrun['train_cpu_s']} s CPU), "
          f"load {allrun['load_ms']} ms ({allrun['load_cpu_ms']} ms CPU), model {allrun['model_mb']} MB")
    print("installed MB: " + ", ".join(f"{k} {v}" for k, v in figures["install_mb"].items()))


if __name__ == "__main__":
    sys.exit(main())
