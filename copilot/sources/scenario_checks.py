"""Turning a parsed scenario TOML table into a Scenario, checking every field on the way.

Scenario files are edited by hand, so each check says which field is wrong and what was expected;
typos in field names are errors too (an ignored `sya =` would silently drop a line).
"""
from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import replace
from pathlib import Path
from typing import Any

from copilot.sources.scenario import (
    ESCALATION_TYPES, ISSUE_TYPES, OUT_OF_SCOPE, STYLES, Invalid, Persona, ReplyRule, Resolution, Scenario,
    ScriptedEscalation, Trigger,
)

_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_FACT_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_FIELDS = {"id", "issue", "title", "opening", "persona", "facts", "replies", "resolution", "impatient", "unhelpful",
               "escalation", "practice"}
_PERSONA_FIELDS = {"name", "style", "patience", "language"}
_RULE_FIELDS = {"keywords", "patterns", "say", "reveals", "ask", "again"}
_RESOLUTION_FIELDS = {"expected", "keywords", "patterns", "requires", "offer", "thanks", "premature"}
_ESCALATION_FIELDS = {"type", "at_message", "why"}


def read_scenario(table: dict[str, Any], path: Path | None = None) -> Scenario:
    _no_unknown(table, _TOP_FIELDS, "the top level")
    scenario_id = _text(table, "id", "the top level")
    if not _ID.match(scenario_id):
        raise Invalid(f"id '{scenario_id}' may only use lower-case letters, digits, '_' and '-'")
    issue = _text(table, "issue", "the top level")
    if issue not in ISSUE_TYPES and issue != OUT_OF_SCOPE:
        raise Invalid(f"issue '{issue}' is not a known issue type (one of: {', '.join(ISSUE_TYPES)}, {OUT_OF_SCOPE})")
    facts = _facts(table.get("facts", {}))
    known = set(facts) | {"name"}
    rules = tuple(_rule(raw, n, facts, known) for n, raw in enumerate(_tables(table, "replies"), start=1))
    resolutions = _resolutions(table.get("resolution"), facts, known, rules)
    scenario = Scenario(
        id=scenario_id,
        issue=issue,
        title=_text(table, "title", "the top level"),
        persona=_persona(_table(table, "persona", required=True)),
        facts=facts,
        opening=_lines(table, "opening", "the top level", known, required=True),
        replies=rules,
        resolution=resolutions[0],
        alternatives=resolutions[1:],
        impatient=_lines(table, "impatient", "the top level", known),
        unhelpful=_lines(table, "unhelpful", "the top level", known),
        escalations=_escalations(table.get("escalation")),
        path=path,
    )
    from copilot.sources.scenario_practice import read_practice  # it reuses this module's readers

    return replace(scenario, practice=read_practice(table.get("practice"), scenario))


def _escalations(raw: Any) -> tuple[ScriptedEscalation, ...]:
    """`[escalation]` (one) or `[[escalation]]` (one per type)."""
    if raw is None:
        return ()
    tables = [raw] if isinstance(raw, dict) else raw
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise Invalid("'escalation' must be a table ([escalation]) or an array of tables ([[escalation]])")
    found: list[ScriptedEscalation] = []
    for table in tables:
        where = "[escalation]"
        _no_unknown(table, _ESCALATION_FIELDS, where)
        kind = _text(table, "type", where)
        if kind not in ESCALATION_TYPES:
            raise Invalid(f"{where} type '{kind}' must be one of: {', '.join(ESCALATION_TYPES)}")
        if any(e.type == kind for e in found):
            raise Invalid(f"{where} type '{kind}' is given twice: a chat escalates at most once per type")
        at = table.get("at_message")
        if isinstance(at, bool) or not isinstance(at, int) or not 1 <= at <= 50:
            raise Invalid(f"{where} at_message must be a whole number from 1 (the first customer message) to 50, "
                          f"not {at!r}")
        found.append(ScriptedEscalation(kind, at, _text(table, "why", where, required=False)))
    return tuple(found)


def _persona(table: dict[str, Any]) -> Persona:
    where = "[persona]"
    _no_unknown(table, _PERSONA_FIELDS, where)
    style = _text(table, "style", where)
    if style not in STYLES:
        raise Invalid(f"{where} style '{style}' must be one of: {', '.join(STYLES)}")
    patience = table.get("patience")
    if patience is None:
        raise Invalid(f"{where} is missing the required field 'patience' (seconds, e.g. patience = 90)")
    if isinstance(patience, bool) or not isinstance(patience, (int, float)) or not 5 <= patience <= 3600:
        raise Invalid(f"{where} patience must be a number of seconds between 5 and 3600, not {patience!r}")
    language = _text(table, "language", where, required=False) or "en"
    return Persona(_text(table, "name", where), style, float(patience), language)


