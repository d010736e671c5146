"""Diagnosis: abstention, and multi-turn updates (the conversation so far, not the last message)."""
import dataclasses

import pytest

from copilot.assist.engine import Conversation, Turn
from copilot.assist.model import TextModel
from copilot.assist.offline import OfflineEngine
from copilot.core.chat import Sender


@pytest.fixture(scope="module")
def engine():
    return OfflineEngine.load_default()


def conv(*turns):
    """(sender, text) pairs, or plain strings for customer turns."""
    out = []
    for i, t in enumerate(turns):
        sender, text = t if isinstance(t, tuple) else (Sender.CUSTOMER, t)
        out.append(Turn(sender, text, float(i)))
    return Conversation("c1", "Sam Reed", tuple(out), len(out))


A = Sender.AGENT


@pytest.mark.parametrize("text", ["what's the capital of France?", "tell me a joke", "asdf qwerty", "hi"])
def test_out_of_scope_abstains(engine, text):
    assert engine.diagnose(conv(text)).abstained


def test_no_customer_text_abstains_with_nothing_to_show(engine):
    d = engine.diagnose(conv((A, "Hello, how can I help?")))
    assert d.abstained and d.top == ()


def test_threshold_controls_abstention(engine):
    text = "I was charged twice for my order"
    assert not engine.diagnose(conv(text)).abstained
    strict = OfflineEngine(dataclasses.replace(engine.model, threshold=1.01), engine.playbooks)
    d = strict.diagnose(conv(text))
    assert d.abstained and d.top[0].category == "charged_twice"  # still offered as a hint
    assert strict.draft(conv(text), d) is None


def test_answer_to_a_question_keeps_the_diagnosis(engine):
    alone = engine.diagnose(conv("it's #48213"))
    assert alone.abstained or alone.best.category != "late_delivery"
    d = engine.diagnose(conv("my parcel is a week late", (A, "Sorry! What's the order number?"), "it's #48213"))
    assert d.best.category == "late_delivery" and not d.abstained
    assert d.missing == ()  # the order number was given in a later turn


def test_diagnosis_follows_a_change_of_topic(engine):
    first = conv("my parcel is a week late")
    assert engine.diagnose(first).best.category == "late_delivery"
    later = conv("my parcel is a week late", (A, "I'm checking"), "ok it came. but I also need a VAT invoice for it",
                 "can you send the invoice to my email?")
    assert engine.diagnose(later).best.category == "invoice_request"


def test_agent_turns_do_not_steer_the_diagnosis(engine):
    base = engine.diagnose(conv("my parcel is a week late"))
    noisy = engine.diagnose(conv("my parcel is a week late", (A, "Do you want a refund or to cancel the order?")))
    assert noisy.best == base.best


def test_evidence_words_come_from_the_customer_text(engine):
    text = "the glass vase arrived smashed and cracked"
    d = engine.diagnose(conv(text))
    assert d.evidence and all(word in text.lower() for word in d.evidence)


def test_unknown_category_without_playbook_gets_no_draft():
    texts = ["where is my parcel", "parcel not here yet", "track my parcel",
             "gift wrap please", "can you gift wrap it", "add gift wrapping"] * 3
    labels = ["order_status"] * 3 + ["gift_wrap"] * 3
    model = TextModel.train(texts, labels * 3, dev_fraction=0.0)
    engine = OfflineEngine(model, {})
    c = conv("can you gift wrap my order")
    d = engine.diagnose(c)
    assert d.best.category == "gift_wrap" and d.best.label == "Gift wrap" and d.steps == ()
    assert engine.draft(c, d) is None
