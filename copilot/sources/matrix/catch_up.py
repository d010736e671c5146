"""Catching up with a room's history: after a gap in /sync, and for chats open before a restart.

Both read /rooms/{id}/messages backwards. Every message is reported at most once (Arrivals drops
event ids it has already reported), so overlapping with what /sync brings is harmless.
"""
from __future__ import annotations

import logging

from copilot.core.events import ChatOpened
from copilot.sources.live.problems import ServerProblem
from copilot.sources.matrix.api import MatrixApi
from copilot.sources.matrix.room_events import CHANNEL, RoomEvents

log = logging.getLogger(__name__)
MAX_PAGES = 10
PAGE = 100
CONTEXT_EVENTS = 30  # history shown again for a chat that was open when the app last stopped


def backfill_gap(api: MatrixApi, room_id: str, prev_batch: str | None, last_event_id: str) -> list[dict]:
    """The events between the last one we saw and a limited timeline's start, oldest first."""
    found: list[dict] = []
    token = prev_batch
    for _ in range(MAX_PAGES):
        if not token:
            break
        page = api.messages(room_id, token, "b", PAGE)
        for event in page.get("chunk") or ():
            if event.get("event_id") == last_event_id:
                return list(reversed(found))
            found.append(event)
        token = page.get("end")
    log.warning("room %s: more than %d events missed; the oldest are not shown", room_id, MAX_PAGES * PAGE)
    return list(reversed(found))


def reopen_known(api: MatrixApi, rooms: RoomEvents) -> None:
    """Chats that were open when the app stopped open again, with their recent messages."""
    for info in list(rooms.rooms.values()):
        if not info.open:
            continue
        rooms.arrivals.put(ChatOpened(info.chat_id, info.name_of(info.customer), info.opened_at, channel=CHANNEL))
        try:
            page = api.messages(info.room_id, None, "b", CONTEXT_EVENTS)
        except ServerProblem as problem:
            if problem.kind in ("forbidden", "not_found"):
                rooms.end_elsewhere(info, "the room is gone or you are no longer in it", rooms.clock())
                continue
            raise
        events = [e for e in reversed(page.get("chunk") or ()) if e.get("type") == "m.room.message"
                  and e.get("origin_server_ts", 0) >= info.opened_at * 1000]
        rooms.replay(info, events)
