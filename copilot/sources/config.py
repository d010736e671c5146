"""Which chat source the app talks to, and how: a validated, secret-free description.

The token or password is never here: it lives in the OS keyring (copilot.secrets, keyed by
`secret_account`). `open_source` (copilot.sources.factory) turns a config and its secret into a
running ChatSource.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, fields
from urllib.parse import urlparse

SOURCE_KINDS = ("simulator", "chatwoot", "matrix")
MATRIX_LOGINS = ("password", "token")
_MXID = re.compile(r"^@[^:\s]+:\S+$")
_ROOM_OR_ALIAS = re.compile(r"^[!#][^:\s]+:\S+$")


@dataclass(frozen=True)
class SourceConfig:
    kind: str = "simulator"
    url: str = ""  # the Chatwoot install or the Matrix homeserver, e.g. https://support.example.com
    user: str = ""  # Matrix: the agent's user (@dana:example.com or dana); Chatwoot: shown only
    login: str = "password"  # Matrix: the secret is a "password" or an access "token"; Chatwoot: always a token
    space: str = ""  # Matrix: only rooms in this space (room id or #alias); "" for every joined room
    staff: tuple[str, ...] = ()  # Matrix: colleagues and bots (e.g. a bridge bot) who are never the customer
    auto_join: bool = True  # Matrix: accept invitations to rooms (customers and bridges invite the agent)
    account_id: int | None = None  # Chatwoot: the account to work in; None: the profile's current one
    inbox_ids: tuple[int, ...] = ()  # Chatwoot: only conversations in these inboxes; () for all
    websocket_url: str = ""  # Chatwoot: only when the install serves /cable on another host (its websocketURL)
    private_notes: bool = False  # Chatwoot: post each diagnosis as a private note (a team setting, off by default)
    verify_tls: bool = True
    timeout: float = 20.0  # seconds for one request (the long-poll adds its own wait)

    def validated(self) -> "SourceConfig":
        if self.kind not in SOURCE_KINDS:
            raise ValueError(f"source must be one of {', '.join(SOURCE_KINDS)}, not {self.kind!r}")
        if self.kind == "simulator":
            return self
        parsed = urlparse(self.url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"the {self.kind} address must be an http(s) URL, e.g. https://chat.example.com (got {self.url!r})")
        if not 1.0 <= float(self.timeout) <= 120.0:
            raise ValueError("timeout must be between 1 and 120 seconds")
        if self.kind == "matrix":
            if not self.user.strip() and self.login == "password":
                raise ValueError("a Matrix user name is needed to sign in with a password")
            if self.login not in MATRIX_LOGINS:
                raise ValueError(f"login must be password or token, not {self.login!r}")
            if self.space and not _ROOM_OR_ALIAS.match(self.space):
                raise ValueError(f"space must be a room id (!abc:server) or alias (#support:server), not {self.space!r}")
            bad = [s for s in self.staff if not _MXID.match(s)]
            if bad:
                raise ValueError(f"staff must be Matrix user ids like @bot:server, not {bad[0]!r}")
        if self.kind == "chatwoot":
            if self.account_id is not None and int(self.account_id) < 1:
                raise ValueError("account_id must be a positive number")
            if any(int(i) < 1 for i in self.inbox_ids):
                raise ValueError("inbox ids must be positive numbers")
            ws = urlparse(self.websocket_url) if self.websocket_url else None
            if ws is not None and (ws.scheme not in ("ws", "wss", "http", "https") or not ws.hostname):
                raise ValueError(f"websocket_url must be a ws(s):// URL, not {self.websocket_url!r}")
        return self

    @property
    def secret_account(self) -> str:
        """The keyring entry for this source's token or password."""
        host = (urlparse(self.url).hostname or "").lower()
        return f"{self.kind}:{host}:{self.user.strip().lower()}"

    @property
    def slug(self) -> str:
        """A file-name-safe id for this source and account (its state file in the data directory)."""
        digest = hashlib.sha256(f"{self.url.rstrip('/')}|{self.user.strip().lower()}".encode()).hexdigest()[:12]
        return f"{self.kind}-{digest}"

    def to_dict(self) -> dict:
        data = asdict(self)
        data["staff"], data["inbox_ids"] = list(self.staff), list(self.inbox_ids)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "SourceConfig":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("staff", "inbox_ids"):
            if name in values:
                values[name] = tuple(values[name] or ())
        return cls(**values).validated()
