"""How frustrated a customer message reads, 0..1: wording, punctuation, capitals, repetition, waiting.

A transparent sum of capped cues rather than a trained model: the score has to be explainable to
an agent ("they waited 6 minutes and wrote in capitals"), and stable across taxonomies. Early
detection matters more than precision here, because rescue works only if it comes within minutes.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher

from copilot.core.chat import Message, Sender

_STRONG = re.compile(
    r"\b(ridiculous|unacceptable|outrageous|disgusting|pathetic|useless|worst|scam|fraud|"
    r"furious|livid|lawyer|legal action|sue|chargeback|report you|trading standards|bbb|"
    r"never (?:again|order|buy)|wtf|fed up|sick of|joke|incompetent|terrible|horrible|awful|you people|"
    r"what (?:are|is) (?:you|going) (?:going to|to) do)\b",
    re.IGNORECASE)
_MILD = re.compile(
    r"\b(still|again|already|annoyed|annoying|frustrat\w*|upset|angry|disappointed|unhappy|"
    r"waiting|waited|how long|nobody|no one|no response|(?:second|third|fourth|\w+th) time|(?:\d+|many) times|"
    r"took (?:a|the) day off|nobody came|no one came|"
    r"seriously|come on|asap|immediately|right now|urgent\w*|hello\?+|anyone)\b",
    re.IGNORECASE)
_CALM = re.compile(r"\b(thanks?|thank you|appreciate|great|perfect|no worries|no rush|cheers)\b", re.IGNORECASE)
_SWEAR = re.compile(r"\b(damn|hell|crap|bloody|f\*+|sh\*t|shit|fuck\w*)\b", re.IGNORECASE)

WAIT_START = 60.0  # seconds of waiting before it starts to count
WAIT_FULL = 600.0  # seconds of waiting that count fully


def _caps_ratio(text: str) -> float:
    words = re.findall(r"[A-Za-z]{4,}", text)  # 4+: acronyms like TV or UPS are not shouting
    if len(words) < 2:
        return 0.0
    return sum(w.isupper() for w in words) / len(words)


def _shouted_words(text: str) -> int:
    """Words of 4+ letters in capitals ("TWELVE", "SECOND"): emphasis, unlike short acronyms (TV, USB)."""
    return sum(1 for w in re.findall(r"\b[A-Z]{4,}\b", text))


def _repetition(text: str, history: list[Message]) -> float:
    """Similarity to the customer's earlier messages: asking the same thing again is a strong sign."""
    previous = [m.text for m in history if m.sender is Sender.CUSTOMER][-5:]
    if not previous:
        return 0.0
    a = text.lower().strip()
    return max(SequenceMatcher(None, a, p.lower().strip()).ratio() for p in previous)


def _unanswered_run(history: list[Message]) -> int:
    """Customer messages in a row since the agent last spoke (not counting this one)."""
    run = 0
    for m in reversed(history):
        if m.sender is Sender.AGENT:
            break
        if m.sender is Sender.CUSTOMER:
            run += 1
    return run


def score(text: str, history: list[Message], waited_seconds: float) -> float:
    """0 calm … 1 very frustrated. `history` is the chat before this message."""
    s = 0.0
    s += min(0.45, 0.25 * len(_STRONG.findall(text)))
    s += min(0.3, 0.1 * len(_MILD.findall(text)))
    s += min(0.3, 0.2 * len(_SWEAR.findall(text)))
    bangs = text.count("!")
    s += min(0.15, 0.05 * bangs) + (0.1 if re.search(r"[!?]{3,}", text) else 0.0)
    s += 0.3 * min(1.0, _caps_ratio(text) / 0.6)
    s += min(0.2, 0.1 * _shouted_words(text))
    rep = _repetition(text, history)
    s += 0.25 if rep > 0.8 else 0.1 if rep > 0.6 else 0.0
    s += min(0.2, 0.08 * _unanswered_run(history))
    if waited_seconds > WAIT_START:
        s += 0.3 * min(1.0, (waited_seconds - WAIT_START) / (WAIT_FULL - WAIT_START))
    if _CALM.search(text) and not _STRONG.search(text):
        s -= 0.15
    return round(max(0.0, min(1.0, s)), 3)
