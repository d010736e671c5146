"""Default things customers say, by persona style, when a scenario does not script its own.

Each escalation list grows angrier line by line; the customer says them in turn and leaves after
the last, so the length of a list is how much the persona puts up with.
"""
from __future__ import annotations

import re

# Kept waiting (nudges). After the last one and another half-patience, the customer gives up.
IMPATIENT: dict[str, tuple[str, ...]] = {
    "polite": (
        "Hello? Are you still there?",
        "Sorry to push, but I've been waiting quite a while now.",
        "I'd really appreciate an answer soon, please. Is anyone looking at this?",
    ),
    "terse": ("hello?", "??", "still waiting. this is taking forever"),
    "anxious": (
        "Hi, sorry, are you still there?? I'm getting worried",
        "Please, I really need to know what's going on!!",
        "Is anyone even reading this?? I'm so stressed about this",
    ),
    "angry": (
        "Hello?? Anyone there?",
        "Unbelievable. I've been waiting for ages. Answer me!",
    ),
}

# The agent said something that does not help. After the last one the customer leaves.
UNHELPFUL: dict[str, tuple[str, ...]] = {
    "polite": (
        "Sorry, I'm not sure that answers my question.",
        "That doesn't really help me, I'm afraid. Could you look at my actual problem?",
        "I'm getting a bit frustrated, honestly. This still doesn't answer my question.",
        "I don't think we're getting anywhere. I'll try again some other time. Goodbye.",
    ),
    "terse": ("that doesn't answer my question", "not what I asked", "forget it. bye"),
    "anxious": (
        "Sorry, I don't understand, that doesn't answer what I asked?",
        "Please, I really need help with my actual problem!!",
        "This is making me so stressed, nobody is actually helping me",
        "I give up, I'll call my bank or something. Bye.",
    ),
    "angry": (
        "That doesn't answer my question at all.",
        "Are you even reading what I write?? Useless.",
        "Forget it. Worst support ever. I'm leaving a review.",
    ),
}

# Said as they leave after running out of patience (counted as frustration).
GIVE_UP: dict[str, str] = {
    "polite": "I can't wait any longer, sorry. I'll try another time.",
    "terse": "forget it",
    "anxious": "I can't keep waiting like this. I'll try somewhere else.",
    "angry": "Forget it. Terrible service.",
}

THANKS: dict[str, str] = {
    "polite": "That's perfect, thank you so much for your help!",
    "terse": "ok great thanks",
    "anxious": "Oh thank goodness. Thank you so much, that's a relief!!",
    "angry": "Fine. Finally. Thanks.",
}

# Reply to anything the agent says after the issue is resolved ("anything else?").
CLOSING: dict[str, str] = {
    "polite": "No, that's everything. Have a lovely day!",
    "terse": "no thats all",
    "anxious": "No that's all, thank you again!",
    "angry": "No. Bye.",
}

AGAIN_PREFIX: dict[str, str] = {
    "polite": "As I mentioned: ",
    "terse": "already said: ",
    "anxious": "I said already, sorry: ",
    "angry": "I ALREADY told you. ",
}

PREMATURE = "Wait, don't you need my {label} first?"

# How a fact is named when the customer points out it was never asked for.
FACT_LABELS: dict[str, str] = {
    "order_id": "order number",
    "email": "email address",
    "phone": "phone number",
    "postcode": "postcode",
    "new_address": "new address",
    "last4": "card's last four digits",
    "invoice_number": "invoice number",
    "tracking_number": "tracking number",
}

SURNAMES: tuple[str, ...] = (
    "Okafor", "Lindqvist", "Moreau", "Tanaka", "Kowalski", "Haddad", "Nguyen", "O'Brien",
    "Fischer", "Silva", "Patel", "Rossi", "Jensen", "Kaplan", "Mbeki", "Duarte",
)

# Agent messages that hold or acknowledge without answering: the customer keeps waiting quietly.
HOLDING = re.compile(
    r"\b(one (moment|sec|second|minute)|just a (moment|sec|second|minute)|let me (check|look|see|find|verify)|"
    r"bear with me|checking|looking into|please (hold|wait)|give me a (moment|sec|second|minute)|"
    r"hi|hello|hey|good (morning|afternoon|evening)|thanks for (contacting|reaching|waiting|your patience)|"
    r"thank you for (contacting|reaching|waiting|your patience)|sorry to hear|i understand|apologi[sz]e)\b",
    re.IGNORECASE,
)
# More holding messages than this in a row count as unhelpful.
MAX_HOLDS_IN_A_ROW = 2


def fact_label(fact: str) -> str:
    return FACT_LABELS.get(fact, fact.replace("_", " "))
