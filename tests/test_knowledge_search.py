"""Searching the knowledge index, the best items for a chat, and saved replies filled from the chat."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from copilot.assist.engine import Conversation, Turn
from copilot.core.chat import Sender
from copilot.core.suggestion import CategoryScore, Diagnosis
from copilot.knowledge import placeholders
from copilot.knowledge.base import KnowledgeBase
from copilot.knowledge.search import fts_query
from tests.knowledge_fixtures import SAMPLE, kb  # noqa: F401 - kb is a fixture


def chat(*turns: tuple[str, str], name: str = "Maria Lopez") -> Conversation:
    return Conversation("c1", name, tuple(Turn(Sender(s), t, float(i)) for i, (s, t) in enumerate(turns)), len(turns))


def test_search_as_you_type_matches_the_word_being_typed(kb):
    assert fts_query("refund pay") == '"refund" OR "pay"*'
    assert fts_query("refund pay ") == '"refund" OR "pay"'
    ids = [h.id for h in kb.search("gift car", limit=3)]
    assert ids[0] == "sample:gift-cards"
    hit = kb.search("customs duties ", limit=1)[0]
    assert hit.id == "sample:international-shipping" and "Customs duties" in hit.snippet
    assert hit.terms == ("customs", "duties") and "<" not in hit.snippet


def test_paraphrase_is_found_through_the_vectors(kb):
    query = "the gadget is dead and won't power up "
    defective = {"sample:defective-products", "csv:defective-steps"}
    lexical = set(kb.store.ids_of(kb.searcher.lexical(query)[:3]))
    assert not defective & lexical  # none of its words says "defective" to the full-text index...
    assert defective & {h.id for h in kb.search(query, limit=3)}  # ...the vectors do


def test_kind_filter_and_odd_queries(kb):
    assert {h.kind for h in kb.search("refund ", kind="reply")} == {"reply"}
    assert {h.kind for h in kb.search("refund ", kind="article")} == {"article"}
    for odd in ('"', "AND (", "NEAR(", "*", "---", "' OR 1=1 --", "\x00", "", "   ", "é" * 5000):
        kb.search(odd)  # never raises: FTS5 syntax in a query is just text


def test_top_for_uses_the_chat_and_the_diagnosis(kb):
    conversation = chat(("customer", "Hi, I got my parcel today"), ("agent", "Hello! How can I help?"),
                        ("customer", "the mug inside is broken in pieces"))
    hits = kb.top_for(conversation)
    assert len(hits) == 3
    assert {"sample:damaged-items", "csv:damaged-photos"} & {h.id for h in hits[:2]}
    diagnosis = Diagnosis(top=(CategoryScore("wrong_item", "Wrong item received", 0.9),), abstained=False)
    boosted = kb.top_for(chat(("customer", "this is not what I ordered, it's a different thing")), diagnosis)
    assert boosted[0].id in ("sample:wrong-item", "csv:wrong-item")
    assert kb.top_for(chat(("agent", "Hello?"))) == []


def test_saved_reply_is_filled_from_the_chat_and_unknowns_are_listed(kb):
    conversation = chat(("customer", "Hi, order #A-20931 hasn't moved in days, email me at maria@example.com"))
    filled = kb.fill(kb.get("csv:late-trace"), conversation, agent_name="Sam Reed")
    assert filled.ready and filled.text.startswith("I'm sorry your order A-20931 is late, Maria.")
    address = kb.fill(kb.get("csv:address-changed"), conversation)
    assert not address.ready and address.missing == ("the address",)
    assert "{{address}}" in address.text and "maria@example.com" in address.text
    assert address.problems == ["Fill in the address (not in this chat yet)."]


def test_placeholders_known_unknown_defaults_and_playbook_style():
    text = ("Hi {{ contact.first_name | default: 'there' }}, order {order_id} / {{ticket.id}} for {{contact.name}}; "
            "{{dc.promo_text}} {{ ticket.requester.email }} {not_a_slot}")
    found = {p.name: p.key for p in placeholders.find(text)}
    assert found["contact.first_name"] == "customer_first_name" and found["order_id"] == "order_id"
    assert found["dc.promo_text"] is None and "not_a_slot" not in found
    filled = placeholders.fill(text, {"order_id": "123"})
    assert filled.text.startswith("Hi there, order 123 / {{ticket.id}} for;")
    assert filled.missing == ("the conversation number", "the customer's e-mail")
    assert filled.unknown == ("dc.promo_text",) and not filled.ready
    assert filled.text.endswith("{not_a_slot}")


def test_playbook_slot_names_are_all_known():
    from copilot.assist.playbooks import _SLOT_NAMES

    assert set(placeholders.PLAYBOOK_SLOTS) == set(_SLOT_NAMES)
    assert all(placeholders.KEY_FOR.get(slot) for slot in _SLOT_NAMES)


def test_search_while_an_import_writes(tmp_path):
    base = KnowledgeBase.open(tmp_path / "k.sqlite")
    base.import_paths([SAMPLE])
    errors = []

    def searching():
        try:
            for _ in range(50):
                base.search("refund card ")
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    worker = threading.Thread(target=searching)
    worker.start()
    base.import_paths([SAMPLE / "help"])
    worker.join()
    assert not errors


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "copilot", "knowledge", *args], capture_output=True, text=True,
                          timeout=120, env={**__import__("os").environ, "COPILOT_DATA_DIR": str(data_dir)})


def test_cli_import_and_search(tmp_path):
    done = run_cli("import", str(SAMPLE), "--json", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["taken"] == 47 and report["index"] == str(tmp_path / "knowledge.sqlite")
    again = run_cli("import", str(SAMPLE), data_dir=tmp_path)
    assert again.returncode == 0 and "0 new, 0 updated, 47 unchanged" in again.stdout
    found = run_cli("search", "where is my refund", "--json", "--limit", "2", data_dir=tmp_path)
    hits = json.loads(found.stdout)
    assert len(hits) == 2 and {"sample:refund-timing", "csv:refund-when"} & {h["id"] for h in hits}
    bad = run_cli("import", str(tmp_path / "missing"), data_dir=tmp_path)
    assert bad.returncode == 2 and "nothing could be imported" in bad.stderr and "no such file or folder" in bad.stdout
    assert run_cli("search", "x", "--limit", "0", data_dir=tmp_path).returncode == 2
