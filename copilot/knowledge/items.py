"""What the knowledge base holds (saved replies and help articles) and what an import reports.

An item's id is stable across re-imports of the same source: the helpdesk's own id where there is
one ("zendesk-macro:360001"), else the `id` a file declares, else where it sits under the folder
that was imported ("file:help/returns.md"). Re-importing updates the item in place.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field

REPLY, ARTICLE = "reply", "article"
KINDS = (REPLY, ARTICLE)
MAX_BODY_CHARS = 100_000  # longer text is cut (and the report says so): no help article is longer
MAX_TITLE_CHARS = 300
MAX_EXAMPLES = 20  # per skip reason or note, in a report: an import of 50,000 files stays readable


@dataclass(frozen=True)
class Item:
    id: str
    kind: str  # REPLY (a saved reply / canned response / macro) or ARTICLE (a help article)
    title: str
    body: str  # plain text, never markup
    tags: tuple[str, ...] = ()  # lower-case; a playbook id here ("late_delivery") ties the item to that issue
    source: str = ""  # the format it came from: markdown, html, text, csv, chatwoot_canned, ...
    origin: str = ""  # the file (and entry) it came from, for the report and for citing
    url: str = ""  # the public page of an article, when the helpdesk gave one
    locale: str = ""

    @property
    def content_hash(self) -> str:
        text = "\x1f".join((self.kind, self.title, self.body, " ".join(self.tags), self.url, self.locale))
        return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def clean_tags(raw) -> tuple[str, ...]:
    """Tags from a list or a comma/semicolon/space-separated string, lower-case, unique, in order."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = re.split(r"[,;]\s*|\s+", raw)
    tags = (str(t).strip().strip("#").lower() for t in raw if str(t).strip())
    return tuple(dict.fromkeys(t[:60] for t in tags if t))[:30]


def cut_body(text: str) -> tuple[str, str]:
    """(body within MAX_BODY_CHARS, a note when it was cut, else "")."""
    if len(text) <= MAX_BODY_CHARS:
        return text, ""
    return text[:MAX_BODY_CHARS].rstrip() + " …", f"text cut to {MAX_BODY_CHARS:,} characters (it had {len(text):,})"


@dataclass
class ImportReport:
    """What an import took, what it skipped and why; examples are capped per reason."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # items of a re-imported source that are no longer in it
    files_seen: int = 0
    skipped: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # reason -> examples
    skipped_count: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    notes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # taken, with a remark
    notes_count: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_source: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def taken(self) -> int:
        return self.added + self.updated + self.unchanged

    def skip(self, where: str, reason: str) -> None:
        self.skipped_count[reason] += 1
        if len(self.skipped[reason]) < MAX_EXAMPLES:
            self.skipped[reason].append(where)

    def note(self, where: str, remark: str) -> None:
        self.notes_count[remark] += 1
        if len(self.notes[remark]) < MAX_EXAMPLES:
            self.notes[remark].append(where)

    def count(self, item: Item) -> None:
        self.by_source[item.source] += 1
        self.by_kind[item.kind] += 1

    def to_dict(self) -> dict:
        return {
            "taken": self.taken, "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "removed": self.removed, "files_seen": self.files_seen,
            "by_kind": dict(self.by_kind), "by_source": dict(self.by_source),
            "skipped": [{"reason": r, "count": self.skipped_count[r], "examples": ex} for r, ex in self.skipped.items()],
            "notes": [{"remark": r, "count": self.notes_count[r], "examples": ex} for r, ex in self.notes.items()],
        }

    def lines(self) -> list[str]:
        """The report in words, for a terminal."""
        plural = {REPLY: "saved replies", ARTICLE: "articles"}
        kinds = ", ".join(f"{n} {plural[k] if n != 1 else k}" for k, n in sorted(self.by_kind.items()))
        out = [f"Took {self.taken} item(s){f' ({kinds})' if kinds else ''}: {self.added} new, {self.updated} updated, "
               f"{self.unchanged} unchanged; {self.removed} removed (gone from their source); "
               f"{self.files_seen} file(s) read."]
        for reason, examples in self.skipped.items():
            more = self.skipped_count[reason] - len(examples)
            out.append(f"Skipped {self.skipped_count[reason]}: {reason}: {', '.join(examples)}"
                       + (f" and {more} more" if more > 0 else ""))
        for remark, examples in self.notes.items():
            more = self.notes_count[remark] - len(examples)
            out.append(f"Note ({self.notes_count[remark]}): {remark}: {', '.join(examples)}"
                       + (f" and {more} more" if more > 0 else ""))
        return out
