"""What the LLM engine calls and how: endpoint, model and options, from the user's settings.

The API key is deliberately not part of this object: it comes from copilot.secrets when a client
is made, so a config can be logged, compared and saved without ever carrying the secret.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlparse

DEFAULT_BASE_URL = "http://127.0.0.1:8080/v1"  # llama.cpp's server; Ollama is :11434/v1
OPENAI_HOST = "api.openai.com"  # the only host the OPENAI_API_KEY environment variable is sent to
# A request may take the timeout to start answering plus this slow a pace for the tokens it asked
# for; after that it is stopped, whatever the server is still sending (see deadline.py).
SLOWEST_TOKENS_PER_SECOND = 8.0
BYTES_PER_TOKEN = 1024  # a streamed token costs ~250 bytes of JSON events: 4x headroom
CHARS_PER_TOKEN = 16  # a token is a few characters; more text than this many per token is not an answer
# Servers that do not need a key still make the openai SDK insist on one: it is sent as is.
NO_KEY = "not-needed"


@dataclass(frozen=True)
class LLMConfig:
    base_url: str = DEFAULT_BASE_URL
    model: str = ""  # "" lets single-model servers (llama.cpp) pick their own
    temperature: float = 0.2
    timeout: float = 20.0  # seconds to wait for the server to answer, and between streamed tokens (see deadline())
    max_tokens: int = 256  # of a draft; the diagnosis asks for fewer
    redact_remote: bool = True  # mask personal data before it leaves this machine
    retries: int = 2  # extra attempts on 429 and 5xx answers, with backoff

    def validated(self) -> "LLMConfig":
        problem = url_problem(self.base_url)
        if problem:
            raise ValueError(problem)
        if not 0.0 <= self.temperature <= 2.0:
            raise ValueError("temperature must be between 0 and 2")
        if not 1.0 <= self.timeout <= 600.0:
            raise ValueError("timeout must be between 1 and 600 seconds")
        if not 1 <= self.max_tokens <= 8192:
            raise ValueError("max tokens must be between 1 and 8192")
        return self

    @property
    def is_local(self) -> bool:
        return is_loopback(self.base_url)

    @property
    def redacts(self) -> bool:
        """Loopback endpoints never leave the machine; everything else is redacted if asked."""
        return self.redact_remote and not self.is_local

    def deadline(self, tokens: int) -> float:
        """Seconds one whole request for `tokens` tokens may take, retries included."""
        return self.timeout + tokens / SLOWEST_TOKENS_PER_SECOND

    @staticmethod
    def max_answer_bytes(tokens: int) -> int:
        """Bytes read from the endpoint for one request before it is stopped."""
        return 64 * 1024 + tokens * BYTES_PER_TOKEN

    @staticmethod
    def max_answer_chars(tokens: int) -> int:
        """Characters of text accepted in one answer."""
        return max(2000, tokens * CHARS_PER_TOKEN)

    @property
    def model_name(self) -> str:
        return self.model or "default"

    @classmethod
    def from_settings(cls, settings) -> "LLMConfig":
        return cls(
            base_url=settings.llm_base_url, model=settings.llm_model, temperature=settings.llm_temperature,
            timeout=settings.llm_timeout, max_tokens=settings.llm_max_tokens,
            redact_remote=settings.llm_redact_remote,
        )


def url_problem(url: str) -> str:
    """Why `url` cannot be an endpoint ("" when it can)."""
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return f"the endpoint must be an http:// or https:// address, not {url!r}"
    return ""


def is_loopback(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
