"""What one sync pass did: records sent, sessions brought up to date, what was left and why.

`copilot sync` prints its summary (or, with --json, to_dict()); the app keeps only the status
(status.py) that the passes leave behind.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class SyncReport:
    store: str
    log: str
    sent: Counter = field(default_factory=Counter)  # new rows in the store, by local table
    sessions_sent: int = 0  # sessions whose records or sums went in this pass
    sessions_complete: int = 0  # this agent's sessions now complete in the store
    other_agents: dict[str, int] = field(default_factory=dict)  # names in the log the store user may not send
    ok: bool = True
    cancelled: bool = False
    error: str = ""
    error_kind: str = ""
    behind_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    def summary(self) -> str:
        if not self.ok:
            return f"Not synced: {self.error}. Nothing was lost; the next pass catches up."
        parts = [f"sent {self.total:,} record(s)"
                 + (f" ({', '.join(f'{k} {v:,}' for k, v in sorted(self.sent.items()) if v)})" if self.total else "")
                 + f" from {self.sessions_sent} session(s); {self.sessions_complete} session(s) complete in the store"]
        if self.cancelled:
            parts.append("stopped early (cancelled); the next pass goes on from there")
        for name, count in sorted(self.other_agents.items()):
            parts.append(f"{count} session(s) of {name!r} not sent: this store user may send only its own agent's")
        return "; ".join(parts) + "."

    def to_dict(self) -> dict:
        return {"store": self.store, "log": self.log, "ok": self.ok, "sent": dict(self.sent), "total": self.total,
                "sessions_sent": self.sessions_sent, "sessions_complete": self.sessions_complete,
                "other_agents": self.other_agents, "cancelled": self.cancelled, "error": self.error,
                "error_kind": self.error_kind, "behind_seconds": round(self.behind_seconds, 1),
                "seconds": round(self.seconds, 3), "summary": self.summary()}
