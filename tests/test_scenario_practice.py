"""The scenario format's practice fields: read, derived when missing, checked with clear errors;
several correct resolutions; the playbook-wide forbidden promises file. No Qt."""
from __future__ import annotations

from pathlib import Path

import pytest

from copilot.core.clock import ManualClock
from copilot.practice.promises import PromisesError, load_promises, promises_for
from copilot.sources import Simulator, SimulatorConfig, default_scenarios_dir, load_scenarios
from copilot.sources import scenario_practice
from copilot.sources.scenario import DIFFICULTIES

from tests.test_scenarios import VALID, _write


@pytest.fixture(scope="module")
def shipped():
    scenarios, problems = load_scenarios()
    assert problems == []
    return scenarios


def test_shipped_scenarios_state_a_difficulty_and_mix_all_three(shipped):
    for scenario in shipped:
        spec = scenario.expectations
        assert "difficulty" in spec.stated, scenario.id
        assert spec.difficulty in DIFFICULTIES and 20 <= spec.target_seconds <= 1800
    counts = {d: sum(s.expectations.difficulty == d for s in shipped) for d in DIFFICULTIES}
    assert counts["easy"] >= 10 and counts["medium"] >= 10 and counts["hard"] >= 5, counts


def test_no_correct_move_of_a_shipped_scenario_counts_as_a_forbidden_promise(shipped):
    """A scripted 'right' agent says the asks and the offers: none may be scored as a broken promise."""
    for scenario in shipped:
        promises = promises_for(scenario)
        moves = [scenario.fill(r.offer) for r in scenario.resolutions]
        moves += [scenario.fill(rule.ask) for rule in scenario.replies if rule.ask]
        for move in moves:
            broken = [p.name for p in promises if p.trigger.matches(move)]
            assert broken == [], f"{scenario.id}: {move!r} matches {broken}"


def test_forbidden_promises_file_loads_and_every_example_is_caught():
    promises = load_promises()
    assert len(promises) >= 8
    names = [p.promise.name for p in promises]
    assert len(set(names)) == len(names)
    for p in promises:
        assert p.promise.trigger.matches(p.promise.example), p.promise.name
        assert p.promise.why
    universal = [p for p in promises if not p.issues]
    assert universal and all(p.applies_to("order_status") for p in universal)


def test_a_file_without_practice_gets_derived_defaults(tmp_path):
    """Scenario files written in the older format (e.g. for new categories) still load."""
    _write(tmp_path, "plain.toml", VALID.format(id="plain"))
    (scenario,), problems = load_scenarios(tmp_path)
    assert problems == []
    spec = scenario.expectations
    assert spec.stated == () and spec.also_right == () and spec.forbidden == ()
    assert spec.difficulty == "easy"  # polite, one fact, patience 60 (under 70): 1 point
    assert spec.target_seconds == scenario_practice.BASE_SECONDS + scenario_practice.SECONDS_PER_FACT
    assert scenario.resolutions == (scenario.resolution,)


def test_practice_fields_are_read(tmp_path):
    _write(tmp_path, "p.toml", VALID.format(id="p") + """
[practice]
difficulty = "hard"
target_seconds = 150
also_right = ["order_status"]

[[practice.forbidden]]
keywords = ["tomorrow"]
why = "No date is known yet."
example = "It arrives tomorrow."
""")
    (scenario,), problems = load_scenarios(tmp_path)
    assert problems == []
    spec = scenario.expectations
    assert (spec.difficulty, spec.target_seconds, spec.also_right) == ("hard", 150.0, ("order_status",))
    (promise,) = spec.forbidden
    assert promise.name == "p#1" and promise.why == "No date is known yet." and promise.trigger.matches("by TOMORROW")
    assert spec.stated == ("also_right", "difficulty", "forbidden", "target_seconds")
    assert promise in promises_for(scenario)


def test_several_correct_resolutions_are_each_accepted(tmp_path):
    two = VALID.format(id="two").replace("[resolution]", "[[resolution]]") + """
[[resolution]]
expected = "store_credit"
keywords = ["store credit"]
requires = ["order_id"]
offer = "I've added store credit instead."
"""
    _write(tmp_path, "two.toml", two)
    (scenario,), problems = load_scenarios(tmp_path)
    assert problems == []
    assert [r.expected for r in scenario.resolutions] == ["refund", "store_credit"]
    for offer, expected in (("I've issued a refund.", "refund"), ("I've added store credit instead.", "store_credit")):
        sim = Simulator([scenario], SimulatorConfig(seed=1, total_chats=1))
        clock = ManualClock(0.0)
        chat_id = sim.poll(clock.now())[0].chat_id
        sim.deliver(chat_id, offer, clock.advance(5))  # too early: no order number yet
        sim.deliver(chat_id, "What's your order number?", clock.advance(20))
        sim.poll(clock.advance(30))
        sim.deliver(chat_id, offer, clock.advance(5))
        outcome = sim.outcome(chat_id)
        assert outcome.resolved_correctly and outcome.resolved_with == expected
        assert outcome.first_offer_at == 5.0  # the early offer, not the accepted one
        assert dict(outcome.facts_collected_at)["order_id"] > outcome.first_offer_at


