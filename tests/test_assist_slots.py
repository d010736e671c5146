"""Slot extraction: facts a draft may use must come from the chat, and only from it."""
import pytest

from copilot.assist.slots import extract, first_name


@pytest.mark.parametrize("text, slot, value", [
    ("my order #A12345 hasn't arrived", "order_id", "A12345"),
    ("order number is 1234-5678", "order_id", "1234-5678"),
    ("Order no. 99812 please", "order_id", "99812"),
    ("email me at jo.doe@mail.com", "email", "jo.doe@mail.com"),
    ("I paid $45.99 for it", "amount", "$45.99"),
    ("charged 19.99 EUR twice", "amount", "€19.99"),
    ("tracking number 1Z999AA10123456784", "tracking_number", "1Z999AA10123456784"),
    ("it was due on March 3rd", "date", "March 3rd"),
    ("my card ending in 4242 was declined", "card_last4", "4242"),
    ("please ship to 221 Baker Street, Apt 4 instead", "address", "221 Baker Street, Apt 4"),
    ("the promo code SAVE20 does not work", "promo_code", "SAVE20"),
    ("My name is Anna Lee and I need help", "customer_name", "Anna Lee"),
])
def test_extracts(text, slot, value):
    assert extract([text])[slot] == value


@pytest.mark.parametrize("text, slot", [
    ("I ordered 2 shirts on Monday", "order_id"),  # a quantity is not an order number
    ("my order is late", "order_id"),
    ("I am very upset", "customer_name"),
    ("the code does not work", "promo_code"),
    ("I bought 3 things", "amount"),
    ("contact me at jo.doe@mail.com", "order_id"),  # digits in an e-mail are not an order
])
def test_does_not_invent(text, slot):
    assert slot not in extract([text])


def test_later_mention_wins_and_earlier_slots_survive():
    found = extract(["order #11111, my email is a@b.com", "sorry, wrong one: order #22222"])
    assert found["order_id"] == "22222" and found["email"] == "a@b.com"


def test_email_digits_do_not_become_phone_or_order():
    found = extract(["reach me at john1234567@example.com"])
    assert set(found) == {"email"}


@pytest.mark.parametrize("name, first", [("Maria Lopez", "Maria"), ("", ""), ("user_4821", ""),
                                         ("x@y.com", "")])
def test_first_name(name, first):
    assert first_name(name) == first


@pytest.mark.parametrize("text, slot, value", [
    ("Yes, it's ORD-1209958.", "order_id", "ORD-1209958"),
    ("Ends in 7720.", "card_last4", "7720"),
    ("Mastercard ending 1180.", "card_last4", "1180"),
    ("42 Harbour View, Brighton BN2 1TS", "address", "42 Harbour View, Brighton BN2 1TS"),
    ("call me on +45 20 55 81 13", "phone", "+45 20 55 81 13"),
])
def test_extracts_chat_shapes(text, slot, value):
    assert extract([text])[slot] == value


@pytest.mark.parametrize("text", ["I have 2 items on the way", "my gift card GC-4419-8830 was declined"])
def test_shapes_that_are_not_addresses_or_orders(text):
    found = extract([text])
    assert "address" not in found and "order_id" not in found


def test_bare_value_counts_only_as_a_reply_to_the_question():
    from copilot.assist.slots import extract_turns

    assert "order_id" not in extract_turns([("customer", "88419003")])
    found = extract_turns([("customer", "my parcel is late"), ("agent", "What's your order number?"),
                           ("customer", "88419003")])
    assert found["order_id"] == "88419003"
    found = extract_turns([("agent", "Which card was it? The last 4 digits are enough."), ("customer", "the 3391 one")])
    assert found["card_last4"] == "3391"
    found = extract_turns([("agent", "What code did you use?"), ("customer", "It's SPRING20, exactly as in the email.")])
    assert found["promo_code"] == "SPRING20"
    # the question is answered once; a later number is not an order number
    found = extract_turns([("agent", "Order number?"), ("customer", "GX-31207"), ("customer", "I paid 4500 for it")])
    assert found["order_id"] == "GX-31207"
