"""What a Matrix event says, as plain text for the chat.

Only `body` is read: it is the plain-text form every client must send. `formatted_body` (HTML) is
ignored, so markup reaches the agent as the literal characters the customer typed.
"""
from __future__ import annotations

_MEDIA = {"m.image": "an image", "m.file": "a file", "m.audio": "a voice message", "m.video": "a video",
          "m.location": "a location"}


def message_text(event: dict) -> str | None:
    """The text of an m.room.message event, or None for one with nothing to show (e.g. redacted)."""
    content = event.get("content")
    if not isinstance(content, dict):
        return None
    relation = content.get("m.relates_to")
    if isinstance(relation, dict) and relation.get("rel_type") == "m.replace":
        new = content.get("m.new_content")
        body = new.get("body") if isinstance(new, dict) else None
        return f"(edited) {body}" if isinstance(body, str) else None
    body = content.get("body")
    if not isinstance(body, str):
        return None
    msgtype = content.get("msgtype")
    if msgtype == "m.emote":
        return f"* {body}"
    if msgtype in _MEDIA:
        return f"[sent {_MEDIA[msgtype]}: {body}]"
    return body


def display_name(member_event: dict, fallback: str) -> str:
    content = member_event.get("content")
    name = content.get("displayname") if isinstance(content, dict) else None
    return name.strip() if isinstance(name, str) and name.strip() else fallback


def ts_of(event: dict, default: float) -> float:
    ms = event.get("origin_server_ts")
    return ms / 1000.0 if isinstance(ms, (int, float)) else default
