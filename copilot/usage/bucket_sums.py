"""Per-session, per-5-minute sums of the usage log, kept up to date by SQLite itself.

Each event table contributes a few sums to its row's bucket (CONTRIBUTIONS). From that one
description come three things that therefore always agree:
- the triggers that add every inserted row to the `usage_buckets` table (schema v2), so metrics
  over a million events read a few thousand rows instead of scanning them all;
- the backfill that fills `usage_buckets` when a v1 file is migrated;
- the plain GROUP BY queries used where the sums cannot serve: files read before migration (read-only),
  and the partial buckets at the edges of a --since/--until range.
Open-chat time has its own trigger (concurrency_sums.py): a step's length is known only when the
next change arrives.
Rows are never deleted by the app; a tool that deletes rows must refill with `backfill_sql()`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

BUCKET_SECONDS = 300
TABLE = "usage_buckets"
READING_WORDS_PER_SECOND = 4.0  # a careful reader; accepting faster than this is not reading the draft
CHARS_PER_WORD = 5.5  # average English word plus its space: turns draft_length into words
READING_CHARS_PER_SECOND = READING_WORDS_PER_SECOND * CHARS_PER_WORD

_DRAFT_LENGTH = ("(SELECT s.draft_length FROM suggestions s WHERE s.session_id = {row}.session_id "
                 "AND s.suggestion_id = {row}.suggestion_id LIMIT 1)")
# The chat's first agent reply: no earlier agent message in the same chat (index session_id, chat_id, ts).
_IS_FIRST_REPLY = ("CASE WHEN {row}.sender = 'agent' THEN NOT EXISTS (SELECT 1 FROM messages m "
                   "WHERE m.session_id = {row}.session_id AND m.chat_id = {row}.chat_id AND m.sender = 'agent' "
                   "AND (m.ts < {row}.ts OR (m.ts = {row}.ts AND m.id < {row}.id))) END")
_USED = "r.decision IN ('accepted', 'edited', 'rejected')"
_TIMED_ACCEPT = "r.decision = 'accepted' AND r.draft_length > 0 AND r.seconds_to_decide IS NOT NULL"
_TIMED_USE = f"{_USED} AND r.draft_length > 0 AND r.seconds_to_decide IS NOT NULL"


@dataclass(frozen=True)
class Contribution:
    name: str
    table: str
    time: str  # the column whose value places the row in a bucket
    columns: tuple[str, ...]  # of the table, as r.<column>
    sums: dict[str, str]  # usage_buckets column -> per-row SQL over alias r (NULL counts as 0)
    peaks: dict[str, str] = field(default_factory=dict)  # columns that keep the largest value
    derived: dict[str, str] = field(default_factory=dict)  # r.<name> computed from the row ({row})
    when: str = "1"


CONTRIBUTIONS = (
    Contribution("shown", "suggestions", "ts", ("session_id", "ts"), {"shown": "1"}),
    Contribution("switches", "focus_changes", "ts", ("session_id", "ts"), {"switches": "1"}),
    Contribution("chats_opened", "chats", "ts", ("session_id", "ts"), {"chats_opened": "1"}),
    Contribution("chats_ended", "chats", "closed_at", ("session_id", "closed_at", "duration", "status"), {
        "chats_ended": "1", "duration_seconds": "r.duration", "durations": "r.duration IS NOT NULL",
        "abandoned": "r.status = 'abandoned'"}),
    Contribution("messages", "messages", "ts",
                 ("id", "session_id", "ts", "chat_id", "sender", "response_seconds", "frustration"), {
        "replies": "r.sender = 'agent'",
        "reply_seconds": "CASE WHEN r.sender = 'agent' THEN r.response_seconds END",
        "replies_timed": "r.sender = 'agent' AND r.response_seconds IS NOT NULL",
        "first_responses": "r.is_first AND r.response_seconds IS NOT NULL",
        "first_response_seconds": "CASE WHEN r.is_first THEN r.response_seconds END",
        "customer_messages": "r.sender = 'customer'",
        "frustration_sum": "CASE WHEN r.sender = 'customer' THEN r.frustration END",
        "frustration_scored": "r.sender = 'customer' AND r.frustration IS NOT NULL",
        "upset": "r.sender = 'customer' AND r.frustration >= 0.35",  # the chat list's amber badge
        "angry": "r.sender = 'customer' AND r.frustration >= 0.65",  # ... and its red one
    }, peaks={"frustration_peak": "CASE WHEN r.sender = 'customer' THEN r.frustration END"},
        derived={"is_first": _IS_FIRST_REPLY}),
    Contribution("decisions", "decisions", "ts",
                 ("session_id", "ts", "suggestion_id", "decision", "seconds_to_decide", "edit_distance"), {
        "decisions": "1", "accepted": "r.decision = 'accepted'", "edited": "r.decision = 'edited'",
        "rejected": "r.decision = 'rejected'", "ignored": "r.decision = 'ignored'",
        "sent_edit_distance": "CASE WHEN r.decision IN ('accepted', 'edited') THEN r.edit_distance END",
        "dwell_seconds": f"CASE WHEN {_TIMED_USE} THEN r.seconds_to_decide END",
        "dwell_chars": f"CASE WHEN {_TIMED_USE} THEN r.draft_length END",
        "accepted_timed": _TIMED_ACCEPT,
        "accepted_seconds": f"CASE WHEN {_TIMED_ACCEPT} THEN r.seconds_to_decide END",
        "accepted_chars": f"CASE WHEN {_TIMED_ACCEPT} THEN r.draft_length END",
        "accepted_fast": f"{_TIMED_ACCEPT} AND r.seconds_to_decide * {READING_CHARS_PER_SECOND} < r.draft_length",
    }, derived={"draft_length": _DRAFT_LENGTH}),
)
SUM_COLUMNS = tuple(dict.fromkeys(c for source in CONTRIBUTIONS for c in source.sums))
PEAK_COLUMNS = tuple(dict.fromkeys(c for source in CONTRIBUTIONS for c in source.peaks))
CONCURRENCY_COLUMNS = ("concurrency_seconds", "concurrency_peak")  # kept by concurrency_sums.py
COLUMNS = SUM_COLUMNS + PEAK_COLUMNS + CONCURRENCY_COLUMNS


def _rows(source: Contribution, row: str, where: str = "") -> str:
    """A derived table `r` with the columns the sums read, from a table alias or NEW/OLD."""
    items = [f"{row}.{c} AS {c}" for c in source.columns]
    items += [f"{sql.format(row=row)} AS {name}" for name, sql in source.derived.items()]
    # LIMIT keeps SQLite from flattening r into the outer query, which would repeat a derived
    # column's lookup at every use instead of once per row.
    if row in ("new", "old"):
        return f"(SELECT {', '.join(items)} LIMIT 1) AS r"
    return f"(SELECT {', '.join(items)} FROM {source.table} {row}{where} LIMIT -1) AS r"


def _filter(source: Contribution) -> str:
    return f"r.session_id IS NOT NULL AND r.{source.time} IS NOT NULL AND ({source.when})"


def grouped_select(source: Contribution, bucket: int = BUCKET_SECONDS, where: str = "") -> str:
    """session_id, bucket, then one column per sum and peak (named), for rows matching `where`."""
    sums = [f"coalesce(sum({sql}), 0) AS {name}" for name, sql in source.sums.items()]
    peaks = [f"max({sql}) AS {name}" for name, sql in source.peaks.items()]
    return (f"SELECT r.session_id, CAST(r.{source.time} / {int(bucket)} AS INTEGER), {', '.join(sums + peaks)} "
            f"FROM {_rows(source, 'b', where)} WHERE {_filter(source)} GROUP BY 1, 2")


def _upsert(source: Contribution, select: str) -> str:
    names = [*source.sums, *source.peaks]
    updates = [f"{c} = {c} + excluded.{c}" for c in source.sums]
    updates += [f"{c} = CASE WHEN excluded.{c} IS NULL OR {c} >= excluded.{c} THEN {c} ELSE excluded.{c} END"
                for c in source.peaks]
    return (f"INSERT INTO {TABLE} (session_id, bucket, {', '.join(names)}) {select} "
            f"ON CONFLICT (session_id, bucket) DO UPDATE SET {', '.join(updates)}")


def _row_upsert(source: Contribution, row: str, sign: int = 1) -> str:
    values = [f"{sign} * coalesce({sql}, 0)" for sql in source.sums.values()] + list(source.peaks.values())
    select = (f"SELECT r.session_id, CAST(r.{source.time} / {BUCKET_SECONDS} AS INTEGER), {', '.join(values)} "
              f"FROM {_rows(source, row)} WHERE {_filter(source)}")
    return _upsert(source, select)


def create_table_sql() -> str:
    columns = [f"{c} REAL NOT NULL DEFAULT 0" for c in SUM_COLUMNS + CONCURRENCY_COLUMNS]
    columns += [f"{c} REAL" for c in PEAK_COLUMNS]
    return (f"CREATE TABLE IF NOT EXISTS {TABLE} (session_id INTEGER NOT NULL, bucket INTEGER NOT NULL, "
            f"{', '.join(columns)}, PRIMARY KEY (session_id, bucket)) WITHOUT ROWID")


def trigger_sql() -> list[str]:
    """AFTER INSERT triggers per table; chats also change by update (chat_closed is an upsert)."""
    statements = []
    for table in dict.fromkeys(source.table for source in CONTRIBUTIONS):
        sources = [s for s in CONTRIBUTIONS if s.table == table]
        body = "; ".join(_row_upsert(s, "new") for s in sources)
        statements.append(f"CREATE TRIGGER IF NOT EXISTS {TABLE}_{table}_insert AFTER INSERT ON {table} "
                          f"BEGIN {body}; END")
        if table == "chats":  # take the old row's contributions out, put the new row's in
            body = "; ".join(_row_upsert(s, "old", -1) + "; " + _row_upsert(s, "new") for s in sources)
            statements.append(f"CREATE TRIGGER IF NOT EXISTS {TABLE}_{table}_update AFTER UPDATE OF session_id, "
                              f"ts, closed_at, duration, status ON {table} BEGIN {body}; END")
    return statements


def backfill_sql() -> list[str]:
    """Fill usage_buckets from the rows already in the file (empty it first to refill)."""
    return [_upsert(s, grouped_select(s)) for s in CONTRIBUTIONS]  # grouped_select has a WHERE: no ON ambiguity
