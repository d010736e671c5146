"""Records not yet committed, kept in a memory-mapped file so that a killed app loses none of them.

The writer thread commits to SQLite in batches; a record that is queued but not yet committed dies
with the process. Under CPU load that window is not small: every sqlite3 call releases Python's
GIL and waits to get it back from the busy UI thread, so a batch could take a third of a second to
commit on a loaded machine. So `UsageLog.record` also appends each record here: a copy into a
shared memory map, with no system call and no GIL release, that the kernel keeps when the process
is killed (only a power cut loses it). Each commit stores, in the same transaction, the highest
sequence number it includes (`sessions.journal_seq`); the next start replays whatever the journal
holds beyond it (`recover_pending`) and deletes the file.

File `<usage log>.pending-<session id>`, fixed size. A 16-byte header (magic, session id), then
entries: u32 payload length, u32 CRC-32 of the payload, the payload (`(seq, kind, ts, fields)` in
Python's marshal format: a quarter of JSON's cost on the UI thread; values marshal cannot hold are
kept as their text), and a zero u32 that the next entry overwrites. Reading stops at a zero length or a bad
checksum, so an entry cut by the kill is ignored. When every journalled record is committed the
next entry starts again at the top, so the file stays small; if the writer falls so far behind that
the file fills, journalling pauses until it catches up (counted in `overflows`).

The journal never holds customer words: message text and the quote in an escalation trigger are
left out, whatever the log's text setting (a recovered message row has no text).
"""
from __future__ import annotations

import logging
import marshal
import mmap
import os
import sqlite3
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAGIC = b"ACPJ\x02\x00\x00\x00"  # format 2: marshal payloads
HEADER = struct.Struct("<8sQ")  # magic, session id
ENTRY = struct.Struct("<II")  # payload length, crc32
END = b"\x00\x00\x00\x00"
SIZE = 1 << 20  # bytes: thousands of records, while the writer commits every 50 ms
RESTART_AFTER = 64 << 10  # bytes used before the journal starts again at the top once all is committed
SUFFIX = ".pending-"
UNREPLAYED = ".unreplayed"  # a journal whose replay failed is renamed so, kept for a person to look at


def journal_path(db_path: Path, session_id: int) -> Path:
    return db_path.with_name(f"{db_path.name}{SUFFIX}{session_id}")


def strip_customer_words(fields: dict[str, Any], mask_quotes: Callable[[str], str]) -> dict[str, Any]:
    if "text" not in fields and "trigger" not in fields:
        return fields
    kept = {k: v for k, v in fields.items() if k != "text"}
    if isinstance(kept.get("trigger"), str):
        kept["trigger"] = mask_quotes(kept["trigger"])
    return kept


_MARSHALLABLE = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    if isinstance(value, _MARSHALLABLE):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


class PendingJournal:
    """The live session's journal. `append` is called under the usage log's record lock."""

    def __init__(self, path: Path, session_id: int, mask_quotes: Callable[[str], str]):
        self.path = path
        self.mask_quotes = mask_quotes
        self.overflows = 0  # records not journalled because the file was full
        self._file = open(path, "w+b")  # noqa: SIM115 - held open for the lock and the mapping
        try:
            _lock(self._file)
            self._file.write(HEADER.pack(MAGIC, session_id) + bytes(SIZE - HEADER.size))  # allocated now, not mid-shift
            self._file.flush()
            self._map = mmap.mmap(self._file.fileno(), SIZE)
        except BaseException:
            self._file.close()
            path.unlink(missing_ok=True)
            raise
        self._pos = HEADER.size
        self._seq = 0  # last sequence number journalled

    def append(self, kind: str, ts: float, fields: dict[str, Any], committed_seq: int) -> int | None:
        """Journal one record; returns its sequence number, or None if it could not be journalled."""
        seq = self._seq + 1
        fields = strip_customer_words(fields, self.mask_quotes)
        try:
            payload = marshal.dumps((seq, kind, ts, fields))
        except ValueError:  # a value marshal cannot hold (an enum, a date...): kept as its text
            payload = marshal.dumps((seq, str(kind), ts, {str(k): _plain(v) for k, v in fields.items()}))
        if self._pos > RESTART_AFTER and committed_seq >= self._seq:
            self._pos = HEADER.size  # everything above is committed: reuse the space
        end = self._pos + ENTRY.size + len(payload)
        if end + len(END) > SIZE:
            self.overflows += 1
            return None
        self._map[self._pos:end + len(END)] = ENTRY.pack(len(payload), zlib.crc32(payload)) + payload + END
        self._pos = end
        self._seq = seq
        return seq

    def discard(self) -> None:
        """Everything is committed and the session ended: the journal is no longer needed."""
        self.close()
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:  # left behind, it is harmless: its records are all committed
            log.warning("usage log: could not remove %s: %s", self.path, exc)

    def close(self) -> None:
        if not self._map.closed:
            self._map.close()
        self._file.close()


