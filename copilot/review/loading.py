"""Loading many agents' usage logs for a review: read-only, a few files at a time, problems collected.

    result = load_logs(["team/"], progress=lambda done, total, path: ..., cancelled=lambda: False)

A folder stands for the usage logs in it and its subfolders (*.sqlite, *.sqlite3, *.db). Every
file is opened read-only (copilot.usage.read_only: `mode=ro`, or `immutable` with no pending
WAL), so a review never changes a byte. A file that cannot be used (not SQLite, another app's
database, a newer schema, damaged, empty) becomes a LogProblem with the reason, and the others
still load. A session found again in another file (same uuid: a copied log) is counted once.
"""
from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from copilot.review.extras import read_extras
from copilot.review.model import Extras, LoadedSession, LoadResult, LogProblem
from copilot.usage.bucket_queries import read_sums
from copilot.usage.errors import UsageLogError
from copilot.usage.escalation_effort import read_effort
from copilot.usage.read_only import REQUIRED_TABLES, open_read_only
from copilot.usage.schema import APP_MARKER, APPLICATION_ID, SCHEMA_VERSION
from copilot.usage.tally import Tally
from copilot.usage.timeframes import BUCKET_SECONDS, iso

LOG_SUFFIXES = (".sqlite", ".sqlite3", ".db")
Progress = Callable[[int, int, str], None]
READERS = 3  # files read at once


def find_logs(paths: Iterable[str | Path]) -> tuple[list[Path], list[LogProblem]]:
    """The files to read, in a stable order (each once), and the paths that do not exist."""
    files: dict[Path, None] = {}
    problems = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in LOG_SUFFIXES)
            if not found:
                problems.append(LogProblem(str(path), "empty", f"{path} holds no usage logs ({', '.join(LOG_SUFFIXES)})."))
            files.update(dict.fromkeys(p.resolve() for p in found))
        elif path.exists():
            files[path.resolve()] = None
        else:
            problems.append(LogProblem(str(path), "missing", f"There is no file or folder at {path}."))
    return list(files), problems


def open_log(path: Path) -> sqlite3.Connection:
    """A read-only connection to a usage log that passes every check of copilot.usage.read_only.

    SQLite parses a file's schema once per connection, and a usage log's (its triggers) takes
    about 2.5 ms: open_read_only checks on one connection and reads on a second, which is a third
    of the cost of reading a small log. So a file that is plainly a good log is checked and read on
    one connection here; anything else (not SQLite, another app's, newer, damaged, empty) goes
    through open_read_only, which refuses it with its own message, or opens it if it is fine after all.
    """
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() and wal.stat().st_size > 0 else "mode=ro&immutable=1"
    conn = None
    try:
        if path.is_file() and path.stat().st_size > 0:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True, check_same_thread=False)
            conn.execute("PRAGMA query_only = 1")
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('app', 'schema_version')")) \
                if "meta" in tables else {}
            version = meta.get("schema_version", "")
            if (app_id in (0, APPLICATION_ID) and meta.get("app") == APP_MARKER and version.isdigit()
                    and 1 <= int(version) <= SCHEMA_VERSION and REQUIRED_TABLES <= tables):
                return conn
    except sqlite3.DatabaseError:
        pass  # the full checks below say what is wrong
    if conn is not None:
        conn.close()
    return open_read_only(path)


