"""Look at an existing file before the usage log writes to it, without changing a byte.

The checks read the header, then open SQLite read-only. With no pending WAL the connection is
`immutable` (no locks, no -wal/-shm files created). With a pending WAL it is `mode=ro`, which
reads the WAL but never checkpoints it into the main file or rolls back a hot journal; SQLite may
only touch the -shm index, which holds no data. So a file we refuse keeps its bytes.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from copilot.usage.errors import UsageLogError
from copilot.usage.schema import APP_MARKER, APPLICATION_ID, SCHEMA_VERSION

SQLITE_HEADER = b"SQLite format 3\x00"


def check_existing(path: Path) -> int | None:
    """Return the file's schema version, or None when there is nothing there to keep.

    Raises UsageLogError when the file is not SQLite, is damaged, belongs to another application,
    or was written by a newer version of Agent Copilot.
    """
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return None
    if not path.is_file():
        raise UsageLogError(f"Usage log path {path} exists but is not a file.")
    with path.open("rb") as f:
        header = f.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise UsageLogError(
            f"{path} is not a SQLite database, so it is not an Agent Copilot usage log. "
            "It was left untouched; move it aside or choose another usage log path."
        )
    try:
        return _inspect(path)
    except sqlite3.DatabaseError as exc:
        raise UsageLogError(
            f"{path} looks like a SQLite file but cannot be read ({exc}); it may be damaged. "
            "It was left untouched; keep a copy for recovery and move it aside to start a new log."
        ) from exc


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """Raise UsageLogError if SQLite finds the file damaged; run on the writing connection before
    its first write, so a damaged log is refused with its bytes as they were.

    `quick_check` reads every page once (about a second for a few hundred megabytes): a damaged page
    the header checks above cannot see would otherwise take the app's writes and be made worse."""
    try:
        problems = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    if problems != ["ok"]:
        raise UsageLogError(
            f"{path} is damaged ({'; '.join(problems)[:200]}). It was left untouched; keep a copy for "
            "recovery (the sqlite3 tool's .recover can save most of it) and move it aside to start a new log.")


def _inspect(path: Path) -> int | None:
    wal = path.with_name(path.name + "-wal")
    pending_wal = wal.exists() and wal.stat().st_size > 0
    mode = "mode=ro" if pending_wal else "mode=ro&immutable=1"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        user_version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
        app = version = None
        if "meta" in tables:
            meta = dict(conn.execute("select key, value from meta where key in ('app', 'schema_version')"))
            app, version = meta.get("app"), meta.get("schema_version")
    except sqlite3.OperationalError as exc:  # e.g. a `meta` table with other columns
        raise UsageLogError(f"{path} is a SQLite database of another application ({exc}); left untouched.") from exc
    finally:
        conn.close()

    if not tables and application_id == 0 and user_version == 0:
        return None  # an empty SQLite file: nothing to keep, safe to set up
    if application_id not in (0, APPLICATION_ID) or app != APP_MARKER:
        raise UsageLogError(
            f"{path} is a SQLite database of another application, not an Agent Copilot usage log. "
            "It was left untouched; choose another usage log path."
        )
    try:
        found = int(version) if version is not None else int(user_version)
    except ValueError as exc:
        raise UsageLogError(f"{path} has an unreadable schema version {version!r}; left untouched.") from exc
    if found > SCHEMA_VERSION:
        raise UsageLogError(
            f"{path} was written by a newer Agent Copilot (usage log schema v{found}; this version "
            f"reads up to v{SCHEMA_VERSION}). It was left untouched; update the app or use another path."
        )
    return found
