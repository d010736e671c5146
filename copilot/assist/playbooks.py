"""Playbooks: one human-editable TOML file per issue category (see resources/playbooks/README.md).

A playbook says what the category is, what to collect, what to check, how to reply and when a
human must take over. The loader validates strictly and names the file and field at fault, so a
team lead editing a playbook learns about a typo at start-up, not from a broken draft.
"""
from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path

_SLOT_NAMES = ("order_id", "email", "amount", "tracking_number", "date", "phone", "card_last4",
               "address", "promo_code", "customer_name")


@dataclass(frozen=True)
class InfoItem:
    """One piece of information to collect from the customer."""

    key: str  # a slot name ("order_id") or a free key ("photo")
    label: str  # how to ask for it: "your order number"
    required: bool = True
    detect: tuple[str, ...] = ()  # regexes: any match in customer text marks a free key as given

    @property
    def is_slot(self) -> bool:
        return self.key in _SLOT_NAMES


@dataclass(frozen=True)
class Playbook:
    id: str
    name: str
    description: str
    collect: tuple[InfoItem, ...]
    steps: tuple[str, ...]
    replies: dict[str, str]  # "ask" (info missing) and "resolve" (info complete), maybe more
    ai_eligible: bool = True
    needs_human: bool = False
    escalate_when: tuple[str, ...] = ()

    def template_slots(self, which: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(self.replies.get(which, "")) if f}


class PlaybookError(ValueError):
    pass


def _need(data: dict, key: str, kind: type, where: str):
    if key not in data:
        raise PlaybookError(f"{where}: missing field '{key}'")
    if not isinstance(data[key], kind):
        raise PlaybookError(f"{where}: field '{key}' must be {kind.__name__}")
    return data[key]


def parse_playbook(data: dict, where: str) -> Playbook:
    pid = _need(data, "id", str, where)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", pid):
        raise PlaybookError(f"{where}: id '{pid}' must be lower_snake_case")
    items = []
    for i, raw in enumerate(data.get("collect", [])):
        at = f"{where} collect[{i}]"
        key = _need(raw, "key", str, at)
        detect = tuple(raw.get("detect", ()))
        for pattern in detect:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise PlaybookError(f"{at}: bad detect pattern {pattern!r}: {exc}") from None
        if key not in _SLOT_NAMES and not detect:
            raise PlaybookError(f"{at}: '{key}' is not a known slot ({', '.join(_SLOT_NAMES)}); "
                                f"give 'detect' patterns so it can be recognised")
        items.append(InfoItem(key, _need(raw, "label", str, at), bool(raw.get("required", True)), detect))
    replies = _need(data, "replies", dict, where)
    for which in ("ask", "resolve"):
        _need(replies, which, str, f"{where} replies")
    known = set(_SLOT_NAMES) | {"missing"}
    for which, text in replies.items():
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
        except ValueError as exc:
            raise PlaybookError(f"{where} replies.{which}: {exc}") from None
        unknown = fields - known
        if unknown:
            raise PlaybookError(f"{where} replies.{which}: unknown slot(s) {sorted(unknown)}")
        if which == "ask" and fields - {"customer_name", "missing"}:
            # the ask reply is used precisely when facts are missing, so it may not depend on them
            raise PlaybookError(f"{where} replies.ask: may only use {{customer_name}} and {{missing}}")
    return Playbook(
        id=pid,
        name=_need(data, "name", str, where),
        description=str(data.get("description", "")),
        collect=tuple(items),
        steps=tuple(_need(data, "steps", list, where)),
        replies=dict(replies),
        ai_eligible=bool(data.get("ai_eligible", True)),
        needs_human=bool(data.get("needs_human", False)),
        escalate_when=tuple(data.get("escalate_when", ())),
    )


def load_playbooks(directory: Path) -> dict[str, Playbook]:
    """Every *.toml in `directory`, keyed by id. Raises PlaybookError naming the bad file."""
    books: dict[str, Playbook] = {}
    for path in sorted(Path(directory).glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise PlaybookError(f"{path.name}: {exc}") from None
        book = parse_playbook(data, path.name)
        if book.id in books:
            raise PlaybookError(f"{path.name}: duplicate id '{book.id}'")
        books[book.id] = book
    return books
