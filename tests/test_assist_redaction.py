"""PII redaction before text leaves the machine or is stored."""
import pytest

from copilot.assist.redaction import redact


@pytest.mark.parametrize("text, placeholder, secret", [
    ("mail me at jo.doe+x@mail.co.uk please", "[EMAIL]", "jo.doe"),
    ("call me on +1 (415) 555-0134", "[PHONE]", "555-0134"),
    ("or on 07700 900123 after six", "[PHONE]", "900123"),
    ("my number is 4155550134", "[PHONE]", "4155550134"),
    ("my card 4242 4242 4242 4242 was charged", "[CARD]", "4242 4242"),
    ("card 4111-1111-1111-1112 (typo) too", "[CARD]", "1111-1112"),
    ("pay from 4242424242424242", "[CARD]", "4242424242424242"),
    ("IBAN GB29 NWBK 6016 1331 9268 19", "[ACCOUNT]", "9268"),
    ("account number 12345678, sort code 12-34-56", "[ACCOUNT]", "12345678"),
    ("ship to 221B Baker Street, London NW1 6XE", "[ADDRESS]", "Baker"),
    ("I live at 1600 Pennsylvania Avenue, Washington, DC 20500", "[ADDRESS]", "20500"),
])
def test_masks(text, placeholder, secret):
    out = redact(text)
    assert placeholder in out and secret not in out


@pytest.mark.parametrize("text", [
    "order #48213 placed on 12/03/2024",
    "order 123 456 789 is late",
    "I paid $45.99 on March 3",
    "tracking 1Z999AA10123456784",
    "I need 2 shirts in size 10",
])
def test_keeps_what_is_not_personal(text):
    assert redact(text) == text


def test_masks_everything_in_a_busy_message():
    text = ("Hi, I'm at 12 Oak Road, my phone is 020 7946 0958, email a.b@c.org, "
            "card 5555 5555 5555 4444, order #77231")
    out = redact(text)
    for secret in ("Oak Road", "7946", "a.b@c.org", "5555"):
        assert secret not in out
    assert "#77231" in out
