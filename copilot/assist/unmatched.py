"""The customer messages the team's diagnosis did not fit, read from usage logs.

Two kinds: suggestions the engine abstained on ("none of our categories"), and suggestions the
agent rejected as "Wrong diagnosis". The text comes from the log's `messages.text`, which is
kept only when the team opted in to storing customer words; a log without it still says how
many such messages there were, so the lead knows what is missing and why.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from copilot.usage.errors import UsageLogError
from copilot.usage.read_only import open_read_only

WRONG_DIAGNOSIS = "Wrong diagnosis"

# The customer message each suggestion answered, and why it counts. Rejections join on the same
# session and suggestion; messages on the same session, chat and message id.
_QUERY = """
SELECT s.session_id, s.chat_id, s.message_id, s.category, s.abstained,
       EXISTS (SELECT 1 FROM decisions d WHERE d.session_id = s.session_id
               AND d.suggestion_id = s.suggestion_id AND d.reason = ?) AS rejected,
       (SELECT m.text FROM messages m WHERE m.session_id = s.session_id AND m.chat_id = s.chat_id
        AND m.message_id = s.message_id AND m.sender = 'customer' ORDER BY m.id LIMIT 1) AS text
FROM suggestions s
WHERE s.abstained = 1 OR EXISTS (SELECT 1 FROM decisions d WHERE d.session_id = s.session_id
                                 AND d.suggestion_id = s.suggestion_id AND d.reason = ?)
ORDER BY s.ts
"""


@dataclass(frozen=True)
class Unmatched:
    text: str
    why: str  # "abstained" or "rejected"
    hint: str  # the category the engine leaned to (its hint when abstaining), "" if none
    log: str


@dataclass
class LogSummary:
    path: str
    unmatched: int = 0  # suggestions abstained on or rejected as wrong diagnosis
    with_text: int = 0  # of those, how many have the customer's words in the log

    @property
    def note(self) -> str:
        if not self.unmatched:
            return f"{self.path}: no abstained or 'Wrong diagnosis' suggestions"
        if not self.with_text:
            return (f"{self.path}: {self.unmatched} unmatched messages, but the log keeps no message text "
                    "(the team did not opt in to storing customer words), so they cannot be grouped")
        return f"{self.path}: {self.unmatched} unmatched messages, {self.with_text} with text"


def read_unmatched(path: Path) -> tuple[list[Unmatched], LogSummary]:
    """Unmatched messages with text from one log, and its counts. Raises UsageLogError."""
    summary = LogSummary(str(path))
    found: list[Unmatched] = []
    seen: set[tuple] = set()
    conn = open_read_only(path)
    try:
        rows = conn.execute(_QUERY, (WRONG_DIAGNOSIS, WRONG_DIAGNOSIS)).fetchall()
    except Exception as exc:  # sqlite3.DatabaseError on a damaged file
        raise UsageLogError(f"{path} cannot be read ({exc}); it may be damaged. It was left untouched.") from exc
    finally:
        conn.close()
    for session, chat, message, category, abstained, rejected, text in rows:
        key = (session, chat, message)
        if key in seen:  # a message re-diagnosed (e.g. after the agent picked): count it once
            continue
        seen.add(key)
        summary.unmatched += 1
        if isinstance(text, str) and text.strip():
            summary.with_text += 1
            found.append(Unmatched(text.strip(), "rejected" if rejected else "abstained", category or "", str(path)))
    return found, summary
