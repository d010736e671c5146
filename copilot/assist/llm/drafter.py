"""Streams a draft token by token from the chat model, stopping as soon as the work is stale.

Only the request itself is retried (429/5xx before the first token): once text has been shown
to the agent, a retry would replace it under their eyes, so a failure mid-stream is reported
and the caller falls back. Cancellation is checked between tokens; a request blocked on a silent
server ends at the read timeout, and the UI drops its result the moment it is stale anyway.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from copilot.assist.llm.client import NEVER, with_retries
from copilot.assist.llm.config import LLMConfig
from copilot.assist.llm.errors import Cancelled, LLMError, classify, root_cause

OnPiece = Callable[[str], None]


def _text(chunk) -> str:
    content = getattr(chunk, "content", "")
    if isinstance(content, list):  # some providers send content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return content or ""


def stream_text(model, messages, config: LLMConfig, on_piece: OnPiece | None = None,
                cancelled: Callable[[], bool] = NEVER) -> str:
    """The model's whole reply; `on_piece(text)` is called with each new piece as it arrives."""
    def first() -> tuple[Iterator, object]:
        chunks = iter(model.stream(messages))
        return chunks, next(chunks, None)  # the request is made here, so its errors can be retried

    chunks, chunk = with_retries(first, config, cancelled)
    parts: list[str] = []
    finished = False
    try:
        while chunk is not None:
            if cancelled():
                raise Cancelled()
            finished = finished or bool((getattr(chunk, "response_metadata", None) or {}).get("finish_reason"))
            piece = _text(chunk)
            if piece:
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
        error = classify(exc, config.base_url, config.timeout)
        detail = "no answer within the timeout" if error.kind == "timeout" else root_cause(exc)
        raise LLMError(error.kind, f"The model stopped mid-reply ({detail}).") from exc
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()  # closes the HTTP response, so an abandoned stream frees its connection
    return "".join(parts)
