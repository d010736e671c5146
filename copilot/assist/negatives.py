"""Synthetic near-miss negatives: training examples with the words that carry their category taken out.

The failure this prevents: a model that learned "subscription" → "Cancel subscription" diagnoses
"I want to renew my subscription" as a cancellation at 0.998. Words that set the scene (order,
subscription, card, parcel) are shared by requests inside and outside a category; the words that
decide it (cancel, late, twice) are few. Removing the deciding words from a training example
leaves a message that sounds like the category but asks for nothing it handles: an out-of-scope
example that sits right next to the category, where real out-of-scope requests land.

Which words decide a category is measured on the examples themselves (smoothed log-odds of a word
in the category against the rest), so this works for any team's CSV, with or without labelled
out-of-scope rows.
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from copilot.assist.features import tokens

SHARE = 0.2  # synthetic negatives per in-scope example (at most)
MIN_WORDS = 3  # a shorter remainder says nothing at all: not a useful negative
DECIDING = 1.5  # log-odds above which a word counts as deciding its category
DROP = 2  # the most deciding words removed from one example: the rest still sets the scene


def deciding_words(texts: list[str], labels: list[str], oos: str) -> dict[str, dict[str, float]]:
    """Per category, the words much more frequent in it than in the other categories, with their
    log-odds (smoothed; a word must occur in 2 examples of the category)."""
    docs = [set(tokens(t)) for t in texts]
    by_class: dict[str, Counter] = {}
    total: Counter = Counter()
    sizes = Counter(labels)
    for words, label in zip(docs, labels):
        if label == oos:
            continue
        by_class.setdefault(label, Counter()).update(words)
        total.update(words)
    n_in = sum(n for c, n in sizes.items() if c != oos)
    out = {}
    for label, counts in by_class.items():
        inside, outside = sizes[label], max(1, n_in - sizes[label])
        odds = {w: float(np.log((k + 0.5) / inside) - np.log((total[w] - k + 0.5) / outside))
                for w, k in counts.items() if k >= 2}
        out[label] = {w: v for w, v in odds.items() if v > DECIDING}
    return out


def near_misses(texts: list[str], labels: list[str], oos: str, seed: int = 0,
                share: float = SHARE) -> list[tuple[str, int]]:
    """Out-of-scope examples made from in-scope ones by dropping their deciding words, each with the
    index of the example it came from (training keeps a held-out example's negative held out too)."""
    deciding = deciding_words(texts, labels, oos)
    rng = np.random.default_rng(seed)
    candidates: dict[str, int] = {}
    for source, (text, label) in enumerate(zip(texts, labels)):
        if label == oos:
            continue
        words = tokens(text)
        scores = deciding[label]
        drop = set(sorted((w for w in set(words) if w in scores), key=lambda w: -scores[w])[:DROP])
        kept = [w for w in words if w not in drop]
        if len(kept) >= MIN_WORDS and len(kept) < len(words):
            candidates.setdefault(" ".join(kept), source)
    pairs = sorted(candidates.items())
    limit = int(share * sum(lab != oos for lab in labels))
    if len(pairs) > limit:
        pairs = [pairs[i] for i in sorted(rng.choice(len(pairs), limit, replace=False))]
    return pairs
