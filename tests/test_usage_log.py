"""The usage log as the app uses it: record on one thread, rows written by the writer thread."""
from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from copilot.core.chat import ChatStatus
from copilot.core.clock import ManualClock
from copilot.core.events import ChatOpened, CustomerMessage
from copilot.core.suggestion import CategoryScore, Diagnosis, Draft, Suggestion
from copilot.core.workspace import Workspace
from copilot.usage import UsageLog
from copilot.usage.schema import TABLE_FOR_KIND, TABLES
from copilot.usage.views import VIEWS


@pytest.fixture
def usage(tmp_path):
    log = UsageLog.open(tmp_path / "usage.sqlite", agent="ann", app_version="0.1.0", engine="offline",
                        policy="on_request", started_at=100.0)
    yield log
    log.close()


def rows(log: UsageLog, table: str) -> list[dict]:
    assert log.flush()
    return list(Database(log.path)[table].rows)


def test_each_kind_lands_in_its_table_with_its_fields(usage):
    usage.record("chat_opened", 101.0, chat_id="c1", customer="Bo", scenario_id="late", concurrent=1)
    usage.record("message", 102.0, chat_id="c1", message_id=7, sender="customer", length=40, frustration=0.7,
                 text="my order is late")
    usage.record("suggestion_shown", 103.0, chat_id="c1", suggestion_id=3, message_id=7, engine="offline",
                 category="late_delivery", confidence=0.81, abstained=False, draft_length=120, draft_hash="ab12")
    usage.record("decision", 109.0, chat_id="c1", suggestion_id=3, kind="edited", seconds_to_decide=6.0,
                 edit_distance=0.25, reason="", sent_length=118, seconds_to_first_keystroke=2.5)
    usage.record("message", 109.0, chat_id="c1", message_id=8, sender="agent", length=118, suggestion_id=3,
                 response_seconds=7.0)
    usage.record("focus", 110.0, chat_id="c2", previous_chat_id="c1", open_chats=2)
    usage.record("chat_closed", 120.0, chat_id="c1", status="resolved", concurrent=0, duration=19.0)

    chat, = rows(usage, "chats")
    assert chat["customer_name"].startswith("Customer ")  # a pseudonym: this log keeps no customer words
    assert chat | {"id": None, "customer_name": "?"} == {"id": None, "session_id": usage.session_id, "ts": 101.0,
                                   "chat_id": "c1", "customer_name": "?", "scenario_id": "late", "concurrent_at_open": 1,
                                   "closed_at": 120.0, "status": "resolved", "duration": 19.0, "extra": None}
    customer, agent = rows(usage, "messages")
    assert (customer["sender"], customer["length"], customer["frustration"], customer["text"]) == (
        "customer", 40, 0.7, None)  # no text by default, and not hidden in `extra` either
    assert customer["extra"] is None
    assert (agent["suggestion_id"], agent["response_seconds"]) == (3, 7.0)
    shown, = rows(usage, "suggestions")
    assert (shown["category"], shown["confidence"], shown["abstained"], shown["draft_hash"]) == (
        "late_delivery", 0.81, 0, "ab12")
    decision, = rows(usage, "decisions")
    assert (decision["decision"], decision["edit_distance"], decision["seconds_to_first_keystroke"]) == (
        "edited", 0.25, 2.5)
    focus, = rows(usage, "focus_changes")
    assert (focus["chat_id"], focus["previous_chat_id"], focus["open_chats"]) == ("c2", "c1", 2)
    assert [(r["ts"], r["open_chats"]) for r in rows(usage, "concurrency")] == [(101.0, 1), (120.0, 0)]


def test_concurrency_row_only_when_the_count_changes(usage):
    for i, concurrent in enumerate([1, 2, 2, 3]):
        usage.record("chat_opened", 100.0 + i, chat_id=f"c{i}", customer="x", scenario_id="", concurrent=concurrent)
    assert [r["open_chats"] for r in rows(usage, "concurrency")] == [1, 2, 3]


