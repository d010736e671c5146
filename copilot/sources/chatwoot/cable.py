"""Chatwoot's ActionCable websocket, as its own dashboard uses it (websockets' sync client).

The protocol (Rails ActionCable, JSON): the server greets with {"type": "welcome"}; the client
subscribes with {"command": "subscribe", "identifier": "<JSON string>"} naming RoomChannel with
the user's pubsub_token, account_id and user_id; the server answers confirm_subscription (or
reject_subscription), pings every 3 s, and delivers {"identifier": ..., "message": {"event": ...,
"data": ...}}. Presence stays alive by performing `update_presence` (Chatwoot's dashboard does it
every few seconds). The browser's Origin header is sent: ActionCable checks it against the install.
"""
from __future__ import annotations

import json
from contextlib import ExitStack
from urllib.parse import urlparse

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from copilot.sources.live.problems import ServerProblem, from_status

MAX_FRAME = 32 * 1024 * 1024  # a 1 MB customer message arrives in one frame, with room to spare
SILENCE_LIMIT = 12.0  # seconds without a frame (ActionCable pings every 3 s) before the link counts as dead


def cable_url(install_url: str, websocket_url: str = "") -> str:
    """ws(s)://host/cable for an install, or the install's own websocket URL when it has one."""
    if websocket_url:
        base = websocket_url.rstrip("/")
        base = "ws" + base[4:] if base.startswith("http") else base
        return base if base.endswith("/cable") else base + "/cable"
    parsed = urlparse(install_url.rstrip("/"))
    scheme = "wss" if parsed.scheme == "https" else "ws"
    return f"{scheme}://{parsed.netloc}{parsed.path}/cable"


def origin_of(install_url: str) -> str:
    parsed = urlparse(install_url)
    return f"{parsed.scheme}://{parsed.netloc}"


class Cable:
    def __init__(self, url: str, origin: str, pubsub_token: str, account_id: int, user_id: int, timeout: float = 15.0):
        self.url, self.origin, self.timeout = url, origin, timeout
        self.identifier = json.dumps({"channel": "RoomChannel", "pubsub_token": pubsub_token,
                                      "account_id": account_id, "user_id": user_id})
        self._ws: ClientConnection | None = None
        self._stack = ExitStack()

    def open(self) -> None:
        """Connect, wait for the welcome, subscribe and wait for the confirmation."""
        try:
            self._ws = self._stack.enter_context(connect(
                self.url, origin=self.origin, subprotocols=["actioncable-v1-json"], open_timeout=self.timeout,
                close_timeout=2, max_size=MAX_FRAME, ping_interval=None, user_agent_header="agent-copilot"))
        except InvalidStatus as exc:
            raise from_status(exc.response.status_code, "", "opening the live connection") from None
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            raise ServerProblem("unreachable", f"opening the live connection: {type(exc).__name__}") from None
        self._expect("welcome")
        self._send({"command": "subscribe", "identifier": self.identifier})
        self._expect("confirm_subscription")

    def _expect(self, kind: str) -> None:
        while True:
            frame = self.receive(self.timeout)
            if frame is None:
                raise ServerProblem("unreachable", f"the live connection sent no {kind}")
            if frame.get("type") == kind:
                return
            if frame.get("type") == "reject_subscription":
                raise ServerProblem("auth", "401: Chatwoot refused the live subscription (the pubsub token)")

    def receive(self, timeout: float) -> dict | None:
        """The next frame, or None when none came within `timeout` seconds."""
        assert self._ws is not None
        try:
            raw = self._ws.recv(timeout=timeout)
        except TimeoutError:
            return None
        except ConnectionClosed:
            raise ServerProblem("unreachable", "the live connection was closed") from None
        except OSError as exc:
            raise ServerProblem("unreachable", f"the live connection failed ({type(exc).__name__})") from None
        try:
            frame = json.loads(raw)
        except ValueError:
            return {}
        if not isinstance(frame, dict):
            return {}
        if frame.get("type") == "disconnect":
            if frame.get("reason") == "unauthorized":
                raise ServerProblem("auth", "401: Chatwoot closed the live connection (unauthorized)")
            raise ServerProblem("unreachable", f"Chatwoot closed the live connection ({frame.get('reason') or 'no reason'})")
        return frame

    def keep_present(self) -> None:
        self._send({"command": "message", "identifier": self.identifier,
                    "data": json.dumps({"action": "update_presence"})})

    def _send(self, frame: dict) -> None:
        assert self._ws is not None
        try:
            self._ws.send(json.dumps(frame))
        except (ConnectionClosed, OSError) as exc:
            raise ServerProblem("unreachable", f"the live connection failed ({type(exc).__name__})") from None

    def close(self) -> None:
        if self._ws is not None:
            try:
                self._stack.close()
            except Exception:  # closing a broken socket: nothing more to do
                pass
            self._ws = None


def event_of(frame: dict) -> tuple[str, dict] | None:
    """(event name, data) of a broadcast frame; None for pings, confirmations and anything else."""
    message = frame.get("message")
    if not isinstance(message, dict) or "identifier" not in frame:
        return None
    event, data = message.get("event"), message.get("data")
    if not isinstance(event, str) or not isinstance(data, dict):
        return None
    return event, data
