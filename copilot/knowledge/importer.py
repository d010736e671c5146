"""Importing knowledge from files and folders into the index, with a report of what was taken.

    report = import_paths(store, ["help-centre/", "macros.json"], progress=lambda n, path: ...)

Folders are walked lazily (hidden files and folders skipped, links to folders not followed) and
items are written in batches, so 50,000 files import in bounded memory with steady progress. Each
argument is a *source*: importing it again updates its items in place (same ids), and removes the
items it no longer contains, unless some of its files could not be read this time.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from copilot.knowledge import placeholders, vectors
from copilot.knowledge.items import REPLY, ImportReport, Item
from copilot.knowledge.read_csv import CsvProblem, csv_items
from copilot.knowledge.read_files import HTML, MARKDOWN, TEXT, SkipFile, file_item
from copilot.knowledge.read_helpdesk import UnknownShape, json_items
from copilot.knowledge.store import Store

BATCH = 256  # items embedded and written per transaction
MAX_JSON_BYTES = 64 * 1024 * 1024  # a JSON file is decoded whole; API pages are far smaller
Progress = Callable[[int, str], None]  # (files read so far, current file)
UNREADABLE = "cannot be read"


def _files(root: Path) -> Iterator[Path]:
    """Files under `root`, lazily, in a stable order; hidden entries skipped, folder links not followed."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                subfolders.append(Path(entry.path))
            elif entry.is_file():
                yield Path(entry.path)
        stack.extend(reversed(subfolders))


class _Run:
    """One import: batches items into the store and fills the report."""

    def __init__(self, store: Store, report: ImportReport, default_kind: str | None):
        self.store, self.report, self.default_kind = store, report, default_kind
        self.pending: list[tuple[Item, str]] = []
        self.seen: set[str] = set()

    def add(self, item: Item, root_key: str, root_seen: set[str]) -> None:
        if item.id in self.seen:
            self.report.skip(item.origin, "same id as an earlier item in this import (give each a distinct title or id)")
            return
        self.seen.add(item.id)
        root_seen.add(item.id)
        if item.kind == REPLY:
            unknown = placeholders.unknown_names(item.body)
            if unknown:
                self.report.note(f"{item.origin}: {', '.join('{{' + n + '}}' for n in unknown)}",
                                 "saved reply has placeholders nobody can fill (the agent is asked to replace them)")
        self.report.count(item)
        self.pending.append((item, root_key))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        known = self.store.hashes([item.id for item, _ in self.pending])
        changed = [n for n, (item, _) in enumerate(self.pending) if known.get(item.id) != item.content_hash]
        vecs = vectors.embed_many([vectors.item_text(self.pending[n][0].title, self.pending[n][0].body)
                                   for n in changed]) if changed else None  # unchanged items keep theirs
        vector_of = {n: vecs[i] for i, n in enumerate(changed)} if vecs is not None else {}
        rows = [(item, root, vector_of.get(n)) for n, (item, root) in enumerate(self.pending)]
        added, updated, unchanged = self.store.upsert(rows)
        self.report.added += added
        self.report.updated += updated
        self.report.unchanged += unchanged
        self.pending.clear()

    def read_file(self, path: Path, root: Path) -> Iterable[Item]:
        suffix = path.suffix.lower()
        if path.stem.upper() in ("README", "LICENSE", "LICENCE", "CHANGELOG", "CONTRIBUTING"):
            raise SkipFile("describes the folder, not knowledge (README, LICENSE, ...)")
        if suffix in MARKDOWN + HTML + TEXT:
            item, notes = file_item(path, root, self.default_kind)
            for note in notes:
                self.report.note(str(path), note)
            return [item]
        if suffix == ".csv":
            return csv_items(path, root, self.default_kind, self.report.skip, self.report.note)
        if suffix == ".json":
            if path.stat().st_size > MAX_JSON_BYTES:
                raise SkipFile(f"JSON file larger than {MAX_JSON_BYTES // 2**20} MB (export it in pages)")
            try:
                data = json.loads(path.read_bytes().decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise SkipFile(f"not valid JSON ({exc})") from None
            return json_items(data, str(path), self.report.skip, self.report.note, self.default_kind)
        raise SkipFile(f"not a knowledge file type ({suffix or 'no extension'}; "
                       "expected .md, .html, .txt, .csv or .json)")


def import_paths(store: Store, paths: Iterable[str | Path], default_kind: str | None = None,
                 progress: Progress | None = None, cancelled: Callable[[], bool] = lambda: False) -> ImportReport:
    report = ImportReport()
    run = _Run(store, report, default_kind)
    for arg in paths:
        path = Path(arg).expanduser()
        if not path.exists():
            report.skip(str(arg), "no such file or folder")
            continue
        path = path.resolve()
        root, files = (path, _files(path)) if path.is_dir() else (path.parent, iter([path]))
        root_key, root_seen, unreadable = str(path), set(), False
        for file in files:
            if cancelled():
                break
            report.files_seen += 1
            if progress is not None:
                progress(report.files_seen, str(file))
            try:
                for item in run.read_file(file, root):
                    run.add(item, root_key, root_seen)
            except (SkipFile, CsvProblem, UnknownShape) as exc:
                unreadable |= str(exc).startswith(UNREADABLE)
                report.skip(str(file), str(exc))
            except OSError as exc:
                unreadable = True
                report.skip(str(file), f"{UNREADABLE} ({exc.strerror or exc})")
        run.flush()
        if cancelled():
            report.note(str(arg), "import cancelled: items already read were kept, nothing was removed")
            break
        if unreadable:
            report.note(str(arg), "some files could not be read, so items missing from this source were kept")
        else:
            report.removed += store.remove_missing(root_key, root_seen)
    return report
