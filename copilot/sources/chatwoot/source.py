"""The Chatwoot chat source: a ChatSource (and PrivateNotes) over Chatwoot's REST API and its
ActionCable websocket.

The live thread signs in (GET /api/v1/profile: account, user id, pubsub_token), subscribes to
RoomChannel, then resyncs over REST (the assigned open conversations and their messages after the
last id seen) so nothing missed while disconnected is lost, and afterwards follows the websocket's
events, keeping presence alive. The command thread sends replies (with `echo_id` = outbox id),
private notes and status changes, in order. A reply whose answer was lost is looked for on the
server before it is sent again, so a retry never posts it twice. poll() only drains.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from pathlib import Path

from copilot.core.events import SourceEvent
from copilot.sources.chatwoot.api import ChatwootApi
from copilot.sources.chatwoot.cable import SILENCE_LIMIT, Cable, cable_url, event_of, origin_of
from copilot.sources.chatwoot.conversations import ConversationEvents, conversation_id_of
from copilot.sources.config import SourceConfig
from copilot.sources.live.arrivals import Arrivals
from copilot.sources.live.backoff import Backoff
from copilot.sources.live.link import LinkReporter
from copilot.sources.live.outbox import Outbox, Reply
from copilot.sources.live.problems import ServerProblem
from copilot.sources.live.state_file import StateFile

log = logging.getLogger(__name__)
PRESENCE_EVERY = 20.0  # seconds between update_presence (Chatwoot's dashboard: 10-20 s)
CONVERSATION_EVENTS = ("conversation.created", "conversation.status_changed", "conversation.updated",
                       "assignee.changed", "conversation.opened", "conversation.resolved")


class ChatwootSource:
    kind = "chatwoot"

    def __init__(self, config: SourceConfig, token: str, data_dir: Path, clock=time.time):
        self.config, self.clock = config, clock
        self.arrivals = Arrivals()
        self.link = LinkReporter(self.arrivals, clock)
        self.outbox = Outbox(self.arrivals, clock=clock)
        folder = data_dir / "sources"
        self.state_file = StateFile(folder / f"{config.slug}.json")
        self.chats = ConversationEvents(self.arrivals, self.outbox, config.inbox_ids, folder / "long-messages", clock)
        self.api = ChatwootApi(config.url, token, config.timeout, config.verify_tls)
        self.profile: dict | None = None
        self.problems: Counter = Counter()
        self.presence_sent = 0
        self._commands: queue.Queue = queue.Queue()
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._wake = threading.Event()
        self._cable: Cable | None = None
        self._threads: list[threading.Thread] = []

    # ---- ChatSource / PrivateNotes -----------------------------------------------------------
    def start(self) -> None:
        self.chats.load(self.state_file.load().get("conversations") or {})
        for target, name in ((self._live_loop, "chatwoot-live"), (self._command_loop, "chatwoot-send")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def poll(self, now: float) -> list[SourceEvent]:
        return self.arrivals.drain(now)

    def send(self, chat_id: str, text: str, now: float, outbox_id: str) -> None:
        reply = self.outbox.add(chat_id, text, outbox_id)
        if reply is not None:
            self._commands.put(("send", reply))

    def post_note(self, chat_id: str, text: str, now: float) -> None:
        if self.config.private_notes:
            note = self.outbox.add(chat_id, text, f"note-{chat_id}-{now:.3f}", private=True)
            if note is not None:
                self._commands.put(("send", note))

    def close(self, chat_id: str, resolved: bool, now: float) -> None:
        conversation_id = conversation_id_of(chat_id)
        with self.chats.lock:
            info = self.chats.known.get(conversation_id) if conversation_id is not None else None
            if info is None or not info.open or info.chat_id != chat_id:
                return
            self.chats.ended_by_agent(info)
            self._save_state()
        if resolved:  # closed without resolution, it stays open in Chatwoot for a colleague to see
            self._commands.put(("resolve", conversation_id))

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._commands.put(("stop",))
        cable = self._cable
        if cable is not None:
            cable.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self.api.close()
        self._save_state()

    def reconnect(self) -> None:
        self._wake.set()

    # ---- the live thread ---------------------------------------------------------------------
    def _live_loop(self) -> None:
        backoff = Backoff()
        while not self._stopping.is_set():
            if self.link.is_offline:
                if not self._wake.wait(1.0):
                    continue
                self._wake.clear()
                self.link.connecting()
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
            except ServerProblem as problem:
                if self._stopping.is_set():
                    break
                self._failed(problem, backoff)
            except Exception:  # a bug must not end receiving for the shift: log it, back off, go on
                if self._stopping.is_set():
                    break
                log.exception("chatwoot live connection")
                self._stopping.wait(backoff.next_delay())
            finally:
                if self._cable is not None:
                    self._cable.close()

    def _failed(self, problem: ServerProblem, backoff: Backoff) -> None:
        self.problems[problem.kind] += 1
        if problem.kind in ("auth", "forbidden"):
            self._ready.clear()
            self.profile = None
            self.link.offline(_plain_refusal(problem))
            return
        delay = backoff.next_delay(problem.retry_after if problem.kind == "rate_limited" else None)
        self.link.reconnecting(delay, problem.detail)
        self._stopping.wait(delay)

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
        self._ready.set()

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
        try:
            data = self.api.conversation(conversation_id)
        except ServerProblem as problem:
            if problem.kind != "not_found":
                raise
            with self.chats.lock:
                self.chats.deleted(conversation_id)
            return
        with self.chats.lock:
            self.chats.conversation(data)

    def _catch_up(self, conversation_id: int) -> None:
        info = self.chats.known[conversation_id]
        try:
            messages = self.api.messages_after(conversation_id, info.last_message_id)
        except ServerProblem as problem:
            if problem.kind != "not_found":
                raise
            with self.chats.lock:
                self.chats.deleted(conversation_id)
            return
        with self.chats.lock:
            for message in messages:
                self.chats.message(message, conversation_id)

    def _follow(self, cable: Cable) -> None:
        heard, presence = time.monotonic(), 0.0
        while not self._stopping.is_set():
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
                self._commands.put(("fetch", conversation_id))  # a conversation of ours we had not seen yet
        elif name in CONVERSATION_EVENTS:
            with self.chats.lock:
                info = self.chats.conversation(data)
            if info is not None and info.open and info.last_message_id == 0:
                self._commands.put(("catch_up", info.id))
        elif name == "contact.deleted":
            self._commands.put(("resync",))

    # ---- the command thread ------------------------------------------------------------------
    def _command_loop(self) -> None:
        while not self._stopping.is_set():
            command = self._commands.get()
            if command[0] == "stop":
                break
            try:
                self._perform(command)
            except Exception:
                log.exception("chatwoot command %s failed", command[0])

    def _perform(self, command: tuple) -> None:
        backoff = Backoff()
        while not self._stopping.is_set():
            reply = command[1] if command[0] == "send" else None
            if self.link.is_offline and reply is not None:
                self.outbox.failed(reply.outbox_id, f"not sent: {self.link.detail}")
                return
            if not self._ready.wait(timeout=1.0):
                if reply is not None and self.outbox.out_of_patience(reply):
                    self.outbox.failed(reply.outbox_id, f"not sent: {self.link.detail or 'no connection'}")
                    return
                continue
            try:
                self._do(command)
                return
            except ServerProblem as problem:
                self.problems[problem.kind] += 1
                if problem.kind == "auth":
                    self._ready.clear()
                    self.link.offline(_plain_refusal(problem))
                if not problem.retryable or (reply is not None and self.outbox.out_of_patience(reply)):
                    if reply is not None:
                        self.outbox.failed(reply.outbox_id, _plain_failure(problem))
                    if problem.kind == "not_found" and command[0] in ("send", "resolve", "catch_up", "fetch"):
                        conversation_id = conversation_id_of(reply.chat_id) if reply else command[1]
                        with self.chats.lock:
                            self.chats.deleted(conversation_id)
                    return
                self._stopping.wait(backoff.next_delay(problem.retry_after if problem.kind == "rate_limited" else None))

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


def _plain_failure(problem: ServerProblem) -> str:
    if problem.kind == "not_found":
        return "the conversation no longer exists in Chatwoot"
    return problem.detail
