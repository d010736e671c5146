"""Incoming message text as the app keeps it: plain text, and a sane size.

Customer text is never interpreted (no HTML, no Markdown): sources hand on the plain body. A giant
body is cut to `KEEP_INLINE` characters for the chat, and the whole text is written to a file in
the data directory; the chat's copy ends with a note naming that file, so nothing is lost and the
app never holds megabytes per message in memory, in the usage log or in the model's prompt.
"""
from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)

KEEP_INLINE = 32_000  # characters; the chat view shows 20,000 of them (core.display_text)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def plain_text(text: object, remote_id: str, overflow_dir: Path | None) -> str:
    """`text` as a string the chat can keep; a giant one is cut and the rest kept in a file."""
    text = text if isinstance(text, str) else ("" if text is None else str(text))
    if len(text) <= KEEP_INLINE:
        return text
    where = _keep_whole(text, remote_id, overflow_dir)
    note = f"the whole message is kept in {where}" if where else "the rest could not be saved"
    return f"{text[:KEEP_INLINE]}\n\n[… {len(text):,} characters in total; cut here for the chat; {note}]"


def _keep_whole(text: str, remote_id: str, folder: Path | None) -> str:
    if folder is None:
        return ""
    digest = hashlib.sha256(remote_id.encode()).hexdigest()[:10]
    name = f"{_UNSAFE_NAME.sub('_', remote_id)[:60]}-{digest}.txt"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        return str(path)
    except OSError as exc:
        log.warning("could not keep a long message: %s", exc)
        return ""
