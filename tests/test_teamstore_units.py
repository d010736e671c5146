"""Team-store pieces that need no server: addresses, the privacy rule on rows, status words, errors."""
from __future__ import annotations

import json

import pytest

from copilot.secrets import delete_team_store_password, get_team_store_password, set_team_store_password
from copilot.teamstore.config import StoreConfig, resolve_password
from copilot.teamstore.errors import TeamStoreError, connect_error
from copilot.teamstore.records import EVENT_ROW, RowMaker
from copilot.teamstore.review import day_range
from copilot.teamstore.status import SyncStatus, duration
from copilot.usage.record_writer import COLUMNS


def test_an_address_is_read_without_keeping_its_password_in_the_settings_form():
    config = StoreConfig.parse("postgresql://ann:s%40cret@db.example.com:6543/team?sslmode=require")
    assert (config.user, config.host, config.port, config.dbname, config.sslmode) == (
        "ann", "db.example.com", 6543, "team", "require")
    assert config.password == "s@cret" and "s@cret" not in config.dsn and "s@cret" not in repr(config)
    assert config.display == "postgresql://ann@db.example.com:6543/team"
    assert config.account == "team-store:ann@db.example.com:6543/team"
    assert "sslmode=verify-full" in StoreConfig.parse(config.display, "verify-full").conninfo(None)
    info = config.conninfo("pw")
    assert "password=pw" in info and "connect_timeout=10" in info and "keepalives=1" in info
    assert resolve_password(config) == "s@cret"


def test_the_password_lives_in_the_keyring_or_for_this_session_only():
    config = StoreConfig.parse("postgresql://bo@db.example.com/team")
    delete_team_store_password(config.account)
    assert resolve_password(config) is None  # libpq then tries PGPASSWORD and ~/.pgpass itself
    note = set_team_store_password(config.account, "pw-1")
    assert "keyring" in note or "memory" in note
    assert get_team_store_password(config.account) == "pw-1" == resolve_password(config)
    delete_team_store_password(config.account)
    assert get_team_store_password(config.account) is None


@pytest.mark.parametrize("since, until, problem", [
    (1767225600.0, 1767398400.0, ""), (None, None, ""), (1767225600.0 + 300, None, "--since"),
    (None, 1767398400.0 - 1, "--until")])
def test_store_reviews_take_whole_utc_days(since, until, problem):
    if problem:
        with pytest.raises(TeamStoreError, match=f"give {problem} as a date"):
            day_range(since, until)
    else:
        assert day_range(since, until) == ((None if since is None else 20454), (None if until is None else 20456))


def _message(maker: RowMaker, text: str | None = "Hello, I am Dana") -> dict:
    columns = list(COLUMNS["messages"]) + ["extra"]
    values = {"chat_id": "c1", "message_id": 7, "sender": "customer", "length": 16, "frustration": 0.4,
              "response_seconds": None, "suggestion_id": None, "text": text, "extra": '{"is_question": true}'}
    row = maker.event_row("messages", "0" * 32, (5, 1767225600.5, *(values[c] for c in columns)))
    return dict(zip(EVENT_ROW, row))


def test_rows_follow_the_local_logs_privacy_rule():
    closed = _message(RowMaker("ann", allow_text=False))
    assert closed["text"] is None and json.loads(closed["extra"]) == {"is_question": True}
    assert closed["agent"] == "ann" and closed["source"] == "messages" and closed["row_id"] == 5
    assert _message(RowMaker("ann", allow_text=True))["text"] == "Hello, I am Dana"
    trigger = "threatens to leave: 'I am done with you'"
    escalation = RowMaker("ann", False).event_row("escalations", "0" * 32, (1, 2.0, "c1", "emotional", "threat",
                                                                            trigger, 3, None))
    assert dict(zip(EVENT_ROW, escalation))["trigger"] == "threatens to leave: '…'"
    chat = RowMaker("ann", False).chat_row("0" * 32, (1, 2.0, "c1", "Dana Secret", "s", 1, None, None, None, None))
    assert "Dana Secret" not in chat and RowMaker("ann", True).chat_row("0" * 32, (1, 2.0, "c1", "Dana", "s", 1, None,
                                                                                  None, None, None))[5] == "Dana"
    generic = RowMaker("ann", False).event_row("events", "0" * 32, (9, 3.0, "odd", '{"text": "words", "n": 1}', None))
    assert json.loads(dict(zip(EVENT_ROW, generic))["fields"]) == {"n": 1}


def test_status_words_say_how_far_behind_and_why():
    assert SyncStatus(False).text() == ""
    assert SyncStatus(True).text() == "team store: not synced yet"
    assert SyncStatus(True, None, 100.0, 100.0).text() == "team store: up to date"
    behind = SyncStatus(True, 1000.0, 900.0, 1200.0, "cannot reach the team store at h:5432/c (connection refused)",
                        "unreachable")
    assert behind.text(now=1000.0 + 3 * 3600 + 59) == (
        "team store: 3 h behind · cannot reach the team store at h:5432/c (connection refused)")
    assert behind.to_dict(now=1060.0)["behind_seconds"] == 60.0 and not behind.up_to_date
    assert [duration(s) for s in (5, 60, 3599, 3600, 47 * 3600, 3 * 86400)] == [
        "under a minute", "1 min", "59 min", "1 h", "47 h", "3 days"]


def test_connection_failures_are_explained_without_libpq_internals():
    def explain(text: str) -> TeamStoreError:
        return connect_error(RuntimeError(text), "db:5432/team", "ann", "require")

    assert explain('connection failed: FATAL:  password authentication failed for user "ann"').kind == "auth"
    assert str(explain("connection to server at ... failed: Connection refused")) == (
        "cannot reach the team store at db:5432/team (connection refused)")
    assert explain("server does not support SSL, but SSL was required").kind == "tls"
    assert explain("timeout expired").kind == "unreachable"
    odd = explain("something new\nand strange")
    assert odd.kind == "unreachable" and str(odd).endswith("and strange")
