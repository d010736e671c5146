"""Calibration of the confidence the engine shows: ECE and a reliability diagram on held-out rows.

    OMP_NUM_THREADS=1 python bench/calibration.py [--quick] [--svg copilot/assist/reliability.svg]

Held-out rows, never trained on by the model that scores them:
- Banking77: the shared train file split 80/20 (stratified, seed 0, as bench/diagnosis.py);
- e-commerce: 5-fold cross-validation of resources/training/ecommerce.csv (out-of-scope rows
  included: for them the shown confidence should be low, and they never count as right), plus
  the near-miss set scored by a model trained on all of ecommerce.csv.
A row counts as right when its best in-scope category is its label. The diagram plots, per
confidence bin, the share of rows that were right against the mean confidence shown; a perfectly
calibrated engine lies on the diagonal. Written as a plain SVG (no plotting library).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from diagnosis import DATA, stratified_split  # noqa: E402
from ecommerce_cv import stratified_folds  # noqa: E402

from copilot.assist.dataset import load_examples  # noqa: E402
from copilot.assist.metrics import expected_calibration_error, predictions  # noqa: E402
from copilot.assist.training import train_model  # noqa: E402

BINS = 10
ECOMMERCE = ROOT / "resources" / "training" / "ecommerce.csv"
NEAR_MISS = ROOT / "resources" / "training" / "near_miss_heldout.csv"


def scored(model, texts: list[str], labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    ranked, _abstained, confidence = predictions(model, texts)
    return np.array(confidence), np.array([r[0] == g for r, g in zip(ranked, labels)])


def banking() -> tuple[np.ndarray, np.ndarray]:
    ex = load_examples(DATA)
    train, dev = stratified_split(ex.labels, 0.2, seed=0)
    model = train_model([ex.texts[i] for i in train], [ex.labels[i] for i in train])
    return scored(model, [ex.texts[i] for i in dev], [ex.labels[i] for i in dev])


def ecommerce() -> tuple[np.ndarray, np.ndarray]:
    ex = load_examples(ECOMMERCE)
    texts, labels = np.array(ex.texts, dtype=object), np.array(ex.labels)
    fold = stratified_folds(labels, 5, 0)
    conf, right = [], []
    for k in range(5):
        model = train_model(list(texts[fold != k]), list(labels[fold != k]))
        c, r = scored(model, list(texts[fold == k]), list(labels[fold == k]))
        conf.append(c), right.append(r)
    near = load_examples(NEAR_MISS, for_training=False)
    c, r = scored(train_model(ex.texts, ex.labels), near.texts, near.labels)
    return np.concatenate(conf + [c]), np.concatenate(right + [r])


def bins(conf: np.ndarray, right: np.ndarray) -> list[tuple[float, float, int]]:
    which = np.minimum((conf * BINS).astype(int), BINS - 1)
    return [(float(conf[which == b].mean()), float(right[which == b].mean()), int(np.sum(which == b)))
            for b in range(BINS) if np.any(which == b)]


def svg(curves: dict[str, tuple[np.ndarray, np.ndarray]]) -> str:
    size, pad = 360, 48
    x = lambda v: pad + v * (size - 2 * pad)  # noqa: E731
    y = lambda v: size - pad - v * (size - 2 * pad)  # noqa: E731
    colours = ["#1f6feb", "#d9480f"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size + 170}" height="{size}" '
             f'font-family="sans-serif" font-size="11">',
             f'<rect x="{x(0)}" y="{y(1)}" width="{x(1) - x(0)}" height="{y(0) - y(1)}" fill="none" stroke="#888"/>',
             f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(1)}" stroke="#bbb" stroke-dasharray="4 3"/>']
    for t in np.linspace(0, 1, 6):
        parts.append(f'<text x="{x(t)}" y="{y(0) + 14}" text-anchor="middle">{t:.1f}</text>')
        parts.append(f'<text x="{x(0) - 6}" y="{y(t) + 4}" text-anchor="end">{t:.1f}</text>')
    parts.append(f'<text x="{(x(0) + x(1)) / 2}" y="{size - 12}" text-anchor="middle">confidence shown</text>')
    parts.append(f'<text x="12" y="{(y(0) + y(1)) / 2}" transform="rotate(-90 12 {(y(0) + y(1)) / 2})" '
                 f'text-anchor="middle">share right</text>')
    for n, (name, (conf, right)) in enumerate(curves.items()):
        colour, points = colours[n % len(colours)], bins(conf, right)
        path = " ".join(f"{x(c):.1f},{y(a):.1f}" for c, a, _ in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for c, a, k in points:
            r = 2 + 6 * np.sqrt(k / len(conf))
            parts.append(f'<circle cx="{x(c):.1f}" cy="{y(a):.1f}" r="{r:.1f}" fill="{colour}" fill-opacity="0.6"/>')
        ece = expected_calibration_error(list(conf), list(right), BINS)
        parts.append(f'<text x="{size - 20}" y="{pad + 18 * n}" fill="{colour}">{name}: ECE {ece:.3f} '
                     f'(n={len(conf)})</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="e-commerce only (no Banking77 training)")
    parser.add_argument("--svg", type=Path, default=ROOT / "copilot" / "assist" / "reliability.svg")
    args = parser.parse_args()
    curves = {"e-commerce CV + near misses": ecommerce()}
    if not args.quick:
        curves["Banking77 dev"] = banking()
    for name, (conf, right) in curves.items():
        print(f"{name}: n={len(conf)} ECE {expected_calibration_error(list(conf), list(right), BINS):.4f}")
        for c, a, k in bins(conf, right):
            print(f"  confidence {c:.2f}: right {a:.2f} (n={k})")
    args.svg.write_text(svg(curves), encoding="utf-8")
    print(f"reliability diagram written to {args.svg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
