"""The chat model for an endpoint, retries with backoff, and the "Test connection" check.

The SDK's own retries are switched off (max_retries=0): it would also retry timeouts, so a hung
server would keep a chat waiting three timeouts long. Here only 429 and 5xx answers are retried,
with exponential backoff (or the server's Retry-After), and a stale request stops waiting at once.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlparse

from copilot.assist.llm.config import NO_KEY, LLMConfig
from copilot.assist.llm.errors import RETRYABLE, Cancelled, LLMError, classify

T = TypeVar("T")
BASE_DELAY = 0.5  # seconds before the first retry; doubles each time
MAX_DELAY = 8.0
NEVER: Callable[[], bool] = lambda: False  # noqa: E731 - "not cancelled"


def chat_model(config: LLMConfig, api_key: str | None, max_tokens: int | None = None, **options):
    """A ChatOpenAI for `config`. Made once per engine and reused: it holds the connection pool."""
    from langchain_openai import ChatOpenAI

    limit = max_tokens or config.max_tokens
    extra = {}
    if urlparse(config.base_url).hostname != "api.openai.com":
        # langchain sends the newer max_completion_tokens; most compatible servers read max_tokens
        extra["extra_body"] = {"max_tokens": limit}
    return ChatOpenAI(
        model=config.model_name, base_url=config.base_url, api_key=api_key or NO_KEY,
        temperature=config.temperature, timeout=config.timeout, max_retries=0, max_tokens=limit,
        **extra, **options,
    )


def wait(seconds: float, cancelled: Callable[[], bool]) -> None:
    """Sleep in short slices so a stale request stops waiting within 50 ms."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        if cancelled():
            raise Cancelled()
        time.sleep(min(0.05, left))


def backoff(attempt: int, retry_after: float | None) -> float:
    if retry_after is not None:
        return min(retry_after, MAX_DELAY)
    return min(MAX_DELAY, BASE_DELAY * 2 ** attempt) * random.uniform(0.8, 1.2)


def with_retries(call: Callable[[], T], config: LLMConfig, cancelled: Callable[[], bool] = NEVER) -> T:
    """`call()`, retried on 429/5xx; any failure comes out as an LLMError."""
    attempt = 0
    while True:
        if cancelled():
            raise Cancelled()
        try:
            return call()
        except Cancelled:
            raise
        except Exception as exc:  # noqa: BLE001 - classified below, nothing is swallowed
            error = classify(exc, config.base_url, config.timeout)
            if error.kind not in RETRYABLE or attempt >= config.retries:
                raise error from exc
        wait(backoff(attempt, error.retry_after), cancelled)
        attempt += 1


def check_connection(config: LLMConfig, api_key: str | None) -> tuple[bool, str]:
    """Ask the endpoint for one token: (worked, a sentence saying what happened).

    Run off the UI thread; it takes up to the configured timeout.
    """
    try:
        config.validated()
    except ValueError as exc:
        return False, f"Not tested: {exc}."
    if not config.is_local and not api_key:
        return False, "No API key: this endpoint is not on this machine and will most likely need one."
    from langchain_core.messages import HumanMessage

    model = chat_model(config, api_key, max_tokens=4)
    started = time.perf_counter()
    try:
        reply = with_retries(lambda: model.invoke([HumanMessage("Say OK.")]), config)
    except LLMError as exc:
        return False, str(exc)
    seconds = time.perf_counter() - started
    served = (getattr(reply, "response_metadata", {}) or {}).get("model_name") or config.model_name
    return True, f"Connected: {served} at {config.base_url} answered in {seconds:.2f} s."
