"""Turns Chatwoot conversations and messages (REST answers and websocket events alike, which share
their shapes) into chat events: the rules of the Chatwoot source.

- A conversation is a chat while it is open and assigned to the agent (and in the chosen inboxes).
  Resolved, snoozed or reassigned in Chatwoot, or deleted, it ends elsewhere.
- Incoming, non-private messages are the customer's. Outgoing ones are the echoes of our replies
  (matched by `echo_id`, or by id once the server answered), else written outside the app: by the
  agent in Chatwoot's web page, a colleague or a bot. Private notes and activity lines are skipped.
- A chat the agent ended opens again (as a new chat) only for a customer message newer than the
  ending; the ending times are kept across restarts.
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from copilot.core.events import ChatEndedElsewhere, ChatOpened, CustomerMessage, OutsideMessage
from copilot.sources.live.arrivals import Arrivals
from copilot.sources.live.incoming_text import plain_text
from copilot.sources.live.outbox import Outbox

INCOMING, OUTGOING, ACTIVITY, TEMPLATE = 0, 1, 2, 3
_TYPES = {"incoming": INCOMING, "outgoing": OUTGOING, "activity": ACTIVITY, "template": TEMPLATE}


@dataclass
class ConversationInfo:
    id: int
    customer: str = ""
    channel: str = ""
    round: int = 0
    open: bool = False
    opened_at: float = 0.0
    last_message_id: int = 0
    ended_at: float = 0.0  # messages created up to then never reopen it

    @property
    def chat_id(self) -> str:
        return f"chatwoot-{self.id}" + (f"~{self.round}" if self.round > 1 else "")


def conversation_id_of(chat_id: str) -> int | None:
    try:
        return int(chat_id.removeprefix("chatwoot-").split("~", 1)[0])
    except ValueError:
        return None


class ConversationEvents:
    def __init__(self, arrivals: Arrivals, outbox: Outbox, inbox_ids: tuple[int, ...], overflow_dir: Path | None,
                 clock=time.time):
        self.arrivals, self.outbox, self.inbox_ids = arrivals, outbox, frozenset(inbox_ids)
        self.overflow_dir, self.clock = overflow_dir, clock
        self.agent_id = 0
        self.account_id = 0
        self.known: dict[int, ConversationInfo] = {}
        self.lock = threading.RLock()

    def info(self, conversation_id: int) -> ConversationInfo:
        return self.known.setdefault(conversation_id, ConversationInfo(conversation_id))

    # ---- conversations -----------------------------------------------------------------------
    def conversation(self, data: dict) -> ConversationInfo | None:
        """A conversation as the server shows it now. Returns its info when it is (still) ours."""
        conversation_id = _int(data.get("id"))
        if conversation_id is None:
            return None
        info = self.info(conversation_id)
        meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
        sender = meta.get("sender") if isinstance(meta.get("sender"), dict) else {}
        info.customer = str(sender.get("name") or info.customer or f"Contact {sender.get('id', '')}".strip())
        info.channel = channel_name(meta.get("channel") or data.get("channel")) or info.channel or "Chatwoot"
        assignee = meta.get("assignee") if isinstance(meta.get("assignee"), dict) else {}
        status = str(data.get("status", ""))
        ours = _int(assignee.get("id")) == self.agent_id and self._in_inboxes(data)
        if info.open and (status != "open" or not ours):
            self._ended_elsewhere(info, status, ours, assignee)
            return None
        if status == "open" and ours and not info.open and not info.ended_at:
            self._open(info, _ts(data.get("created_at") or data.get("timestamp"), self.clock()))
        return info if ours and status == "open" else None

    def deleted(self, conversation_id: int) -> None:
        info = self.known.get(conversation_id)
        if info is not None and info.open:
            self._end(info, ChatEndedElsewhere(info.chat_id, self.clock(), "the conversation was deleted in Chatwoot"))

    def _ended_elsewhere(self, info: ConversationInfo, status: str, ours: bool, assignee: dict) -> None:
        if status == "resolved":
            reason, resolved = "resolved in Chatwoot", True
        elif status != "open":
            reason, resolved = f"marked {status or 'closed'} in Chatwoot", False
        elif assignee.get("name"):
            reason, resolved = f"assigned to {assignee['name']} in Chatwoot", False
        else:
            reason, resolved = "no longer assigned to you in Chatwoot", False
        self._end(info, ChatEndedElsewhere(info.chat_id, self.clock(), reason, resolved=resolved))

    def _end(self, info: ConversationInfo, event) -> None:
        info.open, info.ended_at = False, self.clock()
        self.arrivals.put(event)

    def ended_by_agent(self, info: ConversationInfo) -> None:
        info.open, info.ended_at = False, self.clock()

    def _open(self, info: ConversationInfo, ts: float) -> None:
        info.round += 1
        info.open, info.opened_at = True, min(ts, self.clock())
        self.arrivals.put(ChatOpened(info.chat_id, info.customer or "Customer", info.opened_at, channel=info.channel))

    def _in_inboxes(self, data: dict) -> bool:
        return not self.inbox_ids or _int(data.get("inbox_id")) in self.inbox_ids

    # ---- messages ----------------------------------------------------------------------------
    def message(self, data: dict, conversation_id: int | None = None) -> None:
        conversation_id = conversation_id or _int(data.get("conversation_id"))
        message_id = _int(data.get("id"))
        if conversation_id is None or message_id is None:
            return
        info = self.info(conversation_id)
        info.last_message_id = max(info.last_message_id, message_id)
        remote_id = f"{conversation_id}/{message_id}"
        kind = _TYPES.get(data.get("message_type"), data.get("message_type"))
        if data.get("private") or kind == ACTIVITY or self.arrivals.seen(remote_id):
            return
        ts = _ts(data.get("created_at"), self.clock())
        if kind == OUTGOING or kind == TEMPLATE:
            self._outgoing(info, data, remote_id, ts)
        elif kind == INCOMING:
            if not info.open and info.ended_at and ts > info.ended_at and info.customer:
                self._open(info, ts)  # the customer wrote again after the chat ended
            if info.open:
                text = plain_text(data.get("content") or "", remote_id, self.overflow_dir)
                self.arrivals.put(CustomerMessage(info.chat_id, text, ts, remote_id=remote_id))

    def _outgoing(self, info: ConversationInfo, data: dict, remote_id: str, ts: float) -> None:
        echo = data.get("echo_id")
        reply = (self.outbox.get(echo) if isinstance(echo, str) else None) or self.outbox.by_remote(remote_id)
        if reply is not None:
            self.arrivals.mark_seen(remote_id)
            self.outbox.confirmed(reply.outbox_id, remote_id)
            return
        if not info.open or ts < info.opened_at:
            return
        sender = data.get("sender") if isinstance(data.get("sender"), dict) else {}
        sender_type = str(data.get("sender_type") or sender.get("type") or "").lower()
        name = str(sender.get("available_name") or sender.get("name") or "")
        if sender_type == "user" and _int(sender.get("id") or data.get("sender_id")) == self.agent_id:
            author = f"{name or 'You'} (you, in Chatwoot)"
        elif sender_type in ("agentbot", "agent_bot") or not sender_type:
            author = f"{name or 'A bot'} (bot)"
        else:
            author = name or "A colleague"
        text = plain_text(data.get("content") or "", remote_id, self.overflow_dir)
        self.arrivals.put(OutsideMessage(info.chat_id, text, ts, author=author, remote_id=remote_id))

    # ---- kept across restarts ----------------------------------------------------------------
    def to_json(self) -> dict:
        return {str(k): asdict(v) for k, v in self.known.items()}

    def load(self, data: dict) -> None:
        """What an earlier run knew. Chats open then open again at the first resync, with their
        whole history (the new workspace has never seen it); ended ones stay ended."""
        for key, value in data.items():
            if isinstance(value, dict) and _int(key) is not None:
                fields = {k: v for k, v in value.items() if k in ConversationInfo.__dataclass_fields__}
                info = self.known[int(key)] = ConversationInfo(**{**fields, "id": int(key)})
                if info.open:
                    info.open, info.round, info.last_message_id = False, info.round - 1, 0


def channel_name(channel) -> str:
    """"Channel::WebWidget" -> "Web widget", "Channel::Whatsapp" -> "Whatsapp": for the chat list."""
    if not isinstance(channel, str) or not channel:
        return ""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", channel.removeprefix("Channel::")).split()
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else ""


def _int(value) -> int | None:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _ts(value, default: float) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    return default
