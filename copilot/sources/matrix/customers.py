"""The simulator's scripted customers, each speaking through a real Matrix account.

For the tests, the benchmark and demos: a `Simulator` decides what each customer says and when
(on an accelerated clock); this driver carries it out on a homeserver. Each customer registers,
creates a room and invites the agent (and a silent observer account, like a bridge bot, through
which the driver reads the agent's replies and hands them to the customer). A customer leaving
leaves the room. Every call is retried until the server takes it, with transaction ids, so a
server restart loses and repeats nothing on the customers' side either.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from copilot.core.events import ChatOpened, CustomerLeft, CustomerMessage
from copilot.sources.live.problems import ServerProblem
from copilot.sources.matrix.api import MatrixApi
from copilot.sources.matrix.room_text import message_text

log = logging.getLogger(__name__)
Register = Callable[[str, str, str], dict]  # (user, password, display name) -> {user_id, access_token}


class MatrixCustomers:
    def __init__(self, homeserver: str, agent_id: str, register: Register, simulator, clock, observer: dict,
                 prefix: str = "customer"):
        self.homeserver, self.agent_id, self.register = homeserver, agent_id, register
        self.simulator, self.clock = simulator, clock
        self.observer = MatrixApi(homeserver, observer["access_token"], timeout=10)
        self.observer_id = observer["user_id"]
        self.prefix = prefix
        self.lock = threading.Lock()  # the simulator is shared with the scripted agent's oracle
        self.room_of: dict[str, str] = {}  # simulator chat id -> room id
        self.chat_of: dict[str, str] = {}  # room id -> simulator chat id
        self._apis: dict[str, MatrixApi] = {}
        self._txn = 0
        self._since: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.errors: list[str] = []

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="matrix-customers", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)

    # ---- the loop ----------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self.lock:
                    events = self.simulator.poll(self.clock.now())
                for event in events:
                    self._act(event)
                self._read_replies()
            except Exception as exc:  # keep the customers going; the test reads `errors`
                self.errors.append(repr(exc))
                log.exception("matrix customers")
                self._stop.wait(0.5)

    def _act(self, event) -> None:
        if isinstance(event, ChatOpened):
            self._open(event.chat_id)
        elif isinstance(event, CustomerMessage):
            room = self.room_of[event.chat_id]
            self._txn += 1
            txn = f"{self.prefix}-{self._txn}"
            self._retrying(lambda: self._apis[event.chat_id].send_text(room, txn, event.text))
        elif isinstance(event, CustomerLeft):
            self._retrying(lambda: self._apis[event.chat_id].leave(self.room_of[event.chat_id]))

    def _open(self, chat_id: str) -> None:
        with self.lock:
            name = self.simulator.outcome(chat_id).customer_name
        user = f"{self.prefix}-{chat_id}".lower()
        account = self._retrying(lambda: self._account(user, name))
        api = self._apis[chat_id] = MatrixApi(self.homeserver, account["access_token"], timeout=10)
        room = self._retrying(lambda: self._room(api))
        self.room_of[chat_id], self.chat_of[room] = room, chat_id

    def _account(self, user: str, name: str) -> dict:
        try:
            return self.register(user, "customer-password", name)
        except ServerProblem as problem:
            if problem.code != "M_USER_IN_USE":  # registered before a lost answer: sign in instead
                raise
            return MatrixApi(self.homeserver, timeout=10).login(user, "customer-password")

    def _room(self, api: MatrixApi) -> str:
        joined = api.request("GET", "/_matrix/client/v3/joined_rooms", "listing rooms").get("joined_rooms") or []
        if joined:  # created before a lost answer: never make a second room
            return str(joined[0])
        return api.create_room([self.agent_id, self.observer_id])

    def _read_replies(self) -> None:
        """Sync as the observer; the agent's messages reach their customers."""
        data = self._retrying(lambda: self.observer.sync(self._since, 100 if self._since else 0, "{}"))
        rooms = data.get("rooms") or {}
        for room_id in rooms.get("invite") or {}:
            self._retrying(lambda: self.observer.join(room_id))
        for room_id, section in (rooms.get("join") or {}).items():
            chat_id = self.chat_of.get(room_id)
            for event in (section.get("timeline") or {}).get("events") or ():
                text = message_text(event) if event.get("type") == "m.room.message" else None
                if chat_id and text is not None and event.get("sender") == self.agent_id:
                    with self.lock:
                        self.simulator.deliver(chat_id, text, self.clock.now())
        self._since = data.get("next_batch") or self._since

    def _retrying(self, call):
        while not self._stop.is_set():
            try:
                return call()
            except ServerProblem as problem:
                if not problem.retryable:
                    raise
                self._stop.wait(0.2)
        raise ServerProblem("unreachable", "stopped")


def customer_oracle(customers: MatrixCustomers, fallback):
    """The scripted agent's oracle for chats these customers play (the workspace's chat ids are rooms)."""
    from copilot.selftest.oracles import SimulatorOracle

    return SimulatorOracle(customers.simulator, customers.lock,
                           lambda chat_id: customers.chat_of.get(chat_id.split("~", 1)[0]), fallback)