def test_unknown_kinds_and_extra_fields_are_kept(usage):
    usage.record("engine_fallback", 5.0, reason="timeout", detail={"tries": 2})
    usage.record("focus", 6.0, chat_id="c1", previous_chat_id="", open_chats=1, via="keyboard")
    event, = rows(usage, "events")
    assert (event["kind"], event["fields"]) == ("engine_fallback", '{"reason": "timeout", "detail": {"tries": 2}}')
    assert rows(usage, "focus_changes")[0]["extra"] == '{"via": "keyboard"}'


def test_text_is_stored_only_when_asked_and_always_redacted(tmp_path):
    log = UsageLog.open(tmp_path / "u.sqlite", "ann", "0.1.0", "offline", store_text=True,
                        redact=lambda text: text.replace("555-1234", "[PHONE]"))
    log.record("message", 1.0, chat_id="c1", message_id=1, sender="customer", length=20, text="call 555-1234")
    assert rows(log, "messages")[0]["text"] == "call [PHONE]"
    log.close()


def test_a_failing_redactor_keeps_the_row_but_never_the_text(tmp_path):
    def broken(text):
        raise ValueError("redactor bug")

    log = UsageLog.open(tmp_path / "u.sqlite", "ann", "0.1.0", "offline", store_text=True, redact=broken)
    log.record("message", 1.0, chat_id="c1", message_id=1, sender="customer", length=6, text="secret")
    message, = rows(log, "messages")
    assert message["text"] is None and "secret" not in str(message)
    assert isinstance(log.last_error, ValueError) and log.errors == 1
    log.close()


def test_counts_for_the_session_and_the_whole_file(tmp_path):
    path = tmp_path / "u.sqlite"
    with UsageLog.open(path, "ann", "0.1.0", "offline") as first:
        first.record("focus", 1.0, chat_id="c1", previous_chat_id="", open_chats=1)
    second = UsageLog.open(path, "bob", "0.1.0", "offline")
    second.record("focus", 2.0, chat_id="c1", previous_chat_id="", open_chats=1)
    second.record("focus", 3.0, chat_id="c2", previous_chat_id="c1", open_chats=1)
    mine, overall = second.counts(), second.counts(overall=True)
    assert set(mine) == set(overall) == set(TABLES)
    assert (mine["focus_changes"], overall["focus_changes"]) == (2, 3)
    assert (mine["sessions"], overall["sessions"], overall["agents"]) == (1, 2, 2)
    second.close()
    assert second.counts()["focus_changes"] == 2  # still readable after close


def test_workspace_records_through_the_log_and_the_views_add_up(usage):
    """Drives the real Workspace, so the kinds and fields it sends are the ones the log stores."""

    class Source:
        def poll(self, now):
            return []

        def send(self, chat_id, text, now, outbox_id=""):
            pass

        def close(self, chat_id, resolved, now):
            pass

    from copilot.assist.escalation import EscalationTracker

    clock = ManualClock(1000.0)
    ws = Workspace(source=Source(), clock=clock, recorder=usage, escalations=EscalationTracker())
    for n, decide in enumerate(["accept", "edit", "reject", "ignore"]):
        chat_id = f"c{n}"
        ws.apply(ChatOpened(chat_id, f"Customer {n}", clock.now(), "late"))
        ws.apply(CustomerMessage(chat_id, "where is my parcel?", clock.now()))
        ws.focus(chat_id)
        message = ws.chats[chat_id].last_customer_message
        diagnosis = Diagnosis((CategoryScore("late_delivery", "Late delivery", 0.9),), abstained=False)
        ws.offer_suggestion(Suggestion(chat_id, message.id, diagnosis, Draft("Sorry, checking now."), "offline",
                                       clock.now()))
        clock.advance(4.0)
        if decide == "accept":
            ws.accept(chat_id)
        elif decide == "edit":
            ws.start_edit(chat_id)
            ws.send(chat_id, "Sorry! Checking your parcel now.")
        elif decide == "reject":
            ws.reject(chat_id, "Wrong tone")
        else:
            ws.send(chat_id, "Let me look.")
    ws.apply(CustomerMessage("c1", "This is ridiculous. I'm cancelling my account and leaving a review!", clock.now()))
    assert ws.chats["c1"].escalation is not None and ws.chats["c1"].escalation.type == "emotional"
    ws.end_chat("c0", resolved=True)

    counts = usage.counts()
    for kind, table in TABLE_FOR_KIND.items():
        assert counts[table] > 0, kind
    assert counts["events"] == 0  # every kind the workspace sends has its own table
    summary, = rows(usage, "session_summary")
    assert (summary["suggestions_shown"], summary["accepted"], summary["edited"], summary["rejected"],
            summary["ignored"]) == (4, 1, 1, 1, 1)
    assert summary["peak_concurrency"] == 4 and summary["chats"] == 4 and summary["policy"] == "on_request"
    assert summary["mean_edit_distance"] > 0
    closed = [c for c in rows(usage, "chats_summary") if c["chat_id"] == "c0"][0]
    assert closed["status"] == ChatStatus.RESOLVED.value and closed["accepted"] == 1
    reasons = {r["decision"]: r["reason"] for r in rows(usage, "decisions_readable")}
    assert reasons["rejected"] == "Wrong tone"
    for view in VIEWS:  # browsable as plain tables
        assert Database(usage.path)[view].count >= 1


