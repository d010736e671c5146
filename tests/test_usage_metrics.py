"""Usage metrics on hand-built logs whose figures are worked out by hand.

The known session (tests/usage_log_builders.py) runs 200 s from T0: two chats, four suggestions
(accepted, edited, rejected, ignored), three agent replies, one focus change.
"""
from __future__ import annotations

import math
import sqlite3
from dataclasses import fields

import pytest

from copilot.usage import UsageLog
from copilot.usage.metrics import compute_metrics
from copilot.usage.schema import SCHEMA_VERSION, stored_version
from copilot.usage.timeframes import parse_time, window_label, window_start
from tests.usage_log_builders import T0, open_log, write_known_session, write_load, write_v1_file

KNOWN = {
    "suggestions_shown": 4, "decisions": 4, "accepted": 1, "edited": 1, "rejected": 1, "ignored": 1, "used": 3,
    "acceptance_rate": 0.25, "edit_rate": 0.25, "reject_rate": 0.25, "ignored_rate": 0.25,
    "used_acceptance_rate": 1 / 3, "used_reject_rate": 1 / 3,
    "mean_edit_distance": 0.15,  # (0 + 0.3) / 2 sent drafts
    "dwell_seconds_per_word": 26 / 70,  # (2 + 20 + 4) s over (110 + 220 + 55) / 5.5 words; the empty draft is out
    "accepted_dwell_seconds_per_word": 0.1,  # 2 s for 20 words
    "fast_acceptances": 1, "fast_acceptance_share": 1.0,  # 0.1 s/word is faster than 0.25
    "active_minutes": 200 / 60,
    "mean_concurrency": 240 / 200,  # 1 chat for 30 s, 2 for 90 s, 1 for 30 s, none otherwise
    "peak_concurrency": 2, "switches": 1, "switches_per_minute": 0.3,
    "replies": 3, "reply_seconds": 14.0, "first_response_seconds": 16.0,  # (7 + 25) / 2 chats
    "chats_opened": 2, "chats_ended": 2, "chat_duration_seconds": 120.0, "customers_left_waiting": 1,
    "customer_messages": 3, "frustration_mean": 1.3 / 3, "frustration_peak": 0.7,
    "upset_share": 2 / 3, "angry_share": 1 / 3,
}


def assert_figures(m, expected: dict) -> None:
    got = m.figures.to_dict()
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, abs=1e-3), name


def same_sums(a, b) -> bool:
    return all(math.isclose(getattr(a, f.name), getattr(b, f.name), rel_tol=1e-9, abs_tol=1e-6) for f in fields(a))


@pytest.mark.parametrize("use_stored", [True, False])
def test_known_session_figures(tmp_path, use_stored):
    path = tmp_path / "usage.sqlite"
    sid = write_known_session(path)
    m, = compute_metrics(path, use_stored=use_stored)
    assert (m.agent, m.window, m.key, m.sessions) == ("ann", "session", f"session {sid}", 1)
    assert (m.start, m.end) == (T0, T0 + 200)
    assert_figures(m, KNOWN)
    data = m.to_dict()
    assert data["start_utc"] == "2026-01-01T00:00:00Z" and data["acceptance_rate"] == 0.25


def test_five_minute_view_for_team_leads(tmp_path):
    path = tmp_path / "usage.sqlite"
    write_known_session(path)
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    row, = conn.execute("SELECT * FROM activity_by_5_minutes").fetchall()
    conn.close()
    assert (row["agent"], row["from_utc"], row["decisions"], row["accepted_faster_than_reading"]) == (
        "ann", "2026-01-01 00:00:00", 4, 1)
    assert (row["mean_reply_seconds"], row["open_chat_minutes"], row["peak_open_chats"]) == (14.0, 4.0, 2)


def test_since_until_cut_inside_buckets(tmp_path):
    path = tmp_path / "usage.sqlite"
    write_known_session(path)
    m, = compute_metrics(path, since=T0 + 35, until=T0 + 150)
    assert (m.start, m.end) == (T0 + 35, T0 + 150)
    # decisions at 75 (edited), 84 (rejected), 100 (ignored); open chats 1 for 5 s, 2 for 90, 1 for 20
    assert_figures(m, {"decisions": 3, "accepted": 0, "edited": 1, "rejected": 1, "ignored": 1,
                       "active_minutes": 115 / 60, "mean_concurrency": 205 / 115, "peak_concurrency": 2,
                       "replies": 2, "first_response_seconds": 25.0, "chats_ended": 1, "customers_left_waiting": 1,
                       "customer_messages": 2})
    for since, until in [(T0 + 35, T0 + 150), (T0 + 1, T0 + 2), (None, T0 + 100), (T0 + 99.5, None)]:
        stored = compute_metrics(path, since=since, until=until)
        direct = compute_metrics(path, since=since, until=until, use_stored=False)
        assert [m.key for m in stored] == [m.key for m in direct]
        assert all(same_sums(a.tally, b.tally) for a, b in zip(stored, direct))


