"""Facts stated in the chat: order numbers, e-mail, amounts, tracking numbers, dates, ...

Drafts may only contain facts found here (or the customer's name from the chat header): the
extractor is deliberately conservative, since a missed slot costs one question to the customer
while a wrong one puts a false fact in a reply.
"""
from __future__ import annotations

import re

EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
PHONE = re.compile(r"(?<![\w#])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{2,4}[\s.-]\d{3,4}[\s.-]?\d{3,4}(?![\w-])")
CARD = re.compile(r"\b(?:\d{4}[ -]?){3}\d{1,4}\b|\b\d{15,16}\b")
STREET = re.compile(
    r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][a-z]+\.?\s+){1,3}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|"
    r"Close|Crescent|Square|Sq|Parkway|Pkwy|Highway|Hwy)\b\.?(?:,?\s+(?:Apt|Apartment|Unit|Suite|Flat)\.?\s*#?\w+)?",
    re.IGNORECASE)

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
_CARD_LAST4 = re.compile(r"\b(?:card|visa|mastercard|amex)\b[^.?!\d]{0,25}?\b(?:ending|ends)\s+(?:in|with)\s+(\d{4})\b",
                         re.IGNORECASE)
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
        orders = [o.strip("-") for o in _ORDER.findall(scrubbed)]
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


def first_name(full_name: str) -> str:
    """The first word of a display name, if it looks like a name (not a handle or an e-mail)."""
    word = full_name.strip().split()[0] if full_name.strip() else ""
    return word if re.fullmatch(r"[A-Za-zÀ-ÿ'-]{2,}", word) else ""