def read_entries(path: Path) -> tuple[int, list[tuple[int, str, Any, dict[str, Any]]]]:
    """(session id, entries in file order) of a journal file; raises ValueError if it is not one."""
    data = path.read_bytes()
    if len(data) < HEADER.size:
        raise ValueError("too short")
    magic, session_id = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise ValueError("not a pending-records journal")
    entries, pos = [], HEADER.size
    while pos + ENTRY.size <= len(data):
        length, crc = ENTRY.unpack_from(data, pos)
        payload = data[pos + ENTRY.size:pos + ENTRY.size + length]
        if length == 0 or len(payload) < length or zlib.crc32(payload) != crc:
            break
        pos += ENTRY.size + length
        try:  # the checksum held, so the entry is whole: one that does not parse is skipped, not fatal
            seq, kind, ts, fields = marshal.loads(payload)
        except (ValueError, TypeError, EOFError):
            continue
        if _usable(seq, ts, fields):
            entries.append((seq, str(kind), None if ts is None else float(ts), fields))
    return session_id, entries


MAX_SEQ = 1 << 62  # SQLite integers are 64-bit; a sequence number beyond this is not ours
MAX_TS = 1e11  # seconds: the year 5138; a timestamp beyond is not a time


def _usable(seq: Any, ts: Any, fields: Any) -> bool:
    """An entry whose numbers SQLite can store (one that cannot would stop the log from opening)."""
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 < seq < MAX_SEQ or not isinstance(fields, dict):
        return False
    return ts is None or (not isinstance(ts, bool) and isinstance(ts, (int, float)) and abs(ts) < MAX_TS)


def recover_pending(conn: sqlite3.Connection, db_path: Path,
                    write: Callable[[int, list[tuple[str, Any, dict[str, Any]]]], None]) -> int:
    """Replay, through `write(session_id, records)`, the records that journals of ended processes hold
    beyond their session's last commit, then delete those journals. Returns the number replayed.

    `write` runs inside one transaction per journal, with `sessions.journal_seq` updated in it.
    Journals of live sessions (locked by their process) are left alone.
    """
    replayed = 0
    for path in sorted(db_path.parent.glob(f"{db_path.name}{SUFFIX}*")):
        if not path.name[len(db_path.name) + len(SUFFIX):].isdigit() or not _is_free(path):
            continue
        try:
            session_id, entries = read_entries(path)
        except (OSError, ValueError) as exc:
            log.warning("usage log: ignoring %s: %s", path, exc)
            continue
        row = conn.execute("SELECT journal_seq FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            log.warning("usage log: %s belongs to no session in %s; removed", path.name, db_path.name)
        else:
            done = row[0] or 0
            todo = sorted((e for e in entries if e[0] > done), key=lambda e: e[0])
            if todo:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    write(session_id, [(kind, ts, fields) for _, kind, ts, fields in todo])
                    conn.execute("UPDATE sessions SET journal_seq = ? WHERE id = ?", (todo[-1][0], session_id))
                    conn.execute("COMMIT")
                except Exception as exc:  # the log still opens; the journal is kept aside, not retried
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    if type(exc) is sqlite3.OperationalError and "locked" in str(exc):
                        log.warning("usage log: %s not replayed yet: the log is locked; next start", path.name)
                        continue  # left where it is: the next start tries again
                    log.warning("usage log: could not replay %s (%r); kept as %s", path.name, exc,
                                path.name + UNREPLAYED)
                    _keep_aside(path)
                    continue
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                replayed += len(todo)
                log.info("usage log: recovered %d records of session %d from %s", len(todo), session_id, path.name)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:  # replayed already; journal_seq keeps a second replay from repeating it
            log.warning("usage log: could not remove %s: %s", path, exc)
    return replayed


def _keep_aside(path: Path) -> None:
    try:
        os.replace(path, path.with_name(path.name + UNREPLAYED))
    except OSError as exc:
        log.warning("usage log: could not rename %s: %s", path, exc)


# ---- telling a live session's journal from a dead one's ----------------------------------------
if sys.platform == "win32":
    def _lock(file) -> None:
        pass  # Windows refuses to rename a file another process holds open: see _is_free

    def _is_free(path: Path) -> bool:
        probe = path.with_name(path.name + ".probe")
        try:
            os.replace(path, probe)
            os.replace(probe, path)
            return True
        except OSError:
            return False
else:
    import fcntl

    def _lock(file) -> None:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # released by the kernel when the process dies

    def _is_free(path: Path) -> bool:
        try:
            with open(path, "rb") as f:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True  # closing releases the probe's lock
        except OSError:
            return False


def waiting_records(db_path: Path, conn: sqlite3.Connection) -> dict[str, int]:
    """What the journals beside `db_path` hold that the log does not, read without changing a byte:
    records of ended sessions waiting for the next start to replay them, journals of sessions
    still running, and journals kept aside because their replay failed."""
    waiting = live = 0
    for path in sorted(db_path.parent.glob(f"{db_path.name}{SUFFIX}*")):
        if not path.name[len(db_path.name) + len(SUFFIX):].isdigit():
            continue
        if not _is_free(path):
            live += 1
            continue
        try:
            session_id, entries = read_entries(path)
            row = conn.execute("SELECT journal_seq FROM sessions WHERE id = ?", (session_id,)).fetchone()
        except (OSError, ValueError, sqlite3.Error):
            continue
        if row is not None:
            waiting += sum(1 for e in entries if e[0] > (row[0] or 0))
    aside = len(list(db_path.parent.glob(f"{db_path.name}{SUFFIX}*{UNREPLAYED}")))
    return {"records_waiting_for_replay": waiting, "live_sessions": live, "journals_kept_aside": aside}
