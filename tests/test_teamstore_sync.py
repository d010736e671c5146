"""Syncing a usage log to a real team store: complete, incremental, idempotent, resumable and private."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

from copilot.teamstore.local_log import SOURCES
from copilot.usage import UsageLog
from tests.review_builders import careful_log, escalated_chat, passive_log
from tests.teamstore_helpers import PASSWORD
from tests.usage_log_builders import KNOWN_SESSION, T0, write_known_session

HOUR = 3600.0


def local_counts(path, agent: str = "ann") -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        sessions = "(SELECT se.id FROM sessions se JOIN agents a ON a.id = se.agent_id WHERE a.name = ?)"
        return {t: conn.execute(f"SELECT count(*) FROM {t} WHERE session_id IN {sessions}", (agent,)).fetchone()[0]
                for t in SOURCES}


def store_counts(store, agent: str = "ann") -> dict[str, int]:
    counts = {t: store.count("events", f"agent = '{agent}' AND source = '{t}'") for t in SOURCES if t != "chats"}
    return counts | {"chats": store.count("chats", f"agent = '{agent}'")}


def test_a_pass_sends_every_record_once_and_a_second_pass_sends_nothing(team_store, tmp_path):
    log = careful_log(tmp_path / "ann.sqlite", "ann", T0)
    escalated_chat(log, "ann", T0 + 5 * HOUR, False, "I will cancel")
    sync = team_store.sync("ann", log, batch_rows=50)
    report = sync.run_once()
    assert report.ok, report.error
    assert store_counts(team_store) == local_counts(log)
    assert report.total == sum(local_counts(log).values()) and report.sessions_sent == 2
    assert sync.status().text() == "team store: up to date" and sync.status().up_to_date

    again = team_store.sync("ann", log).run_once()  # a new app start: the store's fingerprints say it all
    assert again.ok and again.total == 0 and again.sessions_sent == 0 and again.sessions_complete == 2
    assert store_counts(team_store) == local_counts(log)
    with team_store.admin() as conn:
        days = conn.execute("SELECT count(*), sum(shown), sum(review_handovers) FROM copilot.session_days").fetchone()
        ended = conn.execute("SELECT count(*) FROM copilot.sessions WHERE ended_at IS NOT NULL "
                             "AND fingerprint IS NOT NULL").fetchone()[0]
    assert days == (2, 33, 1) and ended == 2


def test_a_live_session_is_sent_as_it_grows_and_closed_chats_are_updated(team_store, tmp_path):
    path = tmp_path / "ann.sqlite"
    log = UsageLog.open(path, agent="ann", app_version="test", engine="offline", started_at=T0)
    sync = team_store.sync("ann", path)
    half = len(KNOWN_SESSION) // 2
    for kind, offset, fields in KNOWN_SESSION[:half]:
        log.record(kind, T0 + offset, **fields)
    assert log.flush()
    first = sync.run_once()
    assert first.ok and first.total == sum(local_counts(path).values()) > 0
    with team_store.admin() as conn:
        assert conn.execute("SELECT count(*) FROM copilot.chats WHERE closed_at IS NULL").fetchone()[0] == 2
    for kind, offset, fields in KNOWN_SESSION[half:]:
        log.record(kind, T0 + offset, **fields)
    log.close(ended_at=T0 + 200)
    second = sync.run_once()
    assert second.ok, second.error
    assert 0 < second.total < sum(local_counts(path).values())
    assert store_counts(team_store) == local_counts(path)
    with team_store.admin() as conn:
        assert conn.execute("SELECT chat_id, status FROM copilot.chats ORDER BY chat_id").fetchall() == [
            ("c1", "abandoned"), ("c2", "resolved")]
        assert conn.execute("SELECT ended_at FROM copilot.sessions").fetchone()[0] == T0 + 200


def test_a_cancelled_pass_resumes_where_it_stopped(team_store, tmp_path):
    log = passive_log(tmp_path / "ann.sqlite", "ann", T0)
    for day in (1, 2):
        passive_log(log, "ann", T0 + day * 86400)
    batches = []
    first = team_store.sync("ann", log, batch_rows=40).run_once(cancelled=lambda: batches.append(1) or len(batches) > 3)
    assert first.ok and first.cancelled and 0 < first.total < sum(local_counts(log).values())
    assert "stopped early" in first.summary()
    assert team_store.count("events") == first.total  # whole batches only
    rest = team_store.sync("ann", log, batch_rows=40).run_once()
    assert rest.ok and not rest.cancelled
    assert first.total + rest.total == sum(local_counts(log).values())
    assert store_counts(team_store) == local_counts(log)


def test_customers_words_reach_the_store_only_with_the_teams_opt_in(team_store, tmp_path):
    words = "Cancel it now, I have had enough"
    with_text = escalated_chat(tmp_path / "ann.sqlite", "ann", T0, True, words)
    with sqlite3.connect(with_text) as conn:  # the local log kept the (redacted) text: the team opted in once
        assert conn.execute("SELECT count(*) FROM messages WHERE text > ''").fetchone()[0] == 2
    report = team_store.sync("ann", with_text, allow_text=False).run_once()  # ...but has opted out since
    assert report.ok, report.error
    with team_store.admin() as conn:
        dump = json.dumps(conn.execute("SELECT row_to_json(e) FROM copilot.events e").fetchall())
        dump += json.dumps(conn.execute("SELECT row_to_json(c) FROM copilot.chats c").fetchall())
        dump += json.dumps(conn.execute("SELECT row_to_json(x) FROM copilot.escalation_effort x").fetchall())
        assert "Cancel it now" not in dump and "Dana Secret" not in dump and "Sorry about that" not in dump
        assert conn.execute("SELECT trigger FROM copilot.events WHERE source = 'escalations'").fetchone()[0] == \
            "threatens to leave: '…'"
        assert conn.execute("SELECT stores_text FROM copilot.sessions").fetchone()[0] is False

    opted_in = escalated_chat(tmp_path / "bo.sqlite", "bo", T0, True, words)
    assert team_store.sync("bo", opted_in, allow_text=True).run_once().ok
    with team_store.admin() as conn:
        texts = [r[0] for r in conn.execute("SELECT text FROM copilot.events WHERE agent = 'bo' AND text IS NOT NULL "
                                            "ORDER BY ts")]
        assert conn.execute("SELECT stores_text FROM copilot.sessions WHERE agent = 'bo'").fetchone()[0] is True
    with sqlite3.connect(opted_in) as conn:  # exactly what the local log keeps (redacted there), never more
        assert texts == [r[0] for r in conn.execute("SELECT text FROM messages WHERE text > '' ORDER BY ts")]


def test_values_postgresql_would_refuse_never_block_a_batch(team_store, tmp_path):
    path = tmp_path / "ann.sqlite"
    log = UsageLog.open(path, agent="ann", app_version="test", engine="offline", started_at=T0)
    log.record("message", T0 + 1, chat_id="c\x00hat", message_id="not a number", sender="agent", length=3.5,
               response_seconds="slow", text=None)
    log.record("odd_kind", T0 + 2, value=float("nan"), note="nul\x00byte", nested={"x": float("inf")})
    log.close(ended_at=T0 + 10)
    report = team_store.sync("ann", path).run_once()
    assert report.ok, report.error
    with team_store.admin() as conn:
        chat, message_id, extra = conn.execute("SELECT chat_id, message_id, extra FROM copilot.events "
                                               "WHERE source = 'messages'").fetchone()
        fields = conn.execute("SELECT fields FROM copilot.events WHERE source = 'events'").fetchone()[0]
    assert chat == "c\ufffdhat" and message_id is None
    assert extra["message_id"] == "not a number" and extra["response_seconds"] == "slow"
    assert fields == {"value": None, "note": "nul\ufffdbyte", "nested": {"x": None}}


def test_a_killed_session_is_sent_with_its_last_event_as_its_end(team_store, tmp_path):
    path = tmp_path / "ann.sqlite"
    write_known_session(path, "ann", T0, end=None)
    assert team_store.sync("ann", path).run_once().ok
    with team_store.admin() as conn:
        assert conn.execute("SELECT ended_at, span_end FROM copilot.sessions").fetchone() == (None, T0 + 160)


def test_copilot_sync_prints_what_it_sent(team_store, tmp_path):
    log = careful_log(tmp_path / "ann.sqlite", "ann", T0)
    run = subprocess.run([sys.executable, "-m", "copilot", "sync", "--db", team_store.url("ann", PASSWORD),
                          "--log", str(log), "--json"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["ok"] and out["sent"] == {k: v for k, v in local_counts(log).items() if v} and out["sessions_sent"] == 1
    plain = subprocess.run([sys.executable, "-m", "copilot", "sync", "--db", team_store.url("ann", PASSWORD),
                            "--log", str(log)], capture_output=True, text=True, timeout=120)
    assert plain.returncode == 0 and plain.stdout.startswith("sent 0 record(s) from 0 session(s); 1 session(s)")
    missing = subprocess.run([sys.executable, "-m", "copilot", "sync", "--db", team_store.url("ann"),
                              "--log", str(tmp_path / "none.sqlite")], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "no usage log at" in missing.stderr
