"""The Chatwoot chat source: a ChatSource (and PrivateNotes) over Chatwoot's REST API and its
ActionCable websocket.

On the threads of a LiveSource (live/base.py): the receiving thread signs in (GET /api/v1/profile: account, user id, pubsub_token), subscribes to
RoomChannel, then resyncs over REST (the assigned open conversations and their messages after the
last id seen) so nothing missed while disconnected is lost, and afterwards follows the websocket's
events, keeping presence alive. The command thread sends replies (with `echo_id` = outbox id),
private notes and status changes, in order. A reply whose answer was lost is looked for on the
server before it is sent again, so a retry never posts it twice. poll() only drains.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from copilot.sources.chatwoot.api import ChatwootApi
from copilot.sources.chatwoot.cable import SILENCE_LIMIT, Cable, cable_url, event_of, origin_of
from copilot.sources.chatwoot.conversations import ConversationEvents, conversation_id_of
from copilot.sources.config import SourceConfig
from copilot.sources.live.backoff import Backoff
from copilot.sources.live.base import LiveSource
from copilot.sources.live.outbox import Reply
from copilot.sources.live.problems import ServerProblem

log = logging.getLogger(__name__)
PRESENCE_EVERY = 20.0  # seconds between update_presence (Chatwoot's dashboard: 10-20 s)
CONVERSATION_EVENTS = ("conversation.created", "conversation.status_changed", "conversation.updated",
                       "assignee.changed", "conversation.opened", "conversation.resolved")


class ChatwootSource(LiveSource):
    kind = "chatwoot"

    def __init__(self, config: SourceConfig, token: str, data_dir: Path, clock=time.time):
        super().__init__(config, data_dir, clock)
        self.chats = ConversationEvents(self.arrivals, self.outbox, config.inbox_ids, self.folder / "long-messages", clock)
        self.api = ChatwootApi(config.url, token, config.timeout, config.verify_tls)
        self.profile: dict | None = None
        self.presence_sent = 0
        self._cable: Cable | None = None

    # ---- ChatSource / PrivateNotes -----------------------------------------------------------
    def post_note(self, chat_id: str, text: str, now: float) -> None:
        if self.config.private_notes:
            note = self.outbox.add(chat_id, text, f"note-{chat_id}-{now:.3f}", private=True)
            if note is not None:
                self.command("send", note)

    def close(self, chat_id: str, resolved: bool, now: float) -> None:
        conversation_id = conversation_id_of(chat_id)
        with self.chats.lock:
            info = self.chats.known.get(conversation_id) if conversation_id is not None else None
            if info is None or not info.open or info.chat_id != chat_id:
                return
            self.chats.ended_by_agent(info)
            self._save_state()
        if resolved:  # closed without resolution, it stays open in Chatwoot for a colleague to see
            self.command("resolve", conversation_id)

    def _interrupt(self) -> None:
        cable = self._cable
        if cable is not None:
            cable.close()

    def _release(self) -> None:
        self.api.close()

    # ---- receiving: the websocket, after a REST resync ---------------------------------------
    def _receive(self, backoff: Backoff) -> None:
        try:
            self._sign_in()
            self._cable = Cable(cable_url(self.config.url, self.config.websocket_url), origin_of(self.config.url),
                                str(self.profile["pubsub_token"]), self.chats.account_id, self.chats.agent_id,
                                self.config.timeout)
            self._cable.open()
            self._resync()
            self.link.connected()
            backoff.reset()
            self._follow(self._cable)
        finally:
            if self._cable is not None:
                self._cable.close()

    def _refusal(self, problem: ServerProblem) -> str:
        self.profile = None  # sign in afresh once the agent gives a new token
        return _plain_refusal(problem)

    def _sign_in(self) -> None:
        if self.profile is not None:
            return
        profile = self.api.profile()
        accounts = [a.get("id") for a in profile.get("accounts") or () if isinstance(a, dict)]
        account = self.config.account_id or profile.get("account_id") or (accounts[0] if accounts else None)
        if account is None or (accounts and account not in accounts):
            raise ServerProblem("forbidden", f"403: your Chatwoot user is not in account {account}")
        self.api.account_id = self.chats.account_id = int(account)
        self.chats.agent_id = int(profile["id"])
        self.profile = profile
        self.ready.set()

    def _resync(self) -> None:
        """What the server holds now: new and ended conversations, and messages missed meanwhile."""
        listed = self.api.assigned_open_conversations()
        with self.chats.lock:
            ours = [info for info in map(self.chats.conversation, listed) if info is not None]
            missing = [i for i in self.chats.known.values() if i.open and i.id not in {o.id for o in ours}]
        for info in missing:
            self._recheck(info.id)
        for info in ours:
            self._catch_up(info.id)
        self._save_state()

    def _recheck(self, conversation_id: int) -> None:
        data = self._unless_deleted(conversation_id, lambda: self.api.conversation(conversation_id))
        if data is not None:
            with self.chats.lock:
                self.chats.conversation(data)

    def _catch_up(self, conversation_id: int) -> None:
        after = self.chats.known[conversation_id].last_message_id
        messages = self._unless_deleted(conversation_id, lambda: self.api.messages_after(conversation_id, after))
        with self.chats.lock:
            for message in messages or ():
                self.chats.message(message, conversation_id)

    def _unless_deleted(self, conversation_id: int, read):
        """read(); a 404 means the conversation was deleted, which ends its chat (None then)."""
        try:
            return read()
        except ServerProblem as problem:
            if problem.kind != "not_found":
                raise
            with self.chats.lock:
                self.chats.deleted(conversation_id)
            return None

    def _follow(self, cable: Cable) -> None:
        heard, presence = time.monotonic(), 0.0
        while not self.stopping.is_set():
            if time.monotonic() - presence > PRESENCE_EVERY:
                cable.keep_present()
                self.presence_sent += 1
                presence = time.monotonic()
            frame = cable.receive(1.0)
            if frame is None:
                if time.monotonic() - heard > SILENCE_LIMIT:
                    raise ServerProblem("unreachable", "the live connection went silent")
                continue
            heard = time.monotonic()
            event = event_of(frame)
            if event is not None and event[1].get("account_id") in (None, self.chats.account_id):
                self._event(*event)

    def _event(self, name: str, data: dict) -> None:
        if name in ("message.created", "message.updated"):
            conversation_id = data.get("conversation_id")
            with self.chats.lock:
                known = self.chats.known.get(conversation_id) if isinstance(conversation_id, int) else None
                if known is not None and (known.open or known.ended_at):
                    self.chats.message(data)
                    return
            assignee = (data.get("conversation") or {}).get("assignee_id")
            if assignee == self.chats.agent_id and isinstance(conversation_id, int):
                self.command("fetch", conversation_id)  # a conversation of ours we had not seen yet
        elif name in CONVERSATION_EVENTS:
            with self.chats.lock:
                info = self.chats.conversation(data)
            if info is not None and info.open and info.last_message_id == 0:
                self.command("catch_up", info.id)
        elif name == "contact.deleted":
            self.command("resync")

    def _gave_up(self, command: tuple, problem: ServerProblem) -> None:
        if problem.kind == "not_found" and command[0] in ("send", "resolve", "catch_up", "fetch"):
            conversation_id = conversation_id_of(command[1].chat_id) if command[0] == "send" else command[1]
            with self.chats.lock:
                self.chats.deleted(conversation_id)
        else:
            super()._gave_up(command, problem)

    def _failure(self, problem: ServerProblem) -> str:
        return "the conversation no longer exists in Chatwoot" if problem.kind == "not_found" else problem.detail

    def _do(self, command: tuple) -> None:
        kind = command[0]
        if kind == "send":
            self._send(command[1])
        elif kind == "resolve":
            self.api.toggle_status(command[1], "resolved")
        elif kind == "fetch":
            self._recheck(command[1])
            if command[1] in self.chats.known and self.chats.known[command[1]].open:
                self._catch_up(command[1])
        elif kind == "catch_up":
            self._catch_up(command[1])
        elif kind == "resync":
            self._resync()

    def _send(self, reply: Reply) -> None:
        conversation_id = conversation_id_of(reply.chat_id)
        if conversation_id is None:
            raise ServerProblem("not_found", "this chat's conversation is unknown")
        if reply.uncertain and self._already_there(conversation_id, reply):
            return
        if not reply.attempts:
            info = self.chats.known.get(conversation_id)
            reply.seen_before = info.last_message_id if info else 0
        reply.attempts += 1
        try:
            message = self.api.create_message(conversation_id, reply.text, reply.outbox_id, private=reply.private)
        except ServerProblem as problem:
            reply.uncertain = problem.kind in ("unreachable", "server", "bad_response")
            raise
        reply.uncertain = False
        self.outbox.sent(reply.outbox_id, f"{conversation_id}/{message.get('id', '')}")

    def _already_there(self, conversation_id: int, reply: Reply) -> bool:
        """After an attempt whose answer never came: did the server take it anyway? Chatwoot does
        not keep echo_id, so look for our own message with the same text since we first tried."""
        for message in self.api.messages_after(conversation_id, reply.seen_before):
            sender = message.get("sender") or {}
            remote_id = f"{conversation_id}/{message.get('id')}"
            if (message.get("content") == reply.text and sender.get("id") == self.chats.agent_id
                    and float(message.get("created_at") or 0) >= reply.queued_at - 60
                    and self.outbox.by_remote(remote_id) is None):
                self.outbox.sent(reply.outbox_id, remote_id)
                self.outbox.confirmed(reply.outbox_id, remote_id)
                self.arrivals.mark_seen(remote_id)
                return True
        return False

    def _load_state(self) -> None:
        self.chats.load(self.state_file.load().get("conversations") or {})

    def _save_state(self) -> None:
        with self.chats.lock:
            data = {"url": self.config.url.rstrip("/"), "conversations": self.chats.to_json()}
        try:
            self.state_file.save(data)
        except OSError as exc:
            log.warning("could not keep the Chatwoot state: %s", exc)


def _plain_refusal(problem: ServerProblem) -> str:
    if problem.status == 401 or problem.kind == "auth":
        return f"{problem.status or 401}: Chatwoot refused the access token; paste a new one in Copilot ▸ Chat source"
    return f"{problem.status or 403}: Chatwoot does not let this user do that ({problem.detail})"
