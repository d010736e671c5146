"""Search over the knowledge index: full-text (FTS5, BM25) and word vectors, fused by reciprocal rank.

Full text finds the exact words ("paypal", "RMA"), vectors find the paraphrase ("hasn't turned up"
~ "not delivered"); reciprocal rank fusion adds 1/(K + rank) from each list, so neither score scale
has to be calibrated against the other. Typing is supported: the last word is matched as a prefix
until the query ends with a space. Snippets are plain text (no markup): the caller highlights
`terms` itself.
"""
from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass

import numpy as np

from copilot.knowledge import vectors
from copilot.knowledge.store import Store

K = 5  # reciprocal rank fusion constant: small, so the top of each list counts most (measured: bench/knowledge.py)
DEPTH = 40  # candidates taken from each list
MAX_TERMS = 24
MAX_MATCH_TERMS = 8  # the rarest words of a long query carry its meaning; more only slow ranking down
# A word in more than COMMON_SHARE of the items (and in more than COMMON_MIN) says little (BM25 weighs it
# near 0) but costs ranking most of the index: it is left out of the full-text query; vectors still see it.
COMMON_SHARE, COMMON_MIN = 0.2, 1000
SNIPPET_CHARS = 200
_STOP = set("""a an and are as at be been but by can could did do does for from had has have hi hello i i'm im
in is it it's its me my no not of on or our please so that the their them then there they this to too us was
we were what when where which who why will with would you your yours thanks thank just""".split())
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    id: str
    kind: str
    title: str
    snippet: str  # plain text around the first matching words, or the body's opening
    tags: tuple[str, ...]
    url: str
    score: float  # fused score: only its order means something
    terms: tuple[str, ...] = ()  # the query's words, for highlighting


def query_terms(query: str) -> list[str]:
    words = [w.lower() for w in _WORD.findall(query)]
    content = [w for w in words if w not in _STOP]
    return list(dict.fromkeys(content or words))[:MAX_TERMS]


def fts_terms(query: str) -> list[str]:
    """The query's words as FTS5 phrases; the last one a prefix ("ref"*) while it is being typed."""
    terms = query_terms(query)
    words = _WORD.findall(query.lower())
    typing = bool(query) and not query[-1].isspace()
    phrases = [f'"{t}"' for t in terms]
    if phrases and typing and terms[-1] == words[-1] and len(words[-1]) >= 2:
        phrases[-1] += "*"
    return phrases


def fts_query(query: str) -> str:
    return " OR ".join(fts_terms(query))


def _snippet(body: str, terms: list[str]) -> str:
    lower = body.lower()
    at = min((i for i in (lower.find(t) for t in terms) if i >= 0), default=0)
    start = max(0, body.rfind(" ", 0, max(0, at - 60)) + 1) if at > 60 else 0
    text = re.sub(r"\s+", " ", body[start:start + SNIPPET_CHARS + 40]).strip()
    if len(text) > SNIPPET_CHARS:
        text = text[:text.rfind(" ", 0, SNIPPET_CHARS) if " " in text[:SNIPPET_CHARS] else SNIPPET_CHARS] + " …"
    return ("… " if start else "") + text


