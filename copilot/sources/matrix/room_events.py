"""Turns what /sync says about rooms into chat events: the rules of the Matrix source.

- A joined room is a chat once it has a customer (see rooms.RoomInfo.choose_customer), unless it is
  a space, outside the configured space, or ended by the agent (a room tag).
- The customer's messages are CustomerMessage; the agent account's own messages are the echoes of
  our replies (they confirm delivery) or, when no reply of ours matches, written outside the app;
  anyone else's (a colleague, a bot) are OutsideMessage.
- The customer leaving ends the chat (CustomerLeft); the agent removed from the room or the room
  replaced ends it elsewhere.
Runs on the sync thread only; results go to the Arrivals queue.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from copilot.core.events import ChatEndedElsewhere, ChatOpened, CustomerLeft, CustomerMessage, OutsideMessage
from copilot.sources.live.arrivals import Arrivals
from copilot.sources.live.incoming_text import plain_text
from copilot.sources.live.outbox import Outbox
from copilot.sources.matrix.room_text import display_name, message_text, ts_of
from copilot.sources.matrix.rooms import ENDING_TAGS, RoomInfo

CHANNEL = "Matrix"
GONE = "you are no longer in the room: it was deleted on the server, or you left it in another client"


class RoomEvents:
    def __init__(self, arrivals: Arrivals, outbox: Outbox, staff: frozenset[str], overflow_dir: Path | None,
                 clock: Callable[[], float] = time.time):
        self.arrivals, self.outbox, self.staff = arrivals, outbox, staff
        self.overflow_dir = overflow_dir
        self.clock = clock
        self.agent = ""  # the agent's Matrix id, set once signed in
        self.rooms: dict[str, RoomInfo] = {}
        self.space_children: set[str] | None = None  # None: no space filter
        self.space_id = ""
        self.lock = threading.RLock()  # the sync thread applies under it; close() ends a chat under it

    def room(self, room_id: str) -> RoomInfo:
        return self.rooms.setdefault(room_id, RoomInfo(room_id))

    def chat_room(self, chat_id: str) -> RoomInfo | None:
        return self.rooms.get(chat_id.split("~", 1)[0])

    # ---- a joined room's sync section ---------------------------------------------------------
    def joined(self, room_id: str, section: dict, timeline: list[dict]) -> None:
        info = self.room(room_id)
        for event in _events(section.get("state")):
            self._state(info, event)
        for event in _events(section.get("account_data")):
            if event.get("type") == "m.tag":
                self._tags(info, event)
        if room_id == self.space_id:
            for event in timeline:
                self._state(info, event)
            return
        for event in timeline:
            self._timeline_event(info, event)
        self._maybe_open(info, None)

    def left(self, room_id: str, section: dict) -> None:
        """The agent is no longer in the room: kicked, the room deleted on the server, or left elsewhere."""
        info = self.rooms.get(room_id)
        if info is None or not info.open:
            return
        self.end_elsewhere(info, GONE, self.clock())

    def still_joined(self, joined: set[str]) -> None:
        """Open chats in rooms the agent is no longer in (a room deleted and purged on the server
        leaves no trace in /sync) end."""
        for info in list(self.rooms.values()):
            if info.open and info.room_id not in joined:
                self.end_elsewhere(info, GONE, self.clock())

    def end_elsewhere(self, info: RoomInfo, reason: str, ts: float, resolved: bool = False) -> None:
        if info.open:
            info.open, info.ended_at_ms = False, int(ts * 1000)
            self.arrivals.put(ChatEndedElsewhere(info.chat_id, ts, reason, resolved=resolved))

    def replay(self, info: RoomInfo, events: list[dict]) -> None:
        """Messages read back from the room's history (each reported once at most)."""
        for event in events:
            self._message(info, event, str(event.get("event_id", "")), ts_of(event, self.clock()))

    # ---- pieces ----------------------------------------------------------------------------------
    def _state(self, info: RoomInfo, event: dict) -> None:
        kind, key = event.get("type"), event.get("state_key")
        if kind == "m.room.create":
            info.creator = str(event.get("sender", ""))
            content = event.get("content") or {}
            info.is_space = isinstance(content, dict) and content.get("type") == "m.space"
        elif kind == "m.room.member" and isinstance(key, str):
            content = event.get("content") or {}
            membership = content.get("membership", "") if isinstance(content, dict) else ""
            info.member_event(key, membership, display_name(event, ""))
        elif kind == "m.space.child" and info.room_id == self.space_id and isinstance(key, str):
            via = (event.get("content") or {}).get("via")
            if self.space_children is not None:
                (self.space_children.add if via else self.space_children.discard)(key)

    def _tags(self, info: RoomInfo, event: dict) -> None:
        """An ending tag: ours carries the server time the chat ended; one set by another client of
        the agent's (no time) ends an open chat now. Messages up to that time never reopen it."""
        tags = (event.get("content") or {}).get("tags") or {}
        for tag in ENDING_TAGS:
            marked = tags.get(tag)
            if not isinstance(marked, dict):
                continue
            at = marked.get("ended_at_ms")
            at_ms = int(at) if isinstance(at, (int, float)) else int(self.clock() * 1000)
            if info.open and at_ms >= int(info.opened_at * 1000):
                self.end_elsewhere(info, "ended in another Matrix client", at_ms / 1000, tag == ENDING_TAGS[0])
            info.ended_at_ms = max(info.ended_at_ms, at_ms)

    def _eligible(self, info: RoomInfo) -> bool:
        if info.is_space or info.room_id == self.space_id:
            return False
        return self.space_children is None or info.room_id in self.space_children

    def _maybe_open(self, info: RoomInfo, at_ms: int | None, seen_at: float | None = None) -> None:
        """Open the room's chat if it should be open now. `at_ms`: a customer message's server time
        (it may reopen an ended chat); `seen_at`: when the event that made it a chat happened."""
        if info.open or not self._eligible(info) or not self.agent:
            return
        customer = info.choose_customer(self.agent, self.staff)
        if not customer or (at_ms is None and customer not in info.joined):
            return
        if at_ms is None and info.ended_at_ms:
            return  # ended before; only a new customer message opens it again
        if at_ms is not None and at_ms <= info.ended_at_ms:
            return  # an old message of a chat that already ended
        info.round += 1
        info.open = True
        info.opened_at = at_ms / 1000.0 if at_ms is not None else seen_at if seen_at is not None else self.clock()
        self.arrivals.put(ChatOpened(info.chat_id, info.name_of(customer), info.opened_at, channel=CHANNEL))

    def _timeline_event(self, info: RoomInfo, event: dict) -> None:
        kind, event_id = event.get("type"), str(event.get("event_id", ""))
        now = self.clock()
        ts = ts_of(event, now)
        if "state_key" in event:
            self._state(info, event)
        if event_id:
            info.last_event_id = event_id
        if kind == "m.room.member" and self._eligible(info):
            self._membership(info, event, ts)
        elif kind == "m.room.tombstone":
            self.end_elsewhere(info, "the room was replaced by a new one", ts)
        elif kind in ("m.room.message", "m.room.encrypted"):
            self._message(info, event, event_id, ts)

    def _membership(self, info: RoomInfo, event: dict, ts: float) -> None:
        key = event.get("state_key")
        membership = (event.get("content") or {}).get("membership")
        if key == info.customer and membership in ("leave", "ban") and info.open:
            info.open, info.ended_at_ms = False, int(ts * 1000)
            self.arrivals.put(CustomerLeft(info.chat_id, ts))
        elif membership == "join":
            self._maybe_open(info, None, ts)

    def _message(self, info: RoomInfo, event: dict, event_id: str, ts: float) -> None:
        sender = str(event.get("sender", ""))
        if sender == self.agent and self._our_echo(event, event_id):
            return
        text = message_text(event) if event.get("type") == "m.room.message" else "[an encrypted message the copilot cannot read]"
        if text is None or not self._eligible(info) or self.arrivals.seen(event_id):
            return
        if sender == info.choose_customer(self.agent, self.staff) and sender:
            self._maybe_open(info, int(ts * 1000))
            if info.open:
                text = plain_text(text, event_id, self.overflow_dir)
                self.arrivals.put(CustomerMessage(info.chat_id, text, ts, remote_id=event_id))
            return
        if not info.open or ts * 1000 <= info.ended_at_ms:
            return
        author = f"{info.name_of(sender)} (you, outside the app)" if sender == self.agent else info.name_of(sender)
        if (event.get("content") or {}).get("msgtype") == "m.notice":
            author += " (bot)"
        text = plain_text(text, event_id, self.overflow_dir)
        self.arrivals.put(OutsideMessage(info.chat_id, text, ts, author=author, remote_id=event_id))

    def _our_echo(self, event: dict, event_id: str) -> bool:
        """True when the event is one of our replies coming back (it confirms delivery)."""
        unsigned = event.get("unsigned") or {}
        txn = unsigned.get("transaction_id") if isinstance(unsigned, dict) else None
        reply = (self.outbox.get(txn) if isinstance(txn, str) else None) or self.outbox.by_remote(event_id)
        if reply is None:
            return False
        self.arrivals.mark_seen(event_id)
        self.outbox.confirmed(reply.outbox_id, event_id)
        return True


def _events(section) -> list[dict]:
    if isinstance(section, dict):
        section = section.get("events")
    return [e for e in section or () if isinstance(e, dict)]
