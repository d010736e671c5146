"""The Matrix chat source: a ChatSource (copilot.core.source) over the client-server API v3.

On the threads of a LiveSource (live/base.py): the receiving thread long-polls /sync (the `since`
token and what it knows about rooms are kept in the data directory, so a restart neither loses nor
repeats what arrived), and the command thread sends replies, tags rooms and accepts invitations, in
order. poll() only drains what they queued. Replies are PUT with the outbox id as the transaction id, so a retry,
even after a restart of the server, never makes a second message; the echo confirms delivery.
"""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from copilot.sources.config import SourceConfig
from copilot.sources.live.backoff import Backoff
from copilot.sources.live.base import LiveSource
from copilot.sources.live.outbox import Reply
from copilot.sources.live.problems import ServerProblem
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


class MatrixSource(LiveSource):
    kind = "matrix"

    def __init__(self, config: SourceConfig, secret: str, data_dir: Path, poll_timeout_ms: int = POLL_TIMEOUT_MS,
                 clock=time.time):
        super().__init__(config, data_dir, clock)
        self._secret = secret
        self.rooms = RoomEvents(self.arrivals, self.outbox, frozenset(config.staff), self.folder / "long-messages", clock)
        self.api = MatrixApi(config.url, secret if config.login == "token" else "", config.timeout, config.verify_tls)
        self.poll_timeout_ms = poll_timeout_ms
        self.since: str | None = None
        self.device_id = ""
        self.membership_check_every = MEMBERSHIP_CHECK_SECONDS
        self._membership_checked = 0.0
        self._caught_up = False

    def close(self, chat_id: str, resolved: bool, now: float) -> None:
        with self.rooms.lock:
            info = self.rooms.chat_room(chat_id)
            if info is None or not info.open or info.chat_id != chat_id:
                return
            info.open, info.ended_at_ms = False, int(self.clock() * 1000)
            self._save_state()
        self.command("tag", info.room_id, RESOLVED_TAG if resolved else CLOSED_TAG, info.ended_at_ms)

    # ---- receiving: the /sync long-poll ------------------------------------------------------
    def _receive(self, backoff: Backoff) -> None:
        if not self.ready.is_set():
            self._sign_in()
        if not self._caught_up:
            with self.rooms.lock:
                reopen_known(self.api, self.rooms)
            self._caught_up = True
        while not self.stopping.is_set():
            try:
                data = self.api.sync(self.since, self.poll_timeout_ms if self.since else 0, SYNC_FILTER)
            except ServerProblem as problem:
                if problem.code != "M_UNKNOWN_POS":
                    raise
                self.since = None  # the server forgot our place: start again from a full sync
                continue
            if self.stopping.is_set():
                return  # stop() no longer waits for this answer; it must not be half-applied
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
        self.ready.set()

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
                self.command("join", room_id)

    # ---- commands ----------------------------------------------------------------------------
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

    def _refusal(self, problem: ServerProblem) -> str:
        return _plain_refusal(problem)

    def _release(self) -> None:
        self.api.close()

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
