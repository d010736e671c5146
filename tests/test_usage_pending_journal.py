"""The pending journal: what the writer had not committed when the app died is replayed at the next open."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest

from copilot.usage import UsageLog
from copilot.usage.log import recover
from copilot.usage.pending_journal import (
    HEADER, RESTART_AFTER, SIZE, UNREPLAYED, PendingJournal, journal_path, read_entries, recover_pending,
)
from copilot.usage.record_writer import mask_quotes

# A child process that logs while its writer thread never gets to commit (as when a loaded machine
# starves it), then dies without any clean-up, as a killed app does.
DIE_BEFORE_COMMIT = textwrap.dedent("""
    import os, sys, threading
    from copilot.usage import UsageLog
    from copilot.usage.log import UsageLog as Log
    Log._write_batch = lambda self, batch: threading.Event().wait()  # the writer never commits
    log = UsageLog.open(sys.argv[1], agent="ann", app_version="t", engine="offline", started_at=100.0,
                        store_text=True)
    log.record("chat_opened", 101.0, chat_id="c1", customer="Bo", scenario_id="late", concurrent=1)
    for n in range(200):
        log.record("message", 102.0 + n, chat_id="c1", message_id=n, sender="customer", length=9,
                   text="my card 4111 1111 1111 1111 was charged")
    log.record("escalation", 400.0, chat_id="c1", type="emotional", trigger="threatens to leave: 'I will sue'")
    print(log.session_id, flush=True)
    os._exit(9)
