"""What went wrong talking to a server, in one typed exception with plain words for the agent.

Both clients raise only `ServerProblem`; the sources decide from its `kind` whether to retry
(unreachable, server, rate_limited), to stop and tell the agent (auth), or to fail one reply
(forbidden, not_found, too_large, bad_request).
"""
from __future__ import annotations

import email.utils
import json
import time

import httpx

RETRYABLE = ("unreachable", "server", "rate_limited", "bad_response")


class ServerProblem(Exception):
    def __init__(self, kind: str, detail: str, status: int | None = None, retry_after: float | None = None,
                 code: str = ""):
        super().__init__(detail)
        self.kind = kind  # unreachable | auth | forbidden | not_found | rate_limited | too_large | bad_request | server | bad_response
        self.detail = detail
        self.status = status
        self.retry_after = retry_after  # seconds, when the server said
        self.code = code  # the server's error code, e.g. Matrix's M_FORBIDDEN

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE


def from_transport(exc: httpx.HTTPError, what: str) -> ServerProblem:
    """A request that got no HTTP answer at all."""
    if isinstance(exc, httpx.TimeoutException):
        return ServerProblem("unreachable", f"{what}: the server did not answer in time")
    if isinstance(exc, httpx.ConnectError):
        return ServerProblem("unreachable", f"{what}: the server could not be reached")
    return ServerProblem("unreachable", f"{what}: the connection failed ({type(exc).__name__})")


def retry_after_header(value: str | None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def from_status(status: int, message: str, what: str, retry_after: float | None = None, code: str = "") -> ServerProblem:
    """An HTTP error answer, classified. `message` is the server's own words (kept short)."""
    said = f": {message[:200]}" if message else ""
    if status == 401:
        return ServerProblem("auth", f"{what}: 401, the server refused the credentials{said}", status, code=code)
    if status == 403:
        return ServerProblem("forbidden", f"{what}: 403, not allowed{said}", status, code=code)
    if status == 404:
        return ServerProblem("not_found", f"{what}: 404, not found{said}", status, code=code)
    if status == 413:
        return ServerProblem("too_large", f"{what}: 413, too large for the server{said}", status, code=code)
    if status == 429:
        wait = f" (retry in {retry_after:.0f} s)" if retry_after is not None else ""
        return ServerProblem("rate_limited", f"{what}: 429, too many requests{wait}", status, retry_after, code)
    if status >= 500:
        return ServerProblem("server", f"{what}: the server failed ({status}){said}", status, retry_after, code)
    return ServerProblem("bad_request", f"{what}: {status}{said}", status, code=code)


def json_request(http: httpx.Client, method: str, path: str, what: str, *, body=None, params: dict | None = None,
                 headers: dict | None = None, timeout: float | None = None) -> tuple[httpx.Response, object]:
    """One JSON request: (response, decoded body or None). A request with no HTTP answer at all
    raises ServerProblem ("unreachable"); judging the answer is the caller's (each server words its
    errors its own way). Bodies are sent as UTF-8 JSON, never form-encoded."""
    headers = dict(headers or {})
    kwargs: dict = {"params": params, "headers": headers}
    if body is not None:
        kwargs["content"] = json.dumps(body, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
    if timeout is not None:
        kwargs["timeout"] = timeout
    try:
        response = http.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        raise from_transport(exc, what) from None
    try:
        return response, response.json()
    except ValueError:
        return response, None
