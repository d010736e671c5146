"""The local usage log: `record` queues, one writer thread writes.

`record` runs on the UI thread, so it only copies the record into the pending journal (a memory
map, see pending_journal.py) and puts it on a queue. The writer thread drains the queue in
batches, one transaction per batch, committing at least every COMMIT_INTERVAL seconds; with WAL
and synchronous=NORMAL a commit survives the app being killed, and what a kill catches before
its commit is replayed from the journal when the log is next opened. Writer errors are kept in
`last_error` and logged, never raised into the app; `health()` sums them up for the status area.

When the database refuses a whole transaction (another program holds its write lock past the busy
timeout, the disk is full) the records are not dropped: they wait and are tried again every
RETRY_SECONDS, and if the app quits first they stay in the journal, which is then kept for the
next start to replay. Only a record SQLite cannot store at all is kept aside as an `unstored:` event.
"""
from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from copilot.usage.errors import UsageLogError
from copilot.usage.file_check import check_existing, check_integrity
from copilot.usage.health import UsageLogHealth, in_words, is_busy, is_database_failure
from copilot.usage.pending_journal import PendingJournal, journal_path, recover_pending
from copilot.usage.pseudonyms import pseudonymised
from copilot.usage.record_writer import RecordWriter, mask_quotes
from copilot.usage.schema import TABLES, immediate, migrate

log = logging.getLogger(__name__)

COMMIT_INTERVAL = 0.05  # seconds a batch may run before it is committed
RETRY_SECONDS = 0.5  # between tries of records the database refused (each try also waits the busy timeout)
BUSY_TIMEOUT_MS = 5000  # how long one statement waits for another program's write lock
CHUNK = 512  # records per transaction when catching up
_FLUSH, _STOP = object(), object()  # control items on the queue; never str, so never a kind


