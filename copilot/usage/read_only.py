"""Opening a usage log for reading only: reports and reviews must never change the file.

The same checks as the writer's (copilot/usage/file_check.py) run first, so a file that is not
ours, is damaged or comes from a newer version is refused with the same clear message. The
connection is read-only at the SQLite level too (`mode=ro`, or `immutable` when there is no
write-ahead log to read), so even a bug in a report cannot write.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from copilot.usage.errors import UsageLogError
from copilot.usage.file_check import check_existing

REQUIRED_TABLES = {"sessions", "agents", "chats", "messages", "suggestions", "decisions", "focus_changes",
                   "concurrency"}


def open_read_only(path: str | Path) -> sqlite3.Connection:
    """A read-only connection to a usage log, or UsageLogError saying why not."""
    path = Path(path)
    if not path.exists():
        raise UsageLogError(f"There is no usage log at {path}.")
    version = check_existing(path)
    if version is None:
        raise UsageLogError(f"{path} is empty: nothing has been recorded in it yet.")
    if version < 1:
        raise UsageLogError(f"{path} has the pre-release layout (v{version}); open it once with the app to "
                            "bring it up to date, then try again.")
    wal = path.with_name(path.name + "-wal")
    pending_wal = wal.exists() and wal.stat().st_size > 0
    mode = "mode=ro" if pending_wal else "mode=ro&immutable=1"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True, check_same_thread=False)
    try:
        conn.execute("PRAGMA query_only = 1")
        tables = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise UsageLogError(f"{path} cannot be read ({exc}); it may be damaged. It was left untouched.") from exc
    missing = REQUIRED_TABLES - tables
    if missing:
        conn.close()
        raise UsageLogError(f"{path} is missing usage tables ({', '.join(sorted(missing))}); it may be damaged. "
                            "It was left untouched.")
    return conn
