"""The de-escalation draft for emotional escalations: apology, acknowledgement, one concrete next step.

The wording lives in resources/escalation/deescalation.toml so a team lead can change it. The
next step is filled from the chat's diagnosed category and the facts found in the chat, with the
same honesty rule as routine drafts (copilot/assist/drafting.py): a template is used only when
every fact it names was found; otherwise the draft asks for what is missing. The routine playbook
folder is not used for this file because its loader expects every TOML there to be a category.
"""
from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from copilot.assist import slots
from copilot.assist.drafting import join_labels
from copilot.assist.engine import Conversation
from copilot.assist.escalation.detector import Escalation
from copilot.assist.playbooks import _SLOT_NAMES
from copilot.core.suggestion import Diagnosis, Draft


class DeescalationError(ValueError):
    """The de-escalation file is wrong; the message names the field."""


@dataclass(frozen=True)
class Step:
    do: str  # a sentence that may name slots
    plain: str  # what will be done, with no slots ("look up where your order is")


@dataclass(frozen=True)
class DeescalationPlaybook:
    apology: dict[str, str]  # by escalation reason, "default" required
    acknowledgement: dict[str, str]
    default_step: str  # no confident diagnosis
    known_step: str  # a category with no step of its own
    steps: dict[str, Step]  # by category id


def default_path() -> Path:
    from copilot.paths import resource

    return resource("escalation", "deescalation.toml")


def _fields(text: str, where: str) -> set[str]:
    try:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError as exc:
        raise DeescalationError(f"{where}: {exc}") from None


def _texts(data: dict, part: str, allowed: set[str]) -> dict[str, str]:
    table = data.get(part)
    if not isinstance(table, dict) or not isinstance(table.get("default"), str):
        raise DeescalationError(f"[{part}] must be a table with at least a 'default' text")
    for key, text in table.items():
        if not isinstance(text, str):
            raise DeescalationError(f"[{part}] {key} must be text")
        unknown = _fields(text, f"[{part}] {key}") - allowed
        if unknown:
            raise DeescalationError(f"[{part}] {key}: may only use {sorted(allowed)}, not {sorted(unknown)}")
    return dict(table)


def parse(data: dict) -> DeescalationPlaybook:
    unknown = set(data) - {"apology", "acknowledgement", "next_step"}
    if unknown:
        raise DeescalationError(f"unknown part(s) {sorted(unknown)}: use apology, acknowledgement, next_step")
    name_only = {"customer_name"}
    nxt = data.get("next_step")
    if not isinstance(nxt, dict):
        raise DeescalationError("[next_step] is missing")
    flat = {k: v for k, v in nxt.items() if not isinstance(v, dict)}
    for key in ("default", "known"):
        if not isinstance(flat.get(key), str):
            raise DeescalationError(f"[next_step] needs a '{key}' text")
    _texts({"next_step": flat}, "next_step", name_only)
    steps = {}
    for category, table in ((k, v) for k, v in nxt.items() if isinstance(v, dict)):
        where = f"[next_step.{category}]"
        if set(table) != {"do", "plain"} or not all(isinstance(v, str) and v.strip() for v in table.values()):
            raise DeescalationError(f"{where} must have exactly two texts: 'do' and 'plain'")
        unknown = _fields(table["do"], f"{where} do") - set(_SLOT_NAMES)
        if unknown:
            raise DeescalationError(f"{where} do: unknown slot(s) {sorted(unknown)}")
        if _fields(table["plain"], f"{where} plain"):
            raise DeescalationError(f"{where} plain: may not use placeholders")
        steps[category] = Step(table["do"], table["plain"])
    return DeescalationPlaybook(_texts(data, "apology", name_only), _texts(data, "acknowledgement", name_only),
                                flat["default"], flat["known"], steps)


@lru_cache(maxsize=4)
def load(path: Path | None = None) -> DeescalationPlaybook:
    path = path or default_path()
    try:
        return parse(tomllib.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DeescalationError(f"{Path(path).name}: {exc}") from None
    except DeescalationError as exc:
        raise DeescalationError(f"{Path(path).name}: {exc}") from None


def _tidy(text: str) -> str:
    """Drop what an empty name leaves behind: "sorry, ." → "sorry."."""
    text = re.sub(r",\s*([.!?])", r"\1", text)
    text = re.sub(r"[ \t]+([,.!?])", r"\1", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _next_step(book: DeescalationPlaybook, category: str, found: dict[str, str], missing: list[str]) -> str:
    step = book.steps.get(category)
    if step is None:
        if missing:
            return f"So I can sort this out straight away, could you send me {join_labels(missing)}?"
        return book.known_step
    needed = _fields(step.do, "do")
    if all(found.get(k) for k in needed):
        # the diagnosis lists what the playbook still needs (a photo, ...): ask for it in the same breath
        ask = f" Could you also send me {join_labels(missing)}?" if missing else ""
        return step.do.format(**{k: found[k] for k in needed}) + ask
    if missing:
        return f"So I can {step.plain} straight away, could you send me {join_labels(missing)}?"
    return f"I'm going to {step.plain} right now, and I'll stay with you until it's sorted."


def deescalation_draft(conversation: Conversation, diagnosis: Diagnosis | None,
                       escalation: Escalation | None = None, book: DeescalationPlaybook | None = None,
                       reason: str = "") -> Draft:
    """The draft to show in place of the routine one while a chat is emotionally escalated."""
    book = book or load()
    texts = conversation.customer_texts
    found = slots.extract(texts)
    name = slots.first_name(found.get("customer_name", "") or conversation.customer_name)
    found["customer_name"] = name
    reason = escalation.reason if escalation is not None else (reason or "default")
    apology = book.apology.get(reason, book.apology["default"]).format(customer_name=name)
    feeling = book.acknowledgement.get(reason, book.acknowledgement["default"]).format(customer_name=name)
    confident = diagnosis is not None and not diagnosis.abstained and diagnosis.best is not None
    if confident:
        category = diagnosis.best.category
        step = _next_step(book, category, found, list(diagnosis.missing))
    else:
        category, step = "", book.default_step.format(customer_name=name)
    return Draft(text=_tidy(f"{apology} {feeling} {step}"), category=category)
