"""Effort after an escalation: in memory from a chat's messages, and in SQL from the usage log,
with hand-built chats whose answers are known. Both must agree."""
from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from copilot.assist.escalation import agent_message_flags, escalation_effort, unanswered_for
from copilot.assist.escalation.effort import is_question, offers_solution
from copilot.core.chat import Message, Sender
from copilot.usage import UsageLog
from copilot.usage.escalation_effort import effort_by_type, read_effort
from copilot.usage.schema import migrate

C, A, S = Sender.CUSTOMER, Sender.AGENT, Sender.SYSTEM

# Escalates at t=20 (the customer's second message). Known answers: intervened after 30 s, two agent
# messages and two customer messages after it (share 0.5), one question, one offered solution.
CHAT = [
    (0.0, C, "where is my parcel"),
    (10.0, A, "Could I have the order number?"),
    (20.0, C, "ORD-1. This is ridiculous, I'll post it on Twitter"),
    (50.0, A, "I'm so sorry. Could you confirm the delivery postcode?"),
    (60.0, C, "M1 1AA"),
    (70.0, A, "I've issued a full refund and I'm sending a replacement today."),
    (75.0, S, "Not delivered: the customer had already left."),
    (80.0, C, "ok thanks"),
]


def messages(rows=CHAT, chat_id="c1"):
    return [Message(chat_id, sender, text, ts) for ts, sender, text in rows]


@pytest.mark.parametrize("text,question,solution", [
    ("Could I have the order number?", True, False),
    ("What colour would you like instead", True, False),
    ("Please confirm the address and I'll update it.", True, False),
    ("I've issued a full refund of $40.", False, True),
    ("I'll send you a replacement today. Is that ok?", True, True),
    ("We can offer a 10% voucher for the trouble.", False, True),
    ("Let me open a trace with the carrier.", False, True),
    ("Your refund was issued on the 3rd.", False, False),  # a fact about a refund, not an offer
    ("Thanks for waiting.", False, False),
])
def test_questions_and_offered_solutions_are_recognised(text, question, solution):
    assert (is_question(text), offers_solution(text)) == (question, solution)
    assert agent_message_flags(text) == {"is_question": question, "offers_solution": solution}


def test_effort_after_an_escalation_from_the_messages():
    effort = escalation_effort(messages(), escalated_at=20.0)
    assert effort.seconds_to_intervene == 30.0
    assert (effort.agent_messages, effort.customer_messages, effort.agent_share) == (2, 2, 0.5)
    assert (effort.questions, effort.solutions) == (1, 1)


def test_effort_when_the_agent_never_steps_in_or_the_chat_ends_there():
    silent = escalation_effort(messages(CHAT[:3] + [(90.0, C, "hello??")]), escalated_at=20.0)
    assert silent.seconds_to_intervene is None and silent.agent_messages == 0 and silent.agent_share == 0.0
    nothing = escalation_effort(messages(CHAT[:3]), escalated_at=20.0)
    assert nothing.agent_share is None and nothing.customer_messages == 0


def test_how_long_an_escalation_has_waited_for_the_agent():
    chat = messages(CHAT[:3])
    assert unanswered_for(chat, 20.0, now=85.0) == 65.0  # over the 60 s alert limit
    assert unanswered_for(messages(CHAT[:4]), 20.0, now=85.0) is None  # the agent wrote at t=50


def record_chat(log, chat_id, rows, escalation_at, kind, flags=True, t0=1000.0):
    """Records as the workspace sends them, plus the flags the workspace is asked to add."""
    log.record("chat_opened", t0 + rows[0][0], chat_id=chat_id, customer="X", scenario_id="", concurrent=1)
    for n, (ts, sender, text) in enumerate(rows):
        if sender is S:
            continue
        extra = agent_message_flags(text) if sender is A and flags else {}
        log.record("message", t0 + ts, chat_id=chat_id, message_id=n, sender=sender.value, length=len(text), **extra)
    log.record("escalation", t0 + escalation_at, chat_id=chat_id, type=kind, reason="threat",
               trigger="threatens to go to social media: 'I'll post it on Twitter'", message_id=2)


@pytest.fixture
def usage(tmp_path):
    log = UsageLog.open(tmp_path / "usage.sqlite", agent="ann", app_version="0.1.0", engine="offline", started_at=900.0)
    yield log
    log.close()


def test_sql_gives_the_same_effort_as_the_messages(usage):
    record_chat(usage, "c1", CHAT, 20.0, "emotional")
    record_chat(usage, "c2", CHAT[:3] + [(200.0, A, "Sorry! Could you tell me what happened?")], 20.0, "technical")
    assert usage.flush()
    conn = sqlite3.connect(usage.path)
    first, second = read_effort(conn)
    expected = escalation_effort(messages(), 20.0)
    assert (first.chat_id, first.type, first.escalated_at, first.agent) == ("c1", "emotional", 1020.0, "ann")
    assert (first.seconds_to_intervene, first.agent_messages, first.customer_messages, first.agent_share,
            first.questions, first.solutions) == (expected.seconds_to_intervene, expected.agent_messages,
                                                  expected.customer_messages, expected.agent_share,
                                                  expected.questions, expected.solutions)
    assert first.trigger.startswith("threatens to go to social media")
    assert (second.seconds_to_intervene, second.agent_messages, second.questions, second.solutions) == (180.0, 1, 1, 0)
    by_type = effort_by_type([first, second])
    assert by_type["emotional"].median_seconds_to_intervene == 30.0 and by_type["emotional"].within_60s == 1.0
    assert by_type["technical"].within_60s == 0.0 and by_type["technical"].mean_questions == 1.0
    assert read_effort(conn, agent="bob") == [] and len(read_effort(conn, since=1000.0, until=1021.0)) == 2
    assert read_effort(conn, session_id=usage.session_id + 1) == []
    row = Database(conn)["escalations"].get(1)
    assert (row["chat_id"], row["type"], row["reason"], row["message_id"], row["extra"]) == (
        "c1", "emotional", "threat", 2, None)
    assert Database(conn)["events"].count == 0  # escalations have their own table


def test_effort_says_unknown_when_agent_messages_carry_no_flags(usage):
    record_chat(usage, "c1", CHAT, 20.0, "emotional", flags=False)
    assert usage.flush()
    (row,) = read_effort(sqlite3.connect(usage.path))
    assert row.agent_messages == 2 and row.questions is None and row.solutions is None
    assert effort_by_type([row])["emotional"].mean_questions is None


def test_a_log_from_before_escalations_reads_as_none(tmp_path):
    db = Database(tmp_path / "old.sqlite")
    migrate(db, target=2)
    assert "escalations" not in db.table_names()
    assert read_effort(db.conn) == [] and effort_by_type([]) == {}
    migrate(db)
    assert "escalations" in db.table_names()
