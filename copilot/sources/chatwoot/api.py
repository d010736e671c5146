"""A thin, typed client for the parts of Chatwoot's application API v1 the source uses.

Paths and payloads as in chatwoot/chatwoot's swagger (swagger/swagger.json): the agent's profile
(with the `pubsub_token` for the websocket), the conversations assigned to them, a conversation's
messages (`after=` a message id to resync), creating a message (with an `echo_id`), and
`toggle_status`. Authentication is the user's access token in the `api_access_token` header.
"""
from __future__ import annotations

from typing import Any

import httpx

from copilot.sources.live.problems import ServerProblem, from_status, json_request, retry_after_header

USER_AGENT = "agent-copilot"
PAGE_LIMIT = 50  # conversation list pages (25 each) read at most


class ChatwootApi:
    def __init__(self, url: str, token: str, timeout: float = 20.0, verify: bool = True):
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, timeout=timeout, verify=verify,
                                  headers={"api_access_token": token, "User-Agent": USER_AGENT})
        self.account_id = 0

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, what: str, *, body: dict | None = None, params: dict | None = None) -> Any:
        response, data = json_request(self._http, method, path, what, body=body, params=params)
        if response.is_success:
            if data is None:
                raise ServerProblem("bad_response", f"{what}: the server's answer was not JSON", response.status_code)
            return data
        message = ""
        if isinstance(data, dict):
            message = str(data.get("error") or data.get("message") or data.get("errors") or "")
        raise from_status(response.status_code, message, what, retry_after_header(response.headers.get("Retry-After")))

    def _account(self, path: str) -> str:
        return f"/api/v1/accounts/{self.account_id}{path}"

    # ---- the calls --------------------------------------------------------------------------
    def profile(self) -> dict:
        data = self.request("GET", "/api/v1/profile", "reading your Chatwoot profile")
        if not isinstance(data, dict) or "id" not in data:
            raise ServerProblem("bad_response", "reading your Chatwoot profile: no user in the answer")
        return data

    def assigned_open_conversations(self) -> list[dict]:
        found: list[dict] = []
        for page in range(1, PAGE_LIMIT + 1):
            data = self.request("GET", self._account("/conversations"), "listing your conversations",
                                params={"assignee_type": "me", "status": "open", "page": page})
            payload = ((data or {}).get("data") or {}).get("payload") if isinstance(data, dict) else None
            if not isinstance(payload, list):
                raise ServerProblem("bad_response", "listing your conversations: unexpected answer")
            found += [c for c in payload if isinstance(c, dict)]
            if len(payload) < 25:
                break
        return found

    def conversation(self, conversation_id: int) -> dict:
        return self.request("GET", self._account(f"/conversations/{conversation_id}"), "reading a conversation")

    def messages_after(self, conversation_id: int, after: int) -> list[dict]:
        """Messages with an id above `after`, oldest first (the server gives up to 100 at a time)."""
        found: list[dict] = []
        while True:
            data = self.request("GET", self._account(f"/conversations/{conversation_id}/messages"),
                                "reading a conversation's messages", params={"after": after})
            page = [m for m in (data.get("payload") if isinstance(data, dict) else None) or () if isinstance(m, dict)]
            found += page
            if len(page) < 100:
                return found
            after = max(int(m.get("id", after)) for m in page)

    def create_message(self, conversation_id: int, content: str, echo_id: str, private: bool = False) -> dict:
        body = {"content": content, "message_type": "outgoing", "private": private, "content_type": "text",
                "echo_id": echo_id}
        return self.request("POST", self._account(f"/conversations/{conversation_id}/messages"),
                            "sending a private note" if private else "sending a reply", body=body)

    def toggle_status(self, conversation_id: int, status: str) -> dict:
        return self.request("POST", self._account(f"/conversations/{conversation_id}/toggle_status"),
                            "changing the conversation's status", body={"status": status})
