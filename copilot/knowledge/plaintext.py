"""HTML and Markdown to plain text: what the index stores and the window shows.

Nothing imported is ever rendered as HTML, so the only job here is to keep the words and drop
everything else: scripts, styles, embedded frames and their contents go entirely, tags go, entities
are decoded, block elements become line breaks and list items keep a dash. Broken HTML (unclosed
tags, stray brackets) is read as browsers read it; if the parser gives up, tags are cut by pattern.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

# Elements whose content is never text for a reader.
_DROP = {"script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math", "head",
         "canvas", "select", "button", "form"}
_BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section", "article",
          "blockquote", "pre", "hr", "ul", "ol", "dl", "dt", "dd", "header", "footer", "aside", "main", "figure",
          "figcaption", "details", "summary", "nav"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "source", "track", "wbr"}
_SAFE_LINK = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)
# C0/C1 controls (not tab or newline), and bidi overrides that can disguise text.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping: list[str] = []  # open elements whose content is being dropped
        self.title_parts: list[str] = []
        self.in_title = self.in_h1 = False
        self.h1_parts: list[str] = []
        self.link: str = ""
        self.link_start = 0  # index in parts where the link's text begins

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "title":
            self.in_title = True
            return
        if self.dropping:
            if tag in _DROP and tag not in _VOID:
                self.dropping.append(tag)
            return
        if tag in _DROP:
            self.dropping.append(tag)
            return
        if tag == "h1" and not self.h1_parts:
            self.in_h1 = True
        if tag in _BLOCK:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.link = href if _SAFE_LINK.match(href) else ""
            self.link_start = len(self.parts)
        if tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
            return
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            elif tag in self.dropping:  # mis-nested: close up to it, as a browser would
                del self.dropping[self.dropping.index(tag):]
            return
        if tag == "h1":
            self.in_h1 = False
        if tag == "a" and self.link:
            text = "".join(self.parts[self.link_start:]).strip()
            if self.link.split(":", 1)[-1].strip("/") not in text:
                self.parts.append(f" ({self.link})")
            self.link = ""
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
            return
        if self.dropping:
            return
        if self.in_h1:
            self.h1_parts.append(data)
        self.parts.append(data)


def tidy(text: str) -> str:
    """Control characters out, spaces collapsed, at most one blank line in a row."""
    text = _CONTROLS.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " "))
    text = re.sub(r"[ \t\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def html_to_text(markup: str) -> tuple[str, str]:
    """(plain text, title) of an HTML document or fragment; title is <title> or the first <h1>, or ""."""
    parser = _TextParser()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # the stdlib parser can still trip on pathological markup: cut tags by pattern
        return strip_tags(markup), ""
    title = tidy("".join(parser.title_parts)) or tidy("".join(parser.h1_parts))
    return re.sub(r"\n{2,}", "\n", tidy("".join(parser.parts))), title[:300]  # one line per block


def strip_tags(markup: str) -> str:
    """Tags and dropped elements removed by pattern: the fallback, and for HTML inside Markdown."""
    dropped = "|".join(sorted(_DROP))
    text = re.sub(rf"<({dropped})\b[^>]*>.*?(</\1\s*>|\Z)", " ", markup, flags=re.IGNORECASE | re.DOTALL)
    text = re.sub(r"<!--.*?(-->|\Z)", " ", text, flags=re.DOTALL)
    text = re.sub(r"</?[A-Za-z][^>]*>", " ", text)
    return tidy(html.unescape(text))


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(\s*([^)\s]*)[^)]*\)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)


_BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|\||#|>)")


def reflow(text: str) -> str:
    """Markdown's soft line breaks joined: lines of one paragraph become one line; list items,
    table rows, headings and blank lines still start lines."""
    out: list[str] = []
    code = False
    for line in text.split("\n"):
        fence = line.lstrip().startswith(("```", "~~~"))
        code = code != fence  # inside a code block every line stays as it is
        if not code and not fence and out and out[-1].strip() and line.strip() and not _BLOCK_START.match(line) \
                and not out[-1].lstrip().startswith(("|", "```", "~~~")) and not out[-1].endswith("  "):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return "\n".join(out)


def markdown_to_text(markdown: str) -> tuple[str, str]:
    """(plain text, title) of a Markdown document; title is its first heading, or ""."""
    first = _MD_HEADING.search(markdown)
    title = tidy(strip_tags(first.group(1))) if first else ""

    def link(m: re.Match) -> str:
        text, url = m.group(1), m.group(2)
        if m.group(0).startswith("!"):
            return text  # an image: its alt text
        return f"{text} ({url})" if _SAFE_LINK.match(url) and url not in text else text

    text = strip_tags(reflow(markdown))
    text = re.sub(r"^\s{0,3}(```|~~~).*$", "", text, flags=re.MULTILINE)  # code fences (the code stays)
    text = _MD_HEADING.sub(r"\1", text)
    text = _MD_LINK.sub(link, text)
    text = re.sub(r"^\s{0,3}>\s?", "", text, flags=re.MULTILINE)  # quotes
    text = re.sub(r"^\s*[*+]\s+", "- ", text, flags=re.MULTILINE)  # bullets, written one way
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"`([^`\n]+)`", r"\1", text)
    text = re.sub(r"^\s*([-*_])\s*(\1\s*){2,}$", "", text, flags=re.MULTILINE)  # horizontal rules
    return tidy(text), title[:300]
