"""The status area's words for a chat source and its connection (Qt-free, so it is easy to test)."""
from __future__ import annotations

import time

from copilot.core.events import ConnectionChanged, Link

NAMES = {"simulator": "Simulator", "chatwoot": "Chatwoot", "matrix": "Matrix"}


def describe_link(kind: str, link: ConnectionChanged | None, now: float) -> str:
    """E.g. "Matrix · connected", "Chatwoot · reconnecting in 4 s", "Matrix · offline since 14:05"."""
    name = NAMES.get(kind, kind.capitalize() or "Source")
    if kind == "simulator" or link is None:
        return name
    if link.state is Link.CONNECTED:
        return f"{name} · connected"
    if link.state is Link.CONNECTING:
        return f"{name} · connecting…"
    if link.state is Link.RECONNECTING:
        wait = max(0, round((link.retry_at or now) - now))
        return f"{name} · reconnecting in {wait} s" if wait else f"{name} · reconnecting…"
    since = link.since if link.since is not None else link.ts
    return f"{name} · offline since {time.strftime('%H:%M', time.localtime(since))}"


def link_tooltip(link: ConnectionChanged | None) -> str:
    """The reason, in the server's and our plain words, for the tooltip ("" when all is well)."""
    if link is None or link.state is Link.CONNECTED:
        return ""
    return link.detail
