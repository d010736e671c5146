"""`copilot knowledge import PATH… [--kind reply|article] [--json]` and `copilot knowledge search QUERY [--json]`:
the team's saved replies and help articles, in the local index the app searches.

PATH is a folder of Markdown/HTML/text files, a CSV (title, body, tags), or a JSON file saved from
the Chatwoot (canned responses, help-centre articles) or Zendesk (macros, Help Center articles) API.
Importing the same PATH again updates its items in place and removes those no longer in it.
Exit status: 0 when items were taken (skips are reported), 2 when nothing could be taken.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "knowledge", help="import and search the team's saved replies and help articles",
        description="The team's saved replies and help articles: import them into the local index, search it.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser("import", help="import folders and files (Markdown, HTML, CSV, Chatwoot/Zendesk JSON)")
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    imp.add_argument("--kind", choices=("reply", "article"),
                     help="what items are when a file does not say (default: by folder name; CSV: saved replies)")
    imp.add_argument("--index", type=Path, metavar="FILE", help="index file (default: knowledge.sqlite in the data directory)")
    imp.add_argument("--json", action="store_true", help="print the report as one JSON object")
    imp.set_defaults(func=handle_import)
    find = actions.add_parser("search", help="search the index as the app does")
    find.add_argument("query")
    find.add_argument("--kind", choices=("reply", "article"))
    find.add_argument("--limit", type=int, default=5)
    find.add_argument("--index", type=Path, metavar="FILE")
    find.add_argument("--json", action="store_true")
    find.set_defaults(func=handle_search)


def _fail(message: str) -> int:
    print(f"copilot knowledge: error: {message}", file=sys.stderr)
    return 2


def _open(index: Path | None):
    from copilot.knowledge.base import KnowledgeBase
    from copilot.knowledge.store import StoreError

    try:
        return KnowledgeBase.open(index), None
    except StoreError as exc:
        return None, str(exc)


class _Progress:
    """One line on stderr, rewritten at most twice a second (every 5,000 files when not a terminal)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, files: int, path: str) -> None:
        now = time.monotonic()
        if (self.tty and now - self.last >= 0.5) or (not self.tty and files % 5000 == 0):
            self.last = now
            end = "\r" if self.tty else "\n"
            print(f"  {files:,} files read… {path[-60:]}".ljust(80), end=end, file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.tty and self.last:
            print(" " * 80, end="\r", file=sys.stderr, flush=True)


def handle_import(args: argparse.Namespace) -> int:
    kb, problem = _open(args.index)
    if kb is None:
        return _fail(problem)
    progress = _Progress()
    started = time.perf_counter()
    try:
        report = kb.import_paths(args.paths, default_kind=args.kind, progress=progress)
    except KeyboardInterrupt:
        progress.done()
        return _fail("interrupted: the batches written so far were kept")
    finally:
        kb.close()
    progress.done()
    seconds = round(time.perf_counter() - started, 2)
    if args.json:
        print(json.dumps({**report.to_dict(), "index": str(kb.store.path), "seconds": seconds}, ensure_ascii=False))
    else:
        print("\n".join(report.lines()))
        print(f"Index: {kb.store.path} ({seconds:.1f} s)")
    if report.taken == 0 and report.skipped_count:
        if not args.json:
            print("copilot knowledge: error: nothing could be imported (see the reasons above)", file=sys.stderr)
        return 2
    return 0


def handle_search(args: argparse.Namespace) -> int:
    if args.limit < 1:
        return _fail("--limit must be at least 1")
    kb, problem = _open(args.index)
    if kb is None:
        return _fail(problem)
    try:
        hits = kb.search(args.query + " ", limit=args.limit, kind=args.kind)
    finally:
        kb.close()
    if args.json:
        print(json.dumps([{"id": h.id, "kind": h.kind, "title": h.title, "snippet": h.snippet, "tags": list(h.tags),
                           "url": h.url, "score": h.score} for h in hits], ensure_ascii=False))
        return 0
    if not hits:
        print("No matching saved reply or article.")
    for h in hits:
        print(f"[{h.kind}] {h.title}  ({h.id})\n    {h.snippet}")
    return 0