BROKEN = [
    ("difficulty", '[practice]\ndifficulty = "tough"\n', "[practice] difficulty 'tough' must be one of: easy, medium, hard"),
    ("target", '[practice]\ntarget_seconds = 5\n', "[practice] target_seconds must be a number of seconds from 20"),
    ("target_text", '[practice]\ntarget_seconds = "soon"\n', "target_seconds must be a number"),
    ("also_unknown", '[practice]\nalso_right = ["refunds"]\n', "also_right names 'refunds', which is not a known issue type"),
    ("also_own", '[practice]\nalso_right = ["refund_status"]\n', "the scenario's own issue"),
    ("typo", '[practice]\ndifficulty = "easy"\ndificulty = "easy"\n', "unknown field 'dificulty' in [practice]"),
    ("not_table", 'practice = "hard"\n', "'practice' must be a table"),
    ("no_why", '[[practice.forbidden]]\nkeywords = ["tomorrow"]\nexample = "By tomorrow."\n',
     "[[practice.forbidden]] number 1 is missing the required field 'why'"),
    ("example_mismatch", '[[practice.forbidden]]\nkeywords = ["tomorrow"]\nwhy = "x"\nexample = "Soon."\n',
     "example \"Soon.\" does not match its own keywords/patterns"),
    ("matches_offer", '[[practice.forbidden]]\nkeywords = ["refund"]\nwhy = "x"\nexample = "A refund."\n',
     "also matches the resolution offer"),
    ("forbidden_field", '[[practice.forbidden]]\nkeywords = ["x"]\nwhy = "x"\nexample = "x"\nsay = "x"\n',
     "unknown field 'say' in [[practice.forbidden]] number 1"),
]


@pytest.mark.parametrize("name,extra,expected", BROKEN, ids=[case[0] for case in BROKEN])
def test_a_broken_practice_table_is_reported_with_file_and_field(tmp_path, name, extra, expected):
    content = VALID.format(id=name)
    content = extra + content if extra.startswith("practice =") else content + "\n" + extra
    _write(tmp_path, f"{name}.toml", content)
    _write(tmp_path, "good.toml", VALID.format(id="good"))
    scenarios, problems = load_scenarios(tmp_path)
    assert [s.id for s in scenarios] == ["good"]
    (problem,) = problems
    assert problem.message.startswith(f"{name}.toml: ") and expected in problem.message, problem.message


def test_a_broken_resolution_array_names_its_number(tmp_path):
    content = VALID.format(id="r").replace("[resolution]", "[[resolution]]") + (
        '\n[[resolution]]\nexpected = "x"\nkeywords = ["credit"]\noffer = "Nothing."\n')
    _write(tmp_path, "r.toml", content)
    _, (problem,) = load_scenarios(tmp_path)
    assert "[[resolution]] number 2 offer \"Nothing.\" does not match" in problem.message


def test_a_broken_promises_file_names_the_entry(tmp_path):
    path = tmp_path / "promises.toml"
    path.write_text('[[promise]]\nid = "a"\nwhy = "w"\nkeywords = ["x"]\nexample = "x"\nissues = ["refunds"]\n')
    with pytest.raises(PromisesError, match=r"promises.toml: \[\[promise\]\] number 1 issues names 'refunds'"):
        load_promises(path)
    path.write_text("not toml = = \n")
    with pytest.raises(PromisesError, match="promises.toml: cannot be read"):
        load_promises(path)


def test_readme_documents_the_practice_fields():
    readme = (default_scenarios_dir() / "README.md").read_text(encoding="utf-8")
    for name in scenario_practice._PRACTICE_FIELDS | scenario_practice._FORBIDDEN_FIELDS:
        assert f"`{name}`" in readme, name
    assert "`[[practice.forbidden]]`" in readme and "`[[resolution]]`" in readme
    assert Path(default_scenarios_dir().parent / "practice" / "forbidden_promises.toml").is_file()
