"""What went wrong talking to the endpoint, said in words an agent can act on.

Every failure of the LLM engine becomes an LLMError with a `kind` (for tests, retries and the
fallback's cool-down) and a message for the notice bar. Raw SDK messages can be long, contain
HTML from a proxy, or quote part of the key, so only a short, scrubbed excerpt is kept.

`scrub(text, api_key)` is the one place that keeps secrets out of what the agent sees: it hides
the configured key wherever it appears (whole, or a server's masked echo of it), anything shaped
like a key, and the user:password@ part of URLs. Every message made here goes through it; so
must any other message built from an endpoint's answer or an exception's text.
"""
from __future__ import annotations

import re

# kinds: timeout, connection, rate_limited, server_error, auth, not_found, rejected, bad_output,
# interrupted (a stream ended without its end marker), too_large, no_key, cancelled
RETRYABLE = ("rate_limited", "server_error")
# A 5xx that is really "I do not understand this request": retrying cannot help, another method can.
_UNSUPPORTED = re.compile(r"validation error|input should be|not supported|unsupported|unrecognized|"
                          r"unknown (?:field|param)|extra inputs|response_format|tool_choice", re.IGNORECASE)
# After these the endpoint is likely down or misconfigured for a while: stop making chats wait.
ENDPOINT_DOWN = ("timeout", "connection", "auth", "not_found", "no_key")


class LLMError(RuntimeError):
    def __init__(self, kind: str, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after


class Cancelled(LLMError):
    """The work became stale (newer customer message, chat closed): not a failure to report."""

    def __init__(self) -> None:
        super().__init__("cancelled", "cancelled: the chat moved on")


KEY_HIDDEN = "[key hidden]"
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@]*@")
# Shapes of keys: provider prefixes (sk-, gsk_, xai-, hf_, ...), and any long run of letters and digits
# (hex and base64 keys); a request id hidden with them costs nothing.
_KEY_SHAPED = re.compile(r"\b(?:sk|gsk|xai|hf|pk|rk|key|api|token)[-_][A-Za-z0-9_\-*.]{6,}|"
                         r"\b(?=[A-Za-z_\-]*\d)(?=[0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{32,}", re.IGNORECASE)


def scrub(text: str, api_key: str | None = None) -> str:
    """`text` without the key (whole or partly echoed), anything key-shaped, or URL credentials."""
    text = _USERINFO.sub(r"\1", str(text))
    key = (api_key or "").strip()
    if len(key) >= 4:
        text = text.replace(key, KEY_HIDDEN)
        if len(key) >= 12:  # servers echo a key masked in the middle: "gsk_abcd****wxyz"
            text = re.sub(re.escape(key[:6]) + r"[^\s\"',;)]*", KEY_HIDDEN, text)
            text = re.sub(r"[^\s\"',;(]*\*{3,}[^\s\"',;)]*" + re.escape(key[-4:]), KEY_HIDDEN, text)
    return _KEY_SHAPED.sub(KEY_HIDDEN, text)


def safe_url(url: str) -> str:
    """An endpoint address fit to show: no user:password@, no key in the query string."""
    return scrub(url)


def short(text: str, limit: int = 160) -> str:
    text = re.sub(r"<[^>]+>", " ", str(text)[: limit * 20])  # proxies answer with HTML pages
    text = " ".join(scrub(text).split())  # never echo (part of) a key
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _retry_after(exc) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def root_cause(exc: BaseException) -> str:
    """The innermost cause ("Connection refused"): langchain and the SDK each wrap it once more."""
    seen = 0
    while (exc.__cause__ or exc.__context__) is not None and seen < 8:
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return short(text or type(exc).__name__, 100).rstrip(".")


def classify(exc: BaseException, where: str, timeout: float, api_key: str | None = None,
             budget_spent: str = "", total: float | None = None) -> LLMError:
    """`exc` from the openai SDK, langchain or httpx as an LLMError; `where` names the endpoint.

    `budget_spent` ("deadline" or "size", see deadline.py) says the request was stopped on purpose;
    `total` is its deadline in seconds. The message is scrubbed of `api_key` and URL credentials."""
    if isinstance(exc, LLMError):
        return exc
    error = _classify(exc, safe_url(where), timeout, budget_spent, total)
    return LLMError(error.kind, scrub(str(error), api_key), error.retry_after)


def _classify(exc: BaseException, where: str, timeout: float, budget_spent: str, total: float | None) -> LLMError:
    import openai

    if budget_spent == "deadline":
        return LLMError("timeout", f"The model endpoint took longer than {total or timeout:g} s in all and was "
                                   f"stopped ({where}).")
    if budget_spent == "size":
        return LLMError("too_large", f"The model endpoint sent a much longer answer than asked for; it was "
                                     f"stopped ({where}).")
    if isinstance(exc, openai.APITimeoutError) or isinstance(exc, TimeoutError):
        return LLMError("timeout", f"The model endpoint did not answer within {timeout:g} s ({where}).")
    if isinstance(exc, openai.APIConnectionError):
        return LLMError("connection", f"Could not reach the model endpoint {where}: {root_cause(exc)}.")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        detail = short(getattr(exc, "message", "") or exc)
        if status == 429:
            return LLMError("rate_limited", f"The model endpoint is rate-limiting requests (429): {detail}",
                            _retry_after(exc))
        if status >= 500 and _UNSUPPORTED.search(str(getattr(exc, "message", "") or exc)):
            # llama-cpp-python answers a response_format it does not know with a 500, not a 400
            return LLMError("rejected", f"The model endpoint does not support this request ({status}): {detail}")
        if status >= 500:
            return LLMError("server_error", f"The model endpoint failed ({status}): {detail}", _retry_after(exc))
        if status in (401, 403):
            return LLMError("auth", f"The model endpoint refused the API key ({status}). Check it in "
                                    f"Settings → Model endpoint.")
        if status == 404:
            return LLMError("not_found", f"The model endpoint has no such model or path (404): {detail}")
        return LLMError("rejected", f"The model endpoint rejected the request ({status}): {detail}")
    if type(exc).__name__.endswith("FinishReasonError"):  # cut off at the token limit, or filtered
        return LLMError("bad_output", "The model's answer was cut off before it was complete.")
    if isinstance(exc, openai.OpenAIError) and "api_key" in str(exc):
        return LLMError("no_key", "No API key is set for this endpoint. Add one in Settings → Model endpoint.")
    if isinstance(exc, (ValueError, KeyError, TypeError, AttributeError)):
        # the SDK could not make sense of what came back: a proxy page, a half-JSON answer...
        return LLMError("bad_output", f"The model endpoint sent an answer that is not valid ({short(exc, 100)}).")
    return LLMError("connection", f"The connection to the model endpoint failed ({root_cause(exc)})")
