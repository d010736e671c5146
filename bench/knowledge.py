"""Knowledge retrieval benchmark: recall@3 on two question-to-article sets, indexing 10,000 articles,
search-as-you-type latency, and SQLite FTS5 against bm25s (the other library considered).

    python bench/knowledge.py [--articles 10000] [--skip-bm25s]

Data:
- the shipped sample knowledge base (resources/knowledge/sample) with 99 customer questions written
  against it (bench/data/sample_kb_queries.csv; same author as the articles: an upper bound);
- the Python FAQ (171 questions, each with its answer) from Debian's `python3-doc` package
  (docs.python.org, © Python Software Foundation, PSF licence): the answers are indexed without
  their question, and each question must find its own answer;
- for scale, the whole Python documentation cut into 10,000 articles of about 1,000 characters,
  written as Markdown files and imported by the real importer.
`apt-get install python3-doc` provides the Python documentation; without it those parts are skipped
(and the output says so). bm25s comes with `pip install -e .[bench]`.
"""
from __future__ import annotations

import argparse
import csv
import glob
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from copilot.knowledge import vectors  # noqa: E402
from copilot.knowledge.base import KnowledgeBase  # noqa: E402
from copilot.knowledge.items import ARTICLE, Item  # noqa: E402
from copilot.knowledge.plaintext import html_to_text  # noqa: E402

PYDOC = Path("/usr/share/doc/python3/html")
SAMPLE_QUERIES = ROOT / "bench" / "data" / "sample_kb_queries.csv"
CACHE = ROOT / "bench" / ".data"


def load() -> str:
    return os.getloadavg()[0].__format__(".1f") if hasattr(os, "getloadavg") else "?"


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def recall_at_3(kb: KnowledgeBase, cases: list[tuple[str, set[str]]]) -> float:
    return sum(bool(expected & {h.id for h in kb.search(q + " ", limit=3)}) for q, expected in cases) / len(cases)


def fresh_kb(name: str) -> KnowledgeBase:
    path = Path(tempfile.mkdtemp(prefix="kb-bench-")) / f"{name}.sqlite"
    return KnowledgeBase.open(path)


def python_faq() -> list[tuple[str, str]]:
    """(question, answer) pairs of the Python FAQ pages."""
    pairs = []
    for page in sorted((PYDOC / "faq").glob("*.html")):
        if page.name == "index.html":
            continue
        markup = page.read_text(encoding="utf-8")
        parts = re.split(r"(<h[23][^>]*>.*?</h[23]>)", markup[markup.find('<div class="body"'):], flags=re.S)
        for i in range(1, len(parts) - 1, 2):
            question = html_to_text(parts[i])[0].replace("¶", "").strip()
            answer = html_to_text(parts[i + 1])[0].replace("¶", "").strip()
            if question.endswith("?") and len(answer) > 40:
                pairs.append((question, answer))
    return pairs


def doc_articles(count: int) -> Path:
    """A folder of `count` Markdown articles cut from the Python documentation (made once, cached)."""
    folder = CACHE / f"pydoc-{count}"
    if folder.exists() and len(list(folder.iterdir())) >= count:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    written = 0
    for page in sorted(glob.glob(str(PYDOC / "**" / "*.html"), recursive=True)):
        markup = open(page, encoding="utf-8").read()
        for section in re.split(r"<section id=", markup)[1:]:
            text, _ = html_to_text("<section id=" + section.split("<section id=")[0])
            lines = [ln for ln in text.replace("¶", "").splitlines() if ln.strip()]
            if len(lines) < 2:
                continue
            title, chunk, part = lines[0][:120], [], 1
            for line in lines[1:] + [""]:
                chunk.append(line)
                if sum(map(len, chunk)) > 1000 or (not line and chunk[:-1]):
                    body = "\n".join(chunk).strip()
                    if len(body) > 200:
                        (folder / f"{written:05d}.md").write_text(f"# {title} ({part})\n\n{body}\n", encoding="utf-8")
                        written += 1
                        part += 1
                        if written >= count:
                            return folder
                    chunk = []
    return folder


def typing_queries(questions: list[str], step: int = 3) -> list[str]:
    """Every `step`-th prefix of each question, as the search box sees it while the agent types."""
    return [q[:n] for q in questions for n in range(3, len(q) + 1, step)]


