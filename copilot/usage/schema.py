"""The usage log's tables, their version, and the migrations that bring an older file up to date.

Which record kinds go where (see copilot/core/workspace.py for the `record` calls):

    chat_opened       -> chats (one row per chat) + concurrency (when the open-chat count changes)
    chat_closed       -> chats (same row, closed_at/status/duration) + concurrency
    message           -> messages (metadata; `text` only when the log was opened with store_text)
    suggestion_shown  -> suggestions
    decision          -> decisions
    focus             -> focus_changes
    escalation        -> escalations (since v3; see escalation_effort.py)
    suggestion_shown  -> suggestions also gets diagnosis_engine, draft_engine, draft_kind (since v5)
    anything else     -> events (kind, ts, fields as JSON), so a new kind is never lost

Every row carries session_id and ts (seconds, Unix time). Fields a known kind carries beyond its
columns go to that row's `extra` column as JSON.

Since v2, SQLite triggers keep `usage_buckets` (per-session, per-5-minute sums; see bucket_sums.py)
up to date with every insert, so metrics need not scan the event tables.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from sqlite_utils import Database

from copilot.core.recorder import RecordKind
from copilot.usage import bucket_sums, concurrency_sums, escalation_effort
from copilot.usage.errors import UsageLogError
from copilot.usage.views import create_views

SCHEMA_VERSION = 5
APP_MARKER = "agent-copilot-usage-log"  # meta.app: tells our files from other apps' databases
APPLICATION_ID = 0x41435553  # PRAGMA application_id, "ACUS": identifies the file to `file(1)` too

# The one map from record kind (copilot/core/recorder.py) to table; every other kind -> events.
TABLE_FOR_KIND = {
    RecordKind.CHAT_OPENED: "chats",
    RecordKind.CHAT_CLOSED: "chats",
    RecordKind.MESSAGE: "messages",
    RecordKind.SUGGESTION_SHOWN: "suggestions",
    RecordKind.DECISION: "decisions",
    RecordKind.FOCUS: "focus_changes",
    RecordKind.ESCALATION: "escalations",
}
# Fields renamed on the way into their table: a decision's `kind` is the `decision` column.
FIELD_RENAMES = {RecordKind.DECISION: {"kind": "decision"}}
# Tables counted by UsageLog.counts(), in the order a reader expects them.
TABLES = ("agents", "sessions", "chats", "messages", "suggestions", "decisions",
          "focus_changes", "concurrency", "events", "escalations")

# Columns of the per-event tables (besides id, session_id, ts, extra), in insert order.
EVENT_COLUMNS: dict[str, dict[str, type]] = {
    "messages": {"chat_id": str, "message_id": int, "sender": str, "length": int, "frustration": float,
                 "response_seconds": float, "suggestion_id": int, "text": str},
    "suggestions": {"chat_id": str, "suggestion_id": int, "message_id": int, "engine": str, "category": str,
                    "confidence": float, "abstained": int, "draft_length": int, "draft_hash": str,
                    **{name: str for name in ("diagnosis_engine", "draft_engine", "draft_kind")}},  # since v5
    "decisions": {"chat_id": str, "suggestion_id": int, "decision": str, "seconds_to_decide": float,
                  "edit_distance": float, "reason": str, "sent_length": int,
                  "seconds_to_first_keystroke": float},
    "focus_changes": {"chat_id": str, "previous_chat_id": str, "open_chats": int},
    "concurrency": {"open_chats": int, "chat_id": str, "cause": str},
    "events": {"kind": str, "fields": str},
}
CHAT_COLUMNS: dict[str, type] = {
    "chat_id": str, "customer_name": str, "scenario_id": str, "concurrent_at_open": int,
    "closed_at": float, "status": str, "duration": float,
}

Migration = Callable[[Database], None]


def _v1_initial(db: Database) -> None:
    """Version 1: the first versioned layout.

    Version 0 was the pre-release file: `meta` plus a bare `events(kind, ts, fields)` table. Its
    rows are kept: the table gains the v1 columns and those rows get session_id NULL.
    """
    db["agents"].create({"id": int, "name": str, "first_seen": float}, pk="id",
                        not_null=["name"], if_not_exists=True)
    db["agents"].create_index(["name"], unique=True, if_not_exists=True)
    db["sessions"].create(
        {"id": int, "uuid": str, "agent_id": int, "ts": float, "started_at": float, "ended_at": float,
         "app_version": str, "engine": str, "policy": str},
        pk="id", foreign_keys=[("agent_id", "agents", "id")], if_not_exists=True,
    )
    db["sessions"].create_index(["agent_id", "started_at"], if_not_exists=True)
    db["chats"].create(
        {"id": int, "session_id": int, "ts": float, **CHAT_COLUMNS, "extra": str},
        pk="id", foreign_keys=[("session_id", "sessions", "id")], if_not_exists=True,
    )
    # One row per chat per session: chat_closed updates the row chat_opened made (an upsert).
    db["chats"].create_index(["session_id", "chat_id"], unique=True, if_not_exists=True)
    db["chats"].create_index(["session_id", "ts"], if_not_exists=True)
    for table, columns in EVENT_COLUMNS.items():
        if table == "events" and table in db.table_names():
            for name, kind in {"session_id": int, "extra": str}.items():
                if name not in db[table].columns_dict:
                    db[table].add_column(name, kind)
        else:
            db[table].create(
                {"id": int, "session_id": int, "ts": float, **columns, "extra": str},
                pk="id", foreign_keys=[("session_id", "sessions", "id")], if_not_exists=True,
            )
        db[table].create_index(["session_id", "ts"], if_not_exists=True)
    db["suggestions"].create_index(["session_id", "suggestion_id"], if_not_exists=True)
    db["decisions"].create_index(["session_id", "suggestion_id"], if_not_exists=True)
    db["messages"].create_index(["session_id", "chat_id", "ts"], if_not_exists=True)


def _v2_bucket_sums(db: Database) -> None:
    """Version 2: per-5-minute sums kept by triggers (bucket_sums.py), filled from the rows already there.

    Emptied first, so running it again (a hand-edited schema_version) refills rather than doubles."""
    db.execute(bucket_sums.create_table_sql())
    db.execute(f"DELETE FROM {bucket_sums.TABLE}")
    for sql in [*concurrency_sums.create_sql(), *bucket_sums.backfill_sql(), *concurrency_sums.backfill_sql(),
                *bucket_sums.trigger_sql()]:
        db.execute(sql)


def _v3_escalations(db: Database) -> None:
    """Version 3: the `escalations` table, for records of kind "escalation" (new with it: nothing to move)."""
    escalation_effort.create_escalations_table(db)


def _v4_journal_seq(db: Database) -> None:
    """Version 4: `sessions.journal_seq`, the last pending-journal record each commit included
    (see pending_journal.py), so a restart replays exactly what a killed app had not committed."""
    if "journal_seq" not in db["sessions"].columns_dict:
        db["sessions"].add_column("journal_seq", int)


def _v5_suggestion_engines(db: Database) -> None:
    """Version 5: per suggestion, which engine made the diagnosis and which the draft (offline, llm,
    offline_fallback) and which draft it is (routine, deescalation, chosen). Older rows keep NULL:
    their `engine` text is all that is known about them."""
    for name in ("diagnosis_engine", "draft_engine", "draft_kind"):
        if name not in db["suggestions"].columns_dict:
            db["suggestions"].add_column(name, str)


MIGRATIONS: dict[int, Migration] = {1: _v1_initial, 2: _v2_bucket_sums, 3: _v3_escalations, 4: _v4_journal_seq,
                                    5: _v5_suggestion_engines}


def ensure_meta(db: Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
    if db.execute("select value from meta where key = 'app'").fetchone() != (APP_MARKER,):  # write only if needed
        db["meta"].insert({"key": "app", "value": APP_MARKER}, replace=True)


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """A write transaction that takes the write lock at BEGIN, waiting the busy timeout for it.

    A deferred one that reads first and writes later cannot wait: SQLite refuses the upgrade at
    once when another connection holds the lock (the busy handler is not used), so a log open
    while another program wrote to it failed immediately."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def stored_version(db: Database) -> int:
    """The version recorded in the file (meta wins; user_version is the quick-look copy)."""
    if "meta" in db.table_names():
        row = db.execute("select value from meta where key = 'schema_version'").fetchone()
        if row is not None:
            return int(row[0])
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: Database, migrations: Mapping[int, Migration] = MIGRATIONS,
            target: int | None = None) -> int:
    """Apply, in order, every migration newer than the file, all inside one transaction.

    If any step fails the transaction rolls back and the file stays at its old version.
    Returns the version the file is at afterwards.
    """
    target = max(migrations) if target is None else target
    if not db.conn.in_transaction:
        with immediate(db.conn):
            return migrate(db, migrations, target)
    with db.atomic():  # a savepoint in the caller's transaction
        ensure_meta(db)
        current = stored_version(db)
        if current > target:  # also checked before opening; here it guards other callers
            raise UsageLogError(f"usage log schema v{current} is newer than this app's v{target}")
        for version in sorted(v for v in migrations if current < v <= target):
            migrations[version](db)
            db["meta"].insert({"key": "schema_version", "value": str(version)}, replace=True)
            db.execute(f"PRAGMA user_version = {int(version)}")
            current = version
        if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        if current == SCHEMA_VERSION:  # views describe the current layout only
            create_views(db)
    return current
