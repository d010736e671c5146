"""Making untrusted customer text safe and quick to display (Qt-free so it is easy to test).

Customer text is always shown as plain text. This module only makes it *displayable*: control
characters become visible symbols (so they cannot reorder or hide text), and a huge message is
cut for display while the full text stays in the chat, untouched.
"""
from __future__ import annotations

import re

DISPLAY_LIMIT = 20_000  # characters shown inline; longer messages are cut with a note
PREVIEW_LIMIT = 120  # characters shown in the chat list

# C0 and C1 controls except tab and newline, plus bidi overrides and zero-width characters
# that can disguise text (e.g. "Trojan Source" reordering).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures": ␀ ␁ ...
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def displayable(text: str, limit: int = DISPLAY_LIMIT) -> str:
    """The text as it should be rendered in the chat view."""
    shown = text if len(text) <= limit else text[:limit]
    shown = _CONTROL.sub(_visible, shown.replace("\r\n", "\n"))
    if len(text) > limit:
        shown += f"\n\n[… message cut for display: {len(text):,} characters in total]"
    return shown


def preview(text: str, limit: int = PREVIEW_LIMIT) -> str:
    """One line for lists: whitespace collapsed, controls made visible, cut with an ellipsis."""
    one_line = " ".join(text[: limit * 4].split())
    one_line = _CONTROL.sub(_visible, one_line)
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def format_wait(seconds: float) -> str:
    """How long, as the chat list, header and alerts say it: "45s", "3:07", "1h05"."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}"


def display_name(name: str, limit: int = 200) -> str:
    """A file or person name for a label or message: one line, bidi overrides and other controls
    made visible (a name cannot reorder the text around it, e.g. "report\u202eslx.exe"), cut if long."""
    return preview(str(name), limit)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def well_formed(text: str) -> str:
    """Text as the rest of the app can store and encode it: a lone surrogate (possible in text a
    server sent as JSON escapes) becomes U+FFFD instead of breaking the tokenizer or the usage log."""
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text
