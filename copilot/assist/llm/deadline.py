"""A total deadline and a size cap for each request to the model endpoint, enforced on the socket.

httpx's timeouts are per network operation: a server that sends one byte every few seconds, or a
stream that never ends, never trips them, and the chat's worker (one of a few stream slots) waits
forever. So every socket the engine's HTTP client opens goes through a DeadlineStream: before each
read, write or connect it checks the budget of the request it serves, and it lowers
the socket's own timeout to the time left, so even a blocked read ends at the deadline.

    with budget(seconds=30, max_bytes=200_000):
        model.invoke(...)         # raises (an httpx timeout or read error) once either runs out
    spent()                       # "deadline" | "size" | "" : which one stopped it

The budget is a context variable: the SDK's sync client reads on the thread that made the request,
and where langchain runs a step on a worker thread (with_structured_output does) it copies the
context there, so the budget follows the request. Code with no budget is not limited.
"""
from __future__ import annotations

import time
from contextvars import ContextVar
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpcore
import httpx


@dataclass
class Budget:
    seconds: float  # the whole request's time, for messages
    ends_at: float  # time.monotonic()
    bytes_left: int
    spent: str = ""  # "deadline" or "size" once one ran out


_budget: ContextVar[Budget | None] = ContextVar("llm_request_budget", default=None)


@contextmanager
def budget(seconds: float, max_bytes: int) -> Iterator[Budget]:
    """Limit the requests made inside the block (nested budgets keep the tighter end)."""
    outer = _budget.get()
    ends_at = time.monotonic() + seconds
    current = Budget(seconds, min(ends_at, outer.ends_at) if outer else ends_at,
                     min(max_bytes, outer.bytes_left) if outer else max_bytes)
    token = _budget.set(current)
    try:
        yield current
    finally:
        _budget.reset(token)
        if outer is not None:
            outer.bytes_left = min(outer.bytes_left, current.bytes_left)
            outer.spent = outer.spent or current.spent


def current() -> Budget | None:
    return _budget.get()


def spent() -> str:
    """Which limit stopped the current request: "deadline", "size" or ""."""
    b = current()
    return b.spent if b else ""


def time_left() -> float | None:
    b = current()
    return None if b is None else b.ends_at - time.monotonic()


def _note_timeout() -> None:
    """A socket operation timed out: if the deadline has come, that is what stopped it."""
    b = current()
    if b is not None and b.ends_at - time.monotonic() <= 0.05:
        b.spent = b.spent or "deadline"


def _timeout(timeout: float | None) -> float | None:
    """The socket timeout for the next operation: the caller's, or less when the deadline is nearer."""
    b = current()
    if b is None:
        return timeout
    left = b.ends_at - time.monotonic()
    if left <= 0:
        b.spent = b.spent or "deadline"
        raise httpcore.ReadTimeout("the request's total time ran out")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream):
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            data = self._stream.read(max_bytes, _timeout(timeout))
        except httpcore.TimeoutException:
            _note_timeout()
            raise
        b = current()
        if b is not None:
            b.bytes_left -= len(data)
            if b.bytes_left < 0:
                b.spent = b.spent or "size"
                raise httpcore.ReadError("the answer is larger than the engine accepts")
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            self._stream.write(buffer, _timeout(timeout))
        except httpcore.TimeoutException:
            _note_timeout()
            raise

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, _timeout(timeout)))

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend):
        self._backend = backend

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            return DeadlineStream(self._backend.connect_tcp(host, port, _timeout(timeout), local_address,
                                                            socket_options))
        except httpcore.TimeoutException:
            _note_timeout()
            raise

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        return DeadlineStream(self._backend.connect_unix_socket(path, _timeout(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def http_client() -> httpx.Client:
    """An httpx client as the openai SDK would make (proxies from the environment included) whose
    connections all honour the budget. Raises RuntimeError if httpx's insides changed shape."""
    client = httpx.Client(follow_redirects=True, limits=httpx.Limits(max_connections=100, max_keepalive_connections=20))
    # httpx takes no network backend: put ours under each connection pool it made (direct and proxies)
    for transport in [client._transport, *client._mounts.values()]:
        pool = getattr(transport, "_pool", None)
        if pool is None or not hasattr(pool, "_network_backend"):
            if transport is None:
                continue  # a host excluded from the proxy (NO_PROXY): served by the direct transport
            raise RuntimeError("this httpx version cannot take the request deadline; see copilot/assist/llm/deadline.py")
        pool._network_backend = DeadlineBackend(pool._network_backend)
    return client
