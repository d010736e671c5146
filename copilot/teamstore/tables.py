"""The team store's tables and their columns, derived from the usage log's own definitions.

Raw records (what the app logged, as the local log holds them):
- `events`: every row of the local per-event tables (messages, suggestions, decisions,
  focus_changes, concurrency, escalations, and the generic `events`), one wide table partitioned
  by month of `ts`. Each row keeps its unique key (session uuid, source table, row id), so
  sending it again changes nothing.
- `chats`: one row per chat (its close updates it, as in the local log).
- `sessions`: one row per app session, with the agent's name.
Review sums (what the app computes from its own log with the same code as the file-based review,
sent with each session; the server sums them across sessions, agents and days in SQL):
- `session_days`: per session and UTC day, every usage sum (copilot/usage/tally.py) and the
  review's own sums (copilot/review/model.py Extras); `day_profiles`: the day's load profile (upload.py).
- `session_load`: per session and 5-minute bucket, the sums the overload rule compares.
- `escalation_effort`: per escalation, the effort that followed it (copilot/usage/escalation_effort.py).
Every row carries `agent`: row-level security lets an agent write and read only their own.
"""
from __future__ import annotations

from dataclasses import fields

from copilot.review.model import Extras
from copilot.usage.bucket_queries import LOAD_COLUMNS
from copilot.usage.escalation_effort import EscalationEffortRow
from copilot.usage.record_writer import COLUMNS as LOCAL_COLUMNS
from copilot.usage.schema import CHAT_COLUMNS
from copilot.usage.tally import Tally

SCHEMA = "copilot"
_PG = {str: "text", int: "bigint", float: "double precision"}

# The local tables whose rows go to `events` (their name is the row's `source`).
EVENT_SOURCES = tuple(LOCAL_COLUMNS)
# The wide table's columns after the key: every column of every source, once, in a stable order.
# `fields` (the generic table's JSON) and `extra` (fields a kind carries beyond its columns) are jsonb.
EVENT_COLUMNS: dict[str, str] = {}
for _table, _columns in LOCAL_COLUMNS.items():
    for _name, _kind in _columns.items():
        EVENT_COLUMNS.setdefault(_name, "jsonb" if _name == "fields" else _PG[_kind])
EVENT_COLUMNS["extra"] = "jsonb"
EVENT_KEY = ("agent", "session", "source", "row_id", "ts")

CHAT_COLUMNS_PG: dict[str, str] = {name: _PG[kind] for name, kind in CHAT_COLUMNS.items()} | {"extra": "jsonb"}

TALLY_COLUMNS: dict[str, str] = {f.name: "bigint" if f.type == "int" else "double precision" for f in fields(Tally)}
# The review's sums per day, as review_<field> (chats_ended is also a usage sum, counted otherwise);
# own replies are derived (all timed replies minus those from drafts).
EXTRAS_FIELDS = tuple(f.name for f in fields(Extras) if not f.name.startswith("own_"))
EXTRAS_COLUMNS: dict[str, str] = {f"review_{f.name}": "bigint" if f.type == "int" else "double precision"
                                  for f in fields(Extras) if f.name in EXTRAS_FIELDS}
LOAD_FIELDS = (*LOAD_COLUMNS, "active_seconds")
LOAD_COLUMNS_PG: dict[str, str] = {name: TALLY_COLUMNS[name] for name in LOAD_FIELDS}
# The load profile: a day's 5-minute levels (open chats per active second) sorted, and running sums
# of what the overload rule pools, in the same order; PROFILED[i] goes to profile column p_<name>.
PROFILED = ("active_seconds", "concurrency_seconds", "reply_seconds", "replies_timed", "frustration_sum",
            "frustration_scored")

EFFORT_COLUMNS: dict[str, str] = {
    f.name: {"str": "text", "str | None": "text", "int": "bigint", "int | None": "bigint", "float": "double precision",
             "float | None": "double precision"}[f.type]
    for f in fields(EscalationEffortRow) if f.name not in ("agent", "session_id", "escalation_id")
}


def column_list(columns: dict[str, str]) -> str:
    return ", ".join(f'"{name}" {kind}' for name, kind in columns.items())


def names(columns) -> str:
    return ", ".join(f'"{name}"' for name in columns)
