"""Placeholders in saved replies: the helpdesks' ({{contact.name}}, {{ticket.requester.first_name}})
and our playbooks' slot names ({order_id} or {{order_id}}), filled from the chat.

A placeholder is *known* when we can say what it stands for, *missing* when it is known but the
chat has no value for it yet, and *unknown* otherwise ({{ticket.custom_field_123}}, {{dc.promo}}).
Missing and unknown placeholders stay in the text exactly as written, so they are visible, and the
fill result lists them: a reply is `ready` only when none is left.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_NAME = r"[A-Za-z_][\w.-]*"
# {{ name }} with an optional Liquid default ({{contact.first_name | default: 'there'}}); or {slot}.
DOUBLE = re.compile(rf"\{{\{{\s*({_NAME})\s*(?:\|\s*default\s*:\s*(?:'([^']*)'|\"([^\"]*)\")\s*)?(?:\|[^}}]*)?\}}\}}")

# helpdesk name -> our key. Name keys are optional: a greeting reads well without the name.
ALIASES = {
    "customer_name": ("contact.name", "ticket.requester.name", "customer.name", "customer_name", "requester.name"),
    "customer_first_name": ("contact.first_name", "ticket.requester.first_name", "customer.first_name",
                            "customer_first_name", "first_name", "requester.first_name"),
    "customer_last_name": ("contact.last_name", "ticket.requester.last_name", "customer.last_name", "last_name"),
    "email": ("contact.email", "ticket.requester.email", "customer.email", "email"),
    "phone": ("contact.phone_number", "contact.phone", "ticket.requester.phone", "customer.phone", "phone"),
    "agent_name": ("agent.name", "current_user.name", "agent_name"),
    "agent_first_name": ("agent.first_name", "current_user.first_name", "agent_first_name"),
    "conversation_id": ("conversation.id", "conversation.display_id", "ticket.id", "conversation_id"),
    "team_name": ("account.name", "team_name", "company.name"),
    "inbox_name": ("inbox.name",),
    # the playbooks' slot names (copilot/assist/playbooks.py), as slots.extract finds them
    "order_id": ("order_id", "order_number", "order.id", "order.number"),
    "tracking_number": ("tracking_number",), "amount": ("amount",), "date": ("date",),
    "card_last4": ("card_last4",), "address": ("address",), "promo_code": ("promo_code",),
}
KEY_FOR = {alias.lower(): key for key, aliases in ALIASES.items() for alias in aliases}
PLAYBOOK_SLOTS = ("order_id", "email", "amount", "tracking_number", "date", "phone", "card_last4", "address",
                  "promo_code", "customer_name")
SINGLE = re.compile(r"(?<!\{)\{(" + "|".join(PLAYBOOK_SLOTS) + r")\}(?!\})")  # playbook style: {order_id}
OPTIONAL = {"customer_name", "customer_first_name", "customer_last_name"}
LABELS = {
    "email": "the customer's e-mail", "phone": "the customer's phone number", "agent_name": "your name",
    "agent_first_name": "your first name", "conversation_id": "the conversation number", "team_name": "the team's name",
    "inbox_name": "the inbox name", "order_id": "the order number", "tracking_number": "the tracking number",
    "amount": "the amount", "date": "the date", "card_last4": "the card's last 4 digits", "address": "the address",
    "promo_code": "the promo code",
}


@dataclass(frozen=True)
class Placeholder:
    raw: str  # exactly as written: "{{ contact.first_name | default: 'there' }}"
    name: str  # "contact.first_name"
    default: str | None  # the Liquid default, if any
    key: str | None  # our key ("customer_first_name"), None when unknown


def find(text: str) -> list[Placeholder]:
    found = []
    for m in DOUBLE.finditer(text):
        default = m.group(2) if m.group(2) is not None else m.group(3)
        found.append(Placeholder(m.group(0), m.group(1), default, KEY_FOR.get(m.group(1).lower())))
    for m in SINGLE.finditer(text):
        found.append(Placeholder(m.group(0), m.group(1), None, KEY_FOR.get(m.group(1).lower())))
    return found


def unknown_names(text: str) -> list[str]:
    """Placeholders nobody can fill (for the import report)."""
    return list(dict.fromkeys(p.name for p in find(text) if p.key is None))


@dataclass(frozen=True)
class Filled:
    text: str  # the reply with what could be filled; the rest left exactly as written
    filled: dict[str, str] = field(default_factory=dict)  # placeholder name -> value used
    missing: tuple[str, ...] = ()  # known, but not in this chat yet: labels to ask for ("the order number")
    unknown: tuple[str, ...] = ()  # placeholder names nobody can fill ("ticket.custom_field_1")

    @property
    def ready(self) -> bool:
        """Nothing raw left in the text: it can be sent as it reads."""
        return not self.missing and not self.unknown

    @property
    def problems(self) -> list[str]:
        """What to tell the agent before they send it, one line each."""
        out = [f"Fill in {label} (not in this chat yet)." for label in self.missing]
        out += [f"Unknown placeholder {{{{{name}}}}}: replace it by hand." for name in self.unknown]
        return out


def fill(text: str, values: dict[str, str]) -> Filled:
    """`text` with its placeholders replaced from `values` (our keys -> value)."""
    filled: dict[str, str] = {}
    missing: list[str] = []
    unknown: list[str] = []
    out = text
    for p in find(text):
        value = values.get(p.key, "") if p.key else ""
        if not value and p.default is not None:
            value = p.default
        if value or (p.key in OPTIONAL):
            out = out.replace(p.raw, value)
            filled[p.name] = value
        elif p.key is None:
            unknown.append(p.name)
        else:
            missing.append(LABELS.get(p.key, p.key.replace("_", " ")))
    out = re.sub(r"[ \t]+([,.!?;:])", r"\1", out)  # "Hi ," when the name was left out
    out = re.sub(r"[ \t]{2,}", " ", out).strip()
    return Filled(out, filled, tuple(dict.fromkeys(missing)), tuple(dict.fromkeys(unknown)))
