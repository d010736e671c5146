"""A thin, typed client for the Matrix client-server API v3: only the calls the source needs.

Synchronous httpx on the caller's thread (the source's network threads). Every failure is a
`ServerProblem` with plain words; Matrix's own `errcode` and `retry_after_ms` are kept.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from copilot.sources.live.problems import ServerProblem, from_status, json_request, retry_after_header

PREFIX = "/_matrix/client/v3"
USER_AGENT = "agent-copilot"


def _q(part: str) -> str:
    return quote(part, safe="")


class MatrixApi:
    def __init__(self, homeserver: str, access_token: str = "", timeout: float = 20.0, verify: bool = True):
        self.homeserver = homeserver.rstrip("/")
        self.access_token = access_token
        self._http = httpx.Client(base_url=self.homeserver, timeout=timeout, verify=verify,
                                  headers={"User-Agent": USER_AGENT})

    def close(self) -> None:
        self._http.close()

    # ---- plumbing ---------------------------------------------------------------------------
    def request(self, method: str, path: str, what: str, *, body: Any = None, params: dict | None = None,
                timeout: float | None = None, auth: bool = True) -> dict:
        headers = {"Authorization": f"Bearer {self.access_token}"} if auth and self.access_token else {}
        response, data = json_request(self._http, method, path, what, body=body, params=params, headers=headers,
                                      timeout=timeout)
        if response.is_success:
            if not isinstance(data, dict):
                raise ServerProblem("bad_response", f"{what}: the server's answer was not JSON", response.status_code)
            return data
        data = data if isinstance(data, dict) else {}
        retry = data.get("retry_after_ms")
        retry_after = retry / 1000.0 if isinstance(retry, (int, float)) else retry_after_header(response.headers.get("Retry-After"))
        code, message = str(data.get("errcode", "")), str(data.get("error", ""))
        if response.status_code == 413 or code == "M_TOO_LARGE":
            return_problem = from_status(413, message, what, code=code)
        elif code == "M_LIMIT_EXCEEDED":
            return_problem = from_status(429, message, what, retry_after, code)
        else:
            return_problem = from_status(response.status_code, message, what, retry_after, code)
        raise return_problem

    # ---- the calls --------------------------------------------------------------------------
    def login(self, user: str, password: str, device_id: str = "") -> dict:
        body: dict[str, Any] = {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user},
                                "password": password, "initial_device_display_name": "Agent Copilot"}
        if device_id:
            body["device_id"] = device_id
        data = self.request("POST", f"{PREFIX}/login", "signing in", body=body, auth=False)
        self.access_token = str(data.get("access_token", ""))
        if not self.access_token:
            raise ServerProblem("bad_response", "signing in: the server sent no access token")
        return data

    def whoami(self) -> dict:
        return self.request("GET", f"{PREFIX}/account/whoami", "checking the account")

    def sync(self, since: str | None, timeout_ms: int, filter_json: str, full_state: bool = False) -> dict:
        params: dict[str, Any] = {"timeout": timeout_ms, "filter": filter_json}
        if since:
            params["since"] = since
        if full_state:
            params["full_state"] = "true"
        return self.request("GET", f"{PREFIX}/sync", "receiving", params=params, timeout=timeout_ms / 1000 + 15)

    def send_text(self, room_id: str, txn_id: str, body: str, msgtype: str = "m.text") -> str:
        data = self.request("PUT", f"{PREFIX}/rooms/{_q(room_id)}/send/m.room.message/{_q(txn_id)}", "sending a reply",
                            body={"msgtype": msgtype, "body": body})
        return str(data.get("event_id", ""))

    def set_tag(self, user_id: str, room_id: str, tag: str, content: dict) -> None:
        self.request("PUT", f"{PREFIX}/user/{_q(user_id)}/rooms/{_q(room_id)}/tags/{_q(tag)}", "marking the room",
                     body=content)

    def join(self, room_id: str) -> str:
        return str(self.request("POST", f"{PREFIX}/join/{_q(room_id)}", "joining a room", body={}).get("room_id", room_id))

    def delete_tag(self, user_id: str, room_id: str, tag: str) -> None:
        self.request("DELETE", f"{PREFIX}/user/{_q(user_id)}/rooms/{_q(room_id)}/tags/{_q(tag)}", "unmarking the room")

    def resolve_alias(self, alias: str) -> str:
        return str(self.request("GET", f"{PREFIX}/directory/room/{_q(alias)}", "finding the space").get("room_id", ""))

    def joined_rooms(self) -> set[str]:
        return set(self.request("GET", f"{PREFIX}/joined_rooms", "listing rooms").get("joined_rooms") or ())

    def create_room(self, invite: list[str], name: str = "", direct: bool = True) -> str:
        body: dict[str, Any] = {"invite": invite, "is_direct": direct, "preset": "private_chat"}
        if name:
            body["name"] = name
        return str(self.request("POST", f"{PREFIX}/createRoom", "creating a room", body=body).get("room_id", ""))

    def leave(self, room_id: str) -> None:
        self.request("POST", f"{PREFIX}/rooms/{_q(room_id)}/leave", "leaving a room", body={})

    def messages(self, room_id: str, start: str | None, direction: str = "b", limit: int = 50) -> dict:
        params: dict[str, Any] = {"dir": direction, "limit": limit}
        if start:
            params["from"] = start
        return self.request("GET", f"{PREFIX}/rooms/{_q(room_id)}/messages", "reading a room's history", params=params)
