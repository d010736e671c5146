"""Fill a playbook's reply template from the facts in the chat, asking first for what is missing.

Rules that keep drafts honest: a template is used only when every slot it names has a value
taken from the chat; otherwise the draft asks for the missing information instead. Nothing is
ever filled with a guess or a placeholder the customer would see.
"""
from __future__ import annotations

import re
from dataclasses import replace

from copilot.assist.playbooks import InfoItem, Playbook
from copilot.assist.slots import first_name
from copilot.core.suggestion import Citation, Draft

_SLOT_LABELS = {
    "order_id": "your order number", "email": "the e-mail address on the account",
    "amount": "the amount", "tracking_number": "the tracking number", "date": "the date",
    "phone": "a phone number", "card_last4": "the last 4 digits of the card",
    "address": "the full delivery address", "promo_code": "the promo code",
}


def is_given(item: InfoItem, slots: dict[str, str], texts: list[str]) -> bool:
    if item.key in slots:
        return True
    return any(re.search(p, t, re.IGNORECASE) for p in item.detect for t in texts)


def missing_items(book: Playbook, slots: dict[str, str], texts: list[str]) -> list[InfoItem]:
    """Required information the customer has not given yet, in the playbook's order."""
    return [item for item in book.collect if item.required and not is_given(item, slots, texts)]


def join_labels(labels: list[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _fill(template: str, values: dict[str, str]) -> str:
    text = template.format(**values)
    text = re.sub(r"[ \t]+([,.!?])", r"\1", text)  # "Hi ," when there is no name → "Hi,"
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def compose(book: Playbook, slots: dict[str, str], texts: list[str], customer_name: str) -> str:
    """The draft reply for `book`, or a request for the missing required information."""
    values = dict(slots)
    values["customer_name"] = first_name(slots.get("customer_name", "") or customer_name)
    missing = missing_items(book, slots, texts)
    if not missing:
        needed = book.template_slots("resolve") - {"missing"}
        unknown = sorted(k for k in needed if not values.get(k))
        if not unknown:
            return _fill(book.replies["resolve"], values)
        labels = {item.key: item.label for item in book.collect}
        missing = [InfoItem(k, labels.get(k, _SLOT_LABELS.get(k, k.replace("_", " ")))) for k in unknown
                   if k != "customer_name"]
        if not missing:  # only the name is unknown: the resolve reply still reads well without it
            return _fill(book.replies["resolve"], values)
    values["missing"] = join_labels([item.label for item in missing])
    return _fill(book.replies["ask"], values)  # uses only {customer_name} and {missing}


# ---- grounding in the team's own knowledge (copilot/knowledge) --------------------------------
def grounded(draft: Draft, book: Playbook, conversation, diagnosis, knowledge, missing: bool) -> Draft:
    """The playbook draft, or the team's own saved reply when one fits better; either way citing
    the items it rests on.

    A saved reply fits better when the team tagged it with this issue, the chat's words rank it among
    the best three items and no other reply for the issue is there with it (two replies for one issue,
    "cancelled" and "too late to cancel", need the agent's knowledge of the order to choose), and
    every placeholder in it is filled from the chat (it reads as sent).
    While required information is still missing the playbook's question stays: asking comes first.
    The best help article for the issue (tagged, among the best three) is cited, and linked in the
    text when it has a public address. `knowledge` is a copilot.knowledge KnowledgeBase.
    """
    hits = knowledge.top_for(conversation, diagnosis, limit=3)
    ours = [h for h in hits if book.id in h.tags]
    citations = []
    text = draft.text
    replies = [h for h in ours if h.kind == "reply"]
    reply = replies[0] if len(replies) == 1 else None
    if reply is not None and not missing:
        item = knowledge.get(reply.id)
        filled = knowledge.fill(item, conversation) if item is not None else None
        if filled is not None and filled.ready:
            text = filled.text
            citations.append(Citation(item.id, item.title, item.kind, item.url))
    article = next((h for h in ours if h.kind == "article"), None)
    if article is not None:
        citations.append(Citation(article.id, article.title, article.kind, article.url))
        if article.url and article.url not in text:
            text = f"{text}\n\nMore about this: {article.title} ({article.url})"
    return replace(draft, text=text, citations=tuple(citations)) if citations else draft
