"""Proposed new categories: the unmatched messages grouped by what they ask, for the team lead.

How the grouping works, and why:
- Each message becomes a vector: TF-IDF of its words (vocabulary: words in at least two of the
  messages, so the topic words of a recurring request count and one-off words do not), joined
  with its sentence embedding when the embeddings package is installed (so "gift wrap" and
  "wrapping paper" meet). Cosine similarity, half from each part.
- Groups are grown greedily around the densest message: the message with the most unassigned
  neighbours above the similarity bar becomes a group with those neighbours; repeat until no
  message has enough neighbours left. This needs no number of groups in advance (a lead does
  not know how many new categories there are), leaves one-off messages ungrouped instead of
  forcing them somewhere, and gives the same groups on every run.
- A group is named by its most characteristic words, and shown with the messages nearest its
  centre and the existing categories the engine leaned to for them (which neighbour it is
  confused with).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from copilot.assist.features import tokens
from copilot.assist.model import STOPWORDS
from copilot.assist.unmatched import Unmatched

SIMILAR = 0.45  # cosine similarity for two messages to count as the same request
MIN_GROUP = 3  # fewer messages than this is an anecdote, not a category
MAX_MESSAGES = 5000  # the newest ones; bounds the similarity matrix (n² floats)


@dataclass
class Group:
    name: str
    size: int
    words: list[str]
    examples: list[str]
    nearest_categories: list[tuple[str, int]]  # (category the engine leaned to, messages)
    abstained: int
    rejected: int
    members: list[int] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        return {"name": self.name, "size": self.size, "words": self.words, "examples": self.examples,
                "nearest_categories": [{"category": c, "messages": n} for c, n in self.nearest_categories],
                "abstained": self.abstained, "wrong_diagnosis": self.rejected}


def _word_vectors(texts: list[str]) -> tuple[np.ndarray, list[str]]:
    docs = [[w for w in tokens(t) if w not in STOPWORDS and len(w) > 2 and not w.isdigit()] for t in texts]
    df = Counter(w for d in docs for w in set(d))
    vocab = sorted(w for w, n in df.items() if n >= 2)[:20000]
    index = {w: i for i, w in enumerate(vocab)}
    idf = np.array([np.log((1 + len(texts)) / (1 + df[w])) + 1.0 for w in vocab], np.float32)
    V = np.zeros((len(texts), len(vocab)), np.float32)
    for r, d in enumerate(docs):
        for w, n in Counter(w for w in d if w in index).items():
            V[r, index[w]] = (1.0 + np.log(n)) * idf[index[w]]
    norms = np.linalg.norm(V, axis=1, keepdims=True)
    return V / np.where(norms > 0, norms, 1.0), vocab


def _vectors(texts: list[str], V: np.ndarray) -> np.ndarray:
    from copilot.assist import embeddings

    if not embeddings.available():
        return V
    E = embeddings.load().embed_many(texts)
    return np.hstack([V * np.float32(np.sqrt(0.5)), E * np.float32(np.sqrt(0.5))])


def propose(messages: list[Unmatched], similar: float = SIMILAR, min_group: int = MIN_GROUP) -> list[Group]:
    """Groups of at least `min_group` unmatched messages asking the same thing, largest first."""
    messages = messages[-MAX_MESSAGES:]
    texts = [m.text for m in messages]
    if len(texts) < min_group:
        return []
    V, vocab = _word_vectors(texts)
    X = _vectors(texts, V)
    S = X @ X.T
    free = np.ones(len(texts), bool)
    groups = []
    while True:
        near = (S >= similar) & free[None, :] & free[:, None]
        counts = near.sum(axis=1)
        seed = int(np.argmax(counts))
        if counts[seed] < min_group:
            break
        members = np.flatnonzero(near[seed])
        free[members] = False
        groups.append(_describe(members, messages, V, X, vocab))
    return sorted(groups, key=lambda g: -g.size)


def _describe(members: np.ndarray, messages: list[Unmatched], V: np.ndarray, X: np.ndarray,
              vocab: list[str]) -> Group:
    weight = V[members].mean(axis=0) - V.mean(axis=0) * 0.5  # characteristic, not just frequent
    words = [vocab[i] for i in np.argsort(-weight)[:5] if weight[i] > 0]
    centre = X[members].mean(axis=0)
    closest = members[np.argsort(-(X[members] @ centre))]
    examples = list(dict.fromkeys(messages[i].text for i in closest))[:5]
    hints = Counter(messages[i].hint for i in members if messages[i].hint).most_common(3)
    rejected = sum(messages[i].why == "rejected" for i in members)
    return Group(" / ".join(words[:3]) or examples[0][:40], len(members), words, examples, hints,
                 len(members) - rejected, rejected, [int(i) for i in members])
