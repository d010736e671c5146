"""Customer names in the usage log: a pseudonym unless the team keeps customer words.

A log that keeps no message text must not keep who the customers were either: `chat_opened`'s
customer name is replaced, before it reaches the journal or the database, by "Customer 3f9a2c1e",
an HMAC of the name under a key made for the session and never stored. So the same customer reads
the same within a session (two chats of one person can be told apart from two people), and no
one holding the file, even with a list of likely names, can tell which name it was.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Any

FIELD = "customer"  # the record field that carries the name (copilot/core/workspace.py)


def pseudonym(name: str, key: bytes) -> str:
    digest = hmac.new(key, name.strip().casefold().encode("utf-8", "replace"), hashlib.sha256).hexdigest()
    return f"Customer {digest[:8]}"


def pseudonymised(fields: dict[str, Any], key: bytes) -> dict[str, Any]:
    """`fields` with the customer's name replaced (a copy; the caller's dict is left as it was)."""
    name = fields.get(FIELD)
    if not isinstance(name, str) or not name:
        return fields
    return {**fields, FIELD: pseudonym(name, key)}