def bench_bm25s(faq: list[tuple[str, str]], folder: Path, queries: list[str]) -> None:
    try:
        import bm25s
    except ImportError:
        print("bm25s: not installed (pip install -e .[bench]); comparison skipped")
        return
    corpus = [f.read_text(encoding="utf-8") for f in sorted(folder.iterdir())]
    started = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)
    index_s = time.perf_counter() - started
    times = []
    for q in queries[:2000]:
        t = time.perf_counter()
        tokens = bm25s.tokenize([q], stopwords="en", show_progress=False)
        if tokens.vocab:
            retriever.retrieve(tokens, k=10, show_progress=False)
        times.append((time.perf_counter() - t) * 1000)
    answers = [a for _, a in faq]
    faq_index = bm25s.BM25()
    faq_index.index(bm25s.tokenize(answers, stopwords="en", show_progress=False), show_progress=False)
    hits = 0
    for i, (question, _) in enumerate(faq):
        found, _ = faq_index.retrieve(bm25s.tokenize([question], stopwords="en", show_progress=False), k=3,
                                      show_progress=False)
        hits += i in found[0]
    print(f"bm25s {bm25s.__version__}: index {len(corpus)} texts {index_s:.1f} s (in memory, rebuilt whole on "
          f"every change); query p50 {pct(times, 50):.1f} ms, p95 {pct(times, 95):.1f} ms; Python FAQ lexical "
          f"recall@3 {hits / len(faq):.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--skip-bm25s", action="store_true")
    args = parser.parse_args()
    print(f"load average {load()}; embeddings: {'wordllama' if vectors.available() else 'none (full text only)'}")

    kb = fresh_kb("sample")
    kb.import_paths([ROOT / "resources" / "knowledge" / "sample"])
    rows = list(csv.DictReader(open(SAMPLE_QUERIES, encoding="utf-8")))
    cases = [(r["query"], set(r["expected"].split())) for r in rows]
    print(f"sample knowledge base ({sum(kb.counts().values())} items), {len(cases)} questions: "
          f"recall@3 {recall_at_3(kb, cases):.3f}")

    if not (PYDOC / "faq").is_dir():
        print("SKIPPED: Python FAQ and 10,000-article runs need Debian's python3-doc (apt-get install python3-doc)")
        return 0
    faq = python_faq()
    faq_kb = fresh_kb("faq")
    items = [Item(f"faq:{i}", ARTICLE, " ".join(a.split()[:8]), a, source="bench") for i, (_, a) in enumerate(faq)]
    vecs = vectors.embed_many([vectors.item_text(it.title, it.body) for it in items])
    faq_kb.store.upsert((it, "bench", None if vecs is None else vecs[n]) for n, it in enumerate(items))
    faq_cases = [(q, {f"faq:{i}"}) for i, (q, _) in enumerate(faq)]
    lexical = sum(f"faq:{i}" in faq_kb.store.ids_of(faq_kb.searcher.lexical(q + " ")[:3]) for i, (q, _) in enumerate(faq))
    print(f"Python FAQ, {len(faq)} questions to their answers (questions not indexed): recall@3 "
          f"{recall_at_3(faq_kb, faq_cases):.3f} fused (FTS5 alone {lexical / len(faq):.3f})")

    folder = doc_articles(args.articles)
    big = fresh_kb("big")
    started, cpu = time.perf_counter(), time.process_time()
    report = big.import_paths([folder])
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    size = sum(f.stat().st_size for f in big.store.path.parent.iterdir()) / 2**20
    print(f"import {report.taken} articles from Markdown files: {wall:.1f} s wall, {cpu:.1f} s CPU; index {size:.0f} MB "
          f"(load {load()})")
    started = time.perf_counter()
    big.import_paths([folder])
    print(f"re-import of the same {report.taken} (nothing changed): {time.perf_counter() - started:.1f} s")

    queries = typing_queries([q for q, _ in faq] + [r["query"] for r in rows])
    big.search("warm up ")
    times = []
    for q in queries:
        t = time.perf_counter()
        big.search(q, limit=10)
        times.append((time.perf_counter() - t) * 1000)
    print(f"search as you type over {report.taken} articles, {len(times)} prefixes: p50 {pct(times, 50):.1f} ms, "
          f"p95 {pct(times, 95):.1f} ms, max {max(times):.0f} ms (load {load()})")
    if not args.skip_bm25s:
        bench_bm25s(faq, folder, queries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
