"""The offline engine's answer to a chat in a language it was not trained on: a plain abstention
with the reason, instead of a diagnosis of foreign words as if they were English.

Kept apart from the classifier (offline.py calls it first) so the rule is one place: the customer's
latest turns are detected together, and only a reliable detection of another language abstains;
short or unclear messages ("ok", "#48213") go to the classifier as before.
"""
from __future__ import annotations

import logging

from copilot.core.suggestion import Diagnosis
from copilot.language import LANGUAGES, detect_turns

log = logging.getLogger(__name__)
TRAINED = ("en",)  # the shipped model's examples are English (resources/training/ecommerce.csv)


def untrained_language(customer_texts: list[str], trained: tuple[str, ...] = TRAINED) -> Diagnosis | None:
    """An abstaining Diagnosis when the customer reliably writes in a language not in `trained`."""
    try:
        found = detect_turns(customer_texts)
    except (ImportError, OSError, ValueError) as exc:  # no usable language model here: classify as before
        log.warning("language detection unavailable (%s); the offline engine reads every chat as before", exc)
        return None
    if not found.reliable or found.code in trained:
        return None
    known = ", ".join(LANGUAGES.get(code, code) for code in trained)
    reason = (f"The customer writes in {found.name}; the offline engine was trained on {known} only, so it "
              "does not diagnose this chat. Read it yourself, or use an LLM endpoint to translate.")
    return Diagnosis(top=(), abstained=True, reason=reason, language=found.code)

