"""A scenario's `[practice]` table: what practice scoring expects, read and checked, or derived.

Every field is optional. A file without the table (older files, or new ones written before the
practice fields existed) gets defaults derived from the rest of the scenario, so it still loads
and plays in practice mode; the README says how each default is worked out.
"""
from __future__ import annotations

from typing import Any

from copilot.sources.scenario import (
    DIFFICULTIES, ISSUE_TYPES, OUT_OF_SCOPE, ForbiddenPromise, Invalid, PracticeSpec, Scenario,
)
from copilot.sources.scenario_checks import _fill, _no_unknown, _placeholders, _string_list, _tables, _text, _trigger

_PRACTICE_FIELDS = {"difficulty", "target_seconds", "also_right", "forbidden"}
_FORBIDDEN_FIELDS = {"keywords", "patterns", "why", "example"}
TARGET_RANGE = (20.0, 1800.0)  # seconds
# The derived target: time to read the opening and reply, plus one exchange per required fact.
BASE_SECONDS, SECONDS_PER_FACT = 50.0, 30.0
_STYLE_POINTS = {"polite": 0, "terse": 1, "anxious": 1, "angry": 2}


def read_practice(raw: Any, scenario: Scenario) -> PracticeSpec:
    where = "[practice]"
    if raw is None:
        return derived_spec(scenario)
    if not isinstance(raw, dict):
        raise Invalid(f"'practice' must be a table ([practice]), not {type(raw).__name__}")
    _no_unknown(raw, _PRACTICE_FIELDS, where)
    derived = derived_spec(scenario)
    difficulty = _text(raw, "difficulty", where, required=False) or derived.difficulty
    if difficulty not in DIFFICULTIES:
        raise Invalid(f"{where} difficulty '{difficulty}' must be one of: {', '.join(DIFFICULTIES)}")
    target = raw.get("target_seconds", derived.target_seconds)
    low, high = TARGET_RANGE
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not low <= target <= high:
        raise Invalid(f"{where} target_seconds must be a number of seconds from {low:.0f} to {high:.0f}, not {target!r}")
    also_right = tuple(_string_list(raw, "also_right", where))
    for issue in also_right:
        if issue not in ISSUE_TYPES and issue != OUT_OF_SCOPE:
            raise Invalid(f"{where} also_right names '{issue}', which is not a known issue type")
        if issue == scenario.issue:
            raise Invalid(f"{where} also_right names '{issue}', the scenario's own issue: list only the other ones")
    forbidden = tuple(_forbidden(t, n, scenario) for n, t in enumerate(_tables(raw, "forbidden"), start=1))
    stated = tuple(sorted(k for k in raw if k in _PRACTICE_FIELDS))
    return PracticeSpec(difficulty, float(target), also_right, forbidden, stated)


def _forbidden(raw: Any, number: int, scenario: Scenario) -> ForbiddenPromise:
    where = f"[[practice.forbidden]] number {number}"
    if not isinstance(raw, dict):
        raise Invalid(f"{where} must be a table")
    _no_unknown(raw, _FORBIDDEN_FIELDS, where)
    trigger = _trigger(raw, where)
    known = set(scenario.facts) | {"name"}
    example = _text(raw, "example", where)
    _placeholders(example, f"{where} example", known)
    if not trigger.matches(_fill(example, scenario.facts)):
        raise Invalid(f"{where} example \"{example}\" does not match its own keywords/patterns")
    for resolution in scenario.resolutions:
        if trigger.matches(_fill(resolution.offer, scenario.facts)):
            raise Invalid(f"{where} also matches the resolution offer \"{resolution.offer}\": a correct answer "
                          "would be scored as a forbidden promise")
    return ForbiddenPromise(trigger, _text(raw, "why", where), example, f"{scenario.id}#{number}")


def derived_spec(scenario: Scenario) -> PracticeSpec:
    """The defaults for a scenario without a [practice] table (or for the fields it leaves out)."""
    return PracticeSpec(derived_difficulty(scenario), derived_target(scenario))


def derived_difficulty(scenario: Scenario) -> str:
    """Points for what makes a chat hard: a difficult persona, little patience, several facts to
    collect, a chat that escalates. 0-1 easy, 2-3 medium, 4+ hard."""
    requires = len(scenario.resolution.requires)
    points = (_STYLE_POINTS.get(scenario.persona.style, 1) + (requires >= 2) + (requires >= 3)
              + (scenario.persona.patience < 70) + bool(scenario.escalations))
    return "easy" if points <= 1 else "medium" if points <= 3 else "hard"


def derived_target(scenario: Scenario) -> float:
    return BASE_SECONDS + SECONDS_PER_FACT * len(scenario.resolution.requires)
