"""The issues an agent can name in practice (and in a blind-first pick): ids, names and playbook steps.

Names and steps come from the playbooks (resources/playbooks), so practice speaks the same words as
the diagnosis panel; an issue without a playbook still gets a readable name.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from copilot.sources.scenario import ISSUE_TYPES, OUT_OF_SCOPE


@dataclass(frozen=True)
class IssueInfo:
    id: str
    label: str
    steps: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def issue_catalogue() -> tuple[IssueInfo, ...]:
    """Every issue the picker offers, in the taxonomy's order, "Out of scope" last."""
    books = _playbooks()
    ids = [*ISSUE_TYPES, *sorted(set(books) - set(ISSUE_TYPES) - {OUT_OF_SCOPE})]
    found = []
    for issue in ids:
        book = books.get(issue)
        found.append(IssueInfo(issue, book.name if book else _readable(issue), tuple(book.steps) if book else ()))
    found.append(IssueInfo(OUT_OF_SCOPE, "Out of scope (not something we handle here)"))
    return tuple(found)


@lru_cache(maxsize=1)
def issue_ids() -> frozenset[str]:
    return frozenset(i.id for i in issue_catalogue())


def issue_label(issue: str) -> str:
    if not issue:
        return "nothing"
    return next((i.label for i in issue_catalogue() if i.id == issue), _readable(issue))


def issue_steps(issue: str) -> tuple[str, ...]:
    return next((i.steps for i in issue_catalogue() if i.id == issue), ())


def _readable(issue: str) -> str:
    return issue.replace("_", " ").capitalize()


def _playbooks() -> dict:
    """The shipped playbooks, or none if they cannot be read (practice still works, with plainer names)."""
    try:
        from copilot.assist.playbooks import load_playbooks
        from copilot.paths import resource

        return load_playbooks(resource("playbooks"))
    except (OSError, ValueError):
        return {}
