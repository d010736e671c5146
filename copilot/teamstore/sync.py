"""Copying this computer's usage log to the team store: one pass at a time, off the UI thread.

    sync = TeamSync(config, "usage.sqlite", allow_text=settings.store_message_text)
    report = sync.run_once()          # on a worker thread; safe to call again at any time
    sync.status().text()              # "team store: 3 h behind · cannot reach the team store at …"
    sync.next_delay()                 # seconds until the next pass (longer while the store is away)

A pass sends the agent's sessions that the store does not have in full (each session's
fingerprint says so without reading its rows), table by table in batches from the store's
high-water marks, then the session's review sums. Idempotent: every record keeps its unique key
(session uuid, table, row id), so a batch sent twice counts once. Resumable: the marks move with
each committed batch, so a pass cut anywhere resumes where it stopped. Patient: the local log is
the source of truth and is only read; while the store is away the app works on and the next pass
catches up. Only the sessions of the store user's own agent name are sent (the store would refuse
others); customers' words only as the team's opt-in allows (records.py).
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

from copilot.teamstore import local_log
from copilot.teamstore.config import StoreConfig, connect, resolve_password
from copilot.teamstore.errors import TeamStoreError, operation_error
from copilot.teamstore.records import RowMaker
from copilot.teamstore.report import SyncReport
from copilot.teamstore.schema import check_version
from copilot.teamstore.session_sums import session_sums
from copilot.teamstore.status import SyncState, SyncStatus, state_path
from copilot.teamstore.tables import EVENT_SOURCES
from copilot.teamstore.upload import Uploader
from copilot.usage.errors import UsageLogError

BATCH_ROWS = 5000
INTERVAL = 60.0  # seconds between passes while all is well
MAX_DELAY = 900.0  # while the store is away, passes thin out to one every 15 minutes


class _Cancelled(Exception):
    pass


class TeamSync:
    def __init__(self, config: StoreConfig, log_path: str | Path, *, allow_text: bool = False,
                 password: str | None = None, batch_rows: int = BATCH_ROWS, full: bool = False, clock=time.time):
        """`password`: None looks it up (keyring, then libpq's PGPASSWORD / ~/.pgpass) at each pass.
        `full`: compare every session with the store, ignoring what the state file remembers."""
        self.config, self.log_path, self.allow_text = config, Path(log_path), allow_text
        self.batch_rows, self.clock, self._password = batch_rows, clock, password
        self._state_file = state_path(self.log_path)
        self._state = SyncState.load(self._state_file, f"{config.display}?sslmode={config.sslmode}")
        if full:
            self._state.done, self._state.quick = {}, ""
        self._lock = threading.Lock()  # guards _state for status() readers
        self._pass = threading.Lock()  # one pass at a time
        self._running = False

    @property
    def agent(self) -> str:
        return self.config.user

    def status(self) -> SyncStatus:
        with self._lock:
            s = self._state
            return SyncStatus(True, s.oldest_unsent, s.last_success, s.last_attempt, s.last_error, s.error_kind,
                              self._running)

    def next_delay(self) -> float:
        with self._lock:
            failures = self._state.failures
        return INTERVAL if failures == 0 else min(MAX_DELAY, INTERVAL * 2 ** (failures - 1))

    def run_once(self, cancelled=None) -> SyncReport:
        """One pass. Never raises for the store or the log: the report (and status()) say what happened."""
        cancelled = cancelled or (lambda: False)
        report = SyncReport(self.config.display, str(self.log_path))
        if not self._pass.acquire(blocking=False):
            report.ok, report.error, report.error_kind = False, "a sync pass is already running", "busy"
            return report
        started = time.perf_counter()
        self._running = True
        local = None
        try:
            local = local_log.open_log(self.log_path)
            self._pass_over(local, report, cancelled)
        except (TeamStoreError, UsageLogError) as exc:
            kind = exc.kind if isinstance(exc, TeamStoreError) else "log"
            report.ok, report.error, report.error_kind = False, str(exc), kind
        except Exception as exc:  # psycopg errors mid-pass, or a bug: reported, never raised into the app
            error = operation_error(exc, "sending records")
            report.ok, report.error, report.error_kind = False, str(error), error.kind
        finally:
            self._finish(local, report)
            report.seconds = time.perf_counter() - started
            self._running = False
            self._pass.release()
        return report

    # ---- a pass -----------------------------------------------------------------------------
    def _pass_over(self, local, report: SyncReport, cancelled) -> None:
        mine = []
        for s in local_log.sessions(local):
            if s.agent == self.agent:
                mine.append(s)
            else:
                report.other_agents[s.agent] = report.other_agents.get(s.agent, 0) + 1
        quick = self._quick(local)
        with self._lock:
            state = self._state
            if quick == state.quick and not state.last_error and state.oldest_unsent is None:
                report.sessions_complete = len(state.done)
                return  # nothing written locally since everything was sent
        todo = [(s, local_log.fingerprint(local, s)) for s in mine
                if s.ended_at is None or s.uuid not in state.done]
        conn = connect(self.config, self._password or resolve_password(self.config))
        try:
            with conn.transaction(), conn.cursor() as cur:
                check_version(cur, self.config.target)
            uploader = Uploader(conn, self.agent)
            server = uploader.server_state()
            maker = RowMaker(self.agent, self.allow_text)
            for s, fingerprint in todo:
                stored, marks = server.get(s.uuid, (None, {}))
                with self._lock:
                    state.marks[s.uuid] = dict(marks)
                if stored != fingerprint:
                    if cancelled():
                        raise _Cancelled
                    self._send_session(local, uploader, maker, s, fingerprint, marks, report, cancelled)
                    report.sessions_sent += 1
                if s.ended_at is not None:
                    with self._lock:
                        state.done[s.uuid] = fingerprint
            with self._lock:
                state.quick = quick
        except _Cancelled:
            report.cancelled = True
        finally:
            conn.close()
        report.sessions_complete = len(state.done) + sum(1 for s, _ in todo if s.ended_at is None)

    def _send_session(self, local, uploader: Uploader, maker: RowMaker, s, fingerprint: str, marks: dict,
                      report: SyncReport, cancelled) -> None:
        uploader.upsert_session(s)
        for source in EVENT_SOURCES:
            while rows := local_log.rows_after(local, source, s.id, marks.get(source, 0), self.batch_rows):
                batch = [maker.event_row(source, s.uuid, row) for row in rows]
                report.sent[source] += uploader.send_events(source, s.uuid, batch, rows[-1][0])
                self._moved(s.uuid, marks, source, rows[-1][0])
                if cancelled():
                    raise _Cancelled
        new = local_log.rows_after(local, "chats", s.id, marks.get("chats", 0), 1_000_000)
        closed = local_log.closed_chats(local, s.id)
        rows = {row[0]: row for row in new}
        if closed != marks.get("chats_closed", 0):  # a close updates a row the store may already hold
            rows |= {row[0]: row for row in local_log.all_closed_chats(local, s.id)}
        if rows:
            moved = {"chats": max(rows), "chats_closed": closed}
            report.sent["chats"] += uploader.send_chats(s.uuid, [maker.chat_row(s.uuid, r) for r in rows.values()],
                                                        moved)
            for source, mark in moved.items():
                self._moved(s.uuid, marks, source, mark)
        sums = session_sums(local, s.id)
        if sums is not None:
            sums.stores_text = sums.stores_text and self.allow_text  # the text itself stayed home
            uploader.replace_sums(s.uuid, sums, fingerprint, maker.trigger)

    def _moved(self, uuid: str, marks: dict, source: str, mark: int) -> None:
        marks[source] = mark
        with self._lock:
            self._state.marks.setdefault(uuid, {})[source] = mark

    def _quick(self, local) -> str:
        """The whole log's fingerprint: cheap, and unchanged while nothing is written."""
        sql = ("SELECT " + ", ".join(f"(SELECT max(id) FROM {s})" for s in local_log.SOURCES)
               + ", (SELECT count(closed_at) FROM chats), (SELECT count(*) || ':' || total(ended_at) FROM sessions)")
        return "/".join(str(v) for v in local.execute(sql).fetchone())

    def _finish(self, local, report: SyncReport) -> None:
        now = self.clock()
        with self._lock:
            state = self._state
            state.last_attempt = now
            if report.ok and not report.cancelled:
                state.last_success, state.last_error, state.error_kind, state.failures = now, "", "", 0
                state.oldest_unsent = None
            else:
                if not report.ok:
                    state.last_error, state.error_kind = report.error, report.error_kind
                    state.failures += 1
                state.quick = ""
                state.oldest_unsent = self._oldest_unsent(local)
            report.behind_seconds = 0.0 if state.oldest_unsent is None else max(0.0, now - state.oldest_unsent)
        try:
            self._state.save(self._state_file)
        except OSError:
            pass  # only a cache: the next pass compares with the store again
        if local is not None:
            local.close()

    def _oldest_unsent(self, local) -> float | None:
        """From the marks last seen: the oldest local record of this agent the store lacks."""
        if local is None:
            return self._state.oldest_unsent
        try:
            found = [local_log.oldest_after(local, s.id, self._state.marks.get(s.uuid, {}))
                     for s in local_log.sessions(local)
                     if s.agent == self.agent and not (s.ended_at is not None and s.uuid in self._state.done)]
        except Exception:  # the log itself could not be read: keep what we knew
            return self._state.oldest_unsent
        found = [ts for ts in found if ts is not None]
        return min(found) if found else None
