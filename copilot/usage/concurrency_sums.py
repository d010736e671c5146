"""Open-chat time per 5-minute bucket, kept in `usage_buckets` by a trigger on `concurrency`.

The concurrency table is a step function: each row is the new number of open chats from its ts on.
Time-weighting needs each step's length, known only when the next change arrives, so the trigger
on a new row books the *previous* step, split across the buckets it spans: open-chats x seconds
into `concurrency_seconds`, and the count into `concurrency_peak`. The step still running (from
the last change to the end of the session) is added when reading (bucket_queries.py).

SQLite triggers cannot loop or use WITH, so a step is split by joining `usage_bucket_offsets`
(0, 1, 2, ...): one row per bucket the step touches, up to MAX_STEP_BUCKETS (four weeks; a longer
step is cut there). The join is on k.n <= (last bucket - first bucket): a range on the key.
"""
from __future__ import annotations

from copilot.usage.bucket_sums import BUCKET_SECONDS as B
from copilot.usage.bucket_sums import TABLE

OFFSETS = "usage_bucket_offsets"
MAX_STEP_BUCKETS = 28 * 86400 // B

_UPSERT = ("ON CONFLICT (session_id, bucket) DO UPDATE SET "
           "concurrency_seconds = concurrency_seconds + excluded.concurrency_seconds, "
           "concurrency_peak = CASE WHEN concurrency_peak >= excluded.concurrency_peak THEN concurrency_peak "
           "ELSE excluded.concurrency_peak END")
_PIECES = f"""
SELECT p.session_id, p.b0 + k.n,
       p.v * (min(p.t1, (p.b0 + k.n + 1) * {B}.0) - max(p.t0, (p.b0 + k.n) * {B}.0)), p.v
FROM {{steps}} AS p JOIN {OFFSETS} k ON k.n <= CAST(p.t1 / {B} AS INTEGER) - p.b0
WHERE p.t1 > p.t0 AND (p.b0 + k.n) * {B}.0 < p.t1"""
# The instant of a change counts for the peak even if the next change comes at once.
_INSTANT = f"SELECT {{row}}.session_id, CAST({{row}}.ts / {B} AS INTEGER), 0, {{row}}.open_chats"
_COLUMNS = f"INSERT INTO {TABLE} (session_id, bucket, concurrency_seconds, concurrency_peak)"

_PREVIOUS_STEP = f"""(SELECT prev.session_id AS session_id, prev.ts AS t0, new.ts AS t1, prev.open_chats AS v,
        CAST(prev.ts / {B} AS INTEGER) AS b0
    FROM concurrency prev WHERE prev.session_id = new.session_id AND prev.id != new.id
        AND (prev.ts < new.ts OR (prev.ts = new.ts AND prev.id < new.id))
    ORDER BY prev.ts DESC, prev.id DESC LIMIT 1)"""
_ALL_STEPS = f"""(SELECT session_id, ts AS t0, open_chats AS v, CAST(ts / {B} AS INTEGER) AS b0,
        lead(ts) OVER (PARTITION BY session_id ORDER BY ts, id) AS t1
    FROM concurrency WHERE session_id IS NOT NULL AND ts IS NOT NULL AND open_chats IS NOT NULL)"""


def create_sql() -> list[str]:
    """The offsets table (filled) and the trigger."""
    trigger = (f"CREATE TRIGGER IF NOT EXISTS {TABLE}_concurrency_insert AFTER INSERT ON concurrency "
               f"WHEN new.session_id IS NOT NULL AND new.ts IS NOT NULL AND new.open_chats IS NOT NULL BEGIN "
               f"{_COLUMNS} {_PIECES.format(steps=_PREVIOUS_STEP)} {_UPSERT}; "
               f"{_COLUMNS} {_INSTANT.format(row='new')} WHERE 1 {_UPSERT}; END")
    return [
        f"CREATE TABLE IF NOT EXISTS {OFFSETS} (n INTEGER PRIMARY KEY)",
        _fill_offsets_sql(),
        trigger,
    ]


def _fill_offsets_sql() -> str:
    # generate_series is not built into every SQLite; a recursive CTE is (outside triggers).
    return (f"INSERT OR IGNORE INTO {OFFSETS} (n) WITH RECURSIVE k(n) AS "
            f"(SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < {MAX_STEP_BUCKETS}) SELECT n FROM k")


def backfill_sql() -> list[str]:
    """Book every finished step already in the file, and every change's instant."""
    return [
        f"{_COLUMNS} SELECT * FROM ({_PIECES.format(steps=_ALL_STEPS)}) WHERE 1 {_UPSERT}",
        f"{_COLUMNS} {_INSTANT.format(row='c')} FROM concurrency c WHERE c.session_id IS NOT NULL "
        f"AND c.ts IS NOT NULL AND c.open_chats IS NOT NULL {_UPSERT}",
    ]
