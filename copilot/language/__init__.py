"""The customer's language (Qt-free).

    from copilot.language import detect, detect_turns
    detect("¿Dónde está mi pedido?")      # Language(code="es", confidence=0.99, reliable=True); .name == "Spanish"
    detect("ok")                           # UNKNOWN: too short to tell
    detect_turns(conversation.customer_texts)   # over the latest turns together

Translation with an LLM endpoint is in copilot/assist/llm/translate.py.
"""
from __future__ import annotations

from copilot.language.detection import LANGUAGES, UNKNOWN, Language, detect, detect_turns, warm_up

__all__ = ["LANGUAGES", "UNKNOWN", "Language", "detect", "detect_turns", "warm_up"]
