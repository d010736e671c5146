"""The shipped scenarios load cleanly and cover the taxonomy; broken files are reported clearly."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from copilot.sources import ISSUE_TYPES, OUT_OF_SCOPE, default_scenarios_dir, load_scenarios
from copilot.sources import scenario_checks

VALID = """\
id = "{id}"
issue = "refund_status"
title = "A valid scenario"
opening = "Where is my refund for order {{order_id}}?"

[persona]
name = "Test Person"
style = "polite"
patience = 60

[facts]
order_id = "ORD-1"

[[replies]]
keywords = ["order number"]
say = "It's {{order_id}}."
reveals = ["order_id"]

[resolution]
expected = "refund"
keywords = ["issued a refund"]
requires = ["order_id"]
offer = "I've issued a refund."
"""


@pytest.fixture(scope="module")
def shipped():
    return load_scenarios()


def test_all_shipped_scenarios_load_without_problems(shipped):
    scenarios, problems = shipped
    assert problems == []
    assert len(scenarios) >= 44
    assert len({s.id for s in scenarios}) == len(scenarios)
    for scenario in scenarios:
        assert scenario.path is not None and scenario.path.stem == scenario.id


def test_every_issue_type_has_at_least_two_scenarios(shipped):
    counts = Counter(s.issue for s in shipped[0])
    assert len(ISSUE_TYPES) == 24  # 18 + 6 after-sales categories (issue 12)
    for issue in ISSUE_TYPES:
        assert counts[issue] >= 2, issue
    assert 3 <= counts[OUT_OF_SCOPE] <= 4
    assert set(counts) == set(ISSUE_TYPES) | {OUT_OF_SCOPE}


def test_openings_are_varied_not_templated(shipped):
    openings = [" ".join(s.opening).lower() for s in shipped[0]]
    assert len(set(openings)) == len(openings)
    first_three_words = Counter(" ".join(o.split()[:3]) for o in openings)
    assert first_three_words.most_common(1)[0][1] <= 3
    lengths = sorted(len(o) for o in openings)
    assert lengths[0] < 40 and lengths[-1] > 180  # some terse, some long
    styles = Counter(s.persona.style for s in shipped[0])
    assert all(styles[style] >= 5 for style in ("polite", "terse", "anxious", "angry"))


def test_every_scenario_fact_placeholder_fills(shipped):
    for scenario in shipped[0]:
        for line in scenario.opening:
            assert "{" not in scenario.fill(line)
        assert scenario.fill(scenario.resolution.offer)


def test_readme_documents_every_field():
    readme = (default_scenarios_dir() / "README.md").read_text(encoding="utf-8")
    fields = (
        scenario_checks._TOP_FIELDS | scenario_checks._PERSONA_FIELDS
        | scenario_checks._RULE_FIELDS | scenario_checks._RESOLUTION_FIELDS | scenario_checks._ESCALATION_FIELDS
    )
    tables = {"persona": "`[persona]`", "facts": "`[facts]`", "replies": "`[[replies]]`", "resolution": "`[resolution]`",
              "escalation": "`[escalation]`"}
    for name in fields:
        assert tables.get(name, f"`{name}`") in readme, name
    for issue in ISSUE_TYPES:
        assert f"`{issue}`" in readme, issue


def _write(folder: Path, name: str, content: str | bytes) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    (folder / name).write_bytes(data)


BROKEN = [
    ("bad_toml.toml", VALID.format(id="bad_toml") + "\nthis is = = not toml\n", "not valid TOML"),
    ("empty.toml", "   \n", "empty"),
    ("latin1.toml", VALID.format(id="latin1").replace("Test Person", "José").encode("latin-1"), "not valid UTF-8"),
    ("no_opening.toml", VALID.format(id="no_opening").replace('opening = "Where is my refund for order {order_id}?"\n', ""), "'opening'"),
    ("no_persona.toml", VALID.format(id="no_persona").replace("[persona]", "[person]"), "unknown field 'person'"),
    ("patience_text.toml", VALID.format(id="patience_text").replace("patience = 60", 'patience = "slow"'), "patience must be a number"),
    ("title_number.toml", VALID.format(id="title_number").replace('title = "A valid scenario"', "title = 7"), "'title' must be text"),
    ("placeholder.toml", VALID.format(id="placeholder").replace("It's {order_id}.", "It's {order_number}."), "unknown placeholder '{order_number}'"),
    ("broken_brace.toml", VALID.format(id="broken_brace").replace("It's {order_id}.", "It's {order_id."), "broken placeholder"),
    ("typo.toml", VALID.format(id="typo").replace('say = "It', 'sya = "It'), "unknown field 'sya'"),
    ("bad_issue.toml", VALID.format(id="bad_issue").replace('"refund_status"', '"refunds"'), "issue 'refunds'"),
    ("bad_style.toml", VALID.format(id="bad_style").replace('"polite"', '"grumpy"'), "style 'grumpy'"),
    ("bad_regex.toml", VALID.format(id="bad_regex").replace('keywords = ["order number"]', 'patterns = ["order (number"]'), "not a valid regular expression"),
    ("unrevealed.toml", VALID.format(id="unrevealed").replace('reveals = ["order_id"]\n', ""), "no [[replies]] rule reveals it"),
    ("unknown_fact.toml", VALID.format(id="unknown_fact").replace('requires = ["order_id"]', 'requires = ["email"]'), "'email', which is not in [facts]"),
    ("offer_mismatch.toml", VALID.format(id="offer_mismatch").replace("I've issued a refund.", "Sorted."), "does not match"),
    ("no_trigger.toml", VALID.format(id="no_trigger").replace('keywords = ["issued a refund"]\n', ""), "needs 'keywords' or 'patterns'"),
    ("facts_list.toml", VALID.format(id="facts_list").replace('order_id = "ORD-1"', 'order_id = ["ORD-1"]'), "must be text, a number or a date"),
    ("escalation_type.toml", VALID.format(id="escalation_type") + '\n[escalation]\ntype = "angry"\nat_message = 2\n', "type 'angry'"),
    ("escalation_at.toml", VALID.format(id="escalation_at") + '\n[escalation]\ntype = "emotional"\nat_message = 0\n', "at_message must be"),
    ("escalation_twice.toml", VALID.format(id="escalation_twice")
     + '\n[[escalation]]\ntype = "technical"\nat_message = 1\n\n[[escalation]]\ntype = "technical"\nat_message = 2\n',
     "given twice"),
    ("escalation_typo.toml", VALID.format(id="escalation_typo") + '\n[escalation]\ntype = "technical"\nat_mesage = 1\n',
     "unknown field 'at_mesage'"),
]


@pytest.mark.parametrize("name,content,expected", BROKEN, ids=[case[0] for case in BROKEN])
def test_a_broken_file_is_reported_clearly_and_the_others_still_load(tmp_path, name, content, expected):
    _write(tmp_path, "a_good.toml", VALID.format(id="a_good"))
    _write(tmp_path, name, content)
    _write(tmp_path, "z_good.toml", VALID.format(id="z_good"))
    scenarios, problems = load_scenarios(tmp_path)
    assert [s.id for s in scenarios] == ["a_good", "z_good"]
    assert len(problems) == 1
    problem = problems[0]
    assert problem.path == tmp_path / name
    assert problem.message.startswith(f"{name}: ")
    assert expected in problem.message
    assert str(problem) == problem.message


def test_duplicate_ids_are_reported_and_non_toml_files_ignored(tmp_path):
    _write(tmp_path, "one.toml", VALID.format(id="same"))
    _write(tmp_path, "two.toml", VALID.format(id="same"))
    _write(tmp_path, "notes.md", "# not a scenario")
    scenarios, problems = load_scenarios(tmp_path)
    assert [s.path.name for s in scenarios] == ["one.toml"]
    assert len(problems) == 1 and "two.toml" in problems[0].message and "one.toml" in problems[0].message


def test_a_missing_folder_is_a_problem_not_a_crash(tmp_path):
    scenarios, problems = load_scenarios(tmp_path / "nowhere")
    assert scenarios == [] and "not found" in problems[0].message


def test_valid_file_fields_are_read(tmp_path):
    _write(tmp_path, "v.toml", VALID.format(id="v").replace('[persona]', 'impatient = ["hello?"]\n\n[persona]'))
    (scenario,), problems = load_scenarios(tmp_path)
    assert problems == []
    assert scenario.persona.language == "en" and scenario.persona.patience == 60.0
    assert scenario.facts == {"order_id": "ORD-1"}
    assert scenario.opening == ("Where is my refund for order {order_id}?",)
    assert scenario.fill(scenario.opening[0]).endswith("ORD-1?")
    assert scenario.impatient == ("hello?",)
    rule = scenario.replies[0]
    assert rule.ask == "Could you tell me your order number, please?"  # generated, and it fires the rule
    assert rule.trigger.matches("What's your ORDER NUMBER?") and not rule.trigger.matches("hello")


def test_scripted_escalations_are_read(tmp_path, shipped):
    _write(tmp_path, "one.toml", VALID.format(id="one") + '\n[escalation]\ntype = "emotional"\nat_message = 3\nwhy = "x"\n')
    _write(tmp_path, "two.toml", VALID.format(id="two") + '\n[[escalation]]\ntype = "technical"\nat_message = 2\n'
           '\n[[escalation]]\ntype = "emotional"\nat_message = 1\n')
    _write(tmp_path, "zero.toml", VALID.format(id="zero"))
    (one, two, zero), problems = load_scenarios(tmp_path)
    assert problems == []
    assert (one.escalation.type, one.escalation.at_message, one.escalation.why) == ("emotional", 3, "x")
    assert [e.type for e in two.escalations] == ["technical", "emotional"] and two.escalation.at_message == 1
    assert zero.escalation is None and zero.escalations == ()
    counts = Counter(e.type for s in shipped[0] for e in s.escalations)
    assert counts["emotional"] >= 4 and counts["technical"] >= 4
