"""The agent's effort after an escalation, as the agentic-AI field study measured it.

From the escalation on: how long until the agent stepped in, how many messages they sent, what
share of the chat's messages were theirs, how many asked the customer something (proactive
questions) and how many offered a remedy (offered solutions). The same definitions run in SQL
over the usage log (copilot/usage/escalation_effort.py), on the flags `agent_message_flags` puts
on each agent message record, since the log keeps no message text by default.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from copilot.core.chat import Message, Sender

# A question to the customer: a question mark, or a request phrased as one without it.
_QUESTION = re.compile(
    r"\?|(?:^|[.!]\s+)(what|which|when|where|how|why|who)\b"
    r"|(?:^|[.!]\s+)(could|can|would|will|do|did|does|have|has|is|are|was|were)\s+(you|your|it|the|there|this|that|i)\b"
    r"|\b(let me know|please (tell|confirm|send|share))\b",
    re.IGNORECASE)
# Offering a remedy, not just mentioning one: a remedy verb after a first-person subject ("I've
# refunded", "I'll send a new one", "let me open a trace"), or a remedy reported done ("your order
# is cancelled"). Status updates and redirects are answers, not remedies, and do not count.
_REMEDY = (r"refund\w*|replac\w*|re-?send\w*|re-?ship\w*|credit\w*|voucher|discount|goodwill|compensat\w*|"
           r"cancel\w*|exchange\w*|waiv\w*|unlock\w*|(re)?activat\w*|restor\w*|trace|price adjustment|"
           r"(send|sent|sending|ship|shipping|arrang\w*)\b[^.!?]{0,30}"
           r"\b(new|another|replacement|correct|right|missing)|"
           r"(return|prepaid) label|reset (link|your)|new (code|link|password)|"
           r"(updat|correct|chang)\w* (the|your) (delivery |billing )?address|lock\w* (the|your) account|"
           r"(passed|escalated|referred) (it|this|your \w+) to|"
           r"(sent|send\w*|creat\w*|generat\w*|email\w*)\b[^.!?]{0,30}\b(invoice|receipt)")
_OFFER = re.compile(
    rf"\b(i'?ll|i will|i'?ve|i have|i can|i'?m|i am|we'?ll|we will|we'?ve|we have|we can|let me|happy to|"
    rf"i'?d like to)\b"
    rf"[^.!?]{{0,80}}?\b({_REMEDY})"
    rf"|^\s*done\b"
    rf"|\b(is|are|has been|have been) (now )?(cancell?ed|refunded|replaced|unlocked|reactivated|activated|waived)\b",
    re.IGNORECASE)


def is_question(text: str) -> bool:
    return bool(_QUESTION.search(text))


def offers_solution(text: str) -> bool:
    return bool(_OFFER.search(text))


def agent_message_flags(text: str) -> dict[str, bool]:
    """Fields to add to an agent `message` record: `recorder.record("message", ..., **flags)`."""
    return {"is_question": is_question(text), "offers_solution": offers_solution(text)}


@dataclass(frozen=True)
class EscalationEffort:
    seconds_to_intervene: float | None  # escalation → the agent's first message after it (None: never)
    agent_messages: int  # sent after the escalation
    customer_messages: int  # received after the escalation (the triggering one excluded)
    agent_share: float | None  # agent / (agent + customer) messages after it; None when there were none
    questions: int  # agent messages after it that ask the customer something
    solutions: int  # agent messages after it that offer a remedy


def escalation_effort(messages: Sequence[Message], escalated_at: float) -> EscalationEffort:
    """Effort over `messages` (a chat's, oldest first) from `escalated_at` on.

    "After" means a later time stamp: the customer message that triggered the escalation carries
    its time (or an earlier one), so it is not counted as a message after it.
    """
    after = [m for m in messages if m.ts > escalated_at and m.sender is not Sender.SYSTEM]
    agent = [m for m in after if m.sender is Sender.AGENT]
    customer = len(after) - len(agent)
    return EscalationEffort(
        seconds_to_intervene=round(agent[0].ts - escalated_at, 3) if agent else None,
        agent_messages=len(agent),
        customer_messages=customer,
        agent_share=round(len(agent) / len(after), 4) if after else None,
        questions=sum(is_question(m.text) for m in agent),
        solutions=sum(offers_solution(m.text) for m in agent),
    )


def unanswered_for(messages: Sequence[Message], escalated_at: float, now: float) -> float | None:
    """Seconds the escalation has waited for the agent, or None once the agent has written since.

    For the alert: an emotional escalation waiting longer than the configured limit.
    """
    if any(m.sender is Sender.AGENT and m.ts > escalated_at for m in messages):
        return None
    return max(0.0, now - escalated_at)
