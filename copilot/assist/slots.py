"""Facts stated in the chat: order numbers, e-mail, amounts, tracking numbers, dates, ...

Drafts may only contain facts found here (or the customer's name from the chat header): the
extractor is deliberately conservative, since a missed slot costs one question to the customer
while a wrong one puts a false fact in a reply.
"""
from __future__ import annotations

import re

EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
PHONE = re.compile(r"(?<![\w#])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{2,4}[\s.-]\d{3,4}[\s.-]?\d{3,4}(?![\w-])"
                   r"|(?<![\w#])\+\d{1,3}(?:[\s.-]\d{2,4}){3,5}(?![\w-])")
CARD = re.compile(r"\b(?:\d{4}[ -]?){3}\d{1,4}\b|\b\d{15,16}\b")
_SUFFIX = ("Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Close|"
           "Crescent|Square|Sq|Parkway|Pkwy|Highway|Hwy|View|Gardens|Grove|Hill|Park|Row|Mews|Walk|Rise")
_POSTCODE = r"(?:[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|(?:[A-Z]{2}\s+)?\d{5}(?:-\d{4})?)"
# "42 Harbour View, Brighton BN2 1TS", "221B Baker Street, Apt 4": capitalised names (so "2 items on
# the way" is not an address), any-case suffix, optional flat, town and postcode.
STREET = re.compile(
    rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][a-z]+\.?\s+){{1,3}}(?i:{_SUFFIX})\b\.?"
    r"(?:,?\s+(?i:Apt|Apartment|Unit|Suite|Flat)\.?\s*#?\w+)?"
    rf"(?:,?\s+[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)?(?:,?\s+{_POSTCODE})?")

_ORDER = re.compile(
    r"(?:\border\b(?:\s+(?:number|no\.?|num|id|ref(?:erence)?))?|\bref(?:erence)?(?:\s+number)?|#)"
    r"\s*(?:is|was|=|:)?\s*#?\s*([A-Z]{0,4}-?\d[\dA-Z-]{3,18})\b",
    re.IGNORECASE)
_TRACKING = re.compile(r"\btracking(?:\s+(?:number|no\.?|code|id))?\s*(?:is|:)?\s*#?\s*([A-Z0-9]{8,30})\b",
                       re.IGNORECASE)
_AMOUNT = re.compile(
    r"(?:(?P<sym>[$€£])\s?(?P<a>\d{1,6}(?:[.,]\d{3})*(?:[.,]\d{1,2})?))"
    r"|(?:(?P<b>\d{1,6}(?:[.,]\d{1,2})?)\s?(?P<code>USD|EUR|GBP|CAD|AUD|dollars|euros?|pounds|bucks)\b)",
    re.IGNORECASE)
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})[a-z]*|(?:{_MONTHS})[a-z]*\.?\s+\d{{1,2}}(?:st|nd|rd|th)?)"
    rf"(?:,?\s+\d{{4}})?\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b",
    re.IGNORECASE)
_CARD_LAST4 = re.compile(r"\b(?:ending|ends)(?:\s+(?:in|with))?\s+(\d{4})\b", re.IGNORECASE)
# An order reference written as letters, dash, digits ("ORD-1209958", "PO-20931"), not after words
# that make it something else (a gift card, a serial, a tracking or VAT number).
_ORDER_SHAPE = re.compile(r"(?<![\w-])(?<!card )(?<!serial )(?<!tracking )(?<!model )([A-Z]{2,4}-\d{5,12})(?![\w-])")
_PROMO = re.compile(r"\b(?:promo|discount|coupon|voucher)?\s*code\s*(?:is|was|:)?\s*[\"'“]?([A-Z][A-Z0-9]{3,19})\b")
_NAME = re.compile(r"\b(?i:my name is|this is|i am|i'm)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\b")
_NOT_NAMES = {"Still", "Very", "So", "Not", "Really", "Just", "Here", "Trying", "Waiting"}


