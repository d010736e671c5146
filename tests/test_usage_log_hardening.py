"""The usage log under a hostile world (each case lost data or failed before): another program
holding the write lock mid-shift, at close and at start; a journal entry SQLite cannot store; an
edited schema_version; a damaged file; and customer names in a log that keeps no customer words."""
from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from copilot.usage import UsageLog
from copilot.usage import log as usage_log_module
from copilot.usage.errors import UsageLogError
from copilot.usage.pending_journal import PendingJournal, journal_path
from copilot.usage.record_writer import mask_quotes

T0 = 1_767_225_600.0
HOLD = r"""
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO meta (key, value) VALUES ('other-program', 'was here') ON CONFLICT DO NOTHING")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
print("released", flush=True)
"""


class LockHolder:
    """Another process that takes the log's write lock and keeps it for `seconds`."""

    def __init__(self, path: Path, seconds: float):
        self.process = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)],
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "locked"

    def wait(self) -> None:
        assert self.process.stdout.readline().strip() == "released"
        self.process.wait(10)


def new_log(path: Path, **options) -> UsageLog:
    return UsageLog.open(path, "ana", "test", "offline", started_at=T0, **options)


def focus_ids(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT chat_id FROM focus_changes ORDER BY ts")]


@pytest.fixture
def short_busy_timeout(monkeypatch):
    monkeypatch.setattr(usage_log_module, "BUSY_TIMEOUT_MS", 200)  # the lock outlasts it many times over
    monkeypatch.setattr(usage_log_module, "RETRY_SECONDS", 0.1)


def test_a_long_lock_mid_shift_loses_nothing_and_health_says_so(tmp_path, short_busy_timeout):
    """Before: the batch failed after the busy timeout and its records were counted lost."""
    path = tmp_path / "usage.sqlite"
    log = new_log(path)
    log.record("focus", T0 + 1, chat_id="before", previous_chat_id="", open_chats=1)
    assert log.flush()
    holder = LockHolder(path, 2.0)
    for i in range(5):
        log.record("focus", T0 + 2 + i, chat_id=f"during{i}", previous_chat_id="", open_chats=1)
    deadline = time.monotonic() + 5
    while log.health().waiting_for_lock_since is None and time.monotonic() < deadline:
        time.sleep(0.05)
    health = log.health()
    assert not health.ok and health.waiting_for_lock_since is not None and health.unwritten == 5
    assert "another program is writing" in health.last_error and "waiting since" in health.summary()
    holder.wait()
    assert log.flush(timeout=10)
    assert log.close()
    assert focus_ids(path) == ["before", *(f"during{i}" for i in range(5))]
    health = log.health()
    assert health.ok and health.lost == 0 and health.errors >= 1 and health.waiting_for_lock_since is None


def test_records_still_locked_out_at_close_are_replayed_at_the_next_start(tmp_path, short_busy_timeout):
    """Before: the journal holding them was deleted at close, so they were gone."""
    path = tmp_path / "usage.sqlite"
    log = new_log(path)
    holder = LockHolder(path, 3.0)
    for i in range(3):
        log.record("focus", T0 + 2 + i, chat_id=f"late{i}", previous_chat_id="", open_chats=1)
    log.close(timeout=10)
    assert log.kept_for_next_start == 3 and log.lost == 0 and not log.health().ok
    assert journal_path(path, log.session_id).exists()
    holder.wait()
    again = new_log(path)
    assert again.recovered == 3
    again.close()
    assert focus_ids(path) == ["late0", "late1", "late2"]


def test_a_lock_at_start_is_waited_for(tmp_path):
    """Before: opening read the schema first in a deferred transaction, so the busy timeout was not
    used and the open failed at once with 'database is locked'."""
    path = tmp_path / "usage.sqlite"
    new_log(path).close()
    holder = LockHolder(path, 1.0)
    started = time.monotonic()
    log = new_log(path)  # waits for the other program, up to the busy timeout (5 s)
    assert time.monotonic() - started >= 0.5
    log.close()
    holder.wait()


def test_a_lock_at_start_that_lasts_is_a_clear_error_and_changes_nothing(tmp_path, short_busy_timeout):
    path = tmp_path / "usage.sqlite"
    new_log(path).close()
    holder = LockHolder(path, 2.0)
    with pytest.raises(UsageLogError, match="another program kept it locked"):
        new_log(path)
    holder.wait()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1


@pytest.mark.parametrize("entry", [
    dict(seq=2 ** 70, ts=T0, fields={"chat_id": "x"}),
    dict(seq=5, ts=10 ** 30, fields={"chat_id": "x"}),
    dict(seq=5, ts=T0, fields={"chat_id": "x", "previous_chat_id": "", "open_chats": 2 ** 80}),
    dict(seq=5, ts=T0, fields={"chat_id": 2 ** 90}),
])
def test_a_journal_entry_sqlite_cannot_store_does_not_stop_the_log_opening(tmp_path, entry):
    """Before: the replay raised OverflowError on every start, so the log never opened again."""
    path = tmp_path / "usage.sqlite"
    first = new_log(path)
    sid = first.session_id
    first.close()
    journal = PendingJournal(journal_path(path, sid), sid, mask_quotes)  # as a killed session leaves it
    journal.append("focus", T0 + 1, {"chat_id": "good", "previous_chat_id": "", "open_chats": 1}, 0)
    journal._seq = entry["seq"] - 1
    journal.append("focus", entry["ts"], entry["fields"], 0)
    journal._seq = 10  # past the odd entry's number
    journal.append("focus", T0 + 3, {"chat_id": "after", "previous_chat_id": "", "open_chats": 1}, 0)
    journal.close()
    for _ in range(2):  # and it keeps opening
        new_log(path).close()
    assert "good" in focus_ids(path) and "after" in focus_ids(path)


def bucket_totals(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT * FROM usage_buckets ORDER BY session_id, bucket").fetchall()


@pytest.mark.parametrize("version", ["1", "0", "3"])
def test_an_edited_schema_version_does_not_double_the_figures(tmp_path, version):
    """Before: setting meta.schema_version back to 1 re-ran the v2 backfill onto the existing sums."""
    path = tmp_path / "usage.sqlite"
    log = new_log(path)
    log.record("chat_opened", T0 + 10, chat_id="c1", customer="Ann", scenario_id="s", concurrent=1)
    log.record("message", T0 + 20, chat_id="c1", message_id=1, sender="customer", length=30, frustration=0.2)
    log.record("message", T0 + 30, chat_id="c1", message_id=2, sender="agent", length=80, response_seconds=10.0)
    log.close(ended_at=T0 + 60)
    before = bucket_totals(path)
    assert before
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
        conn.execute(f"PRAGMA user_version = {int(version)}")
    new_log(path).close(ended_at=T0 + 70)
    after = [row for row in bucket_totals(path) if row[0] == before[0][0]]
    assert after == before


def damage(path: Path, page: int) -> None:
    data = bytearray(path.read_bytes())
    data[page * 4096:(page + 1) * 4096] = os.urandom(4096)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("page", [3, 10, 20])
def test_a_damaged_log_is_refused_and_not_written_to(tmp_path, page):
    """Before: the setup wrote (and committed) before the damage was found, or never found it."""
    path = tmp_path / "usage.sqlite"
    log = new_log(path)
    for i in range(2000):
        log.record("message", T0 + i, chat_id=f"c{i % 7}", message_id=i, sender="customer", length=10)
    log.close()
    damage(path, page)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(UsageLogError, match="damaged|cannot be read"):
        new_log(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("store_text", [False, True])
def test_customer_names_are_pseudonyms_unless_text_is_kept(tmp_path, store_text):
    """Before: the full name was stored even when the team keeps no customer words."""
    path = tmp_path / "usage.sqlite"
    log = new_log(path, store_text=store_text)
    log.record("chat_opened", T0 + 1, chat_id="c1", customer="Ana Silva", scenario_id="s", concurrent=1)
    log.record("chat_opened", T0 + 2, chat_id="c2", customer="Ana Silva", scenario_id="s", concurrent=2)
    log.record("chat_opened", T0 + 3, chat_id="c3", customer="Bo Li", scenario_id="s", concurrent=3)
    journal = journal_path(path, log.session_id).read_bytes()
    log.close()
    with sqlite3.connect(path) as conn:
        names = [row[0] for row in conn.execute("SELECT customer_name FROM chats ORDER BY chat_id")]
    if store_text:
        assert names == ["Ana Silva", "Ana Silva", "Bo Li"]
    else:
        assert names[0] == names[1] != names[2] and all(n.startswith("Customer ") for n in names)
        assert b"Ana" not in path.read_bytes() and b"Silva" not in journal


def test_copilot_usage_says_what_waits_in_a_kept_journal(tmp_path, short_busy_timeout, capsys):
    import json

    from copilot.__main__ import main

    path = tmp_path / "usage.sqlite"
    log = new_log(path)
    log.record("focus", T0 + 1, chat_id="written", previous_chat_id="", open_chats=1)
    assert log.flush()
    holder = LockHolder(path, 2.5)
    log.record("focus", T0 + 2, chat_id="waiting", previous_chat_id="", open_chats=1)
    log.close(timeout=10)
    holder.wait()
    before = path.read_bytes()
    assert main(["usage", "--db", str(path), "--json"]) == 0
    files = json.loads(capsys.readouterr().out)["log_files"]
    assert files == [{"file": str(path), "records_waiting_for_replay": 1, "live_sessions": 0, "journals_kept_aside": 0}]
    assert main(["usage", "--db", str(path)]) == 0
    assert "1 record(s) wait in a journal" in capsys.readouterr().out
    assert path.read_bytes() == before  # only read
