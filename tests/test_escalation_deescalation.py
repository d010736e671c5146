"""The de-escalation draft: apology, acknowledgement, a next step filled only from the chat; and
the checks on its TOML file."""
from __future__ import annotations

import pytest

from copilot.assist.engine import Conversation, Turn
from copilot.assist.escalation import EscalationTracker, deescalation_draft
from copilot.assist.escalation import deescalation
from copilot.core.chat import Message, Sender
from copilot.core.suggestion import CategoryScore, Diagnosis

C = Sender.CUSTOMER


def diag(category="late_delivery", confidence=0.9, abstained=False, missing=()):
    label = category.replace("_", " ").capitalize()
    return Diagnosis(top=(CategoryScore(category, label, confidence),), abstained=abstained, missing=tuple(missing))


def conversation(*texts, name="Grace Whitfield"):
    turns = tuple(Turn(C, t, float(i)) for i, t in enumerate(texts))
    return Conversation("c1", name, turns, message_id=99)


def test_deescalation_draft_apologises_acknowledges_and_fills_the_next_step_from_the_chat():
    tracker = EscalationTracker()
    msgs = [Message("c1", C, "Order ORD-6120458 is a week late. I'll leave a one-star review.", 100.0, frustration=0.5)]
    (esc,) = tracker.observe("c1", msgs)
    draft = deescalation_draft(conversation(msgs[0].text), diag("late_delivery"), esc)
    assert draft.text.startswith("I'm really sorry, Grace, we have let you down here. I understand why you're")
    assert "order ORD-6120458" in draft.text and draft.category == "late_delivery"


def test_deescalation_draft_asks_for_what_is_missing_and_never_invents_it():
    draft = deescalation_draft(conversation("my parcel is SO late, this is ridiculous"),
                               diag("late_delivery", missing=["your order number"]))
    assert draft.text.endswith("So I can find out from the carrier exactly where your parcel is straight away, "
                               "could you send me your order number?")
    assert "ORD" not in draft.text and "{" not in draft.text
    known = deescalation_draft(conversation("payment failed again!!"), diag("payment_declined"))
    assert "blocking your payment" in known.text


def test_deescalation_draft_without_a_diagnosis_or_a_name():
    draft = deescalation_draft(conversation("this is a joke", name="xx_99"), None)
    assert draft.text == ("I'm really sorry. I understand how frustrating this is. Tell me the one thing you most "
                          "need from us today, and I'll start on it straight away.")
    assert deescalation_draft(conversation("hm"), diag("late_delivery", 0.2, abstained=True)).category == ""


@pytest.mark.parametrize("data,message", [
    ({"apology": {"default": "x"}, "acknowledgement": {"default": "y"}}, "[next_step] is missing"),
    ({"apology": {"x": "x"}, "acknowledgement": {"default": "y"}, "next_step": {"default": "a", "known": "b"}},
     "[apology] must be a table"),
    ({"apology": {"default": "{order_id}"}, "acknowledgement": {"default": "y"},
      "next_step": {"default": "a", "known": "b"}}, "may only use ['customer_name']"),
    ({"apology": {"default": "x"}, "acknowledgement": {"default": "y"},
      "next_step": {"default": "a", "known": "b", "late_delivery": {"do": "{tracking}", "plain": "p"}}},
     "unknown slot(s) ['tracking']"),
    ({"apology": {"default": "x"}, "acknowledgement": {"default": "y"},
      "next_step": {"default": "a", "known": "b", "late_delivery": {"do": "d", "plain": "{order_id}"}}},
     "plain: may not use placeholders"),
    ({"apology": {"default": "x"}, "acknowledgement": {"default": "y"}, "next_step": {"default": "a", "known": "b"},
      "extra": {}}, "unknown part(s) ['extra']"),
])
def test_deescalation_file_mistakes_are_named(data, message):
    with pytest.raises(deescalation.DeescalationError) as raised:
        deescalation.parse(data)
    assert message in str(raised.value)


def test_the_shipped_deescalation_file_covers_every_playbook_category():
    from copilot.assist.offline import default_playbooks_dir
    from copilot.assist.playbooks import load_playbooks

    book = deescalation.load()
    assert set(book.steps) == set(load_playbooks(default_playbooks_dir()))
