"""Checks a model's draft before the agent sees it: promises the playbook does not allow, and
instructions injected by the customer that the draft repeats.

A flag never blocks or edits the draft: the agent decides. It is a pointer to what to read
carefully ("Promises a refund the Damaged item playbook does not offer"). The checks are plain
patterns: cheap, explainable, and they err toward flagging, since a false flag costs a glance.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from copilot.assist.playbooks import Playbook
from copilot.core.suggestion import Draft


@dataclass(frozen=True)
class CheckedDraft(Draft):
    flags: tuple[str, ...] = ()  # what to check before sending; () when nothing was found


_MONEY = re.compile(r"[$€£¥]\s?\d[\d,.]*|\b\d[\d,.]*\s?(?:dollars|euros?|pounds|usd|eur|gbp)\b|\b\d+(?:\.\d+)?\s?%",
                    re.IGNORECASE)
_DURATION = re.compile(r"\b\d+(?:\s*(?:[-–]|to)\s*\d+)?\s*(?:business\s+|working\s+)?(?:hours?|days?|weeks?)\b"
                       r"|\btomorrow\b|\bby (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
                       re.IGNORECASE)
# What an agent may only offer when the playbook says so: name -> pattern.
_PROMISES = {
    "a full refund": r"\bfull refund|\brefund (?:you )?(?:in full|everything|the full)",
    "a refund": r"\brefund|\breimburs|\bmoney back",
    "compensation": r"\bcompensat|\bgoodwill|\bgesture\b",
    "a voucher or credit": r"\bvoucher|\bcoupon|\bstore credit|\bgift card",
    "a discount": r"\bdiscount|\bprice match",
    "something free": r"(?<!feel )\bfree\b(?! to\b)|\bat no (?:extra )?cost",  # not "feel free to"
    "a policy exception": r"\bexception|\bwaive|\boverride|\bmake an exception",
    "a guarantee": r"\bguarantee|\bi promise|\bwe promise",
}
_INJECTION = re.compile(
    r"ignore (?:all |any |the |your )?(?:previous |prior |above |earlier )?(?:instructions|rules|prompt)"
    r"|disregard (?:the |your |all )?(?:previous |above )?(?:instructions|rules)|system prompt|developer mode"
    r"|you are now|new instructions|act as (?:an?|the)\b|pretend (?:to be|you)|repeat after me"
    r"|(?:reply|respond|answer|say) (?:only |exactly )?(?:with|that)\b|\bjailbreak",
    re.IGNORECASE)
_META = re.compile(r"system prompt|my instructions|as an ai\b|language model|‹/?chat›|</?chat>"
                   r"|ignore (?:all )?previous", re.IGNORECASE)


def _playbook_text(book: Playbook) -> str:
    return " ".join([book.description, *book.steps, *book.replies.values(), *book.escalate_when]).lower()


def _norm(value: str) -> str:
    return re.sub(r"[\s,]", "", value.lower())


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def _shared_run(a: list[str], b: list[str], n: int) -> bool:
    """Do `a` and `b` share a run of `n` consecutive words?"""
    grams = {tuple(a[i:i + n]) for i in range(len(a) - n + 1)}
    return any(tuple(b[i:i + n]) in grams for i in range(len(b) - n + 1))


def promise_flags(text: str, book: Playbook, customer_texts: list[str], sources: tuple[str, ...] = ()) -> list[str]:
    """What the draft offers or states that neither the playbook nor the team's sources (the saved
    replies and articles it was given) say."""
    allowed = " ".join([_playbook_text(book), *sources]).lower()
    given = " ".join(customer_texts).lower()
    where = f"the {book.name} playbook" + (" and the cited sources" if sources else "")
    flags = []
    for amount in dict.fromkeys(m.group(0).strip() for m in _MONEY.finditer(text)):
        if _norm(amount) not in _norm(given) and _norm(amount) not in _norm(allowed):
            flags.append(f"Mentions an amount ({amount}) that neither the chat nor {where} gives.")
    for when in dict.fromkeys(m.group(0).strip() for m in _DURATION.finditer(text)):
        if _norm(when) not in _norm(allowed):
            flags.append(f"Promises a time ({when}) {where} does not state.")
    for what, pattern in _PROMISES.items():
        if re.search(pattern, text, re.IGNORECASE) and not re.search(pattern, allowed, re.IGNORECASE):
            flags.append(f"Offers {what}, which {where} does not allow.")
    return flags


_LINK = re.compile(r"https?://[^\s)>\]]+|www\.[^\s)>\]]+", re.IGNORECASE)


def source_flags(text: str, cited: tuple[int, ...], sources: tuple[str, ...], book: Playbook | None,
                 customer_texts: list[str]) -> list[str]:
    """Citations of sources that were not given, and links nobody gave."""
    flags = [f"Cites a source [{n}] that was not given to the model." for n in cited if not 1 <= n <= len(sources)]
    known = " ".join([*sources, *customer_texts, _playbook_text(book) if book else ""]).lower()
    for link in dict.fromkeys(m.group(0).rstrip(".,;:!?") for m in _LINK.finditer(text)):
        if link.lower() not in known:
            flags.append(f"Gives a link ({link}) that no source, playbook or message contains.")
    return flags


def injection_flags(text: str, customer_texts: list[str]) -> list[str]:
    flags = []
    if _META.search(text):
        flags.append("Talks about instructions or the assistant itself: it may be following the customer's text.")
    draft_words = _words(text)
    for said in customer_texts:
        for sentence in re.split(r"(?<=[.!?\n])\s+", said):
            if _INJECTION.search(sentence) and _shared_run(_words(sentence), draft_words, 4):
                flags.append("Repeats instructions the customer wrote into the chat: read it carefully.")
                return flags
    return flags


def check(text: str, book: Playbook | None, customer_texts: list[str], sources: tuple[str, ...] = (),
          cited: tuple[int, ...] = ()) -> tuple[str, ...]:
    """Flags for a draft answering `customer_texts` under `book` (() when it looks fine). `sources`:
    the texts of the saved replies and articles the model was given; `cited`: the [n] it used."""
    flags = promise_flags(text, book, customer_texts, sources) if book is not None else []
    if book is not None and (book.needs_human or not book.ai_eligible):
        flags.append(f"The {book.name} playbook says a specialist should handle this: check before sending.")
    flags += source_flags(text, cited, sources, book, customer_texts)
    flags += injection_flags(text, customer_texts)
    return tuple(dict.fromkeys(flags))


def checked(draft: Draft, book: Playbook | None, customer_texts: list[str], sources: tuple[str, ...] = (),
            cited: tuple[int, ...] = ()) -> CheckedDraft:
    return CheckedDraft(draft.text, draft.category, check(draft.text, book, customer_texts, sources, cited),
                        citations=draft.citations)
