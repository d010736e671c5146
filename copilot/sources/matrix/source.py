"""The Matrix chat source: a ChatSource (copilot.core.source) over the client-server API v3.

Two threads of its own: the sync thread long-polls /sync (the `since` token and what it knows
about rooms are kept in the data directory, so a restart neither loses nor repeats what arrived),
and the command thread sends replies, tags rooms and accepts invitations, in order. poll() only
drains what they queued. Replies are PUT with the outbox id as the transaction id, so a retry,
even after a restart of the server, never makes a second message; the echo confirms delivery.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections import Counter
from pathlib import Path

from copilot.core.events import SourceEvent
from copilot.sources.config import SourceConfig
from copilot.sources.live.arrivals import Arrivals
from copilot.sources.live.backoff import Backoff
from copilot.sources.live.link import LinkReporter
from copilot.sources.live.outbox import Outbox, Reply
from copilot.sources.live.problems import ServerProblem
from copilot.sources.live.state_file import StateFile
from copilot.sources.matrix.api import MatrixApi
from copilot.sources.matrix.catch_up import backfill_gap, reopen_known
from copilot.sources.matrix.room_events import RoomEvents
from copilot.sources.matrix.rooms import CLOSED_TAG, RESOLVED_TAG, RoomInfo

log = logging.getLogger(__name__)
POLL_TIMEOUT_MS = 30_000
TIMELINE_LIMIT = 100
MEMBERSHIP_CHECK_SECONDS = 30.0  # how often to look for rooms that vanished without a trace in /sync
SYNC_FILTER = json.dumps({
    "presence": {"types": []}, "account_data": {"types": []},
    "room": {"timeline": {"limit": TIMELINE_LIMIT}, "ephemeral": {"types": []}, "account_data": {"types": ["m.tag"]}},
}, separators=(",", ":"))


class MatrixSource:
    kind = "matrix"

    def __init__(self, config: SourceConfig, secret: str, data_dir: Path, poll_timeout_ms: int = POLL_TIMEOUT_MS,
                 clock=time.time):
        self.config = config
        self._secret = secret
        self.clock = clock
        self.arrivals = Arrivals()
        self.link = LinkReporter(self.arrivals, clock)
        self.outbox = Outbox(self.arrivals, clock=clock)
        folder = data_dir / "sources"
        self.state_file = StateFile(folder / f"{config.slug}.json")
        self.rooms = RoomEvents(self.arrivals, self.outbox, frozenset(config.staff), folder / "long-messages", clock)
        self.api = MatrixApi(config.url, secret if config.login == "token" else "", config.timeout, config.verify_tls)
        self.poll_timeout_ms = poll_timeout_ms
        self.since: str | None = None
        self.device_id = ""
        self._commands: queue.Queue = queue.Queue()
        self._stopping = threading.Event()
        self._signed_in = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self.membership_check_every = MEMBERSHIP_CHECK_SECONDS
        self._membership_checked = 0.0
        self.problems: Counter = Counter()  # what went wrong so far, by kind (for the self-test summary)

    # ---- ChatSource --------------------------------------------------------------------------
    def start(self) -> None:
        self._load_state()
        for target, name in ((self._sync_loop, "matrix-sync"), (self._command_loop, "matrix-send")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def poll(self, now: float) -> list[SourceEvent]:
        return self.arrivals.drain(now)

    def send(self, chat_id: str, text: str, now: float, outbox_id: str) -> None:
        reply = self.outbox.add(chat_id, text, outbox_id)
        if reply is not None:
            self._commands.put(("send", reply))

    def close(self, chat_id: str, resolved: bool, now: float) -> None:
        with self.rooms.lock:
            info = self.rooms.chat_room(chat_id)
            if info is None or not info.open or info.chat_id != chat_id:
                return
            info.open, info.ended_at_ms = False, int(self.clock() * 1000)
            self._save_state()
        self._commands.put(("tag", info.room_id, RESOLVED_TAG if resolved else CLOSED_TAG, info.ended_at_ms))

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._commands.put(("stop",))
        sync_thread, command_thread = self._threads or (None, None)
        if command_thread is not None:
            command_thread.join(timeout=5)
        if sync_thread is not None:  # a long-poll in flight ends by itself; its answer is dropped
            sync_thread.join(timeout=0.5)
        self.api.close()
        self._save_state()

    def reconnect(self) -> None:
        """The agent asks to try again after the source went offline (e.g. a new token was saved)."""
        self._wake.set()

    # ---- the sync thread ---------------------------------------------------------------------
    def _sync_loop(self) -> None:
        backoff = Backoff()
        caught_up = False
        asked = time.monotonic()
        while not self._stopping.is_set():
            if self.link.is_offline:
                self._wake.wait(1.0)
                if not self._wake.is_set():
                    continue
                self._wake.clear()
                self.link.connecting()
            try:
                if not self._signed_in.is_set():
                    self._sign_in()
                if not caught_up:
                    with self.rooms.lock:
                        reopen_known(self.api, self.rooms)
                    caught_up = True
                asked = time.monotonic()
                data = self.api.sync(self.since, self.poll_timeout_ms if self.since else 0, SYNC_FILTER)
                if self._stopping.is_set():
                    break  # stop() no longer waits for this answer; it must not be half-applied
                with self.rooms.lock:
                    self._apply(data)
                    self.since = str(data.get("next_batch") or self.since or "")
                    self._save_state()
                if backoff.failures or time.monotonic() - self._membership_checked > self.membership_check_every:
                    joined = self.api.joined_rooms()
                    with self.rooms.lock:
                        self.rooms.still_joined(joined)
                    self._membership_checked = time.monotonic()
                backoff.reset()
                self.link.connected()
            except ServerProblem as problem:
                if self._stopping.is_set():
                    break
                if time.monotonic() - asked > 2.0:  # it worked, then dropped: try again at once
                    backoff.reset()
                self._sync_failed(problem, backoff)
            except Exception:  # a bug must not end receiving for the shift: log it, back off, go on
                if self._stopping.is_set():
                    break
                log.exception("matrix sync failed")
                self._stopping.wait(backoff.next_delay())

    def _sync_failed(self, problem: ServerProblem, backoff: Backoff) -> None:
        self.problems[problem.kind] += 1
        if problem.kind in ("auth", "forbidden"):
            self._signed_in.clear()
            self.link.offline(_plain_refusal(problem))
            return
        if problem.code == "M_UNKNOWN_POS":  # the server forgot our place: start again from a full sync
            self.since = None
            return
        delay = backoff.next_delay(problem.retry_after if problem.kind == "rate_limited" else None)
        self.link.reconnecting(delay, problem.detail)
        self._stopping.wait(delay)

    def _sign_in(self) -> None:
        if self.config.login == "password":
            answer = self.api.login(self.config.user, self._secret, self.device_id)
            self.device_id = str(answer.get("device_id", self.device_id))
            self.rooms.agent = str(answer.get("user_id", ""))
        else:
            self.rooms.agent = str(self.api.whoami().get("user_id", ""))
        if self.config.space and self.rooms.space_children is None:
            space = self.config.space
            self.rooms.space_id = self.api.resolve_alias(space) if space.startswith("#") else space
            self.rooms.space_children = set()
        self._signed_in.set()

    def _apply(self, data: dict) -> None:
        rooms = data.get("rooms") or {}
        joined = rooms.get("join") or {}
        if self.rooms.space_id in joined:  # the space's children first: they decide which rooms are chats
            joined = {self.rooms.space_id: joined[self.rooms.space_id], **joined}
        for room_id, section in joined.items():
            timeline = section.get("timeline") or {}
            events = [e for e in timeline.get("events") or () if isinstance(e, dict)]
            info = self.rooms.rooms.get(room_id)
            if timeline.get("limited") and info is not None and info.open and info.last_event_id:
                events = backfill_gap(self.api, room_id, timeline.get("prev_batch"), info.last_event_id) + events
            self.rooms.joined(room_id, section, events)
        for room_id, section in (rooms.get("leave") or {}).items():
            self.rooms.left(room_id, section)
        if self.config.auto_join:
            for room_id in rooms.get("invite") or {}:
                self._commands.put(("join", room_id))

    # ---- the command thread ------------------------------------------------------------------
    def _command_loop(self) -> None:
        while not self._stopping.is_set():
            command = self._commands.get()
            if command[0] == "stop":
                break
            try:
                self._perform(command)
            except Exception:
                log.exception("matrix command %s failed", command[0])

    def _perform(self, command: tuple) -> None:
        backoff = Backoff()
        while not self._stopping.is_set():
            if self.link.is_offline and command[0] == "send":
                self.outbox.failed(command[1].outbox_id, f"not sent: {self.link.detail}")
                return
            if not self._signed_in.wait(timeout=1.0):
                if command[0] == "send" and self.outbox.out_of_patience(command[1]):
                    self.outbox.failed(command[1].outbox_id, f"not sent: {self.link.detail or 'no connection'}")
                    return
                continue
            try:
                self._do(command)
                return
            except ServerProblem as problem:
                self.problems[problem.kind] += 1
                if not problem.retryable or (command[0] == "send" and self.outbox.out_of_patience(command[1])):
                    self._give_up(command, problem)
                    return
                self._stopping.wait(backoff.next_delay(problem.retry_after if problem.kind == "rate_limited" else None))

    def _do(self, command: tuple) -> None:
        if command[0] == "send":
            reply: Reply = command[1]
            info = self.rooms.chat_room(reply.chat_id)
            if info is None:
                raise ServerProblem("not_found", "this chat's room is unknown")
            reply.attempts += 1
            event_id = self.api.send_text(info.room_id, reply.outbox_id, reply.text)
            self.outbox.sent(reply.outbox_id, event_id)
        elif command[0] == "tag":
            _, room_id, tag, ended_at_ms = command
            self.api.set_tag(self.rooms.agent, room_id, tag, {"order": 0.5, "ended_at_ms": ended_at_ms})
        elif command[0] == "join":
            self.api.join(command[1])

    def _give_up(self, command: tuple, problem: ServerProblem) -> None:
        if problem.kind == "auth":
            self._signed_in.clear()
            self.link.offline(_plain_refusal(problem))
        if command[0] == "send":
            self.outbox.failed(command[1].outbox_id, problem.detail)
        else:
            log.warning("matrix %s gave up: %s", command[0], problem.detail)

    # ---- what is kept across restarts --------------------------------------------------------
    def _load_state(self) -> None:
        data = self.state_file.load()
        if data.get("homeserver") not in (None, self.config.url.rstrip("/")):
            return
        self.since = data.get("since") or None
        self.device_id = str(data.get("device_id", ""))
        for room_id, room in (data.get("rooms") or {}).items():
            if isinstance(room, dict):
                self.rooms.rooms[room_id] = RoomInfo.from_json({**room, "room_id": room_id})

    def _save_state(self) -> None:
        with self.rooms.lock:
            rooms = {room_id: info.to_json() for room_id, info in self.rooms.rooms.items()}
        try:
            self.state_file.save({"homeserver": self.config.url.rstrip("/"), "since": self.since,
                                  "device_id": self.device_id, "rooms": rooms})
        except OSError as exc:
            log.warning("could not keep the Matrix sync state: %s", exc)


def _plain_refusal(problem: ServerProblem) -> str:
    if problem.code == "M_UNKNOWN_TOKEN" or problem.status == 401:
        return f"{problem.status or 401}: the homeserver refused the access token; sign in again in Copilot ▸ Chat source"
    if problem.detail.startswith("signing in"):
        return f"{problem.status}: the homeserver refused the user name or password"
    return f"{problem.status}: the homeserver refused this account ({problem.detail})"
