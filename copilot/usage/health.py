"""How the usage log is doing, in one small value the status area and `copilot usage --json` can show.

    health = usage_log.health()
    if not health.ok:
        status.show(health.summary())      # e.g. "Usage log waiting since 14:02: another program ..."

Records are never dropped while the database is merely busy: they wait (in memory and in the
pending journal) and are written when it lets go. `lost` counts only records that could be kept
nowhere; `unwritten` those still waiting; `journal_overflows` those that waited in memory alone
(the journal was full), so a crash in that time would lose them.
"""
from __future__ import annotations

import sqlite3
import time
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class UsageLogHealth:
    ok: bool  # nothing lost, nothing waiting, the writer alive
    waiting_for_lock_since: float | None  # Unix time the database first refused for a lock, while it still does
    errors: int  # write failures seen this session (each retried; see lost)
    lost: int  # records that could not be stored anywhere
    unwritten: int  # records waiting to be written (kept in the journal for the next start if the app quits)
    journal_overflows: int  # records journalled nowhere because the journal was full (safe once written)
    last_error: str  # the last problem in plain words ("" if none)

    def summary(self) -> str:
        """One sentence for the status area ("" when all is well)."""
        if self.ok:
            return ""
        parts = []
        if self.waiting_for_lock_since is not None:
            since = time.strftime("%H:%M", time.localtime(self.waiting_for_lock_since))
            parts.append(f"Usage log waiting since {since}: another program is writing to it; "
                         f"{self.unwritten} record(s) kept until it lets go")
        elif self.unwritten:
            parts.append(f"Usage log: {self.unwritten} record(s) not written yet ({self.last_error})")
        if self.lost:
            parts.append(f"{self.lost} record(s) could not be stored ({self.last_error})")
        return ". ".join(parts) + "." if parts else f"Usage log: {self.last_error}."

    def to_dict(self) -> dict:
        return asdict(self)


def is_busy(exc: BaseException) -> bool:
    """The database is locked by another connection: worth waiting for, not a failure of the record."""
    return isinstance(exc, sqlite3.OperationalError) and any(
        word in str(exc).lower() for word in ("locked", "busy"))


def is_database_failure(exc: BaseException) -> bool:
    """The database refused the transaction as a whole (locked, disk full, I/O, read-only, damaged):
    the records are fine and are tried again, rather than kept aside as if they were bad. A value
    SQLite cannot bind or store (ProgrammingError, IntegrityError, OverflowError...), or a table
    someone removed, is the record's: it is kept aside as an event instead."""
    return type(exc) in (sqlite3.OperationalError, sqlite3.DatabaseError) and any(
        word in str(exc).lower() for word in _WHOLE_DATABASE)


_WHOLE_DATABASE = ("locked", "busy", "full", "disk i/o", "readonly", "read-only", "unable to open", "malformed",
                   "not a database", "interrupted", "no such file")


def in_words(exc: BaseException | None) -> str:
    """An error as a person would say it."""
    if exc is None:
        return ""
    text = str(exc).lower()
    if is_busy(exc):
        return "another program is writing to the usage log"
    if "full" in text:
        return "the disk is full"
    if "readonly" in text or "read-only" in text or "permission" in text:
        return "the usage log cannot be written (read-only file or folder)"
    if "disk i/o" in text or "no such file" in text or "unable to open" in text:
        return "the usage log file cannot be reached (moved, deleted, or a disk problem)"
    if "malformed" in text or "not a database" in text:
        return "the usage log file is damaged"
    return f"{type(exc).__name__}: {str(exc)[:120]}"
