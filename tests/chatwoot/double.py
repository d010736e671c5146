"""A CONTRACT DOUBLE of a Chatwoot install, NOT Chatwoot: no Chatwoot server can be installed here.

It is written from Chatwoot's published contract (chatwoot/chatwoot: swagger/swagger.json and the
paths under swagger/paths/application; the jbuilder views for the profile; MessageFinder for
`after=`; RoomChannel and ActionCableListener for the websocket): the same REST paths, the
`api_access_token` header, the same payload shapes (conversation lists under data.payload, messages
under payload, message_type 0/1/2, echo_id only in the broadcast), and ActionCable's frames
(welcome, ping every 3 s, confirm/reject_subscription, {identifier, message: {event, data}},
update_presence). It checks what a real install checks: the token, the pubsub token and user id
in the subscription identifier, and the Origin header. It also misbehaves on request: refused
tokens, 429 with Retry-After, dropped connections, deleted conversations, restarts.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from tests.chatwoot import websocket_frames as wsf

PAGE = 25


@dataclass
class Conversation:
    id: int
    contact: dict
    inbox_id: int = 1
    status: str = "open"
    assignee_id: int | None = None
    created_at: int = field(default_factory=lambda: int(time.time()))
    messages: list[dict] = field(default_factory=list)


class ChatwootDouble:
    def __init__(self, port: int = 0):
        self.account_id, self.agent = 3, {"id": 7, "name": "Dana", "available_name": "Dana"}
        self.token, self.pubsub_token = "agent-token", "pubsub-dana"
        self.users = {7: self.agent, 8: {"id": 8, "name": "Sam", "available_name": "Sam"}}
        self.lock = threading.RLock()
        self.conversations: dict[int, Conversation] = {}
        self.next_conversation, self.next_message = 100, 5000
        self.sockets: list = []
        self.requests: list[tuple[str, str]] = []  # (method, path) seen
        self.origins: list[str] = []
        self.presence = 0
        self.refuse_tokens = False
        self.rate_limit_next = 0  # this many REST requests answer 429 with Retry-After
        self.retry_after = 1
        self.lose_answer_to_next_post = False  # take the next message, then drop the connection unanswered
        self.on_agent_message = None  # callback(conversation_id, text) for the scripted customers
        self._port = port
        self.server: ThreadingHTTPServer | None = None

    # ---- running -----------------------------------------------------------------------------
    def start(self) -> "ChatwootDouble":
        double = self

        class Handler(_Handler):
            pass
        Handler.double = double
        self.server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self.server.daemon_threads = True
        self._port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self._pinging = threading.Event()
        threading.Thread(target=self._ping_loop, args=(self._pinging,), daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def stop(self) -> None:
        if self.server is not None:
            self._pinging.set()
            self.server.shutdown()
            self.server.server_close()
            self.drop_connections()
            self.server = None

    def restart(self, down_for: float = 1.0) -> None:
        """A server restart: everything drops, nothing answers for a while, the data stays."""
        self.stop()
        time.sleep(down_for)
        self.start()

    def drop_connections(self) -> None:
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            try:
                sock.shutdown(2)
                sock.close()
            except OSError:
                pass

    def _ping_loop(self, stop: threading.Event) -> None:
        while not stop.wait(3.0):
            self._push({"type": "ping", "message": int(time.time())})

    # ---- the world outside the app -----------------------------------------------------------
    def new_conversation(self, name: str, assignee: int | None = 7, inbox_id: int = 1) -> int:
        with self.lock:
            self.next_conversation += 1
            conv = Conversation(self.next_conversation, {"id": self.next_conversation + 9000, "name": name},
                                inbox_id, assignee_id=assignee)
            self.conversations[conv.id] = conv
        self.broadcast("conversation.created", self.conversation_json(conv))
        return conv.id

    def customer_writes(self, conversation_id: int, text: str) -> dict:
        conv = self.conversations[conversation_id]
        if conv.status == "resolved":  # a resolved conversation reopens when the customer writes
            self.set_status(conversation_id, "open")
        return self._add_message(conversation_id, text, 0, {"id": conv.contact["id"], "name": conv.contact["name"],
                                                             "type": "contact"}, "Contact")

    def user_writes(self, conversation_id: int, text: str, user_id: int, private: bool = False) -> dict:
        user = self.users[user_id]
        return self._add_message(conversation_id, text, 1, {**user, "type": "user"}, "User", private=private)

    def bot_writes(self, conversation_id: int, text: str) -> dict:
        return self._add_message(conversation_id, text, 1, {"id": 1, "name": "Captain", "type": "agent_bot"}, "AgentBot")

    def set_status(self, conversation_id: int, status: str) -> None:
        conv = self.conversations[conversation_id]
        conv.status = status
        self.broadcast("conversation.status_changed", self.conversation_json(conv))

    def assign(self, conversation_id: int, user_id: int | None) -> None:
        conv = self.conversations[conversation_id]
        conv.assignee_id = user_id
        self.broadcast("assignee.changed", self.conversation_json(conv))

    def delete(self, conversation_id: int) -> None:
        with self.lock:
            self.conversations.pop(conversation_id, None)  # Chatwoot sends no event for this

    def _add_message(self, conversation_id: int, text: str, kind: int, sender: dict, sender_type: str,
                     private: bool = False, echo_id: str | None = None) -> dict:
        with self.lock:
            conv = self.conversations[conversation_id]
            self.next_message += 1
            message = {"id": self.next_message, "content": text, "account_id": self.account_id, "inbox_id": conv.inbox_id,
                       "conversation_id": conv.id, "message_type": kind, "created_at": int(time.time()),
                       "private": private, "status": "sent", "source_id": None, "content_type": "text",
                       "content_attributes": {}, "sender_type": sender_type, "sender_id": sender["id"],
                       "sender": sender}
            conv.messages.append(message)
        pushed = {**message, "conversation": {"assignee_id": conv.assignee_id, "unread_count": 0,
                                              "last_activity_at": message["created_at"]}}
        if echo_id:
            pushed["echo_id"] = echo_id  # in the broadcast only: Chatwoot does not store it
        self.broadcast("message.created", pushed)
        return message

    # ---- shapes ------------------------------------------------------------------------------
    def conversation_json(self, conv: Conversation) -> dict:
        assignee = self.users.get(conv.assignee_id) if conv.assignee_id else None
        return {"id": conv.id, "account_id": self.account_id, "inbox_id": conv.inbox_id, "status": conv.status,
                "created_at": conv.created_at, "timestamp": conv.created_at, "unread_count": 0,
                "messages": conv.messages[-1:], "additional_attributes": {}, "custom_attributes": {},
                "meta": {"sender": {**conv.contact, "thumbnail": ""}, "assignee": assignee, "channel": "Channel::WebWidget",
                         "hmac_verified": False}}

    def profile_json(self) -> dict:
        return {**self.agent, "email": "dana@example.com", "account_id": self.account_id, "pubsub_token": self.pubsub_token,
                "access_token": self.token, "role": "agent", "type": "User", "uid": "dana@example.com",
                "accounts": [{"id": self.account_id, "name": "Acme", "status": "active", "role": "agent"}]}

    # ---- the websocket side ------------------------------------------------------------------
    def identifier(self) -> str:
        return json.dumps({"channel": "RoomChannel", "pubsub_token": self.pubsub_token,
                           "account_id": self.account_id, "user_id": self.agent["id"]})

    def broadcast(self, event: str, data: dict) -> None:
        self._push({"identifier": self.identifier(), "message": {"event": event, "data": {**data, "account_id": self.account_id}}},
                   subscribed_only=True)

    def _push(self, frame: dict, subscribed_only: bool = False) -> None:
        payload = json.dumps(frame).encode()
        with self.lock:
            targets = [p for p in self.sockets if not subscribed_only or p.subscribed]
        for peer in targets:
            try:
                peer.send({}, raw=payload)
            except OSError:
                pass


class _Peer:
    """One websocket client: its socket, a lock so frames never interleave, its subscription."""

    def __init__(self, sock):
        self.sock, self.write_lock, self.subscribed = sock, threading.Lock(), False

    def send(self, frame: dict, opcode: int = wsf.TEXT, raw: bytes | None = None) -> None:
        with self.write_lock:
            self.sock.sendall(wsf.frame(raw if raw is not None else json.dumps(frame).encode(), opcode))

    def shutdown(self, how: int) -> None:
        self.sock.shutdown(how)

    def close(self) -> None:
        self.sock.close()


class _Handler(BaseHTTPRequestHandler):
    double: ChatwootDouble
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _answer(self, status: int, body: object, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _gate(self) -> bool:
        """What a real install checks first: the token; and the faults asked for."""
        d = self.double
        d.requests.append((self.command, self.path))
        if d.refuse_tokens or self.headers.get("api_access_token") != d.token:
            self._answer(401, {"errors": ["You need to sign in or sign up before continuing."]})
            return False
        if d.rate_limit_next > 0:
            d.rate_limit_next -= 1
            self._answer(429, {"error": "Too many requests"}, {"Retry-After": str(d.retry_after)})
            return False
        return True

    def do_GET(self) -> None:
        if self.path.startswith("/cable"):
            return self._cable()
        if not self._gate():
            return
        d, url = self.double, urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        parts = url.path.strip("/").split("/")
        if url.path == "/api/v1/profile":
            return self._answer(200, d.profile_json())
        if parts[:4] != ["api", "v1", "accounts", str(d.account_id)] or len(parts) < 5 or parts[4] != "conversations":
            return self._answer(404, {"error": "Resource could not be found"})
        with d.lock:
            if len(parts) == 5:
                mine = [c for c in d.conversations.values() if (query.get("assignee_type") != "me" or c.assignee_id == 7)
                        and query.get("status", "open") in ("all", c.status)]
                page = int(query.get("page", 1))
                payload = [d.conversation_json(c) for c in mine[(page - 1) * PAGE: page * PAGE]]
                return self._answer(200, {"data": {"meta": {"mine_count": len(mine)}, "payload": payload}})
            conv = d.conversations.get(int(parts[5])) if parts[5].isdigit() else None
            if conv is None:
                return self._answer(404, {"error": "Resource could not be found"})
            if len(parts) == 6:
                return self._answer(200, d.conversation_json(conv))
            if parts[6] == "messages":
                if "after" in query:
                    found = [m for m in conv.messages if m["id"] > int(query["after"])][:100]
                else:
                    found = conv.messages[-20:]
                return self._answer(200, {"meta": {"contact": conv.contact}, "payload": found})
        self._answer(404, {"error": "Resource could not be found"})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        if not self._gate():
            return
        d = self.double
        parts = urlparse(self.path).path.strip("/").split("/")
        conv_id = int(parts[5]) if len(parts) > 5 and parts[5].isdigit() else -1
        with d.lock:
            conv = d.conversations.get(conv_id)
        if conv is None:
            return self._answer(404, {"error": "Resource could not be found"})
        if parts[6:] == ["messages"]:
            message = d._add_message(conv_id, str(body.get("content", "")), 1, {**d.agent, "type": "user"}, "User",
                                     private=bool(body.get("private")), echo_id=body.get("echo_id"))
            if d.on_agent_message and not message["private"]:
                d.on_agent_message(conv_id, message["content"])
            if d.lose_answer_to_next_post:  # taken, but the answer never reaches the client
                d.lose_answer_to_next_post = False
                self.close_connection = True
                self.connection.shutdown(2)
                return
            return self._answer(200, message)
        if parts[6:] == ["toggle_status"]:
            d.set_status(conv_id, str(body.get("status", "open")))
            return self._answer(200, {"meta": {}, "payload": {"success": True, "current_status": conv.status,
                                                              "conversation_id": conv_id}})
        self._answer(404, {"error": "Resource could not be found"})

    def _cable(self) -> None:
        d, sock = self.double, self.connection
        d.origins.append(self.headers.get("Origin", ""))
        if self.headers.get("Upgrade", "").lower() != "websocket" or self.headers.get("Origin") != d.url:
            return self._answer(404 if self.headers.get("Upgrade") else 400, {"error": "not a websocket request from this install"})
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", wsf.accept_key(self.headers["Sec-WebSocket-Key"]))
        if "actioncable-v1-json" in self.headers.get("Sec-WebSocket-Protocol", ""):
            self.send_header("Sec-WebSocket-Protocol", "actioncable-v1-json")
        self.end_headers()
        self.wfile.flush()
        peer = _Peer(sock)
        with d.lock:
            d.sockets.append(peer)
        peer.send({"type": "welcome"})
        try:
            while True:
                opcode, payload = wsf.read_frame(sock)
                if opcode == wsf.CLOSE:
                    break
                if opcode == wsf.PING:
                    peer.send({}, wsf.PONG, raw=payload)
                    continue
                self._cable_command(peer, json.loads(payload))
        except (ConnectionError, OSError, ValueError):
            pass
        self.close_connection = True

    def _cable_command(self, peer: _Peer, command: dict) -> None:
        d = self.double
        identifier = command.get("identifier", "")
        if command.get("command") == "subscribe":
            wanted = json.loads(identifier) if isinstance(identifier, str) else {}
            ok = (not d.refuse_tokens and wanted.get("channel") == "RoomChannel" and wanted.get("pubsub_token") == d.pubsub_token
                  and wanted.get("user_id") == d.agent["id"] and wanted.get("account_id") == d.account_id)
            reply = {"identifier": identifier, "type": "confirm_subscription" if ok else "reject_subscription"}
            peer.subscribed = ok
            peer.send(reply)
        elif command.get("command") == "message" and json.loads(command.get("data", "{}")).get("action") == "update_presence":
            d.presence += 1


def workbench_on(double: ChatwootDouble, tmp_path, **config):
    """The real window's Workbench with the Chatwoot source pointed at this double (not Chatwoot)."""
    from copilot.session import SessionOptions
    from copilot.settings import Settings
    from copilot.sources.config import SourceConfig
    from copilot.ui.workbench import Workbench

    options = SessionOptions(agent="dana", usage_log=tmp_path / "usage.sqlite", source_secret=double.token,
                             source=SourceConfig(kind="chatwoot", url=double.url, **config))
    return Workbench(options, Settings())
