"""Wrap-up notes, translations and grounded drafts against the real llama server (SmolLM2-135M).
The tiny model writes poor summaries and translations: these tests check the plumbing and the
checks around it (delimited data, sources cited only from what was given, the offline note when the
model's JSON is unusable), not the quality."""
from __future__ import annotations

from pathlib import Path

import pytest

from copilot.assist.engine import Conversation, Turn
from copilot.assist.llm.config import LLMConfig
from copilot.assist.llm.engine import LLMEngine
from copilot.assist.llm.translate import translate_incoming, translate_outgoing
from copilot.assist.llm.wrapup import llm_note
from copilot.assist.offline import OfflineEngine
from copilot.core.chat import Sender
from copilot.knowledge.base import KnowledgeBase

pytestmark = pytest.mark.slow
SAMPLE = Path(__file__).parent.parent.parent / "resources" / "knowledge" / "sample"


@pytest.fixture(scope="module")
def offline():
    return OfflineEngine.load_default()


def engine(llama_server, offline, max_tokens=48) -> LLMEngine:
    config = LLMConfig(base_url=llama_server.base_url, model="smollm2", temperature=0.0, timeout=60.0,
                       max_tokens=max_tokens)
    return LLMEngine(config, offline.playbooks)


def chat(*turns: tuple[str, str]) -> Conversation:
    return Conversation("c1", "Ana Silva", tuple(Turn(Sender(s), t, float(i)) for i, (s, t) in enumerate(turns)),
                        len(turns))


def test_wrapup_note_from_the_real_server_is_checked_or_replaced(llama_server, offline):
    conversation = chat(("customer", "My parcel is late, order #48213."), ("agent", "I've opened a trace with the carrier."))
    note = llm_note(engine(llama_server, offline, 96), conversation, offline.diagnose(conversation), "resolved")
    assert note.issue and note.outcome.startswith("Resolved.")
    assert "Order number: 48213" in note.facts
    if note.engine == "offline":  # the tiny model rarely writes the JSON asked for
        assert note.notice.endswith("The offline note is shown instead.")
    else:
        assert note.engine == "llm:smollm2"
        chat_text = " ".join(t.text for t in conversation.turns)
        assert all(all(ch in chat_text for ch in fact if ch.isdigit()) for fact in note.facts)


def test_translations_through_the_real_server(llama_server, offline):
    llm = engine(llama_server, offline)
    incoming = translate_incoming(llm, "Hola, mi pedido no ha llegado todavía.")
    assert incoming.source == "es" and incoming.target == "en"
    assert incoming.text or incoming.notice  # a translation (checked) or the reason there is none
    assert isinstance(incoming.flags, tuple)
    outgoing = translate_outgoing(llm, "Your order 48213 will arrive in 3 days.", "es")
    assert outgoing.text or outgoing.notice
    if outgoing.text and "48213" not in outgoing.text:
        assert any("Numbers differ" in f for f in outgoing.flags)  # a mangled number never passes silently


def test_grounded_draft_cites_only_what_it_was_given(llama_server, offline, tmp_path):
    kb = KnowledgeBase.open(tmp_path / "k.sqlite")
    kb.import_paths([SAMPLE])
    llm = engine(llama_server, offline)
    llm.knowledge = kb
    conversation = chat(("customer", "When will I get my refund for order #48213? I returned it last week."))
    draft = llm.stream_draft(conversation, offline.diagnose(conversation))
    given = {c.item_id for c, _ in llm.sources(conversation, offline.diagnose(conversation))}
    assert draft is not None and {c.item_id for c in draft.citations} <= given
    assert "[1]" not in draft.text
