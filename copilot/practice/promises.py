"""The promises the playbooks forbid (resources/practice/forbidden_promises.toml), and which apply to a chat.

A practice chat is checked against the playbook-wide promises for its issue plus the scenario's own
([[practice.forbidden]]). The file is edited by hand, so a mistake names the file, the entry and the
field, like the scenario and playbook loaders do.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from copilot.sources.scenario import ISSUE_TYPES, OUT_OF_SCOPE, ForbiddenPromise, Invalid, Scenario
from copilot.sources.scenario_checks import _no_unknown, _string_list, _text, _trigger

_FIELDS = {"id", "why", "keywords", "patterns", "example", "issues"}


class PromisesError(ValueError):
    """The forbidden-promises file is wrong; the message names the file and the entry."""


@dataclass(frozen=True)
class PlaybookPromise:
    promise: ForbiddenPromise
    issues: tuple[str, ...]  # () = every issue

    def applies_to(self, issue: str) -> bool:
        return not self.issues or issue in self.issues


def default_promises_path() -> Path:
    from copilot.paths import resource

    return resource("practice", "forbidden_promises.toml")


@lru_cache(maxsize=4)
def load_promises(path: Path | None = None) -> tuple[PlaybookPromise, ...]:
    path = Path(path) if path is not None else default_promises_path()
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise PromisesError(f"{path.name}: cannot be read: {error}") from None
    _no_unknown_top(table, path)
    found: list[PlaybookPromise] = []
    for number, raw in enumerate(table.get("promise", []), start=1):
        where = f"[[promise]] number {number}"
        try:
            found.append(_promise(raw, where, {p.promise.name for p in found}))
        except Invalid as error:
            raise PromisesError(f"{path.name}: {error}") from None
    return tuple(found)


def _no_unknown_top(table: dict, path: Path) -> None:
    if set(table) - {"promise"} or not isinstance(table.get("promise", []), list):
        raise PromisesError(f"{path.name}: only [[promise]] entries are allowed at the top level")


def _promise(raw: object, where: str, taken: set[str]) -> PlaybookPromise:
    if not isinstance(raw, dict):
        raise Invalid(f"{where} must be a table")
    _no_unknown(raw, _FIELDS, where)
    name = _text(raw, "id", where)
    if name in taken:
        raise Invalid(f"{where} id '{name}' is used twice")
    issues = tuple(_string_list(raw, "issues", where))
    for issue in issues:
        if issue not in ISSUE_TYPES and issue != OUT_OF_SCOPE:
            raise Invalid(f"{where} issues names '{issue}', which is not a known issue type")
    trigger = _trigger(raw, where)
    example = _text(raw, "example", where)
    if not trigger.matches(example):
        raise Invalid(f"{where} example \"{example}\" does not match its own keywords/patterns")
    return PlaybookPromise(ForbiddenPromise(trigger, _text(raw, "why", where), example, name), issues)


def promises_for(scenario: Scenario, playbook: tuple[PlaybookPromise, ...] | None = None) -> tuple[ForbiddenPromise, ...]:
    """Everything the agent must not promise in this chat: the playbook-wide ones, then the scenario's."""
    playbook = load_promises() if playbook is None else playbook
    return (*(p.promise for p in playbook if p.applies_to(scenario.issue)), *scenario.expectations.forbidden)