def test_close_ends_the_session_and_stops_the_writer(tmp_path):
    log = UsageLog.open(tmp_path / "u.sqlite", "ann", "0.1.0", "offline", started_at=10.0)
    for i in range(5000):
        log.record("focus", 10.0 + i, chat_id="c", previous_chat_id="", open_chats=1)
    assert log.close(ended_at=99.0)  # everything queued is written first
    assert not log._thread.is_alive()
    log.record("focus", 1.0, chat_id="late")
    assert log.dropped_after_close == 1 and log.close() and log.flush()
    db = Database(log.path)
    assert db["focus_changes"].count == 5000
    assert db["sessions"].get(log.session_id)["ended_at"] == 99.0


class FailingCommit:
    """Wraps the writer's connection: COMMIT fails, as it would on a full disk."""

    def __init__(self, conn):
        self.conn = conn

    def execute(self, sql, *args):
        if sql == "COMMIT":
            raise sqlite3.OperationalError("database or disk is full")
        return self.conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.conn, name)


def test_writer_errors_are_exposed_and_the_records_wait_until_the_disk_has_room(usage):
    usage.flush()
    real = usage._conn
    usage._conn = usage._writer.conn = FailingCommit(real)
    usage.record("focus", 1.0, chat_id="c1", previous_chat_id="", open_chats=1)
    assert not usage.flush(timeout=2)  # not written: it waits
    health = usage.health()
    assert isinstance(usage.last_error, sqlite3.OperationalError) and usage.lost == 0
    assert not health.ok and health.unwritten == 1 and health.last_error == "the disk is full"
    usage._conn = usage._writer.conn = real  # the disk has room again
    usage.record("focus", 2.0, chat_id="c2", previous_chat_id="", open_chats=1)
    assert [r["chat_id"] for r in rows(usage, "focus_changes")] == ["c1", "c2"]
    assert usage.health().ok


def test_a_row_that_fails_is_kept_as_an_event(usage):
    with sqlite3.connect(usage.path) as other:  # someone broke the table under us
        other.execute("DROP VIEW decisions_readable")
        other.execute("DROP TABLE decisions")
    usage.record("decision", 5.0, chat_id="c1", suggestion_id=1, kind="accepted")
    event, = rows(usage, "events")
    assert event["kind"] == "unstored:decision" and '"kind": "accepted"' in event["fields"]
    assert "no such table" in str(usage.last_error)


def test_a_crashed_writer_is_reported_and_records_stop_queueing(usage):
    def bug(batch):
        raise RuntimeError("writer bug")

    usage._write_batch = bug
    usage.record("focus", 1.0, chat_id="c1", previous_chat_id="", open_chats=1)
    usage._thread.join(5)
    assert not usage._thread.is_alive()
    assert isinstance(usage.last_error, RuntimeError)
    assert usage.flush(timeout=0.1) is False  # never claims the data was written
    usage.record("focus", 2.0, chat_id="c1")
    assert usage.dropped_after_close == 1


def test_the_usage_package_does_not_import_qt():
    import subprocess
    import sys

    code = "import sys, copilot.usage; print(any(m.startswith(('PySide6', 'PyQt')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
