"""How far the team store is behind this computer's usage log, in words for the status area.

    status.text()   # "team store: up to date" / "team store: 3 h behind · cannot reach the team store …"

The sync keeps a small state file next to the usage log (`usage.sqlite.teamstore.json`): when it
last succeeded, the last error, the store's high-water marks as last seen, and which ended sessions
are complete in the store. So after a restart with the server still away, the app can say how far
behind it is without reaching the server. The file holds no records and no password; losing it
costs one fuller comparison with the server, nothing else.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

STATE_SUFFIX = ".teamstore.json"


def state_path(log_path: str | Path) -> Path:
    log_path = Path(log_path)
    return log_path.with_name(log_path.name + STATE_SUFFIX)


@dataclass
class SyncState:
    store: str = ""  # which store this state describes (a different store starts afresh)
    last_success: float | None = None  # end of the last pass that sent everything
    last_attempt: float | None = None
    last_error: str = ""
    error_kind: str = ""
    failures: int = 0  # passes failed in a row
    oldest_unsent: float | None = None  # time of the oldest record not in the store; None: nothing
    quick: str = ""  # the whole log's fingerprint when the last pass found everything sent
    done: dict[str, str] = field(default_factory=dict)  # ended sessions complete in the store: uuid -> fingerprint
    marks: dict[str, dict[str, int]] = field(default_factory=dict)  # the store's marks, as last seen

    @classmethod
    def load(cls, path: Path, store: str) -> SyncState:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            state = cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        except (OSError, ValueError, TypeError):
            return cls(store=store)  # missing or unreadable: start afresh (the store itself is the truth)
        return state if state.store == store else cls(store=store)

    def save(self, path: Path) -> None:
        """Atomic; a state that cannot be written is only a cache, so errors are left to the caller to ignore."""
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(asdict(self)), encoding="utf-8")
        os.replace(tmp, path)


@dataclass(frozen=True)
class SyncStatus:
    """A snapshot for the status area (immutable: safe to hand from the sync thread to the UI)."""

    enabled: bool
    oldest_unsent: float | None = None
    last_success: float | None = None
    last_attempt: float | None = None
    last_error: str = ""
    error_kind: str = ""
    running: bool = False

    def behind_seconds(self, now: float | None = None) -> float:
        """How old the oldest record the store lacks is (0 when it has everything)."""
        if self.oldest_unsent is None:
            return 0.0
        return max(0.0, (time.time() if now is None else now) - self.oldest_unsent)

    @property
    def up_to_date(self) -> bool:
        return self.oldest_unsent is None and not self.last_error

    def text(self, now: float | None = None) -> str:
        if not self.enabled:
            return ""
        if self.last_attempt is None:
            return "team store: not synced yet"
        if self.oldest_unsent is None:
            where = "nothing waiting to be sent" if self.last_error else "up to date"
        else:
            where = f"{duration(self.behind_seconds(now))} behind"
        return f"team store: {where}" + (f" · {self.last_error}" if self.last_error else "")

    def to_dict(self, now: float | None = None) -> dict:
        return {"enabled": self.enabled, "text": self.text(now), "behind_seconds": round(self.behind_seconds(now), 1),
                "oldest_unsent": self.oldest_unsent, "last_success": self.last_success,
                "last_attempt": self.last_attempt, "last_error": self.last_error, "error_kind": self.error_kind}


def duration(seconds: float) -> str:
    """"under a minute", "12 min", "3 h", "2 days": how people say how far behind something is."""
    if seconds < 60:
        return "under a minute"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} days"
