"""The agent's replies on their way to the server, and the DeliveryUpdate events they cause.

One entry per outbox id. The same id sent again (the agent's Retry) reuses its entry, so the
server-side dedupe (Matrix transaction id, Chatwoot content check) sees the same reply; a reply
already confirmed is confirmed again at once and never sent twice. A reply the server has not
taken within `give_up_after` seconds of trying fails with the last reason; Retry starts again.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from copilot.core.events import Delivery, DeliveryUpdate
from copilot.sources.live.arrivals import Arrivals

GIVE_UP_AFTER = 90.0  # seconds of failed attempts before a reply is reported FAILED


@dataclass
class Reply:
    outbox_id: str
    chat_id: str
    text: str
    queued_at: float  # when this attempt (first send or Retry) started
    state: Delivery = Delivery.QUEUED
    remote_id: str = ""  # the server's id once it took the reply
    attempts: int = 0
    private: bool = False  # a private note (Chatwoot), not a reply to the customer
    uncertain: bool = False  # the last attempt got no answer: the server may have taken it
    seen_before: int = 0  # Chatwoot: the newest message id known at the first attempt (where to look for it)


class Outbox:
    def __init__(self, arrivals: Arrivals, give_up_after: float = GIVE_UP_AFTER, clock=time.time):
        self._arrivals = arrivals
        self._clock = clock
        self.give_up_after = give_up_after
        self._lock = threading.Lock()
        self._replies: dict[str, Reply] = {}
        self._by_remote: dict[str, str] = {}

    def add(self, chat_id: str, text: str, outbox_id: str, private: bool = False) -> Reply | None:
        """The reply to send now, or None when there is nothing to send (already on its way or done)."""
        now = self._clock()
        with self._lock:
            reply = self._replies.get(outbox_id)
            if reply is None:
                reply = self._replies[outbox_id] = Reply(outbox_id, chat_id, text, now, private=private)
                return reply
            if reply.state is Delivery.FAILED:  # Retry: same entry, same id, fresh patience
                reply.state, reply.queued_at = Delivery.QUEUED, now
                return reply
            state = reply.state
        if state is Delivery.CONFIRMED:
            self._tell(reply, Delivery.CONFIRMED)
        return None

    def get(self, outbox_id: str) -> Reply | None:
        with self._lock:
            return self._replies.get(outbox_id)

    def by_remote(self, remote_id: str) -> Reply | None:
        with self._lock:
            outbox_id = self._by_remote.get(remote_id)
            return self._replies.get(outbox_id) if outbox_id else None

    def pending(self) -> list[Reply]:
        with self._lock:
            return [r for r in self._replies.values() if r.state in (Delivery.QUEUED, Delivery.SENT)]

    def out_of_patience(self, reply: Reply) -> bool:
        return self._clock() - reply.queued_at > self.give_up_after

    def sent(self, outbox_id: str, remote_id: str) -> None:
        with self._lock:
            reply = self._replies.get(outbox_id)
            if reply is None:
                return
            if remote_id:
                reply.remote_id = remote_id
                self._by_remote[remote_id] = outbox_id
            if reply.state is not Delivery.QUEUED:
                return  # the echo may come back before the server's answer: never step back
            reply.state = Delivery.SENT
        self._tell(reply, Delivery.SENT)

    def confirmed(self, outbox_id: str, remote_id: str = "") -> bool:
        with self._lock:
            reply = self._replies.get(outbox_id)
            if reply is None or reply.state is Delivery.CONFIRMED:
                return reply is not None
            if remote_id:
                reply.remote_id = remote_id
                self._by_remote[remote_id] = outbox_id
            reply.state = Delivery.CONFIRMED
        self._tell(reply, Delivery.CONFIRMED)
        return True

    def failed(self, outbox_id: str, reason: str) -> None:
        with self._lock:
            reply = self._replies.get(outbox_id)
            if reply is None or reply.state in (Delivery.CONFIRMED, Delivery.FAILED):
                return
            reply.state = Delivery.FAILED
        self._tell(reply, Delivery.FAILED, reason)

    def _tell(self, reply: Reply, state: Delivery, reason: str = "") -> None:
        if not reply.private:
            self._arrivals.put(DeliveryUpdate(reply.chat_id, reply.outbox_id, state, self._clock(), reason))
