"""Mixed messages: the customer's request next to a background story ("cancel my order, it's been
'processing' for 9 days"), and a request followed by nudges while waiting for the agent ("hello?",
"still waiting. this is taking forever"). The request should win, as the playbooks define it.

`tests/data/mixed_intent_messages.csv` is a held-out probe: never trained on, labelled as a
support lead would (the `why` column says why). The assertions are floors with some margin, not
exact outputs; the shipped models scored 78 % (with embeddings) and 69 % (n-grams only) before
the examples and engine changes made for them, 94 % and 97 % after.

Since the engine learned to abstain when unsure (issue 12), "the request wins" is judged on the
best category (shown as a hint when the engine abstains), and a confident wrong answer, the
failure that costs a wrong draft, is counted separately and kept rare.
"""
import tomllib
from pathlib import Path

import numpy as np
import pytest

from copilot.assist.dataset import load_examples
from copilot.assist.engine import Conversation, Turn
from copilot.assist.model import Row, mix
from copilot.assist.offline import OfflineEngine, default_model_dir, fallback_model_dir
from copilot.core.chat import Sender
from copilot.paths import resource
from copilot.sources.lines import IMPATIENT

PROBE = Path(__file__).parent / "data" / "mixed_intent_messages.csv"
SCENARIOS = sorted(resource("scenarios").glob("*.toml"))
FLOOR = 0.84  # 27 of 32; the models were at 25 and 22 before the fix


@pytest.fixture(scope="module", params=["default", "default-ngrams"])
def engine(request):
    return OfflineEngine.load(default_model_dir() if request.param == "default" else fallback_model_dir())


def customer(*texts):
    return Conversation("c", "", tuple(Turn(Sender.CUSTOMER, t, float(i)) for i, t in enumerate(texts)), 1)


def test_probe_is_not_in_the_training_examples():
    trained = {t.strip().lower() for t in load_examples(resource("training", "ecommerce.csv")).texts}
    probe = load_examples(PROBE, for_training=False)
    assert len(probe.texts) >= 30
    assert not trained & {t.strip().lower() for t in probe.texts}


def test_request_wins_over_background_in_one_message(engine):
    probe = load_examples(PROBE, for_training=False)
    right, wrong, confidently_wrong = 0, [], []
    for text, label in zip(probe.texts, probe.labels):
        d = engine.diagnose(customer(text))
        if d.best.category == label:
            right += 1
        else:
            wrong.append((text, label, d.best.category))
            if not d.abstained:
                confidently_wrong.append(wrong[-1])
    print(f"\nmixed messages, {engine.model.info.get('n')}-example model"
          f"{' (n-grams only)' if not engine.model.embeddings else ''}: {right} of {len(probe.texts)} right, "
          f"{len(confidently_wrong)} confidently wrong")
    assert right / len(probe.texts) >= FLOOR, f"{right}/{len(probe.texts)}; wrong: {wrong}"
    assert len(confidently_wrong) <= 2, confidently_wrong


@pytest.mark.skipif(len(SCENARIOS) < 10, reason="simulator scenarios not present")
def test_waiting_nudges_keep_the_diagnosis(engine):
    """Each scenario's opening, then its persona's nudges one by one (the simulator's lines, never
    trained on): a nudge about the agent being slow must not turn the chat into a late delivery.
    A nudge may make the engine less sure (abstain, the category kept as its hint), never wrong."""
    kept, changed = 0, []
    for path in SCENARIOS:
        scenario = tomllib.loads(path.read_text(encoding="utf-8"))
        opening = scenario["opening"] if isinstance(scenario["opening"], list) else [scenario["opening"]]
        d = engine.diagnose(customer(*opening))
        if not d.best or d.best.category != scenario["issue"]:
            continue  # only chats the engine got right to begin with
        nudges = scenario.get("impatient") or IMPATIENT[scenario.get("persona", {}).get("style", "polite")]
        for n in range(1, len(nudges) + 1):
            later = engine.diagnose(customer(*opening, *nudges[:n]))
            if later.best.category == scenario["issue"]:
                kept += 1
            else:
                changed.append((path.stem, n, "abstained" if later.abstained else later.best.category))
    total = kept + len(changed)
    print(f"\nnudges after a right opening{' (n-grams only)' if not engine.model.embeddings else ''}: "
          f"diagnosis kept {kept} of {total}")
    assert total >= 100
    assert kept / total >= 0.9, f"{kept}/{total}; changed: {changed}"


def test_evidence_skips_a_later_nudge():
    engine = OfflineEngine.load_default()
    d = engine.diagnose(customer("cancel my order. its been 'processing' for 9 days, i found it somewhere else",
                                 "hello?", "??", "still waiting. this is taking forever"))
    assert "cancel" in d.evidence
    assert not {"waiting", "forever", "taking"} & set(d.evidence)


def test_an_empty_newest_turn_does_not_erase_the_conversation():
    """A turn with no known n-grams ("??") has no length; the mix keeps the earlier turns' length."""
    earlier = Row(np.array([3, 7]), np.array([0.6, 0.8], np.float32), np.array([0.0, 2.0], np.float32))
    empty = Row(np.array([], np.int64), np.array([], np.float32), np.zeros(2, np.float32))
    mixed = mix([empty, earlier], [0.05, 0.6])
    assert np.linalg.norm(mixed.val) == pytest.approx(1.0)
    assert np.linalg.norm(mixed.dense) == pytest.approx(2.0)
    both = mix([earlier, empty], [1.0, 0.05])  # the usual case is unchanged
    assert np.allclose(both.val, earlier.val)
