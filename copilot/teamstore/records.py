"""Local usage-log rows -> team-store rows: the same privacy rule as the local log, and values PostgreSQL takes.

Privacy: the local log keeps customers' words only when the team opted in (Settings ▸ Privacy),
and then only redacted. The store gets no more than that, and only while the team's opt-in is on:
- message text, the customer's name on a chat, and `text` inside a generic record's fields go only
  with the opt-in;
- an escalation's trigger quotes the customer: without the opt-in the quote is masked, as the
  local log masks it.
Values: SQLite columns take anything, PostgreSQL's are typed. A value that does not fit its
column (text in a number column, a NUL character, JSON PostgreSQL rejects) is never allowed to
block a batch: it is kept as text in the row's `extra` JSON, or cleaned.
"""
from __future__ import annotations

import json
import math

from copilot.teamstore.tables import CHAT_COLUMNS_PG, EVENT_COLUMNS
from copilot.usage.record_writer import COLUMNS as LOCAL_COLUMNS
from copilot.usage.record_writer import mask_quotes

EVENT_ROW = (*("agent", "session", "source", "row_id", "ts"), *EVENT_COLUMNS)  # the stage table's columns
CHAT_ROW = ("agent", "session", "row_id", "ts", *CHAT_COLUMNS_PG)
_INT64 = 2 ** 63


def local_columns(source: str) -> tuple[str, ...]:
    """The columns read from a local table, after id and ts."""
    if source == "chats":
        return (*(c for c in CHAT_COLUMNS_PG if c != "extra"), "extra")
    return (*LOCAL_COLUMNS[source], *(() if "extra" in LOCAL_COLUMNS[source] else ("extra",)))


class RowMaker:
    """Builds the store's rows for one agent; `allow_text` is the team's current opt-in."""

    def __init__(self, agent: str, allow_text: bool):
        self.agent, self.allow_text = agent, allow_text
        positions = {name: i for i, name in enumerate(EVENT_ROW)}
        # source -> [(position in the store's row, column name, store type)] for each local column
        self._plan = {source: [(positions[c], c, EVENT_COLUMNS[c]) for c in local_columns(source)]
                      for source in LOCAL_COLUMNS}
        self._chat_plan = [(CHAT_ROW.index(c), c, CHAT_COLUMNS_PG[c]) for c in local_columns("chats")]

    def event_row(self, source: str, session: str, local: tuple) -> list:
        """`local` is (id, ts, *local_columns(source))."""
        row = [None] * len(EVENT_ROW)
        row[0], row[1], row[2], row[3] = self.agent, session, source, local[0]
        row[4] = _time(local[1])
        self._fill(row, self._plan[source], local[2:], source)
        return row

    def chat_row(self, session: str, local: tuple) -> list:
        row = [None] * len(CHAT_ROW)
        row[0], row[1], row[2], row[3] = self.agent, session, local[0], _float(local[1], {}, "ts")
        self._fill(row, self._chat_plan, local[2:], "chats")
        return row

    def trigger(self, text: str | None) -> str | None:
        return text if self.allow_text or not isinstance(text, str) else mask_quotes(text)

    def _fill(self, row: list, plan: list, values: tuple, source: str) -> None:
        misfits: dict = {}
        extra_at = None
        for (position, name, kind), value in zip(plan, values):
            if name == "extra" or kind == "jsonb":
                if name == "extra":
                    extra_at = position
                row[position] = self._json(value)
            elif value is None:
                continue
            elif not self._private(source, name):
                row[position] = _cast(value, kind, misfits, name)
            elif source == "escalations":  # the trigger
                row[position] = _cast(self.trigger(value), kind, misfits, name)
        if misfits and extra_at is not None:
            extra = json.loads(row[extra_at]) if row[extra_at] else {}
            row[extra_at] = _json_text({**(extra if isinstance(extra, dict) else {"extra": extra}), **misfits})

    def _private(self, source: str, column: str) -> bool:
        """Columns that hold customers' words: sent only with the opt-in (a trigger goes masked)."""
        if self.allow_text:
            return False
        return (source, column) in (("messages", "text"), ("chats", "customer_name"), ("escalations", "trigger"))

    def _json(self, value) -> str | None:
        """Always parsed: JSON PostgreSQL would refuse (damaged, NaN, NUL) must not block a batch."""
        if value is None:
            return None
        if not isinstance(value, str):
            return _json_text(value)
        try:
            parsed = json.loads(value)
        except ValueError:
            return _json_text(value)  # not JSON at all: kept as a JSON string
        if isinstance(parsed, dict) and not self.allow_text:
            parsed.pop("text", None)  # a generic record's text follows the message-text rule
        return _json_text(parsed)


def _clean(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {str(k).replace("\x00", "\ufffd"): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _json_text(value) -> str:
    return json.dumps(_clean(value), default=str, sort_keys=True)


def _time(value) -> float:
    """The row's time; NaN when missing (the store's unique key needs a value; NaN sorts after all)."""
    number = _float(value, {}, "ts")
    return math.nan if number is None else number


def _float(value, misfits: dict, name: str) -> float | None:
    if isinstance(value, bool) or value is None:
        return None if value is None else float(value)
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        misfits[name] = str(value)
        return None


def _cast(value, kind: str, misfits: dict, name: str):
    if kind == "text":
        text = value if isinstance(value, str) else str(value)
        return text.replace("\x00", "\ufffd") if "\x00" in text else text
    if kind == "bigint":
        if isinstance(value, int) and -_INT64 <= value < _INT64:
            return int(value)
        if isinstance(value, float) and value.is_integer() and abs(value) < _INT64:
            return int(value)
        misfits[name] = value if isinstance(value, int | float) and math.isfinite(value) else str(value)
        return None
    return _float(value, misfits, name)
