"""Where the workspace reports what happened, for the usage log.

`record` must be cheap and must not block (the usage log queues and writes on its own thread).
Kinds and their fields are listed in copilot/usage/schema.py.
"""
from __future__ import annotations

from typing import Any, Protocol


class Recorder(Protocol):
    def record(self, kind: str, ts: float, /, **fields: Any) -> None: ...


class NullRecorder:
    def record(self, kind: str, ts: float, /, **fields: Any) -> None:
        pass


class MemoryRecorder:
    """Keeps records in a list: for tests and the self-test's cross-check."""

    def __init__(self) -> None:
        self.records: list[tuple[str, float, dict[str, Any]]] = []

    def record(self, kind: str, ts: float, /, **fields: Any) -> None:
        self.records.append((kind, ts, fields))

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.records]