def _amount(m: re.Match) -> str:
    if m.group("sym"):
        return f"{m.group('sym')}{m.group('a')}"
    code = m.group("code").upper()
    symbol = {"USD": "$", "DOLLARS": "$", "BUCKS": "$", "EUR": "€", "EURO": "€", "EUROS": "€",
              "GBP": "£", "POUNDS": "£"}.get(code)
    return f"{symbol}{m.group('b')}" if symbol else f"{m.group('b')} {code}"


def extract(texts: list[str]) -> dict[str, str]:
    """Slots found in `texts` (oldest first); a later mention of the same slot wins."""
    found: dict[str, str] = {}
    for text in texts:
        emails = EMAIL.findall(text)
        if emails:
            found["email"] = emails[-1]
        scrubbed = EMAIL.sub(" ", text)
        tracking = _TRACKING.findall(scrubbed)
        if tracking and any(ch.isdigit() for ch in tracking[-1]):
            found["tracking_number"] = tracking[-1]
            scrubbed = scrubbed.replace(tracking[-1], " ")
        orders = [o.strip("-") for o in _ORDER.findall(scrubbed)] or _ORDER_SHAPE.findall(scrubbed)
        orders = [o for o in orders if sum(ch.isdigit() for ch in o) >= 4]
        if orders:
            found["order_id"] = orders[-1].upper()
        amounts = [_amount(m) for m in _AMOUNT.finditer(scrubbed)]
        if amounts:
            found["amount"] = amounts[-1]
        dates = _DATE.findall(scrubbed)
        if dates:
            found["date"] = dates[-1]
        last4 = _CARD_LAST4.findall(scrubbed)
        if last4:
            found["card_last4"] = last4[-1]
        phones = PHONE.findall(scrubbed)
        phones = [p.strip() for p in phones if found.get("order_id", "@") not in p.upper()]
        if phones:
            found["phone"] = phones[-1]
        streets = STREET.findall(scrubbed)
        if streets:
            found["address"] = streets[-1].strip()
        promo = _PROMO.findall(scrubbed)
        if promo:
            found["promo_code"] = promo[-1]
        name = _NAME.findall(text)
        if name and name[-1].split()[0] not in _NOT_NAMES:
            found["customer_name"] = name[-1]
    return found


# What the agent's last message asked for, and the bare value that answers it ("ORD-1209958",
# "88419003", "7720", "SPRING20"): recognised only as a reply to that question.
_ASKED = {
    "order_id": re.compile(r"order\s*(?:number|no\b|num|id|#|ref)", re.IGNORECASE),
    "card_last4": re.compile(r"last (?:4|four)|card ending|which card", re.IGNORECASE),
    "promo_code": re.compile(r"\bcode\b", re.IGNORECASE),
}
_BARE = {
    "order_id": re.compile(r"(?<![\w-])(?:[A-Za-z]{1,4}-?)?\d[\d-]{3,14}\d(?![\w-])"),
    "card_last4": re.compile(r"(?<![\d-])\d{4}(?![\d-])"),
    "promo_code": re.compile(r"\b(?=[A-Z0-9]*\d)[A-Z][A-Z0-9]{3,19}\b"),
}


def extract_turns(turns) -> dict[str, str]:
    """Slots from a conversation's (sender, text) turns: as `extract` over the customer's turns,
    plus bare values given in reply to the agent asking for them."""
    found: dict[str, str] = {}
    asked: set[str] = set()
    for sender, text in turns:
        if sender == "agent":
            asked = {key for key, pattern in _ASKED.items() if pattern.search(text)}
            continue
        if sender != "customer":
            continue
        new = extract([text])
        for key in sorted(asked - set(new)):
            bare = _BARE[key].findall(EMAIL.sub(" ", text))
            if bare:
                new[key] = bare[0].upper() if key == "order_id" else bare[0]
        asked -= set(new)
        found.update(new)
    return found


def first_name(full_name: str) -> str:
    """The first word of a display name, if it looks like a name (not a handle or an e-mail)."""
    word = full_name.strip().split()[0] if full_name.strip() else ""
    return word if re.fullmatch(r"[A-Za-zÀ-ÿ'-]{2,}", word) else ""
