"""The wrap-up note for a chat: issue, facts collected, steps taken, outcome, open follow-ups.

Made offline from what the chat holds (no model): the diagnosis names the issue, the slot extractor
the facts, the agent's own sentences the steps ("I've opened a trace") and the follow-ups ("I'll
e-mail you tomorrow"), the chat's status the outcome. Written when a chat is resolved or closed, and
on demand for a handover of an open chat. The agent edits it before it is posted anywhere; it is
plain text and never goes to the usage log (it quotes the customer). The LLM version is
copilot/assist/llm/wrapup.py and has the same fields.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from copilot.assist import slots
from copilot.assist.engine import Conversation
from copilot.core.chat import Sender
from copilot.core.suggestion import Diagnosis

FACT_LABELS = {"order_id": "Order number", "email": "E-mail", "phone": "Phone", "amount": "Amount",
               "tracking_number": "Tracking number", "date": "Date", "card_last4": "Card ending",
               "address": "Address", "promo_code": "Promo code", "customer_name": "Name given"}
OUTCOMES = {"resolved": "Resolved.", "closed": "Closed without a resolution.",
            "abandoned": "The customer left before it was resolved.", "open": "Still open (handover)."}
# What an agent's sentence says was done (past) or will be done (a promise): pattern -> step.
ACTIONS = {
    r"\brefund": "refund", r"\breplacement|\bresend|\bre-?ship|\bsend (?:you )?(?:a |the )?new": "replacement",
    r"\btrace\b|\binvestigat": "carrier trace / investigation", r"\bcancel": "cancellation",
    r"\breturn label|\bstart a return|\breturn an item": "return", r"\breset link|\bpassword": "password reset",
    r"\bescalat|\bspecialist|\bsupervisor|\bmanager": "hand-over to a specialist", r"\binvoice": "invoice",
    r"\bvoucher|\bdiscount|\bstore credit|\bgoodwill": "goodwill gesture", r"\baddress": "address change",
}
_DONE = re.compile(r"\b(?:i've|i have|we've|we have|has been|have been|is now|done)\b"
                   r"|\b(?:i|we)\s+(?:\w+\s+)?(?:sent|refunded|cancell?ed|opened|issued|processed|updated|changed"
                   r"|arranged|escalated|passed|reset)\b", re.IGNORECASE)
_PROMISE = re.compile(r"\b(?:i'll|i will|we'll|we will|i'm going to|we're going to|i am going to)\b", re.IGNORECASE)
_ASKS = {"order number": r"order (?:number|no|#|id)", "e-mail address": r"e-?mail", "photo": r"photo|picture",
         "address": r"address", "tracking number": r"tracking", "card digits": r"last (?:4|four)|card"}
MAX_QUOTE = 160


@dataclass(frozen=True)
class WrapUpNote:
    issue: str
    facts: tuple[str, ...] = ()  # "Order number: A-20931"
    steps: tuple[str, ...] = ()  # what the agent did
    outcome: str = ""
    follow_ups: tuple[str, ...] = ()  # what is still open, promised or missing
    engine: str = "offline"  # or "llm:<model>"
    notice: str = ""  # why the offline note stands in for the model's, when it does
    sources: tuple[str, ...] = field(default=())  # knowledge items used in the chat (titles)

    def as_text(self) -> str:
        """Plain text to copy, edit, or post as a private note."""
        lines = [f"Issue: {self.issue}"]
        lines.append("Facts: " + ("; ".join(self.facts) if self.facts else "none collected"))
        lines.append("Steps taken:" + ("".join(f"\n- {s}" for s in self.steps) if self.steps else " none yet"))
        lines.append(f"Outcome: {self.outcome}")
        lines.append("Follow-ups:" + ("".join(f"\n- {f}" for f in self.follow_ups) if self.follow_ups else " none"))
        if self.sources:
            lines.append("Knowledge used: " + "; ".join(self.sources))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"issue": self.issue, "facts": list(self.facts), "steps": list(self.steps), "outcome": self.outcome,
                "follow_ups": list(self.follow_ups), "engine": self.engine, "notice": self.notice,
                "sources": list(self.sources)}


def quote(text: str, limit: int = MAX_QUOTE) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: text.rfind(" ", 0, limit - 1) if " " in text[:limit] else limit] + "…"


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _closing(text: str) -> bool:
    """A customer's "ok thanks!" or "bye" needs no reply."""
    return bool(re.fullmatch(r"(?:ok(?:ay)?|thanks?|thank you|thx|great|perfect|bye|cheers|cool|got it|"
                             r"that'?s all|[\s,.!:)(-])+", text.strip().lower()))