class Searcher:
    """Thread-safe: the vector matrix is cached and reloaded when the store's generation moves."""

    def __init__(self, store: Store):
        self.store = store
        self._lock = threading.Lock()
        self._generation = -1
        self._rowids = np.zeros(0, np.int64)
        self._matrix = np.zeros((0, 0), np.float32)
        self._df: dict[str, int] = {}  # phrase -> items containing it, for the current generation
        self._total = 0

    def _vectors(self) -> tuple[np.ndarray, np.ndarray]:
        generation = self.store.generation()
        with self._lock:
            if generation != self._generation:
                self._rowids, self._matrix = self.store.vectors()
                self._generation = generation
                self._df.clear()
                self._total = self.store.conn().execute("SELECT count(*) FROM items").fetchone()[0]
            return self._rowids, self._matrix

    def _selective(self, phrases: list[str]) -> list[str]:
        """The phrases worth ranking: common ones dropped (unless all are), the rarest MAX_MATCH_TERMS kept."""
        self._vectors()  # refreshes the counts when the index changed
        conn = self.store.conn()
        for phrase in phrases:
            if phrase not in self._df:
                sql = "SELECT count(*) FROM items_fts WHERE items_fts MATCH ?"
                self._df[phrase] = conn.execute(sql, (phrase,)).fetchone()[0]
        limit = max(COMMON_SHARE * self._total, COMMON_MIN)
        rare = [p for p in phrases if self._df[p] <= limit] or phrases
        return sorted(rare, key=lambda p: self._df[p])[:MAX_MATCH_TERMS]

    def lexical(self, query: str, kind: str | None = None, depth: int = DEPTH) -> list[int]:
        try:
            match = " OR ".join(self._selective(fts_terms(query)))
            if not match:
                return []
            if kind is None:
                sql = "SELECT rowid FROM items_fts WHERE items_fts MATCH ? ORDER BY bm25(items_fts, 4.0, 1.0, 2.0) LIMIT ?"
                return [r[0] for r in self.store.conn().execute(sql, (match, depth))]
            sql = ("SELECT items_fts.rowid FROM items_fts JOIN items ON items.rowid = items_fts.rowid "
                   "WHERE items_fts MATCH ? AND items.kind = ? ORDER BY bm25(items_fts, 4.0, 1.0, 2.0) LIMIT ?")
            return [r[0] for r in self.store.conn().execute(sql, (match, kind, depth))]
        except sqlite3.OperationalError:  # a query FTS5 cannot parse: no full-text hits, vectors still answer
            return []

    def semantic(self, query: str, kind: str | None = None, depth: int = DEPTH) -> list[int]:
        rowids, matrix = self._vectors()
        if not len(rowids) or not query_terms(query):
            return []
        q = vectors.embed(query)
        if q is None or not q.any():
            return []
        # einsum, not `@`: a matrix-vector product needs no BLAS thread pool, whose threads stall
        # when the machine is busy (p95 23 ms against 5 ms measured under load)
        scores = np.einsum("ij,j->i", matrix, q)
        take = min(len(scores), depth * (3 if kind else 1))
        top = np.argpartition(-scores, take - 1)[:take]
        found = [int(rowids[i]) for i in top[np.argsort(-scores[top])]]
        if kind:
            found = self._of_kind(found, kind)[:depth]
        return found

    def _of_kind(self, rowids: list[int], kind: str) -> list[int]:
        marks = ",".join("?" * len(rowids))
        keep = {r[0] for r in self.store.conn().execute(
            f"SELECT rowid FROM items WHERE kind = ? AND rowid IN ({marks})", (kind, *rowids))}
        return [r for r in rowids if r in keep]

    def search(self, query: str, limit: int = 10, kind: str | None = None,
               boost_tags: tuple[str, ...] = (), context: str = "") -> list[Hit]:
        """The best `limit` items for `query`; `context` (earlier words of the same chat) counts half,
        and items tagged with one of `boost_tags` are moved up."""
        fused: dict[int, float] = {}
        lists = [(self.lexical(query, kind), 1.0), (self.semantic(query, kind), 1.0)]
        if context.strip():
            lists += [(self.lexical(context + " ", kind), 0.5), (self.semantic(context, kind), 0.5)]
        for ranked, weight in lists:
            for rank, rowid in enumerate(ranked):
                fused[rowid] = fused.get(rowid, 0.0) + weight / (K + rank + 1)
        if not fused:
            return []
        conn = self.store.conn()
        if boost_tags:
            marks = ",".join("?" * len(fused))
            for rowid, tags in conn.execute(f"SELECT rowid, tags FROM items WHERE rowid IN ({marks})", tuple(fused)):
                if set(boost_tags).intersection(tags.split()):
                    fused[rowid] += 1.0 / K
        best = sorted(fused, key=lambda r: -fused[r])[:limit]
        rows = {r[0]: r[1:] for r in conn.execute(
            f"SELECT rowid, id, kind, title, body, tags, url FROM items WHERE rowid IN ({','.join('?' * len(best))})",
            tuple(best))}
        terms = tuple(query_terms(query))
        hits = []
        for rowid in best:
            id_, kind_, title, body, tags, url = rows[rowid]
            hits.append(Hit(id_, kind_, title, _snippet(body, list(terms)), tuple(tags.split()), url,
                            round(fused[rowid], 6), terms))
        return hits