""")


def die_before_commit(path) -> int:
    result = subprocess.run([sys.executable, "-c", DIE_BEFORE_COMMIT, str(path)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 9, result.stderr
    return int(result.stdout)


def test_records_a_dead_app_never_committed_are_replayed_at_the_next_open(tmp_path):
    path = tmp_path / "usage.sqlite"
    session = die_before_commit(path)
    journal = journal_path(path, session)
    assert journal.exists()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 0  # SQLite alone has nothing
    conn.close()

    log = UsageLog.open(path, agent="ann", app_version="t", engine="offline")
    log.close()
    assert log.recovered == 202 and not journal.exists()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*), min(ts), max(ts) FROM messages WHERE session_id = ?",
                            (session,)).fetchone() == (200, 102.0, 301.0)
        assert conn.execute("SELECT customer_name FROM chats WHERE session_id = ?", (session,)).fetchone() == ("Bo",)
        assert conn.execute("SELECT journal_seq FROM sessions WHERE id = ?", (session,)).fetchone() == (202,)
        assert conn.execute("SELECT count(*) FROM messages WHERE text IS NOT NULL").fetchone() == (0,)
        assert conn.execute("SELECT trigger FROM escalations").fetchone() == ("threatens to leave: '…'",)
        buckets = conn.execute("SELECT sum(customer_messages) FROM usage_buckets WHERE session_id = ?",
                               (session,)).fetchone()
    conn.close()
    assert buckets == (200,)  # the triggers kept their sums for replayed rows too
    assert recover(path) == 0  # nothing is replayed twice


def test_the_journal_never_holds_customer_words(tmp_path):
    path = tmp_path / "usage.sqlite"
    session = die_before_commit(path)
    data = journal_path(path, session).read_bytes()
    assert b"4111" not in data and b"sue" not in data and b"charged" not in data


def test_only_records_after_the_last_commit_are_replayed(tmp_path):
    path = tmp_path / "usage.sqlite"
    log = UsageLog.open(path, agent="ann", app_version="t", engine="offline", started_at=100.0)
    for n in range(3):
        log.record("focus", 101.0 + n, chat_id=f"c{n}", previous_chat_id=None, open_chats=1)
    assert log.flush()
    session = log.session_id
    log.close()
    # Put back a journal as a killed process would leave it: three committed records, two that were not.
    journal = PendingJournal(journal_path(path, session), session, mask_quotes)
    for n in range(5):
        assert journal.append("focus", 101.0 + n, {"chat_id": f"c{n}", "open_chats": 1}, committed_seq=0) == n + 1
    journal.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE sessions SET journal_seq = 3 WHERE id = ?", (session,))
    conn.close()
    assert recover(path) == 2
    with sqlite3.connect(path) as conn:
        assert [ts for (ts,) in conn.execute("SELECT ts FROM focus_changes ORDER BY ts")] == [101, 102, 103, 104, 105]
    conn.close()


def test_an_entry_cut_by_the_kill_is_ignored_and_the_ones_before_it_kept(tmp_path):
    path = tmp_path / "j"
    journal = PendingJournal(path, 7, mask_quotes)
    journal.append("focus", 1.0, {"chat_id": "a"}, 0)
    end_of_first = journal._pos
    journal.append("focus", 2.0, {"chat_id": "b"}, 0)
    journal._map[end_of_first + 12:end_of_first + 14] = b"\xff\xff"  # half-written payload: bad checksum
    journal.close()
    assert read_entries(path) == (7, [(1, "focus", 1.0, {"chat_id": "a"})])


def test_the_journal_starts_again_at_the_top_once_everything_is_committed(tmp_path):
    journal = PendingJournal(tmp_path / "j", 7, mask_quotes)
    seq = 0
    while journal._pos <= RESTART_AFTER:
        seq = journal.append("focus", 1.0, {"chat_id": "x" * 100}, committed_seq=seq)
    journal.append("focus", 2.0, {"chat_id": "new"}, committed_seq=seq)  # all of it committed: back to the top
    journal.close()
    _, entries = read_entries(tmp_path / "j")
    assert entries == [(seq + 1, "focus", 2.0, {"chat_id": "new"})]
    assert journal._pos < HEADER.size + 100


def test_a_writer_far_behind_fills_the_journal_without_harm(tmp_path):
    journal = PendingJournal(tmp_path / "j", 7, mask_quotes)
    results = [journal.append("focus", 1.0, {"chat_id": "x" * 1000}, committed_seq=0) for _ in range(SIZE // 1000 + 10)]
    assert results[-1] is None and journal.overflows >= 10
    assert all(r is not None for r in results[:SIZE // 1100])  # (the queue still carries every record)
    journal.close()


def test_a_clean_close_leaves_no_journal_and_a_live_one_is_left_alone(tmp_path):
    path = tmp_path / "usage.sqlite"
    first = UsageLog.open(path, agent="ann", app_version="t", engine="offline")
    first.record("focus", 1.0, chat_id="a", previous_chat_id=None, open_chats=1)
    second = UsageLog.open(path, agent="bo", app_version="t", engine="offline")  # another window, same file
    assert second.recovered == 0 and journal_path(path, first.session_id).exists()
    first.close()
    second.close()
    assert not list(tmp_path.glob("usage.sqlite.pending-*"))


def test_a_stray_or_foreign_journal_is_not_fatal(tmp_path):
    path = tmp_path / "usage.sqlite"
    UsageLog.open(path, agent="ann", app_version="t", engine="offline").close()
    (tmp_path / "usage.sqlite.pending-99").write_bytes(b"not a journal at all")
    orphan = PendingJournal(journal_path(path, 42), 42, mask_quotes)  # a session this file never had
    orphan.append("focus", 1.0, {"chat_id": "a"}, 0)
    orphan.close()
    log = UsageLog.open(path, agent="ann", app_version="t", engine="offline")
    log.close()
    assert log.recovered == 0
    assert (tmp_path / "usage.sqlite.pending-99").exists() and not journal_path(path, 42).exists()


@pytest.mark.skipif(sys.platform == "win32", reason="folder permissions work differently")
def test_a_folder_where_no_journal_can_be_made_still_logs(tmp_path, monkeypatch):
    path = tmp_path / "usage.sqlite"

    def refuse(*args, **kwargs):
        raise PermissionError("read-only folder")

    monkeypatch.setattr("copilot.usage.log.PendingJournal", refuse)
    log = UsageLog.open(path, agent="ann", app_version="t", engine="offline")
    log.record("focus", 1.0, chat_id="a", previous_chat_id=None, open_chats=1)
    assert log.flush() and log.counts()["focus_changes"] == 1 and log.errors == 1
    log.close()


def test_a_journal_that_cannot_be_replayed_is_kept_aside_and_the_log_still_opens(tmp_path):
    path = tmp_path / "usage.sqlite"
    log = UsageLog.open(path, agent="ann", app_version="t", engine="offline")
    session = log.session_id
    log.close()
    journal = PendingJournal(journal_path(path, session), session, mask_quotes)
    journal.append("focus", 1.0, {"chat_id": "a"}, 0)
    journal.close()

    def failing(session_id, records):
        raise sqlite3.OperationalError("disk I/O error")

    conn = sqlite3.connect(path, isolation_level=None)
    assert recover_pending(conn, path, failing) == 0
    conn.close()
    aside = journal_path(path, session).with_name(journal_path(path, session).name + UNREPLAYED)
    assert aside.exists() and not journal_path(path, session).exists()
    again = UsageLog.open(path, agent="ann", app_version="t", engine="offline")  # not retried, not fatal
    again.close()
    assert again.recovered == 0 and aside.exists()


def test_a_whole_entry_that_does_not_parse_is_skipped_and_reading_goes_on(tmp_path):
    import marshal
    import zlib

    from copilot.usage.pending_journal import END, ENTRY

    journal = PendingJournal(tmp_path / "j", 7, mask_quotes)
    journal.append("focus", 1.0, {"chat_id": "a"}, 0)
    odd = marshal.dumps("not a record")
    start = journal._pos
    journal._map[start:start + ENTRY.size + len(odd) + len(END)] = ENTRY.pack(len(odd), zlib.crc32(odd)) + odd + END
    journal._pos = start + ENTRY.size + len(odd)
    journal.append("focus", 2.0, {"chat_id": "b"}, 0)
    journal.close()
    assert [e[3]["chat_id"] for e in read_entries(tmp_path / "j")[1]] == ["a", "b"]
