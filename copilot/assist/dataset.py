"""Labelled examples from a team's CSV (`text,category`), checked before anything is trained.

A category that is empty or one of the usual names for "none of our categories" (`oos` as in
CLINC150, `out_of_scope`, `out-of-scope`, `none`, `no_intent`, `unknown`, `n/a`, any case)
marks an out-of-scope example. Every problem is reported as
one clear sentence naming the file (and line where it helps), since the people running
`copilot train` are support leads with a spreadsheet export, not ML engineers.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from copilot.assist.model import OOS

_BAD_LABEL = re.compile(r"[\x00-\x1f]")  # control characters and line breaks
OOS_NAMES = frozenset({"oos", "outofscope", "none", "nointent", "unknown", "na"})


def is_out_of_scope(label: str) -> bool:
    """Empty, or a usual name for out-of-scope, ignoring case, spaces, '-', '_' and '/'."""
    return not label or re.sub(r"[\s_/-]+", "", label.lower()) in OOS_NAMES


class DatasetError(ValueError):
    pass


@dataclass(frozen=True)
class Examples:
    texts: list[str]
    labels: list[str]  # "oos" for out-of-scope rows

    @property
    def classes(self) -> list[str]:
        return sorted(set(self.labels))

    @property
    def in_scope_classes(self) -> list[str]:
        return [c for c in self.classes if c != OOS]

    @property
    def has_oos(self) -> bool:
        return OOS in self.labels


def load_examples(path: Path | str, for_training: bool = True) -> Examples:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text (bad byte at position {exc.start}); "
                           f"save the file as CSV UTF-8") from None
    if not content.strip():
        raise DatasetError(f"{path}: the file is empty")
    reader = csv.DictReader(io.StringIO(content, newline=""))
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in ("text", "category") if c not in columns]
    if missing:
        raise DatasetError(f"{path}: missing column(s) {', '.join(missing)}; the first line must be a header "
                           f"with 'text' and 'category' (found: {', '.join(columns) or 'nothing'})")
    reader.fieldnames = columns
    texts, labels = [], []
    try:
        for row in reader:
            text = (row.get("text") or "").strip()
            label = (row.get("category") or "").strip()
            if not text:
                continue  # blank lines and rows with no message carry nothing to learn
            if _BAD_LABEL.search(label) or len(label) > 100:
                raise DatasetError(f"{path}, line {reader.line_num}: category {label[:40]!r} is not a plain name")
            texts.append(text)
            labels.append(OOS if is_out_of_scope(label) else label)
    except csv.Error as exc:
        raise DatasetError(f"{path}, line {reader.line_num}: malformed CSV ({exc})") from None
    if not texts:
        raise DatasetError(f"{path}: no examples (the file has a header but no rows with text)")
    examples = Examples(texts, labels)
    if for_training and len(examples.in_scope_classes) < 2:
        found = ", ".join(examples.in_scope_classes) or "none"
        raise DatasetError(f"{path}: need at least 2 categories to train (found: {found})")
    return examples
