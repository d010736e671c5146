"""Which of the team's saved replies and articles help: per item, from the usage logs' knowledge
records (copilot/knowledge/usage.py), read-only.

    rows = knowledge_use(review.files, review.since, review.until)

Per item: times shown, inserted into the composer, cited by a draft; replies sent with it (an
insert followed by a send, or a citing draft accepted or edited) and how many of those went out
unedited; chats it was used in and how many of them ended resolved. A session found in two files
(same uuid) is counted once, as in the rest of the review. Item ids only: no text is read.
"""
from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from copilot.usage.errors import UsageLogError
from copilot.usage.read_only import open_read_only

_FAR = 1e18
_EVENTS = """
SELECT s.uuid, e.session_id, e.kind, e.fields FROM events e JOIN sessions s ON s.id = e.session_id
WHERE e.kind IN ('knowledge_shown', 'knowledge_inserted', 'knowledge_sent', 'knowledge_cited')
AND e.ts >= ? AND e.ts < ?"""
_DECISIONS = "SELECT session_id, suggestion_id, decision FROM decisions"
_CHATS = "SELECT session_id, chat_id, status FROM chats"


@dataclass
class ItemUse:
    item_id: str
    shown: int = 0
    inserted: int = 0
    cited: int = 0
    sent: int = 0
    sent_unedited: int = 0
    chats: int = 0
    chats_resolved: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def _read(conn: sqlite3.Connection, since: float, until: float, seen: set[str], use: dict[str, ItemUse],
          used_in: dict[str, set], resolved_in: dict[str, set]) -> None:
    """Adds one file's sessions not seen yet; used_in/resolved_in: item -> chats (uuid, chat id)."""
    rows = conn.execute(_EVENTS, (since, until)).fetchall()
    fresh = {uuid for uuid, *_ in rows if uuid not in seen}
    if not fresh:
        return
    decisions = {(sid, sug): d for sid, sug, d in conn.execute(_DECISIONS)}
    status = {(sid, chat): st for sid, chat, st in conn.execute(_CHATS)}
    for uuid, sid, kind, fields in rows:
        if uuid not in fresh:
            continue
        f = json.loads(fields or "{}")
        chat = (uuid, f.get("chat_id"))
        ids = f.get("item_ids") or ([f["item_id"]] if f.get("item_id") else [])
        for item_id in ids:
            row = use.setdefault(item_id, ItemUse(item_id))
            if kind == "knowledge_shown":
                row.shown += 1
                continue
            if kind == "knowledge_inserted":
                row.inserted += 1
            elif kind == "knowledge_sent":
                row.sent += 1
                row.sent_unedited += bool(f.get("unedited"))
            elif kind == "knowledge_cited":
                row.cited += 1
                decision = decisions.get((sid, f.get("suggestion_id")))
                row.sent += decision in ("accepted", "edited")
                row.sent_unedited += decision == "accepted"
            if kind != "knowledge_cited" or decisions.get((sid, f.get("suggestion_id"))) in ("accepted", "edited"):
                used_in[item_id].add(chat)
                if status.get((sid, f.get("chat_id"))) == "resolved":
                    resolved_in[item_id].add(chat)
    seen.update(fresh)


def knowledge_use(files: list[str | Path], since: float | None = None, until: float | None = None) -> list[ItemUse]:
    """Per-item figures over `files` (usage logs), most used first; files that cannot be read are skipped
    (the review reports them already)."""
    use: dict[str, ItemUse] = {}
    used_in: dict[str, set] = defaultdict(set)
    resolved_in: dict[str, set] = defaultdict(set)
    seen: set[str] = set()
    for path in files:
        try:
            conn = open_read_only(Path(path))
        except (UsageLogError, sqlite3.Error, OSError):
            continue
        try:
            _read(conn, -_FAR if since is None else since, _FAR if until is None else until, seen, use, used_in,
                  resolved_in)
        except sqlite3.Error:
            pass  # an older log without these tables: nothing to count
        finally:
            conn.close()
    for item_id, row in use.items():
        row.chats = len(used_in.get(item_id, ()))
        row.chats_resolved = len(resolved_in.get(item_id, ()))
    return sorted(use.values(), key=lambda r: (-r.sent, -r.inserted, -r.cited, -r.shown, r.item_id))


HEADINGS = ("Item", "Shown", "Inserted", "Cited", "Sent", "Sent unedited", "Chats", "Resolved")


def knowledge_html(rows: list[ItemUse], limit: int = 25) -> str:
    """The review's HTML section: the most used items (ids escaped; nothing else is text)."""
    from html import escape

    if not rows:
        return ""
    head = "".join(f"<th>{h}</th>" for h in HEADINGS)
    body = "".join(
        f"<tr><td>{escape(r.item_id)}</td>" + "".join(f"<td>{v}</td>" for v in (
            r.shown, r.inserted, r.cited, r.sent, r.sent_unedited, r.chats, r.chats_resolved)) + "</tr>"
        for r in rows[:limit])
    return (f"<h2>Saved replies and articles: which ones help</h2><table><tr>{head}</tr>{body}</table>"
            "<p class=\"note\">Sent: an inserted reply sent, or a draft citing the item accepted or edited. "
            "Resolved: chats it was used in that ended resolved.</p>")
