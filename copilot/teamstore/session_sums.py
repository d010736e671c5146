"""A session's review sums, computed from the local log by the file-based review's own code.

The store's review must give the same figures as the review of the same files. So the per-day and
per-5-minute sums the file review reads from a log (copilot.usage.bucket_queries.read_sums: the
stored 5-minute sums, the open-chat time of the step still running, active time), its extras
(copilot.review.extras) and escalation effort (copilot.usage.escalation_effort) are computed here
by those same functions, one session at a time, and sent with the session. The server adds them
up across sessions, agents and days; within a whole UTC day they are exactly what the file review
would have summed.
"""
from __future__ import annotations

import sqlite3
from dataclasses import astuple, dataclass, fields

from copilot.review.extras import read_extras_by_day
from copilot.review.model import Extras
from copilot.teamstore.tables import EFFORT_COLUMNS, EXTRAS_FIELDS, LOAD_FIELDS
from copilot.usage.bucket_queries import read_sums
from copilot.usage.escalation_effort import EscalationEffortRow, read_effort
from copilot.usage.tally import Tally
from copilot.usage.timeframes import BUCKET_SECONDS

_TALLY = tuple(f.name for f in fields(Tally))


@dataclass
class SessionSums:
    start: float
    end: float  # ended_at, or its last event if the app was killed
    days: dict[int, Tally]  # UTC day -> every usage sum of that day
    load: dict[int, Tally]  # 5-minute bucket -> the sums the overload rule compares, and active time
    extras: dict[int, Extras]  # UTC day -> the review's own sums
    effort: list[EscalationEffortRow]
    stores_text: bool  # messages of this session kept their (redacted) text

    def day_rows(self, agent: str, session: str) -> list[list]:
        """agent, session, day, every Tally field, the review's sums, nonzero: as session_days holds them."""
        rows = []
        for day in sorted(set(self.days) | set(self.extras)):
            tally, extras = self.days.get(day, Tally()), self.extras.get(day, Extras())
            rows.append([agent, session, day, *(getattr(tally, name) for name in _TALLY),
                         *(getattr(extras, name) for name in EXTRAS_FIELDS), tally != Tally()])
        return rows

    def load_rows(self, agent: str, session: str) -> list[list]:
        return [[agent, session, b, *(getattr(tally, name) for name in LOAD_FIELDS)]
                for b, tally in sorted(self.load.items())]

    def effort_rows(self, agent: str, session: str, trigger) -> list[list]:
        """`trigger` applies the privacy rule to the escalation's trigger (it may quote the customer)."""
        rows = []
        for r in self.effort:
            values = astuple(r)
            data = dict(zip((f.name for f in fields(EscalationEffortRow)), values))
            data["trigger"] = trigger(data["trigger"])
            rows.append([agent, session, data["escalation_id"], *(data[name] for name in EFFORT_COLUMNS)])
        return rows


def session_sums(conn: sqlite3.Connection, session_id: int) -> SessionSums | None:
    """None when the log has no such session."""
    sums = read_sums(conn, None, None, None, BUCKET_SECONDS, session_id=session_id)
    span = sums.spans.get(session_id)
    if span is None:
        return None
    days = {day: tally for (sid, day), tally in sums.days.items() if sid == session_id}
    load = {b: tally for (sid, b), tally in sums.load.items() if sid == session_id}
    text = conn.execute("SELECT 1 FROM messages WHERE session_id = ? AND text > '' LIMIT 1", (session_id,)).fetchone()
    return SessionSums(span.start, span.end, days, load, read_extras_by_day(conn, session_id),
                       read_effort(conn, session_id=session_id), text is not None)
