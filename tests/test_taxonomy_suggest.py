"""`copilot taxonomy suggest`: unmatched messages from real usage logs, grouped into proposals."""
from __future__ import annotations

import json

import pytest

from copilot.__main__ import main
from copilot.assist.taxonomy import propose
from copilot.assist.unmatched import Unmatched
from copilot.usage import UsageLog

T0 = 1_767_225_600.0
GIFT = ["can you gift wrap my order", "do you do gift wrapping for presents", "is gift wrapping available for this order",
        "I'd like it gift wrapped with a card please"]
POINTS = ["how many loyalty points do I have", "my loyalty points didn't show up after my purchase",
          "can I use my loyalty points on this order", "where do I see my loyalty points balance"]
ONE_OFF = ["what's the weather like in Lisbon", "who designed your logo"]


def write_log(path, rows, store_text=True):
    """rows: (text, abstained, reason). One chat per row, each answered by one suggestion."""
    log = UsageLog.open(path, agent="ann", app_version="test", engine="offline", started_at=T0, store_text=store_text)
    for i, (text, abstained, reason) in enumerate(rows, 1):
        t = T0 + 10 * i
        log.record("chat_opened", t, chat_id=f"c{i}", customer="Ann", scenario_id="s", concurrent=1)
        log.record("message", t + 1, chat_id=f"c{i}", message_id=i, sender="customer", length=len(text),
                   frustration=0.1, text=text)
        log.record("suggestion_shown", t + 2, chat_id=f"c{i}", suggestion_id=i, message_id=i, engine="offline",
                   category="promo_code" if "points" in text else "change_order", confidence=0.3,
                   abstained=abstained, draft_length=0 if abstained else 50, draft_hash="")
        log.record("decision", t + 3, chat_id=f"c{i}", suggestion_id=i, kind="rejected" if reason else "ignored",
                   seconds_to_decide=1.0, edit_distance=0.0, reason=reason, sent_length=0,
                   seconds_to_first_keystroke=None)
    log.record("message", T0 + 999, chat_id="c1", message_id=999, sender="customer", length=5, frustration=0.0,
               text="where is my order")  # answered by no unmatched suggestion: not counted
    log.close(ended_at=T0 + 1000)
    return path


@pytest.fixture
def team_log(tmp_path):
    rows = ([(t, True, "") for t in GIFT] + [(t, False, "Wrong diagnosis") for t in POINTS[:2]]
            + [(t, True, "") for t in POINTS[2:]] + [(t, True, "") for t in ONE_OFF]
            + [("tracking says delivered but no parcel", False, "Wrong tone")])  # rejected for another reason
    return write_log(tmp_path / "team.sqlite", rows)


def test_groups_unmatched_messages_into_named_proposals(team_log, capsys):
    assert main(["taxonomy", "suggest", "--logs", str(team_log), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["messages"] == 10 and out["logs"][0]["with_text"] == 10
    groups = {frozenset(p["examples"]): p for p in out["proposals"]}
    assert frozenset(GIFT) in groups and frozenset(POINTS) in groups, out["proposals"]
    points = groups[frozenset(POINTS)]
    assert "loyalty" in points["words"] and points["wrong_diagnosis"] == 2 and points["abstained"] == 2
    assert points["nearest_categories"][0] == {"category": "promo_code", "messages": 4}
    assert out["grouped"] == 8  # the two one-offs are left out, not forced into a group


def test_plain_text_report_and_a_log_without_text(team_log, tmp_path, capsys):
    silent = write_log(tmp_path / "silent.sqlite", [(t, True, "") for t in GIFT], store_text=False)
    assert main(["taxonomy", "suggest", "--logs", str(team_log), str(silent)]) == 0
    out = capsys.readouterr().out
    assert "silent.sqlite: 4 unmatched messages, but the log keeps no message text" in out
    assert "2 proposed categories from 10 messages" in out and "- can you gift wrap my order" in out


def test_only_logs_without_text_say_there_is_nothing_to_group(tmp_path, capsys):
    silent = write_log(tmp_path / "silent.sqlite", [(t, True, "") for t in GIFT], store_text=False)
    assert main(["taxonomy", "suggest", "--logs", str(silent)]) == 0
    assert "No message text to group" in capsys.readouterr().out


@pytest.mark.parametrize("args, expected", [
    (["--logs", "nowhere.sqlite"], "no file or folder"),
    (["--logs", "LOG", "--min-group", "1"], "--min-group"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, expected, team_log):
    args = [str(team_log) if a == "LOG" else a for a in args]
    assert main(["taxonomy", "suggest", *args]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1


def test_not_a_usage_log_is_refused(tmp_path, capsys):
    other = tmp_path / "notes.sqlite"
    other.write_bytes(b"this is not sqlite")
    assert main(["taxonomy", "suggest", "--logs", str(other)]) == 2
    assert "copilot taxonomy: error:" in capsys.readouterr().err


def test_propose_needs_enough_similar_messages():
    msgs = [Unmatched(t, "abstained", "", "x") for t in GIFT[:2] + ONE_OFF]
    assert propose(msgs) == []
    assert [g.size for g in propose(msgs, min_group=2)] == [2]
