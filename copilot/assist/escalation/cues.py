"""What a customer message says that calls for escalation: threats, a human-only problem, a failed
step, a repeated question. Plain regular expressions, like the frustration score, so the trigger
shown to the agent can quote the words that caused it.

Each finder returns a `Cue` (what was found, in plain words, plus the quoted excerpt) or None.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Cue:
    what: str  # "leave", "complain", "account takeover", ...: finishes the trigger sentence
    excerpt: str  # the customer's words around the match, for the agent to see


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# ---- emotional: threats to leave, complain, review, charge back, go public, sue -------------------
THREATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("take legal action", _any(r"\b(lawyer|solicitor|attorney|legal action|small claims|sue|suing|court)\b")),
    ("charge back", _any(r"\bcharge ?backs?\b", r"\bdisput\w* (the|this|that|my) (charge|payment|transaction)\b",
                         r"\b(i'?ll|i will|i'?m going to|going to|gonna) (call|contact|ask|ring) my bank\b")),
    ("go to social media", _any(r"\b(twitter|tweet\w*|facebook|instagram|tiktok|reddit|youtube|social media)\b",
                                r"\bgo(ing)? public\b", r"\btell (everyone|all my friends)\b")),
    ("leave a bad review", _any(r"\b(leav|writ|post|giv)\w* (you )?(a|an|my)? ?([\w-]+ ){0,2}reviews?\b",
                                r"\b(one|1)[- ]star\b", r"\btrustpilot\b")),
    ("complain", _any(r"\b(make|file|lodge|raise|write|put in) a (formal |official )?complaint\b",
                      r"\bcomplain(ing)? (to|about you)\b",
                      r"\b(speak|talk) to (your|a|the) (manager|supervisor|boss)\b",
                      r"\breport(ing)? (you|this|your company)\b", r"\btrading standards\b", r"\bombudsman\b",
                      r"\bbetter business bureau\b", r"\bbbb\b", r"\bconsumer (protection|rights)\b")),
    ("leave", _any(r"\b(take|taking) my (business|money|custom) (elsewhere|somewhere else)\b",
                   r"\bshop(ping)? (elsewhere|somewhere else)\b",
                   r"\bnever (shop|order|buy)\w* (here|from you|with you|again)\b",
                   r"\b(i'?m|i am) (done|finished) with (you|this (company|shop|store))\b",
                   r"\blast time i (order|buy|shop)\w*\b",
                   r"\bswitch\w* to (a competitor|another (shop|store|company))\b")),
)
# Contempt aimed at us: anger whatever the frustration score says (it weighs these like any strong word).
_INSULT = _any(r"\b(useless|pathetic|incompetent|clueless|idiots?|clowns?|morons?|you people)\b",
               r"\bworst (support|service|company|shop|store|customer service)\b",
               r"\bare you (even )?(reading|listening)\b")
# Said calmly this is a request (closing an account), said angrily it is a threat to leave.
SOFT_LEAVE = _any(r"\b(close|closing|delete|deleting|cancel|cancell?ing) my (whole |entire )?account\b")

# ---- technical: problems the playbooks say only a person may handle --------------------------------
# From the escalate_when rules (account_access, change_address; damaged_item, defective_product).
_ACCOUNT = _any(r"\b(account|e-?mail|password|log ?in|sign ?in|address (was |got )?changed)\b")
_INTRUDER = _any(r"\b(someone|somebody|some one)\b", r"\bhack(ed|er|ers)?\b", r"\bunauthori[sz]ed\b", r"\bnot me\b",
                 r"\b(did not|didn'?t|never) (do|change|make|place|authori[sz]e|request)\b",
                 r"\b(did not|didn'?t|never|haven'?t|have not) (order|ordered|bought|buy) "
                 r"(that|this|it|them|anything)\b",
                 r"\bwithout my (permission|knowledge)\b", r"\b(don'?t|do not) recogni[sz]e\b")
_UNKNOWN_ORDERS = _any(r"\borders? (that )?i (did not|didn'?t|never) (make|place|order)\b",
                       r"\b(did not|didn'?t|never) (make|place|authori[sz]e) (this|these|that|those|any) "
                       r"(orders?|purchases?)\b")
# payment_declined: "Our fraud system blocked the customer: only the risk team can lift it."
_FRAUD_HOLD = _any(r"\b(blocked|held|flagged|frozen|suspended)\b[^.!?]{0,40}\b(fraud|security|risk)\b",
                   r"\b(fraud|security|risk) (review|hold|block)\b")
_SAFETY = _any(r"\b(fire hazard|caught fire|on fire|smok(e|ed|ing)|sparks?|sparked|melt(ed|ing)|explod\w*|"
               r"electric (shock|shocks)|shocked me|injur\w*|overheat\w*|swollen|"
               r"trips? the (fuse|breaker|electric\w*))\b",
               r"\bburn(ed|t)? (me|my|his|her|their)\b", r"\bcut (me|my|his|her)\b")

# ---- technical: the step the agent gave did not work -------------------------------------------
_STEP_FAILED = _any(
    r"\b(link|code|label|reset|button|page|app|voucher|coupon)\b[^.!?]{0,30}\b(doesn'?t|does not|didn'?t|did not|"
    r"won'?t|will not|isn'?t|is not|wasn'?t|can'?t)( even)? (work|load|open|scan|valid|accepted|come|arrive|be)\w*",
    r"\b(link|code|label)\b[^.!?]{0,20}\b(expired|invalid|not valid|broken|rejected)\b",
    r"\b(expired|invalid|broken) (link|code)\b",
    r"\b(tried|did) (that|it|this|what you said|both|twice|again)\b[^.!?]{0,40}"
    r"\b(nothing|same|still|not|doesn'?t|didn'?t)\b",
    r"\bstill (doesn'?t work|does not work|won'?t work|not working|the same)\b",
    r"\bstill (can'?t|cannot|unable to) (log|sign|get|access|use|pay|open|check ?out)\b",
    r"\b(never|didn'?t|did not|haven'?t|have not) (got|get|received?)( the| your| that| this)( \w+)? "
    r"(e-?mail|code|link|text|sms|label)\b",
    r"\b(e-?mail|code|link|label)s? (never|hasn'?t|has not|didn'?t|did not) "
    r"(came|come|arrived?|turned up|show(ed)? up)\b",
    r"\bsame (error|problem|message|thing) (again|as before)\b",
)

# ---- technical: the customer asks again because the answer did not address it ------------------
_REPEAT = _any(r"\bi('ve| have)? (already )?asked (you|this|that|before|already|twice|earlier|at the start)\b",
               r"\bwhat i (asked|was asking)\b", r"\bask(ing)? (you )?again\b", r"\bagain:", r"\bonce again\b",
               r"\bas i asked\b", r"\bfor the (second|third|\w+th) time\b",
               r"\byou (still )?(didn'?t|did not|haven'?t|have not) (answer|reply|respond)\w*",
               r"\b(doesn'?t|does not|didn'?t|did not) answer (my|the) question\b", r"\bnot what i asked\b",
               r"\bmy question (was|is)\b")
REPEAT_SIMILARITY = 0.72  # how alike two customer messages must be to count as the same question
_CLOSING = _any(r"\b(thanks?|thank you|thx|ty|cheers|bye|goodbye|that'?s (all|everything)|no worries|perfect)\b")


def shorten(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def excerpt(text: str, match: re.Match[str], width: int = 90) -> str:
    """The sentence around a match, shortened to `width` characters."""
    start = max(text.rfind(s, 0, match.start()) for s in ".!?\n") + 1
    ends = [i for i in (text.find(s, match.end()) for s in ".!?\n") if i != -1]
    return shorten(text[start:(min(ends) + 1) if ends else len(text)], width)


def threat(text: str, frustration: float, upset: float) -> Cue | None:
    for what, pattern in THREATS:
        found = pattern.search(text)
        if found:
            return Cue(what, excerpt(text, found))
    found = SOFT_LEAVE.search(text)
    return Cue("leave", excerpt(text, found)) if found and frustration >= upset else None


def insult(text: str) -> Cue | None:
    found = _INSULT.search(text)
    return Cue("contempt", excerpt(text, found)) if found else None


def must_act(text: str) -> Cue | None:
    """Signs of account takeover or of a safety hazard: never routine, whatever the diagnosis."""
    found = _UNKNOWN_ORDERS.search(text) or (_ACCOUNT.search(text) and _INTRUDER.search(text))
    if found:
        return Cue("signs of account takeover", excerpt(text, found))
    found = _FRAUD_HOLD.search(text)
    if found:
        return Cue("a payment held by the fraud checks", excerpt(text, found))
    found = _SAFETY.search(text)
    return Cue("a safety hazard", excerpt(text, found)) if found else None


def step_failed(text: str) -> Cue | None:
    found = _STEP_FAILED.search(text)
    return Cue("a required step failed", excerpt(text, found)) if found else None


def _normal(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


# Chasing a reply ("Hello? Are you still there?") is impatience, which the frustration rules
# judge; repeating it is not a question the agent failed to answer.
_CHASING = re.compile(
    r"\b(still there|anyone there|are you there|hello\??$|waiting|answer me|respond|reply)\b", re.IGNORECASE)


def is_chasing(text: str) -> bool:
    return bool(_CHASING.search(text)) and len(_normal(text).split()) <= 14


def repeated_question(text: str, earlier_answered: list[str]) -> Cue | None:
    """The customer asks again what they asked before an agent reply, or says they are asking again."""
    if is_chasing(text):
        return None
    found = _REPEAT.search(text)
    if found:
        return Cue("customer repeated the question", excerpt(text, found))
    mine = _normal(text)
    if len(mine.split()) < 4:  # "ok", "no thats all": too short to be a question asked twice
        return None
    for before in earlier_answered:
        if SequenceMatcher(None, mine, _normal(before)).ratio() >= REPEAT_SIMILARITY:
            return Cue("customer repeated the question", shorten(text))
    return None


def is_substantive(text: str) -> bool:
    """A message that asks or explains something (not a greeting, a bare fact, or a thank-you)."""
    if _CLOSING.search(text):
        return False
    return "?" in text or len(text.split()) >= 6