def _issue(conversation: Conversation, diagnosis: Diagnosis | None) -> str:
    said = next((t for t in conversation.customer_texts if len(t.split()) >= 3), "")
    said = said or next((t for t in conversation.customer_texts if t.strip()), "")
    words = f' (customer: "{quote(said, 120)}")' if said else ""
    if diagnosis is not None and diagnosis.reason and diagnosis.abstained:
        return f"Not diagnosed: {diagnosis.reason.split(';')[0]}{words}"
    if diagnosis is None or diagnosis.abstained or diagnosis.best is None:
        return f"Unclear: no confident diagnosis{words}"
    return f"{diagnosis.best.label}{words}"


def _steps_and_promises(conversation: Conversation) -> tuple[list[str], list[str]]:
    steps, promises = [], []
    for turn in conversation.turns:
        if turn.sender is not Sender.AGENT:
            continue
        for sentence in sentences(turn.text):
            lowered = sentence.lower()
            action = next((name for pattern, name in ACTIONS.items() if re.search(pattern, lowered)), None)
            if sentence.endswith("?"):
                asked = [name for name, pattern in _ASKS.items() if re.search(pattern, lowered)]
                if asked:
                    steps.append(f"Asked for the {' and '.join(asked)}")
            elif _PROMISE.search(sentence):
                promises.append(f'Agent promised: "{quote(sentence, 120)}"')
            elif action and _DONE.search(sentence):
                steps.append(f'{action[0].upper()}{action[1:]}: "{quote(sentence, 120)}"')
    return list(dict.fromkeys(steps)), list(dict.fromkeys(promises))


def offline_note(conversation: Conversation, diagnosis: Diagnosis | None, status: str = "open",
                 used_items: tuple[str, ...] = ()) -> WrapUpNote:
    """The note for `conversation` ending (or handed over) with `status`: resolved, closed,
    abandoned or open. `used_items`: titles of saved replies and articles used in the chat."""
    found = slots.extract_turns((t.sender, t.text) for t in conversation.turns)
    facts = [f"{FACT_LABELS.get(k, k)}: {v}" for k, v in found.items()]
    if diagnosis is not None and diagnosis.language and diagnosis.language != "en":
        from copilot.language import LANGUAGES

        facts.append(f"Customer's language: {LANGUAGES.get(diagnosis.language, diagnosis.language)}")
    steps, follow_ups = _steps_and_promises(conversation)
    agent_turns = [t for t in conversation.turns if t.sender is Sender.AGENT and t.text.strip()]
    if not steps and agent_turns:
        steps.append(f"Replied {len(agent_turns)} time(s); last: \"{quote(sentences(agent_turns[-1].text)[0], 120)}\"")
    if status != "resolved" and diagnosis is not None and diagnosis.missing:
        follow_ups.append("Still needed from the customer: " + ", ".join(diagnosis.missing))
    last = next((t for t in reversed(conversation.turns) if t.sender is not Sender.SYSTEM and t.text.strip()), None)
    if last is not None and last.sender is Sender.CUSTOMER and status in ("open", "closed") and not _closing(last.text):
        follow_ups.append(f'The customer\'s last message has no reply: "{quote(last.text, 120)}"')
    if status != "resolved" and diagnosis is not None and diagnosis.needs_human:
        follow_ups.append("The playbook says a specialist must handle this issue.")
    return WrapUpNote(issue=_issue(conversation, diagnosis), facts=tuple(facts), steps=tuple(steps),
                      outcome=OUTCOMES.get(status, status), follow_ups=tuple(follow_ups), sources=tuple(used_items))