def _facts(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise Invalid("[facts] must be a table of name = value pairs")
    facts: dict[str, str] = {}
    for key, value in raw.items():
        if not _FACT_KEY.match(key) or key == "name":
            raise Invalid(f"[facts] key '{key}' must be lower_case_with_underscores and not 'name' (reserved)")
        if isinstance(value, bool) or not isinstance(value, (str, int, float, dt.date, dt.time)):
            raise Invalid(f"[facts] {key} must be text, a number or a date, not {type(value).__name__}")
        facts[key] = str(value)
    return facts


def _rule(raw: Any, number: int, facts: dict[str, str], known: set[str]) -> ReplyRule:
    where = f"[[replies]] number {number}"
    if not isinstance(raw, dict):
        raise Invalid(f"{where} must be a table")
    _no_unknown(raw, _RULE_FIELDS, where)
    trigger = _trigger(raw, where)
    reveals = _fact_list(raw, "reveals", where, facts)
    ask = _text(raw, "ask", where, required=False)
    _placeholders(ask, f"{where} ask", known)
    if reveals and not ask:
        if not trigger.keywords:
            raise Invalid(f"{where} reveals a fact but has no keywords: give an 'ask' line that triggers it")
        ask = f"Could you tell me your {trigger.keywords[0]}, please?"
    if ask and not trigger.matches(_fill(ask, facts)):
        raise Invalid(f"{where} ask \"{ask}\" does not match the rule's own keywords/patterns")
    again = _text(raw, "again", where, required=False)
    _placeholders(again, f"{where} again", known)
    say = _lines(raw, "say", where, known, required=True)
    return ReplyRule(trigger, say, reveals, ask, again)


def _resolutions(raw: Any, facts: dict[str, str], known: set[str], rules: tuple[ReplyRule, ...]) -> tuple[Resolution, ...]:
    """`[resolution]` (one) or `[[resolution]]` (several correct ones, the main one first)."""
    if raw is None:
        raise Invalid("the [resolution] table is missing")
    if isinstance(raw, dict):
        return (_resolution(raw, facts, known, rules, "[resolution]"),)
    if not isinstance(raw, list) or not raw or not all(isinstance(t, dict) for t in raw):
        raise Invalid("'resolution' must be a table ([resolution]) or an array of tables ([[resolution]])")
    return tuple(_resolution(t, facts, known, rules, f"[[resolution]] number {n}") for n, t in enumerate(raw, start=1))


def _resolution(table: dict[str, Any], facts: dict[str, str], known: set[str], rules: tuple[ReplyRule, ...],
                where: str) -> Resolution:
    _no_unknown(table, _RESOLUTION_FIELDS, where)
    trigger = _trigger(table, where)
    requires = _fact_list(table, "requires", where, facts)
    for fact in requires:
        if not any(fact in rule.reveals for rule in rules):
            raise Invalid(f"{where} requires '{fact}' but no [[replies]] rule reveals it, so it can never be collected")
    offer = _text(table, "offer", where)
    _placeholders(offer, f"{where} offer", known)
    if not trigger.matches(_fill(offer, facts)):
        raise Invalid(f"{where} offer \"{offer}\" does not match the resolution's own keywords/patterns")
    texts = {key: _text(table, key, where, required=False) for key in ("thanks", "premature")}
    for key, text in texts.items():
        _placeholders(text, f"{where} {key}", known)
    return Resolution(_text(table, "expected", where), trigger, requires, offer, texts["thanks"], texts["premature"])


def _trigger(table: dict[str, Any], where: str) -> Trigger:
    keywords = _string_list(table, "keywords", where)
    patterns = []
    for text in _string_list(table, "patterns", where):
        try:
            patterns.append(re.compile(text, re.IGNORECASE))
        except re.error as error:
            raise Invalid(f"{where} pattern '{text}' is not a valid regular expression: {error}") from None
    if not keywords and not patterns:
        raise Invalid(f"{where} needs 'keywords' or 'patterns' saying which agent messages trigger it")
    return Trigger(tuple(k.lower() for k in keywords), tuple(patterns))


# ---- small typed readers ---------------------------------------------------------------------
def _no_unknown(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise Invalid(f"unknown field '{unknown[0]}' in {where} (allowed: {', '.join(sorted(allowed))})")


def _text(table: dict[str, Any], key: str, where: str, required: bool = True) -> str:
    value = table.get(key)
    if value is None:
        if required:
            raise Invalid(f"{where} is missing the required field '{key}'")
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{where} field '{key}' must be text, not {type(value).__name__}")
    if required and not value.strip():
        raise Invalid(f"{where} field '{key}' must not be empty")
    return value.strip()


def _string_list(table: dict[str, Any], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise Invalid(f"{where} field '{key}' must be a list of non-empty texts")
    return [v.strip() for v in value]


def _lines(table: dict[str, Any], key: str, where: str, known: set[str], required: bool = False) -> tuple[str, ...]:
    if required and key not in table:
        raise Invalid(f"{where} is missing the required field '{key}'")
    lines = _string_list(table, key, where)
    if required and not lines:
        raise Invalid(f"{where} field '{key}' must not be empty")
    for line in lines:
        _placeholders(line, f"{where} {key}", known)
    return tuple(lines)


def _fact_list(table: dict[str, Any], key: str, where: str, facts: dict[str, str]) -> tuple[str, ...]:
    names = _string_list(table, key, where)
    for name in names:
        if name not in facts:
            raise Invalid(f"{where} {key} names '{name}', which is not in [facts]")
    return tuple(names)


def _table(table: dict[str, Any], key: str, required: bool = False) -> dict[str, Any]:
    value = table.get(key)
    if value is None and required:
        raise Invalid(f"the [{key}] table is missing")
    if value is not None and not isinstance(value, dict):
        raise Invalid(f"'{key}' must be a table ([{key}]), not {type(value).__name__}")
    return value or {}


def _tables(table: dict[str, Any], key: str) -> list[Any]:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise Invalid(f"'{key}' must be an array of tables ([[{key}]])")
    return value


def _placeholders(text: str, where: str, known: set[str]) -> None:
    """Every {placeholder} must name a fact (or {name}); literal braces are written {{ and }}."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise Invalid(f"{where} has a broken placeholder in \"{text}\" ({error}); write literal braces as {{{{ }}}}") from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in known or spec or conversion:
            raise Invalid(f"{where} uses unknown placeholder '{{{name}}}' (known: {', '.join(sorted(known))})")


def _fill(text: str, facts: dict[str, str]) -> str:
    return text.format(name="Alex", **facts)
