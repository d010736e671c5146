"""Scripted customers: what a scenario holds, and loading them from TOML files.

The format is documented in resources/scenarios/README.md. A broken file must never take the
others down with it, so every problem becomes a ScenarioProblem naming the file and the fault.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

# The offline engine's taxonomy uses the same ids.
ISSUE_TYPES: tuple[str, ...] = (
    "order_status", "late_delivery", "missing_item", "damaged_item", "wrong_item",
    "return_exchange", "refund_status", "charged_twice", "cancel_order", "change_address",
    "promo_code", "account_access", "payment_declined", "defective_product", "invoice_request",
    "delivery_not_received", "price_adjustment", "subscription_cancel",
    "subscription_renewal", "change_order", "shipping_options", "product_question", "site_problem",
    "policy_question",
)
OUT_OF_SCOPE = "out_of_scope"
STYLES: tuple[str, ...] = ("polite", "terse", "anxious", "angry")
ESCALATION_TYPES: tuple[str, ...] = ("emotional", "technical")
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")


class Invalid(ValueError):
    """A scenario file is wrong; the message says how, in words a scenario author understands."""


@dataclass(frozen=True)
class Trigger:
    """Fires when the agent's message contains any keyword or matches any pattern (case-insensitive)."""

    keywords: tuple[str, ...] = ()  # stored lower-case
    patterns: tuple[re.Pattern[str], ...] = ()

    def matches(self, text: str) -> bool:
        lowered = text.lower()
        return any(k in lowered for k in self.keywords) or any(p.search(text) for p in self.patterns)


@dataclass(frozen=True)
class Persona:
    name: str
    style: str  # one of STYLES
    patience: float  # sim seconds the customer waits for an answer before nudging
    language: str = "en"


@dataclass(frozen=True)
class ReplyRule:
    trigger: Trigger
    say: tuple[str, ...]  # alternatives; the simulator picks one
    reveals: tuple[str, ...] = ()  # fact keys the customer gives away by saying it
    ask: str = ""  # an agent message that fires this rule (used by hint_reply)
    again: str = ""  # said when asked a second time ("" = a default "as I said" line)


@dataclass(frozen=True)
class Resolution:
    expected: str  # e.g. "refund", "replacement": what scoring looks for
    trigger: Trigger
    requires: tuple[str, ...]  # facts the agent must have collected first
    offer: str  # an agent message that offers it (used by hint_reply)
    thanks: str = ""  # "" = the persona style's default
    premature: str = ""  # said when offered before the facts are in; "" = default


@dataclass(frozen=True)
class ScriptedEscalation:
    """Where the script escalates, for scoring the detector: the customer message (1-based, counted
    as the chat plays with the `hint_reply` agent) from which the escalation can be seen."""

    type: str  # one of ESCALATION_TYPES
    at_message: int
    why: str = ""  # for people reading the scenario: what makes it escalate


@dataclass(frozen=True)
class ForbiddenPromise:
    """Something the playbook forbids the agent to promise (or ask for); practice scoring looks for it."""

    trigger: Trigger
    why: str  # the rule it breaks, in words the agent is shown
    example: str  # an agent message that makes the promise (scripted agents and tests use it)
    name: str = ""  # a short id: the playbook-wide ones have one; a scenario's own are "<scenario id>#<n>"


@dataclass(frozen=True)
class PracticeSpec:
    """What practice scoring expects of the agent in this chat, beyond `issue` and the resolutions.

    Every field has a default derived from the rest of the scenario (scenario_practice.py), so a
    file without a [practice] table still plays in practice mode."""

    difficulty: str  # one of DIFFICULTIES
    target_seconds: float  # a skilled agent resolves the chat within this (from the opening)
    also_right: tuple[str, ...] = ()  # other issue ids that count as a right diagnosis
    forbidden: tuple[ForbiddenPromise, ...] = ()  # this scenario's own; the playbook-wide ones are in practice
    stated: tuple[str, ...] = ()  # the fields the file gave; the others were derived


@dataclass(frozen=True)
class Scenario:
    id: str
    issue: str  # one of ISSUE_TYPES or OUT_OF_SCOPE
    title: str
    persona: Persona
    facts: dict[str, str]
    opening: tuple[str, ...]  # one or more first messages
    replies: tuple[ReplyRule, ...]
    resolution: Resolution
    impatient: tuple[str, ...] = ()  # "" = style defaults; the last one is the final nudge
    unhelpful: tuple[str, ...] = ()  # after the last one, the customer leaves
    escalations: tuple[ScriptedEscalation, ...] = ()  # at most one per type; () = never escalates
    path: Path | None = field(default=None, compare=False)
    alternatives: tuple[Resolution, ...] = ()  # other correct resolutions ([[resolution]] given more than once)
    practice: PracticeSpec | None = None  # None only when built by hand: then derived on access

    @property
    def resolutions(self) -> tuple[Resolution, ...]:
        """Every correct resolution, the main one first."""
        return (self.resolution, *self.alternatives)

    @property
    def expectations(self) -> PracticeSpec:
        if self.practice is not None:
            return self.practice
        from copilot.sources.scenario_practice import derived_spec

        return derived_spec(self)

    @property
    def escalation(self) -> ScriptedEscalation | None:
        """The scripted escalation (the earliest, if there are two types), or None."""
        return min(self.escalations, key=lambda e: e.at_message, default=None)

    def fill(self, template: str) -> str:
        """Put facts into a line; {name} is the customer's first name."""
        return template.format(name=self.persona.name.split()[0], **self.facts)

    def rule_revealing(self, fact: str) -> ReplyRule | None:
        return next((rule for rule in self.replies if fact in rule.reveals), None)


@dataclass(frozen=True)
class ScenarioProblem:
    path: Path
    message: str  # already names the file

    def __str__(self) -> str:
        return self.message


def default_scenarios_dir() -> Path:
    from copilot.paths import resource

    return resource("scenarios")


def load_scenarios(folder: Path | str | None = None) -> tuple[list[Scenario], list[ScenarioProblem]]:
    """Every *.toml in `folder` (default: the shipped ones), sorted by file name.

    Returns the scenarios that loaded and one problem per file that did not (or that repeats an id).
    """
    folder = Path(folder) if folder is not None else default_scenarios_dir()
    if not folder.is_dir():
        return [], [ScenarioProblem(folder, f"{folder}: scenario folder not found")]
    scenarios: list[Scenario] = []
    problems: list[ScenarioProblem] = []
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            scenario = load_scenario(path)
        except Invalid as problem:
            problems.append(ScenarioProblem(path, f"{path.name}: {problem}"))
            continue
        if scenario.id in seen:
            problems.append(ScenarioProblem(path, f"{path.name}: id '{scenario.id}' is already used by {seen[scenario.id].name}"))
            continue
        seen[scenario.id] = path
        scenarios.append(scenario)
    return scenarios, problems


def load_scenario(path: Path) -> Scenario:
    """One file; raises Invalid with a message saying what is wrong (without the file name)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise Invalid(f"cannot read the file ({error.strerror or error})") from None
    if not raw.strip():
        raise Invalid("the file is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Invalid(f"not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start}); save it as UTF-8") from None
    from copilot.core.safe_load import LoadError, loads_toml

    try:
        table = loads_toml(text)
    except LoadError as error:  # nested too deep
        raise Invalid(str(error)) from None
    except tomllib.TOMLDecodeError as error:
        raise Invalid(f"not valid TOML: {error}") from None
    from copilot.sources.scenario_checks import read_scenario  # here: it builds this module's classes

    return read_scenario(table, path)
