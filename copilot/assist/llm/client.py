"""The chat model for an endpoint, retries with backoff, and the "Test connection" check.

The SDK's own retries are switched off (max_retries=0): it would also retry timeouts, so a hung
server would keep a chat waiting three timeouts long. Here only 429 and 5xx answers are retried,
with exponential backoff (or the server's Retry-After), and a stale request stops waiting at once.
Each request runs in a `request_budget` (a total deadline and a size cap, deadline.py), retries
and backoff included, so no endpoint can hold a worker longer than that.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TypeVar
from urllib.parse import urlparse

from copilot.assist.llm import deadline
from copilot.assist.llm.config import NO_KEY, OPENAI_HOST, LLMConfig
from copilot.assist.llm.errors import RETRYABLE, Cancelled, LLMError, classify, safe_url, scrub

T = TypeVar("T")
BASE_DELAY = 0.5  # seconds before the first retry; doubles each time
MAX_DELAY = 8.0
NEVER: Callable[[], bool] = lambda: False  # noqa: E731 - "not cancelled"
CHECK_TOKENS = 4  # what Test connection asks for


def chat_model(config: LLMConfig, api_key: str | None, max_tokens: int | None = None, **options):
    """A ChatOpenAI for `config`. Made once per engine and reused: it holds the connection pool."""
    from langchain_openai import ChatOpenAI

    limit = max_tokens or config.max_tokens
    extra = {}
    if urlparse(config.base_url).hostname != OPENAI_HOST:
        # langchain sends the newer max_completion_tokens; most compatible servers read max_tokens
        extra["extra_body"] = {"max_tokens": limit}
    return ChatOpenAI(
        model=config.model_name, base_url=config.base_url, api_key=api_key or NO_KEY,
        temperature=config.temperature, timeout=config.timeout, max_retries=0, max_tokens=limit,
        http_client=deadline.http_client(), **extra, **options,
    )


def request_budget(config: LLMConfig, tokens: int) -> AbstractContextManager[deadline.Budget]:
    """The limits for one request asking for `tokens` tokens: its total time and the bytes read."""
    return deadline.budget(config.deadline(tokens), config.max_answer_bytes(tokens))


def failure(exc: BaseException, config: LLMConfig, api_key: str | None) -> LLMError:
    """`exc` as the LLMError to report, knowing whether this thread's budget stopped it."""
    budget = deadline.current()
    return classify(exc, config.base_url, config.timeout, api_key, budget.spent if budget else "",
                    budget.seconds if budget else None)


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


def with_retries(call: Callable[[], T], config: LLMConfig, cancelled: Callable[[], bool] = NEVER,
                 api_key: str | None = None) -> T:
    """`call()`, retried on 429/5xx while the request's budget lasts; any failure comes out as an
    LLMError, its message scrubbed of `api_key`."""
    attempt = 0
    while True:
        if cancelled():
            raise Cancelled()
        try:
            return call()
        except Cancelled:
            raise
        except Exception as exc:  # noqa: BLE001 - classified below, nothing is swallowed
            error = failure(exc, config, api_key)
            if error.kind not in RETRYABLE or attempt >= config.retries:
                raise error from exc
        delay = backoff(attempt, error.retry_after)
        left = deadline.time_left()
        if left is not None and delay >= left:
            raise error  # the wait alone would outlast the request's deadline
        wait(delay, cancelled)
        attempt += 1


def check_connection(config: LLMConfig, api_key: str | None) -> tuple[bool, str]:
    """Ask the endpoint for one token: (worked, a sentence saying what happened).

    Run off the UI thread; it takes at most config.deadline(CHECK_TOKENS) seconds, however the
    endpoint behaves.
    """
    try:
        config.validated()
    except ValueError as exc:
        return False, f"Not tested: {exc}."
    if not config.is_local and not api_key:
        return False, "No API key: this endpoint is not on this machine and will most likely need one."
    from langchain_core.messages import HumanMessage

    model = chat_model(config, api_key, max_tokens=CHECK_TOKENS)
    started = time.perf_counter()
    try:
        with request_budget(config, CHECK_TOKENS):
            reply = with_retries(lambda: model.invoke([HumanMessage("Say OK.")]), config, api_key=api_key)
    except LLMError as exc:
        return False, str(exc)
    seconds = time.perf_counter() - started
    served = (getattr(reply, "response_metadata", {}) or {}).get("model_name") or config.model_name
    return True, scrub(f"Connected: {str(served)[:80]} at {safe_url(config.base_url)} answered in {seconds:.2f} s.",
                       api_key)
