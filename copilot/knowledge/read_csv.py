"""Knowledge items from a CSV file: one row per item, columns title, body and tags (others optional).

Column names are matched loosely (Title/name/subject, body/content/text/answer, tags/labels/keywords;
optional id, kind, url, locale). Rows are read one at a time, so a large file never sits in memory.
A row without text is skipped with its line number; a malformed file stops at the bad line and the
rows before it are kept.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from copilot.knowledge.items import ARTICLE, KINDS, MAX_TITLE_CHARS, REPLY, Item, clean_tags, cut_body
from copilot.knowledge.plaintext import strip_tags, tidy

COLUMNS = {
    "title": ("title", "name", "subject", "short_code", "shortcut", "question"),
    "body": ("body", "content", "text", "answer", "message", "reply", "response"),
    "tags": ("tags", "labels", "keywords", "categories", "category"),
    "id": ("id", "key"),
    "kind": ("kind", "type"),
    "url": ("url", "link", "html_url"),
    "locale": ("locale", "language", "lang"),
}
MAX_FIELD = 8 * 1024 * 1024  # a field larger than this stops the file (csv's own guard)


class CsvProblem(Exception):
    """The file cannot be read as knowledge CSV; the message says why."""


def _columns(header: list[str]) -> dict[str, int]:
    names = [re.sub(r"[^a-z_]", "", h.strip().lower()) for h in header]
    found = {}
    for field_name, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in names:
                found[field_name] = names.index(alias)
                break
    return found


def csv_items(path: Path, root: Path, default_kind: str | None, on_skip, on_note) -> Iterator[Item]:
    """Items of a CSV file; on_skip(where, reason) / on_note(where, remark) for the report. Raises CsvProblem."""
    csv.field_size_limit(MAX_FIELD)
    hint = ARTICLE if re.search(r"article|help|faq|kb", path.stem, re.IGNORECASE) else REPLY
    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
            rows = csv.reader(fh)
            header = next(rows, None)
            cols = _columns(header or [])
            if "body" not in cols:
                raise CsvProblem(f"no body column (found: {', '.join(h.strip() for h in header or []) or 'nothing'}; "
                                 "expected title, body, tags)")
            for row in rows:
                line = rows.line_num
                where = f"{path}:{line}"

                def cell(name: str) -> str:
                    i = cols.get(name)
                    return row[i].strip() if i is not None and i < len(row) else ""

                body = tidy(strip_tags(cell("body"))) if "<" in cell("body") else tidy(cell("body"))
                if not body:
                    if any(c.strip() for c in row):
                        on_skip(where, "row has no body text")
                    continue
                body, cut = cut_body(body)
                if cut:
                    on_note(where, cut)
                title = tidy(cell("title")) or body.split("\n")[0][:80]
                kind = cell("kind").lower()
                kind = kind if kind in KINDS else (default_kind if default_kind in KINDS else hint)
                # the id a row declares, else the file and title: stable when rows move
                slug = re.sub(r"\W+", "-", title.lower()).strip("-")[:80]
                yield Item(
                    id=f"csv:{cell('id')}" if cell("id") else f"csv:{path.stem}:{slug}", kind=kind,
                    title=title[:MAX_TITLE_CHARS], body=body, tags=clean_tags(cell("tags")),
                    source="csv", origin=where, url=cell("url"), locale=cell("locale"))
    except csv.Error as exc:
        raise CsvProblem(f"malformed CSV ({exc}); the rows before it were kept") from None
    except OSError as exc:
        raise CsvProblem(f"cannot be read ({exc.strerror or exc})") from None
