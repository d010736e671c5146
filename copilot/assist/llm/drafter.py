"""Streams a draft token by token from the chat model, stopping as soon as the work is stale.

Only the request itself is retried (429/5xx before the first token): once text has been shown
to the agent, a retry would replace it under their eyes, so a failure mid-stream is reported
and the caller falls back. Cancellation is checked between tokens; a request blocked on a silent
server ends at the read timeout, and the UI drops its result the moment it is stale anyway. The
whole stream has a total deadline and a size cap (client.request_budget): a server that drips,
floods or never ends is stopped, and the caller falls back.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from copilot.assist.llm import deadline
from copilot.assist.llm.client import NEVER, failure, request_budget, with_retries
from copilot.assist.llm.config import LLMConfig
from copilot.assist.llm.errors import Cancelled, LLMError, root_cause, scrub

OnPiece = Callable[[str], None]


def _text(chunk) -> str:
    content = getattr(chunk, "content", "")
    if isinstance(content, list):  # some providers send content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return content or ""


def stream_text(model, messages, config: LLMConfig, on_piece: OnPiece | None = None,
                cancelled: Callable[[], bool] = NEVER, api_key: str | None = None, tokens: int | None = None) -> str:
    """The model's whole reply; `on_piece(text)` is called with each new piece as it arrives.

    `tokens`: what the model was asked for (default config.max_tokens); it sets the deadline and caps."""
    tokens = tokens or config.max_tokens
    with request_budget(config, tokens):
        return _stream(model, messages, config, on_piece, cancelled, api_key, config.max_answer_chars(tokens))


def _stream(model, messages, config: LLMConfig, on_piece: OnPiece | None, cancelled: Callable[[], bool],
            api_key: str | None, max_chars: int) -> str:
    def first() -> tuple[Iterator, object]:
        chunks = iter(model.stream(messages))
        return chunks, next(chunks, None)  # the request is made here, so its errors can be retried

    chunks, chunk = with_retries(first, config, cancelled, api_key)
    parts: list[str] = []
    length = 0
    finished = False
    try:
        while chunk is not None:
            if cancelled():
                raise Cancelled()
            finished = finished or bool((getattr(chunk, "response_metadata", None) or {}).get("finish_reason"))
            piece = _text(chunk)
            if piece:
                length += len(piece)
                if length > max_chars:
                    raise LLMError("too_large", f"The model's reply ran past {max_chars:,} characters "
                                                "(far more than asked for) and was stopped.")
                parts.append(piece)
                if on_piece is not None:
                    on_piece(piece)
            chunk = next(chunks, None)
        if not finished:  # the body ended without the server saying it was done: it went away
            # e.g. llama-cpp-python's server, which by default cuts a stream off when another request comes
            raise LLMError("interrupted", "The model stopped mid-reply (the server ended the stream early).")
    except LLMError:
        raise
    except Exception as exc:  # noqa: BLE001 - the connection died or the stream turned to junk
        error = failure(exc, config, api_key)
        if deadline.spent():
            raise error from exc  # its message says which limit stopped it
        detail = "no answer within the timeout" if error.kind == "timeout" else root_cause(exc)
        raise LLMError(error.kind, scrub(f"The model stopped mid-reply ({detail}).", api_key)) from exc
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()  # closes the HTTP response, so an abandoned stream frees its connection
    return "".join(parts)
