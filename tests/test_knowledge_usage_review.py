"""The usage log records which knowledge items were shown, inserted, sent and cited (ids only, in
`events`), and the review shows which ones help."""
from __future__ import annotations

import json
import shutil
import sqlite3

from copilot.core.recorder import MemoryRecorder
from copilot.core.suggestion import Citation
from copilot.knowledge.usage import KnowledgeUsage
from copilot.review import review_dict, review_logs, write_html
from copilot.review.knowledge_use import knowledge_use
from tests.usage_log_builders import T0, open_log


def write_log(path):
    log = open_log(path, "ann", T0)
    clock = iter(T0 + i for i in range(1, 100))
    usage = KnowledgeUsage(log, clock=lambda: next(clock))
    log.record("chat_opened", T0 + 1, chat_id="c1", customer="Ann", scenario_id="s", concurrent=1)
    log.record("chat_opened", T0 + 1, chat_id="c2", customer="Bo", scenario_id="s", concurrent=2)
    usage.shown("c1", ["csv:late-trace", "sample:late-deliveries"], "top_for")
    usage.inserted("c1", "csv:late-trace", ready=True)
    assert usage.sent("c1", "csv:late-trace", "Sorry order 1 is late.", "Sorry order 1 is late.") == 0.0
    usage.shown("c2", ["csv:late-trace"], "search")
    usage.inserted("c2", "csv:late-trace", ready=False, missing=1)
    assert usage.sent("c2", "csv:late-trace", "Sorry order {{order_id}} is late.", "Totally different words here") > 0.5
    log.record("suggestion_shown", T0 + 30, chat_id="c2", suggestion_id=7, message_id=1, engine="offline",
               category="late_delivery", confidence=0.9, abstained=False, draft_length=50, draft_hash="h")
    usage.cited("c2", 7, [Citation("sample:late-deliveries", "When your order is late")])
    log.record("decision", T0 + 40, chat_id="c2", suggestion_id=7, kind="accepted", seconds_to_decide=9.0,
               edit_distance=0.0, reason="", sent_length=50, seconds_to_first_keystroke=None)
    log.record("chat_closed", T0 + 50, chat_id="c1", status="resolved", concurrent=1, duration=49.0)
    log.record("chat_closed", T0 + 60, chat_id="c2", status="closed", concurrent=0, duration=59.0)
    log.close(ended_at=T0 + 70)


def test_records_are_ids_only_and_land_in_events(tmp_path):
    memory = MemoryRecorder()
    KnowledgeUsage(memory, clock=lambda: 5.0).shown("c1", [], "search")  # nothing shown: nothing recorded
    KnowledgeUsage(memory, clock=lambda: 5.0).inserted("c1", "csv:x", ready=False, missing=2, unknown=1)
    assert memory.records == [("knowledge_inserted", 5.0, {"chat_id": "c1", "item_id": "csv:x", "ready": False,
                                                          "missing": 2, "unknown": 1})]
    path = tmp_path / "usage.sqlite"
    write_log(path)
    kinds = [r[0] for r in sqlite3.connect(path).execute("SELECT kind FROM events ORDER BY id")]
    assert kinds.count("knowledge_shown") == 2 and kinds.count("knowledge_sent") == 2 and "knowledge_cited" in kinds


def test_review_says_which_items_help_and_counts_a_copied_log_once(tmp_path):
    team = tmp_path / "team"
    team.mkdir()
    write_log(team / "ann.sqlite")
    shutil.copy(team / "ann.sqlite", team / "ann-copy.sqlite")
    rows = {r.item_id: r for r in knowledge_use(sorted(team.iterdir()))}
    reply, article = rows["csv:late-trace"], rows["sample:late-deliveries"]
    assert (reply.shown, reply.inserted, reply.sent, reply.sent_unedited, reply.chats, reply.chats_resolved) == \
        (2, 2, 2, 1, 2, 1)
    assert (article.shown, article.cited, article.sent, article.sent_unedited, article.chats,
            article.chats_resolved) == (1, 1, 1, 1, 1, 0)
    review = review_logs([team])
    data = review_dict(review)
    assert data["knowledge_items"][0]["item_id"] == "csv:late-trace"
    json.dumps(data)
    html = write_html(review, tmp_path / "r.html").read_text()
    assert "Saved replies and articles: which ones help" in html and "csv:late-trace" in html