class UsageLog:
    """Implements copilot.core.recorder.Recorder. Create with `UsageLog.open(...)`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, session_id: int, store_text: bool,
                 redact: Callable[[str], str]):
        self.path = path
        self.session_id = session_id
        self.last_error: BaseException | None = None
        self.errors = 0  # writer failures seen (rows or batches)
        self.lost = 0  # records that could not be stored anywhere
        self.dropped_after_close = 0
        self.waiting_since: float | None = None  # Unix time the database began refusing for a lock
        self.unwritten = 0  # records waiting for the database (set by the writer thread)
        self.kept_for_next_start = 0  # records left in the kept journal at close
        self._conn = conn
        self.recovered = 0  # records of earlier, killed sessions replayed from their journals at open
        self._writer = RecordWriter(conn, session_id, store_text, redact, on_error=self._failed)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._put = self._queue.put
        self._store_text = store_text
        self._pseudonym_key = uuid.uuid4().bytes  # this session's, never stored: see pseudonyms.py
        self._closed = False
        self._crashed = False
        self._record_lock = threading.Lock()  # record() may be called from more than one thread
        self._committed_seq = 0  # set by the writer after each commit; read by record()
        try:
            self._journal: PendingJournal | None = PendingJournal(journal_path(path, session_id), session_id,
                                                                  mask_quotes)
        except OSError as exc:  # e.g. a read-only folder: log without it, records then wait only in memory
            self._journal = None
            self._failed(exc, "creating the pending-records journal")
        # daemon: a forgotten close() must not keep the app from exiting (commits are frequent)
        self._thread = threading.Thread(target=self._run, name="usage-log-writer", daemon=True)
        self._thread.start()

    @classmethod
    def open(cls, path: str | Path, agent: str, app_version: str, engine: str, policy: str = "", *,
             store_text: bool = False, redact: Callable[[str], str] | None = None,
             started_at: float | None = None) -> UsageLog:
        """Open or create the log, bring its schema up to date and start a session.

        Raises UsageLogError, leaving the file untouched, if it is not a usable usage log.
        """
        path = Path(path)
        existing = check_existing(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        started_at = time.time() if started_at is None else started_at
        # isolation_level=None: transactions are explicit (BEGIN/COMMIT), never implicit.
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if existing is not None:
                check_integrity(conn, path)  # a damaged file is refused before anything is written to it
            db = Database(conn, execute_plugins=False)
            db.enable_wal()
            conn.execute("PRAGMA synchronous = NORMAL")
            with immediate(conn):  # one transaction: the file is set up completely or not changed at all
                migrate(db)
                conn.execute("INSERT OR IGNORE INTO agents (name, first_seen) VALUES (?, ?)", (agent, started_at))
                agent_id = conn.execute("SELECT id FROM agents WHERE name = ?", (agent,)).fetchone()[0]
                session_id = conn.execute(
                    "INSERT INTO sessions (uuid, agent_id, ts, started_at, app_version, engine, policy) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (uuid.uuid4().hex, agent_id, started_at, started_at, app_version, engine, policy),
                ).lastrowid
            recovered = recover_pending(conn, path, lambda sid, records: _replay(conn, sid, records))
        except sqlite3.DatabaseError as exc:
            conn.close()
            if is_busy(exc):
                raise UsageLogError(f"Cannot open the usage log at {path}: another program kept it locked for "
                                    f"{BUSY_TIMEOUT_MS // 1000} s. Nothing was changed; try again.") from exc
            raise UsageLogError(f"Cannot set up the usage log at {path}: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        usage_log = cls(path, conn, session_id, store_text, redact or (lambda text: text))
        usage_log.recovered = recovered
        return usage_log

    # ---- the Recorder protocol: called on the UI thread -----------------------------------------
    def record(self, kind: str, ts: float, /, **fields: Any) -> None:
        # Positional-only: a field may itself be called `kind` (a decision's kind).
        kind = getattr(kind, "value", kind)  # a RecordKind: its plain value is what files keep
        with self._record_lock:
            if self._closed:
                self.dropped_after_close += 1
                return
            if kind == "chat_opened" and not self._store_text:  # before the journal sees the name
                fields = pseudonymised(fields, self._pseudonym_key)
            seq = self._journal.append(kind, ts, fields, self._committed_seq) if self._journal else None
            self._put((kind, ts, fields, seq))

    def flush(self, timeout: float | None = 5.0) -> bool:
        """Wait until everything recorded so far is committed. False on timeout, a dead writer, or
        records still waiting for the database."""
        if self._closed:
            return not self._crashed and not self._thread.is_alive() and not self.kept_for_next_start
        done = threading.Event()
        self._put((_FLUSH, done, None, None))
        return done.wait(timeout) and self._thread.is_alive() and not self.unwritten

    def health(self) -> UsageLogHealth:
        """How the log is doing, for the status area and reports (safe from any thread)."""
        waiting = self.waiting_since
        alive = self._thread.is_alive() or (self._closed and not self._crashed)
        overflows = self._journal.overflows if self._journal is not None else 0
        return UsageLogHealth(
            ok=alive and waiting is None and not self.unwritten and not self.lost and not self.kept_for_next_start,
            waiting_for_lock_since=waiting, errors=self.errors, lost=self.lost,
            unwritten=self.unwritten or self.kept_for_next_start, journal_overflows=overflows,
            last_error=in_words(self.last_error))

    def close(self, ended_at: float | None = None, timeout: float | None = 10.0) -> bool:
        """Write what is queued, end the session and stop the writer. Safe to call twice."""
        with self._record_lock:
            if not self._closed:
                self._closed = True
                self._put((_STOP, time.time() if ended_at is None else ended_at, None, None))
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def __enter__(self) -> UsageLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def counts(self, overall: bool = False) -> dict[str, int]:
        """Rows per table for this session (or the whole file), after a flush."""
        self.flush()
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            if overall:
                return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
            result = {"agents": 1, "sessions": 1}
            for table in TABLES[2:]:
                sql = f"SELECT count(*) FROM {table} WHERE session_id = ?"
                result[table] = conn.execute(sql, (self.session_id,)).fetchone()[0]
            return result
        finally:
            conn.close()

    # ---- the writer thread --------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._drain()
        except BaseException as exc:  # a bug in the writer: report it, stop taking records
            self._closed = self._crashed = True
            self._failed(exc, "writer thread")
            self._conn.close()

    def _drain(self) -> None:
        # Woken by each record: batches stay small, so this thread never holds the interpreter lock
        # long enough to make the UI thread wait (polling with bigger batches made record()'s
        # p99.9 go from ~0.1 ms to ~1-2 ms).
        get, get_nowait = self._queue.get, self._queue.get_nowait
        backlog: list[tuple[str, float, dict[str, Any], int | None]] = []  # refused by the database, in order
        while True:
            try:
                item = get(timeout=RETRY_SECONDS) if backlog else get()
            except queue.Empty:
                item = None  # time to try the backlog again
            waiting: list[threading.Event] = []
            stop_at = None
            deadline = time.monotonic() + COMMIT_INTERVAL
            batch: list[tuple[str, float, dict[str, Any], int | None]] = []
            while item is not None:
                kind = item[0]
                if kind is _FLUSH:
                    waiting.append(item[1])
                    break  # answer the flush promptly
                if kind is _STOP:
                    stop_at = item[1]
                    break
                batch.append(item)
                if len(batch) % 256 == 0 and time.monotonic() >= deadline:
                    break
                try:
                    item = get_nowait()
                except queue.Empty:
                    break
            pending = backlog + batch
            if stop_at is not None:
                self._finish(stop_at, pending)  # writes them, once
                return
            if pending:
                backlog = self._write_all(pending)
            for done in waiting:
                done.set()

    def _write_all(self, records: list) -> list:
        """Write `records` in order, CHUNK per transaction; returns those the database refused."""
        for start in range(0, len(records), CHUNK):
            if not self._write_batch(records[start:start + CHUNK]):
                self.unwritten = len(records) - start
                return records[start:]
        self.unwritten = 0
        self.waiting_since = None
        return []

    def _write_batch(self, batch: list[tuple[str, float, dict[str, Any], int | None]]) -> bool:
        """One transaction; False (nothing written, the batch to be tried again) if the database refused it."""
        journalled = max((seq for *_, seq in batch if seq is not None), default=None)
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            for kind, ts, fields, _ in batch:
                try:
                    self._writer.write(kind, ts, fields)
                except Exception as exc:  # one bad record must not cost the batch
                    if is_database_failure(exc):
                        raise  # not the record's fault: the whole batch waits and is tried again
                    self._failed(exc, f"record {kind!r}")
                    self._keep_as_event(kind, ts, fields)
            if journalled is not None:
                self._conn.execute("UPDATE sessions SET journal_seq = ? WHERE id = ?", (journalled, self.session_id))
            self._conn.execute("COMMIT")
            if journalled is not None:
                self._committed_seq = journalled
            return True
        except Exception as exc:  # the database itself failed: locked, disk full, file gone, ...
            self._failed(exc, f"batch of {len(batch)}")
            if is_busy(exc) and self.waiting_since is None:
                self.waiting_since = time.time()
            if self._conn.in_transaction:
                try:
                    self._conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # already reported above; the next try begins afresh
            return False

    def _keep_as_event(self, kind: Any, ts: Any, fields: dict[str, Any]) -> None:
        try:
            self._writer.write_event(f"unstored:{kind}", ts, fields)
        except Exception as exc:
            if is_database_failure(exc):
                raise  # the batch is tried again as a whole
            self._failed(exc, f"fallback for {kind!r}")
            self.lost += 1

    def _failed(self, exc: BaseException, what: str) -> None:
        if self.last_error is None or repr(exc) != repr(self.last_error):
            log.error("usage log: %s failed: %r", what, exc)  # log each new error once
        self.last_error = exc
        self.errors += 1

    def _finish(self, ended_at: float, pending: list) -> None:
        while True:  # a record that raced close() from another thread: counted, not written
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
            self.dropped_after_close += 1
        backlog = self._write_all(pending) if pending else []  # one try: it may wait the busy timeout
        try:
            if not backlog:  # (still refused: not another wait; the session then has no end time)
                self._conn.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", (ended_at, self.session_id))
        except Exception as exc:
            self._failed(exc, "ending the session")
        finally:
            self._conn.close()
        if not backlog:
            if self._journal is not None:
                self._journal.discard()
            return
        # Still refused: the journal keeps what it holds for the next start to replay.
        in_journal = sum(1 for *_, seq in backlog if seq is not None) if self._journal is not None else 0
        self.kept_for_next_start = in_journal
        self.lost += len(backlog) - in_journal  # journalled nowhere (the journal was full or missing)
        if self._journal is not None:
            self._journal.close()
            log.warning("usage log: %d record(s) not written (%s); kept in %s for the next start",
                        in_journal, in_words(self.last_error), self._journal.path.name)


def recover(path: str | Path) -> int:
    """Replay what killed sessions left in their journals into the log at `path`, as opening it does.

    Returns the number of records replayed. Raises UsageLogError for a file that is not a usable log.
    """
    path = Path(path)
    if check_existing(path) is None:
        return 0
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        migrate(Database(conn, execute_plugins=False))
        return recover_pending(conn, path, lambda sid, records: _replay(conn, sid, records))
    except sqlite3.DatabaseError as exc:
        raise UsageLogError(f"Cannot recover the usage log at {path}: {exc}") from exc
    finally:
        conn.close()


def _replay(conn: sqlite3.Connection, session_id: int, records: list[tuple[str, Any, dict[str, Any]]]) -> None:
    """Writes a killed session's journalled records, as its writer would have (text was never journalled)."""
    def failed(exc: BaseException, what: str) -> None:
        log.warning("usage log: recovering session %d: %s failed: %r", session_id, what, exc)

    writer = RecordWriter(conn, session_id, store_text=False, redact=lambda text: text, on_error=failed)
    last = conn.execute("SELECT open_chats FROM concurrency WHERE session_id = ? ORDER BY ts DESC, id DESC LIMIT 1",
                        (session_id,)).fetchone()
    writer.open_chats = last[0] if last else None
    for kind, ts, fields in records:
        try:
            writer.write(kind, ts, fields)
        except Exception as exc:  # kept as a generic event, as the live writer does
            if type(exc) in (sqlite3.OperationalError, sqlite3.DatabaseError):
                raise  # the database, not the record: the whole replay is rolled back
            failed(exc, f"record {kind!r}")
            try:
                writer.write_event(f"unstored:{kind}", ts, fields)
            except (ValueError, TypeError, OverflowError, sqlite3.InterfaceError, sqlite3.ProgrammingError,
                    sqlite3.IntegrityError) as again:  # a record SQLite cannot hold in any form: skipped
                failed(again, f"fallback for {kind!r}")
