"""Remove personal data from text before it leaves the machine or is stored.

Masks e-mail addresses, phone numbers, payment card numbers, account/IBAN numbers and street
addresses with typed placeholders ("[EMAIL]"), so what remains is still readable by a model or a
reviewer. It errs toward masking: a masked order number costs little, a leaked card number a lot.
Order numbers introduced as such ("order #48213") are kept: they are needed to help and identify
an order, not a person.
"""
from __future__ import annotations

import re

from copilot.assist.slots import EMAIL, STREET

# Card numbers: 13-19 digits, optionally grouped by spaces or dashes, checked with Luhn.
_CARD = re.compile(r"(?<![\w-])(?:\d[ -]?){12,18}\d(?![\w-])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
_ACCOUNT = re.compile(
    r"\b((?:account|acct|a/c|routing|sort code|iban|bsb|member(?:ship)?|customer)\s*(?:number|no\.?|#|id)?"
    r"\s*(?:is|:)?\s*)([A-Z]{0,3}[\d][\d -]{3,22}\d)\b",
    re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\w#/.-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,6}){1,3}(?![\w/-])"
    r"|(?<![\w#/.-])\+?\d{10,13}(?![\w/-])")
_POSTCODE_AFTER_STREET = re.compile(
    r"(\[ADDRESS\])(,?\s+[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)?(,?\s+(?:[A-Z]{2}\s+)?\d{5}(?:-\d{4})?|"
    r",?\s+[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})?")
_ORDER_CONTEXT = re.compile(r"(?:order|ref(?:erence)?|tracking|invoice)\s*(?:number|no\.?|#|id)?\s*(?:is|:)?\s*#?\s*$",
                            re.IGNORECASE)


def _luhn_ok(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card(m: re.Match) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    if re.fullmatch(r"\d{4}([ -])\d{4}\1\d{4}\1\d{4}", m.group(0)):
        return "[CARD]"  # written like a card: mask even with a typo in it
    # a bare run of digits may be an order number: mask only what passes the card checksum
    return "[CARD]" if 13 <= len(digits) <= 19 and _luhn_ok(digits) else m.group(0)


def _phone(m: re.Match, text: str) -> str:
    candidate = m.group(0)
    digits = re.sub(r"\D", "", candidate)
    if len(digits) < 7 or len(digits) > 15:
        return candidate
    if _ORDER_CONTEXT.search(text[max(0, m.start() - 30):m.start()]):
        return candidate  # "order 123 456 789" is an order number, not a phone
    if re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}", candidate.strip()):
        return candidate  # a date
    return "[PHONE]"


def redact(text: str) -> str:
    """`text` with e-mail, phone, card, account numbers and street addresses masked."""
    text = EMAIL.sub("[EMAIL]", text)
    text = _CARD.sub(_card, text)
    text = _IBAN.sub("[ACCOUNT]", text)
    text = _ACCOUNT.sub(lambda m: m.group(1) + "[ACCOUNT]", text)
    text = STREET.sub("[ADDRESS]", text)
    text = _POSTCODE_AFTER_STREET.sub("[ADDRESS]", text)
    text = _PHONE.sub(lambda m: _phone(m, text), text)
    return text
