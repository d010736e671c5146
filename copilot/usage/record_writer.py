"""Turns one recorded event into rows: the SQL for each kind, run on the writer thread only.

Kept apart from the queue and thread (copilot/usage/log.py) so the mapping from record kinds to
tables reads in one place. The statements are fixed strings, so sqlite3 caches them.
"""
from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from typing import Any

from copilot.usage.escalation_effort import ESCALATION_COLUMNS
from copilot.core.recorder import RecordKind
from copilot.usage.schema import EVENT_COLUMNS, FIELD_RENAMES, TABLE_FOR_KIND

# Tables written by `_write_simple`: the v1 event tables and those later migrations added.
COLUMNS: dict[str, dict[str, type]] = {**EVENT_COLUMNS, "escalations": ESCALATION_COLUMNS}

_PLAIN = (str, int, float, type(None))


# Customer words quoted inside a trigger, e.g. "threatens to leave: 'I'll cancel my account'".
_QUOTED = re.compile(r"'[^']*(?:'[a-z][^']*)*'$|'[^']+'")


def mask_quotes(trigger: str) -> str:
    """The trigger's wording with the customer's quoted words replaced by an ellipsis."""
    return _QUOTED.sub("'…'", trigger)


def _plain(value: Any) -> Any:
    """SQLite binds str/int/float/None (and bool, an int); anything else is kept as JSON text."""
    if isinstance(value, _PLAIN):
        return value
    return json.dumps(value, default=str)


def _extra(fields: dict[str, Any]) -> str | None:
    return json.dumps(fields, default=str, sort_keys=True) if fields else None


def _insert_sql(table: str, columns: list[str]) -> str:
    names = ["session_id", "ts", *columns, "extra"]
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"


_CHAT_OPEN_SQL = (
    "INSERT INTO chats (session_id, ts, chat_id, customer_name, scenario_id, concurrent_at_open, extra) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, chat_id) DO UPDATE SET ts = excluded.ts, "
    "customer_name = excluded.customer_name, scenario_id = excluded.scenario_id, "
    "concurrent_at_open = excluded.concurrent_at_open, extra = coalesce(excluded.extra, extra)"
)
# A close with no matching open (e.g. the open was in a lost batch) still gets its row.
_CHAT_CLOSE_SQL = (
    "INSERT INTO chats (session_id, ts, chat_id, closed_at, status, duration, extra) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, chat_id) DO UPDATE SET "
    "closed_at = excluded.closed_at, status = excluded.status, duration = excluded.duration, "
    "extra = coalesce(excluded.extra, extra)"
)
_CONCURRENCY_SQL = _insert_sql("concurrency", list(EVENT_COLUMNS["concurrency"]))
_EVENT_SQL = "INSERT INTO events (session_id, ts, kind, fields) VALUES (?, ?, ?, ?)"


class RecordWriter:
    """Writes records for one session on one connection. Raises on failure; the caller decides."""

    def __init__(self, conn: sqlite3.Connection, session_id: int, store_text: bool,
                 redact: Callable[[str], str], on_error: Callable[[BaseException, str], None]):
        self.conn = conn
        self.on_error = on_error
        self.session_id = session_id
        self.store_text = store_text
        self.redact = redact
        self.open_chats: int | None = None  # last value written to `concurrency`
        # kind -> (table, renames of fields to columns): one row per record, columns as named
        self._simple = {kind.value: (table, FIELD_RENAMES.get(kind, {})) for kind, table in TABLE_FOR_KIND.items()
                        if kind not in (RecordKind.CHAT_OPENED, RecordKind.CHAT_CLOSED)}
        self._sql = {table: _insert_sql(table, list(COLUMNS[table])) for table, _ in self._simple.values()}

    def write(self, kind: str, ts: float, fields: dict[str, Any]) -> None:
        kind = getattr(kind, "value", kind)  # a RecordKind, or its plain value from a replayed journal
        fields = dict(fields)  # the handlers pop what they store; the caller keeps the original
        if kind in self._simple:
            self._write_simple(kind, ts, fields)
        elif kind == "chat_opened":
            self._chat_opened(ts, fields)
        elif kind == "chat_closed":
            self._chat_closed(ts, fields)
        else:
            self.write_event(kind, ts, fields)

    def write_event(self, kind: str, ts: Any, fields: dict[str, Any]) -> None:
        """The generic table: any kind, fields as JSON. Also the fallback for rows that failed."""
        fields = dict(fields)
        self._message_text(fields)  # text follows the same rule whatever the kind
        self.conn.execute(_EVENT_SQL, (self.session_id, _plain(ts), str(kind), json.dumps(fields, default=str)))

    def _write_simple(self, kind: str, ts: float, fields: dict[str, Any]) -> None:
        table, renames = self._simple[kind]
        for old, new in renames.items():
            if old in fields and new not in fields:
                fields[new] = fields.pop(old)
        if table == "messages":
            self._message_text(fields)
        elif table == "escalations":
            self._trigger_quote(fields)
        values = [_plain(fields.pop(column, None)) for column in COLUMNS[table]]
        self.conn.execute(self._sql[table], (self.session_id, ts, *values, _extra(fields)))

    def _message_text(self, fields: dict[str, Any]) -> None:
        """Message text is dropped unless the log stores text, and then only after redaction."""
        text = fields.pop("text", None)
        if self.store_text and isinstance(text, str):
            try:
                fields["text"] = self.redact(text)
            except Exception as exc:  # keep the row, never the unredacted text
                self.on_error(exc, "redacting message text")

    def _trigger_quote(self, fields: dict[str, Any]) -> None:
        """An escalation's trigger quotes the customer ('...'): the quote follows the text rule."""
        trigger = fields.get("trigger")
        if not isinstance(trigger, str):
            return
        if self.store_text:
            try:
                fields["trigger"] = self.redact(trigger)
            except Exception as exc:
                fields["trigger"] = mask_quotes(trigger)
                self.on_error(exc, "redacting an escalation trigger")
        else:
            fields["trigger"] = mask_quotes(trigger)

    def _chat_opened(self, ts: float, fields: dict[str, Any]) -> None:
        concurrent = fields.pop("concurrent", None)
        chat_id = fields.pop("chat_id", None)
        values = (fields.pop("customer", None), fields.pop("scenario_id", None))
        self.conn.execute(_CHAT_OPEN_SQL, (self.session_id, ts, _plain(chat_id), *map(_plain, values),
                                           _plain(concurrent), _extra(fields)))
        self._concurrency(ts, concurrent, chat_id, "chat_opened")

    def _chat_closed(self, ts: float, fields: dict[str, Any]) -> None:
        concurrent = fields.pop("concurrent", None)
        chat_id = fields.pop("chat_id", None)
        values = (fields.pop("status", None), fields.pop("duration", None))
        self.conn.execute(_CHAT_CLOSE_SQL, (self.session_id, ts, _plain(chat_id), ts, *map(_plain, values),
                                            _extra(fields)))
        self._concurrency(ts, concurrent, chat_id, "chat_closed")

    def _concurrency(self, ts: float, open_chats: Any, chat_id: Any, cause: str) -> None:
        """A row only when the count changes: the table is the step function of open chats."""
        if isinstance(open_chats, int) and open_chats != self.open_chats:
            self.conn.execute(_CONCURRENCY_SQL, (self.session_id, ts, open_chats, _plain(chat_id), cause, None))
            self.open_chats = open_chats
