"""Reading one knowledge file safely, and turning a Markdown, HTML or text file into an item.

Files are read with a size cap (a 20 MB article is cut, not loaded whole), decoded as UTF-8 (with
or without BOM; other bytes are replaced and the report says so), and refused when binary.
A Markdown file may start with front matter (`---` lines) giving id, title, kind, tags, url, locale.
"""
from __future__ import annotations

import re
from pathlib import Path

from copilot.knowledge.items import ARTICLE, KINDS, MAX_TITLE_CHARS, REPLY, Item, clean_tags, cut_body
from copilot.knowledge.plaintext import html_to_text, markdown_to_text, tidy

MAX_READ_BYTES = 4 * 1024 * 1024  # of a Markdown/HTML/text file; the rest is not read
MARKDOWN, HTML, TEXT = (".md", ".markdown", ".mdown"), (".html", ".htm", ".xhtml"), (".txt",)
# Folders whose files are saved replies rather than articles (when a file does not say).
REPLY_FOLDERS = {"replies", "saved-replies", "saved_replies", "canned", "canned-responses", "canned_responses",
                 "macros", "snippets", "responses", "templates"}


class SkipFile(Exception):
    """The whole file is skipped; the message is the reason, in words."""


def read_text(path: Path, limit: int = MAX_READ_BYTES) -> tuple[str, list[str]]:
    """(text, notes) of a file read up to `limit` bytes. Raises SkipFile."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            data = fh.read(limit)
    except OSError as exc:
        raise SkipFile(f"cannot be read ({exc.strerror or exc})") from None
    notes = []
    if size > limit:
        notes.append(f"long file cut: only its first {limit // (1024 * 1024)} MB were read")
        data = data[: data.rfind(b"\n") + 1 or len(data)]  # end on a whole line, so no character is split
    if b"\x00" in data[:8192]:
        raise SkipFile("binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        notes.append("not valid UTF-8: undecodable bytes replaced")
    if not text.strip():
        raise SkipFile("empty file")
    return text, notes


_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """({key: value}, rest of the text). Only flat `key: value` lines; lists as [a, b] or a, b."""
    m = _FRONT.match(text)
    if not m:
        return {}, text
    meta = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and re.fullmatch(r"\s*[A-Za-z_][\w-]*\s*", key):
            meta[key.strip().lower()] = value.strip().strip("[]").strip().strip("\"'")
    return meta, text[m.end():]


def kind_for(path: Path, root: Path, declared: str, default: str | None) -> str:
    """A file's declared kind, else `default` (the command line's), else by its folders' names."""
    declared = {"saved_reply": REPLY, "saved reply": REPLY, "macro": REPLY, "canned": REPLY}.get(declared, declared)
    if declared in KINDS:
        return declared
    if default in KINDS:
        return default
    try:
        folders = path.relative_to(root).parts[:-1]
    except ValueError:
        folders = ()
    folders = (root.name, *folders)
    return REPLY if any(f.lower() in REPLY_FOLDERS for f in folders) else ARTICLE


def file_id(path: Path, root: Path) -> str:
    """Where the file sits under the folder that was imported: the same on every re-import."""
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.name
    return f"file:{root.name}/{rel}"


def humanise(stem: str) -> str:
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:]


def file_item(path: Path, root: Path, default_kind: str | None = None) -> tuple[Item, list[str]]:
    """The item in a Markdown, HTML or text file, and notes for the report. Raises SkipFile."""
    raw, notes = read_text(path)
    suffix = path.suffix.lower()
    meta, content = front_matter(raw) if suffix not in HTML else ({}, raw)
    if suffix in HTML:
        body, title = html_to_text(content)
        source = "html"
    elif suffix in MARKDOWN:
        body, title = markdown_to_text(content)
        source = "markdown"
    else:
        body, title = tidy(content), ""
        source = "text"
    title = tidy(meta.get("title", "")) or title or humanise(path.stem)
    if body.startswith(title):  # the heading was the title: do not repeat it as the first line
        body = body[len(title):].lstrip()
    if not body:
        raise SkipFile("no text once markup is removed")
    body, cut = cut_body(body)
    if cut:
        notes.append(cut)
    item = Item(
        id=meta.get("id") or file_id(path, root),
        kind=kind_for(path, root, meta.get("kind", meta.get("type", "")).lower(), default_kind),
        title=title[:MAX_TITLE_CHARS], body=body, tags=clean_tags(meta.get("tags", meta.get("labels"))),
        source=source, origin=str(path), url=meta.get("url", ""), locale=meta.get("locale", meta.get("lang", "")),
    )
    return item, notes
