"""The offline engine end to end on the shipped default model and playbooks."""
import subprocess
import sys

import pytest

from copilot.assist.engine import Conversation, Turn
from copilot.assist.offline import OfflineEngine
from copilot.core.chat import Sender


@pytest.fixture(scope="module")
def engine():
    return OfflineEngine.load_default()


def conv(*turns, name="Maria Lopez"):
    """Alternating customer/agent turns, customer first."""
    senders = [Sender.CUSTOMER, Sender.AGENT]
    return Conversation("c1", name, tuple(Turn(senders[i % 2], t, float(i)) for i, t in enumerate(turns)), 1)


def test_load_default_keeps_heavy_libraries_out():
    """Loading the engine must not pull in scipy or scikit-learn (seconds of import; bench/ measures speed)."""
    code = ("import sys; from copilot.assist.offline import OfflineEngine; OfflineEngine.load_default(); "
            "print(sorted(m for m in ('scipy', 'sklearn', 'torch', 'wordllama') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("text, category", [
    ("Hi, my parcel was supposed to arrive on Monday and it's still not here", "late_delivery"),
    ("I was charged twice for the same order", "charged_twice"),
    ("the mug arrived smashed to pieces", "damaged_item"),
    ("tracking says delivered but there is nothing at my door", "delivery_not_received"),
    ("how do I cancel my monthly subscription?", "subscription_cancel"),
])
def test_diagnoses_clear_openings(engine, text, category):
    d = engine.diagnose(conv(text))
    assert not d.abstained
    assert d.best.category == category
    assert len(d.top) == 3 and d.top[0].confidence >= d.top[1].confidence >= d.top[2].confidence
    assert d.steps and d.best.label


def test_out_of_scope_abstains_and_gets_no_draft(engine):
    c = conv("what's the weather like in Paris today?")
    d = engine.diagnose(c)
    assert d.abstained and d.label == ""
    assert engine.draft(c, d) is None


def test_draft_asks_for_missing_order_number_first(engine):
    c = conv("my order is two weeks late!")
    d = engine.diagnose(c)
    assert "your order number" in d.missing
    draft = engine.draft(c, d)
    assert "order number" in draft.text and "Maria" in draft.text


def test_follow_up_fills_the_slot_and_keeps_the_diagnosis(engine):
    c = conv("my order is two weeks late!", "Sorry! What's your order number?", "it's #48213")
    d = engine.diagnose(c)
    assert d.best.category == "late_delivery" and not d.missing
    assert "48213" in engine.draft(c, d).text


def test_draft_never_contains_unfilled_slots(engine):
    c = conv("I need a VAT invoice for order 12345")  # no e-mail given
    d = engine.diagnose(c)
    text = engine.draft(c, d).text
    assert "{" not in text and "e-mail" in text