def test_killed_session_lasts_until_its_last_event(tmp_path):
    path = tmp_path / "usage.sqlite"
    write_known_session(path, end=None)
    m, = compute_metrics(path)
    assert m.end == T0 + 160  # the last chat_closed
    assert_figures(m, {"active_minutes": 160 / 60, "mean_concurrency": 240 / 160, "decisions": 4})


def test_day_and_week_windows_split_a_session_at_midnight(tmp_path):
    path = tmp_path / "usage.sqlite"
    log = open_log(path, "ann", T0 - 600)  # 23:50 on New Year's Eve
    write_load(log, T0 - 600, [(20, 2, 30.0, 0.1)])  # two chats open until 00:10
    log.close(ended_at=T0 + 600)
    days = compute_metrics(path, window="day")
    assert [m.key for m in days] == ["2025-12-31", "2026-01-01"]
    assert [m.figures.active_minutes for m in days] == pytest.approx([10, 10])
    assert [m.figures.mean_concurrency for m in days] == pytest.approx([2, 2])
    assert days[1].start == T0 and days[1].end == T0 + 86400
    weeks = compute_metrics(path, window="week")
    assert [m.key for m in weeks] == ["2026-W01"]  # Wed 31 Dec and Thu 1 Jan share ISO week 1
    assert weeks[0].figures.replies == sum(m.figures.replies for m in days) == 60
    session, = compute_metrics(path)
    assert same_sums(session.tally, weeks[0].tally)


def test_agents_and_files_are_kept_apart(tmp_path):
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    write_known_session(a, "ann")
    write_known_session(b, "bo", start=T0 + 3600)
    write_known_session(b, "ann", start=T0 + 7200)
    both = compute_metrics([a, b])
    assert [(m.agent, m.source[-8:]) for m in both] == [("ann", "a.sqlite"), ("ann", "b.sqlite"), ("bo", "b.sqlite")]
    assert [m.agent for m in compute_metrics([a, b], agent="bo")] == ["bo"]
    day, = compute_metrics([a, b], agent="ann", window="day")
    assert day.sessions == 2 and day.figures.decisions == 8


def test_v1_file_is_read_as_is_and_migrates_to_the_same_figures(tmp_path):
    path = tmp_path / "old.sqlite"
    write_v1_file(path)
    before = path.read_bytes()
    m_v1, = compute_metrics(path)  # read-only: no stored sums, so from the events
    assert path.read_bytes() == before
    assert_figures(m_v1, KNOWN)
    UsageLog.open(path, agent="ann", app_version="test", engine="offline", started_at=T0 + 1000).close(T0 + 1000)
    conn = sqlite3.connect(path)
    assert stored_version(__import__("sqlite_utils").Database(conn)) == SCHEMA_VERSION
    assert conn.execute("SELECT sum(decisions), sum(replies), sum(concurrency_seconds) FROM usage_buckets").fetchone() \
        == (4, 3, 240)  # the backfill
    conn.close()
    m_v2 = compute_metrics(path)[0]
    assert same_sums(m_v1.tally, m_v2.tally) and m_v2.buckets == m_v1.buckets


def test_stored_sums_follow_later_writes_and_updates(tmp_path):
    path = tmp_path / "usage.sqlite"
    write_known_session(path)
    log = open_log(path, "ann", T0 + 500)
    log.record("chat_opened", T0 + 510, chat_id="c9", customer="x", scenario_id="s", concurrent=1)
    log.record("chat_opened", T0 + 520, chat_id="c9", customer="x", scenario_id="s", concurrent=1)  # opened twice
    log.record("chat_closed", T0 + 900, chat_id="c9", status="abandoned", concurrent=0, duration=390.0)
    log.close(ended_at=T0 + 1000)
    stored, direct = compute_metrics(path), compute_metrics(path, use_stored=False)
    assert all(same_sums(a.tally, b.tally) for a, b in zip(stored, direct))
    assert [b for _, b in stored[1].buckets] == [b for _, b in direct[1].buckets]
    assert_figures(stored[1], {"chats_opened": 1, "chats_ended": 1, "customers_left_waiting": 1,
                               "mean_concurrency": 390 / 500})  # one chat open 510..900


def test_time_parsing_and_window_names():
    assert parse_time("2026-01-01") == T0
    assert parse_time("2026-01-01T01:00:00+01:00") == T0
    assert parse_time("2026-01-01T00:00Z") == T0
    assert parse_time(str(T0)) == T0 and parse_time(None) is None
    with pytest.raises(ValueError, match="not a time"):
        parse_time("yesterday")
    assert window_start("week", T0 + 86400) == T0 - 3 * 86400  # Monday 29 Dec 2025
    assert window_label("week", T0 - 3 * 86400) == "2026-W01" and window_label("day", T0) == "2026-01-01"
