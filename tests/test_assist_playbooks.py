"""Playbooks: the shipped set is complete and valid; mistakes are reported by file and field."""
import json

import pytest

from copilot.assist.drafting import compose
from copilot.assist.playbooks import PlaybookError, load_playbooks
from copilot.assist.offline import default_model_dir, default_playbooks_dir, fallback_model_dir

CATEGORIES = {
    "order_status", "late_delivery", "missing_item", "damaged_item", "wrong_item", "return_exchange",
    "refund_status", "charged_twice", "cancel_order", "change_address", "promo_code", "account_access",
    "payment_declined", "defective_product", "invoice_request", "delivery_not_received",
    "price_adjustment", "subscription_cancel",
    # after-sales categories added in issue 12
    "subscription_renewal", "change_order", "shipping_options", "product_question", "site_problem",
    "policy_question",
}

GOOD = '''
id = "x_issue"
name = "X"
steps = ["Ask", "Check"]
[[collect]]
key = "order_id"
label = "your order number"
[replies]
ask = "Hi {customer_name}, could you send me {missing}?"
resolve = "Thanks {customer_name}, checking order {order_id}."
'''


def test_shipped_playbooks_cover_the_taxonomy_and_the_model():
    books = load_playbooks(default_playbooks_dir())
    assert set(books) == CATEGORIES
    for model_dir in (default_model_dir(), fallback_model_dir()):
        classes = set(json.loads((model_dir / "model.json").read_text())["classes"]) - {"oos"}
        assert classes == CATEGORIES


def test_every_shipped_resolve_reply_fills_from_its_collected_slots():
    """With every collected slot known, no playbook's resolve reply may still need anything."""
    values = {"order_id": "48213", "email": "a@b.com", "amount": "$10", "address": "1 Oak Road",
              "promo_code": "SAVE20"}
    for book in load_playbooks(default_playbooks_dir()).values():
        texts = ["photo attached; refund please; it says error; it won't turn on; the lamp is missing; "
                 "please change the size; on my iPhone"]
        draft = compose(book, values, texts, "Maria Lopez")
        assert "{" not in draft and "send me" not in draft, book.id


def write(tmp_path, text, name="x.toml"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_loads_a_good_file(tmp_path):
    books = load_playbooks(write(tmp_path, GOOD))
    assert books["x_issue"].collect[0].required


@pytest.mark.parametrize("broken, message", [
    (GOOD.replace('name = "X"\n', ""), "missing field 'name'"),
    (GOOD.replace("{order_id}.", "{order_number}."), "unknown slot"),
    (GOOD.replace("could you send me {missing}?", "is order {order_id} yours?"), "may only use"),
    (GOOD.replace('key = "order_id"', 'key = "photo"'), "detect"),
    (GOOD.replace('id = "x_issue"', 'id = "X Issue"'), "lower_snake_case"),
    (GOOD + "\n[oops", "x.toml"),
])
def test_reports_mistakes_by_file_and_field(tmp_path, broken, message):
    with pytest.raises(PlaybookError, match="x.toml") as err:
        load_playbooks(write(tmp_path, broken))
    assert message in str(err.value)


def test_duplicate_ids_rejected(tmp_path):
    write(tmp_path, GOOD, "a.toml")
    write(tmp_path, GOOD, "b.toml")
    with pytest.raises(PlaybookError, match="duplicate"):
        load_playbooks(tmp_path)