def read_log(path: Path, since: float | None = None, until: float | None = None) -> list[LoadedSession]:
    """The sessions recorded in one file. Raises UsageLogError saying why the file cannot be used."""
    conn = open_log(path)  # refuses non-SQLite, other apps' files, newer schemas, empty files
    try:
        sums = read_sums(conn, None, since, until, BUCKET_SECONDS)
        meta = {sid: (uuid or f"{path}#{sid}", policy or "") for sid, uuid, policy
                in conn.execute("SELECT id, uuid, policy FROM sessions")}
        extras, texts = read_extras(conn, since, until)
        effort = read_effort(conn, since=since, until=until)
    except sqlite3.DatabaseError as exc:  # a damaged page deep in the file shows only when read
        raise UsageLogError(f"{path} could not be read ({exc}); it may be damaged. It was left untouched.") from exc
    finally:
        conn.close()
    days: dict[int, dict[int, Tally]] = {}
    for (sid, day), tally in sums.days.items():
        days.setdefault(sid, {})[day] = tally
    buckets: dict[int, dict[int, Tally]] = {}
    for (sid, b), tally in sums.load.items():
        buckets.setdefault(sid, {})[b] = tally
    sessions = []
    for sid, span in sums.spans.items():
        if sid not in days or Tally.total(days[sid].values()) == Tally():
            continue  # nothing recorded in the range
        uuid, policy = meta[sid]
        extra = extras.get(sid, Extras())
        total = Tally.total(days[sid].values())
        extra.own_replies = total.replies_timed - extra.assisted_replies
        extra.own_reply_seconds = total.reply_seconds - extra.assisted_reply_seconds
        sessions.append(LoadedSession(
            str(path), sid, uuid, span.agent, policy, span.start, span.end, days[sid], buckets.get(sid, {}),
            extra, [r for r in effort if r.session_id == sid], sid in texts))
    return sessions


def load_logs(paths: Iterable[str | Path], since: float | None = None, until: float | None = None,
              progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> LoadResult:
    """Every usable session in `paths`; `progress(done, total, path)` after each file.

    `cancelled()` is asked after each file: when it says so, loading stops and the result says it
    was cancelled (what was read so far is kept, so a partial review is still possible).
    """
    started = time.perf_counter()
    files, problems = find_logs(paths)
    seen: dict[tuple[str, str], str] = {}  # (agent, session uuid) -> the file it was first read from
    sessions: list[LoadedSession] = []
    used: list[str] = []
    stopped = False
    # SQLite lets go of the GIL while it reads, so a few threads overlap files; results are taken in
    # file order, so which copy of a duplicated session counts does not depend on timing.
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        results = pool.map(lambda p: _try_read(p, since, until), files)
        for done, (path, outcome) in enumerate(zip(files, results)):
            if isinstance(outcome, UsageLogError):
                kind = "empty" if " is empty" in str(outcome) else "refused"
                problems.append(LogProblem(str(path), kind, str(outcome)))
            else:
                fresh = _keep_new(path, outcome, seen, problems)
                if not outcome:
                    problems.append(LogProblem(str(path), "empty", f"{path} is a usage log with no usage recorded"
                                               + (" in the chosen time range." if since or until else " yet.")))
                if fresh:
                    sessions += fresh
                    used.append(str(path))
            if progress is not None:
                progress(done + 1, len(files), str(path))
            if cancelled is not None and cancelled() and done + 1 < len(files):
                problems.append(LogProblem(str(path), "cancelled",
                                           f"Loading was cancelled: {len(files) - done - 1} file(s) not read."))
                stopped = True
                pool.shutdown(wait=True, cancel_futures=True)
                break
    return LoadResult(sessions, problems, used, stopped, time.perf_counter() - started)


def _try_read(path: Path, since: float | None, until: float | None) -> list[LoadedSession] | UsageLogError:
    try:
        return read_log(path, since, until)
    except UsageLogError as exc:
        return exc


def _keep_new(path: Path, found: list[LoadedSession], seen: dict, problems: list[LogProblem]) -> list[LoadedSession]:
    """Sessions not already read from another file; a clear note for those that were."""
    fresh, repeated = [], {}
    for s in found:
        first = seen.setdefault((s.agent, s.uuid), str(path))
        if first == str(path):
            fresh.append(s)
        else:
            repeated.setdefault(first, []).append(s)
    for first, again in repeated.items():
        agents = ", ".join(sorted({s.agent for s in again}))
        whole = f"all {len(again)}" if len(again) == len(found) else f"{len(again)} of {len(found)}"
        starts = ", ".join(iso(s.start)[:16].replace("T", " ") for s in again[:3]) + (" …" if len(again) > 3 else "")
        problems.append(LogProblem(str(path), "duplicate", (
            f"{path}: {whole} session(s) of {agents} (started {starts} UTC) are also in {first}: the same agent "
            "and session, e.g. a copied log. They were counted once.")))
    return fresh
