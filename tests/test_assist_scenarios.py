"""The default engine on the simulator's scenario openings (written by someone else, never trained on).

A floor, not a target: it catches a retrained default model or an edited taxonomy that no longer
fits the chats the app actually shows.
"""
import tomllib

import pytest

from copilot.assist.engine import Conversation, Turn
from copilot.assist.offline import OfflineEngine
from copilot.core.chat import Sender
from copilot.paths import resource

SCENARIOS = sorted(resource("scenarios").glob("*.toml"))


@pytest.mark.skipif(len(SCENARIOS) < 10, reason="simulator scenarios not present")
def test_default_engine_diagnoses_scenario_openings():
    engine = OfflineEngine.load_default()
    right, wrong_confident = 0, []
    for path in SCENARIOS:
        scenario = tomllib.loads(path.read_text(encoding="utf-8"))
        opening = scenario["opening"] if isinstance(scenario["opening"], list) else [scenario["opening"]]
        turns = tuple(Turn(Sender.CUSTOMER, text, float(i)) for i, text in enumerate(opening))
        d = engine.diagnose(Conversation("c", "", turns, 1))
        expected = scenario["issue"] if scenario["issue"] in engine.playbooks else "oos"
        predicted = "oos" if d.abstained else d.best.category
        right += predicted == expected
        if predicted != expected and not d.abstained:
            wrong_confident.append(path.name)
    assert right / len(SCENARIOS) >= 0.85, f"{right}/{len(SCENARIOS)}"
    assert len(wrong_confident) <= len(SCENARIOS) * 0.1, wrong_confident
