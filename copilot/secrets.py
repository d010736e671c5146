"""The API key for a model endpoint: kept in the OS keyring, never in settings files or logs.

Order of lookup: a key saved in the app (keyring, or this session's memory), then the
OPENAI_API_KEY environment variable, but only for OpenAI's own API host: that key is OpenAI's,
and sending it to whatever endpoint is configured would hand it to a stranger (or a local
server's log). Where no keyring backend exists (a bare Linux without a
secret service, some containers) the app says so plainly and keeps the key in memory for this
session only: it is never written anywhere as a fallback. Keys are stored per endpoint host, so
a key for one provider is not sent to another.
"""
from __future__ import annotations

import logging
import os
import threading
from urllib.parse import urlparse

from copilot import APP_ID

log = logging.getLogger(__name__)
SERVICE = APP_ID
ENV_VAR = "OPENAI_API_KEY"
NO_BACKEND = ("No system keyring is available on this computer, so keys and passwords are kept in memory for "
              "this session only; you will need to enter them again next time.")


# What the endpoint dialog says about the key for an address (see key_source_note).
KEY_SOURCE_NOTES = {
    "keyring": "A key is stored in the system keyring. Type a new one to replace it.",
    "session": "A key is kept for this session only. Type a new one to replace it.",
    "environment": "Using the key from the OPENAI_API_KEY environment variable. Type one to store it instead.",
    "environment_not_sent": ("OPENAI_API_KEY is set, but it is only sent to OpenAI's API, not to this "
                             "endpoint. Type a key here if this endpoint needs one."),
    "none": "No key stored. Local servers (llama.cpp, Ollama, LM Studio) usually need none.",
}


def account_for(base_url: str) -> str:
    host = (urlparse(base_url).hostname or base_url or "default").lower()
    return f"api-key:{host}"


def environment_key_allowed(base_url: str) -> bool:
    """OPENAI_API_KEY goes only to OpenAI's API host, over https."""
    from copilot.assist.llm.config import OPENAI_HOST

    parsed = urlparse(base_url.strip())
    return parsed.scheme == "https" and (parsed.hostname or "").lower() == OPENAI_HOST


def key_source_note(base_url: str) -> str:
    """A sentence for the endpoint dialog: where the key for `base_url` comes from."""
    return KEY_SOURCE_NOTES[store.source(base_url)]


class KeyStore:
    def __init__(self) -> None:
        self._memory: dict[str, str] = {}  # used only when the keyring cannot be
        self._lock = threading.Lock()
        self.problem = ""  # why the keyring is not used ("" while it works)

    def _keyring(self):
        """The keyring module, or None (and `problem` set) when there is no usable backend."""
        try:
            import keyring
            from keyring.backends import fail

            if isinstance(keyring.get_keyring(), fail.Keyring):
                self.problem = NO_BACKEND
                return None
            return keyring
        except Exception as exc:  # a broken backend must not stop the app
            self.problem = f"{NO_BACKEND} ({type(exc).__name__})"
            return None

    def backend_name(self) -> str:
        ring = self._keyring()
        return type(ring.get_keyring()).__name__ if ring else ""

    def get(self, base_url: str) -> str | None:
        stored = self.get_account(account_for(base_url))
        if stored:
            return stored
        return (os.environ.get(ENV_VAR) or None) if environment_key_allowed(base_url) else None

    def get_account(self, account: str) -> str | None:
        """The secret kept under `account` (this session's memory, then the keyring), or None."""
        with self._lock:
            if account in self._memory:
                return self._memory[account]
        ring = self._keyring()
        if ring is not None:
            try:
                stored = ring.get_password(SERVICE, account)
                if stored:
                    return stored
            except Exception as exc:  # locked or broken backend: say so, never log the key
                self.problem = f"The system keyring could not be read ({type(exc).__name__})."
                log.warning("keyring read failed: %s", type(exc).__name__)
        return None

    def set(self, base_url: str, key: str) -> str:
        """Keep `key` for `base_url`. Returns a sentence saying where it went."""
        return self.set_account(account_for(base_url), key, "API key")

    def set_account(self, account: str, secret: str, what: str) -> str:
        """Keep `secret` under `account` (`what` names it in the sentence returned)."""
        secret = secret.strip()
        if not secret:
            self.delete_account(account)
            return f"{what} removed."
        ring = self._keyring()
        if ring is not None:
            try:
                ring.set_password(SERVICE, account, secret)
                with self._lock:
                    self._memory.pop(account, None)
                self.problem = ""
                return f"{what} saved in the system keyring ({self.backend_name()})."
            except Exception as exc:
                self.problem = f"{NO_BACKEND} (the keyring refused it: {type(exc).__name__})"
                log.warning("keyring write failed: %s", type(exc).__name__)
        with self._lock:
            self._memory[account] = secret
        return self.problem or NO_BACKEND

    def delete(self, base_url: str) -> None:
        self.delete_account(account_for(base_url))

    def delete_account(self, account: str) -> None:
        with self._lock:
            self._memory.pop(account, None)
        ring = self._keyring()
        if ring is not None:
            try:
                ring.delete_password(SERVICE, account)
            except Exception:  # nothing stored, or the backend refuses: nothing to remove then
                pass

    def source(self, base_url: str) -> str:
        """Where the key for `base_url` comes from: keyring, session, environment or none
        (environment_not_sent: OPENAI_API_KEY is set but not for this host)."""
        account = account_for(base_url)
        with self._lock:
            if account in self._memory:
                return "session"
        ring = self._keyring()
        try:
            if ring is not None and ring.get_password(SERVICE, account):
                return "keyring"
        except Exception:
            pass
        if not os.environ.get(ENV_VAR):
            return "none"
        return "environment" if environment_key_allowed(base_url) else "environment_not_sent"


store = KeyStore()  # one per process: the session-only keys must outlive dialogs


def get_api_key(base_url: str) -> str | None:
    return store.get(base_url)


def set_api_key(base_url: str, key: str) -> str:
    return store.set(base_url, key)


def delete_api_key(base_url: str) -> None:
    store.delete(base_url)


def keyring_problem() -> str:
    """A plain sentence when keys cannot be stored across sessions; "" when they can."""
    store._keyring()
    return store.problem


# ---- chat sources (issue 13): a Chatwoot access token or a Matrix password/token per account -------
# Same store, same rules (keyring, or this session's memory when there is none); the entry is named
# by copilot.sources.config.SourceConfig.secret_account, e.g. "matrix:chat.example.com:dana".
SOURCE_PREFIX = "chat-source:"


def get_source_secret(account: str) -> str | None:
    """The saved token or password for a chat source account, or None. Never read from the environment."""
    return store.get_account(SOURCE_PREFIX + account)


def set_source_secret(account: str, secret: str) -> str:
    """Keep (or, when empty, remove) a chat source's secret. Returns a sentence saying where it went."""
    return store.set_account(SOURCE_PREFIX + account, secret, "Sign-in details")


# The team store's password (copilot/teamstore): one entry per user@host:port/database, never in
# settings. Where there is no keyring it lasts for this session only, like the API key.
def get_team_store_password(account: str) -> str | None:
    return store.get_account(account)


def set_team_store_password(account: str, password: str) -> str:
    return store.set_account(account, password, "Team store password")


def delete_team_store_password(account: str) -> None:
    store.delete_account(account)
