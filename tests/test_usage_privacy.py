"""Customer words reach the usage log only when the team opted in, and then redacted."""
from __future__ import annotations

import sqlite3

from copilot.assist.escalation import EscalationTracker
from copilot.assist.redaction import redact
from copilot.core.clock import ManualClock
from copilot.core.events import ChatOpened, CustomerMessage
from copilot.core.workspace import Workspace
from copilot.usage.log import UsageLog
from tests.fakes import ScriptedSource

ANGRY = "This is ridiculous! Email me at ana@example.com or I'm cancelling my account and leaving a review."


def shift(path, store_text: bool) -> sqlite3.Connection:
    log = UsageLog.open(path, agent="ana", app_version="t", engine="offline", store_text=store_text,
                        redact=redact if store_text else None)
    clock = ManualClock()
    ws = Workspace(source=ScriptedSource(), clock=clock, recorder=log, escalations=EscalationTracker())
    ws.apply(ChatOpened("c1", "Ana", clock.now()))
    ws.apply(CustomerMessage("c1", ANGRY, clock.now()))
    ws.send("c1", "I'm sorry, Ana. I'll sort this out now.")
    log.close()
    return sqlite3.connect(path)


def test_by_default_no_customer_words_are_stored(tmp_path):
    db = shift(tmp_path / "u.sqlite", store_text=False)
    assert db.execute("SELECT count(*) FROM messages WHERE text IS NOT NULL").fetchone()[0] == 0
    trigger = db.execute("SELECT trigger FROM escalations").fetchone()[0]
    assert "ridiculous" not in trigger and "cancelling" not in trigger and "'…'" in trigger
    dump = "\n".join(db.iterdump())
    assert "ana@example.com" not in dump and "ridiculous" not in dump


def test_opted_in_text_is_stored_redacted(tmp_path):
    db = shift(tmp_path / "u.sqlite", store_text=True)
    texts = [row[0] for row in db.execute("SELECT text FROM messages ORDER BY id")]
    assert any("ridiculous" in t for t in texts)
    assert not any("ana@example.com" in t for t in texts)
