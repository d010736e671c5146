"""The customer's language: detection per message, and the offline engine refusing what it was not trained on."""
from __future__ import annotations

import pytest

from copilot.assist.engine import Conversation, Turn
from copilot.assist.offline import OfflineEngine
from copilot.core.chat import Sender
from copilot.language import UNKNOWN, detect, detect_turns

MESSAGES = {
    "en": "My parcel still hasn't arrived and the tracking has not moved",
    "es": "Mi paquete todavía no ha llegado y el seguimiento no se mueve",
    "fr": "Mon colis n'est toujours pas arrivé et le suivi ne bouge plus",
    "de": "Mein Paket ist immer noch nicht angekommen und die Sendungsverfolgung steht still",
    "it": "Il mio pacco non è ancora arrivato e il tracciamento è fermo",
    "pt": "A minha encomenda ainda não chegou e o rastreamento não se mexe",
    "nl": "Mijn pakket is nog steeds niet aangekomen en de tracking staat stil",
    "pl": "Moja paczka nadal nie dotarła, a śledzenie przesyłki stoi w miejscu",
    "ru": "Моя посылка до сих пор не пришла, и отслеживание не обновляется",
    "tr": "Kargom hâlâ gelmedi ve takip bilgisi güncellenmiyor",
    "ja": "荷物がまだ届いていません。追跡情報も更新されていません。",
    "zh": "我的包裹还没有到，物流信息也没有更新。",
    "ar": "لم يصل طردي بعد ولم يتم تحديث التتبع",
}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_detects_a_short_message_in_each_language(code):
    found = detect(MESSAGES[code])
    assert found.code == code and found.reliable, found


def test_too_little_text_is_unknown_and_numbers_do_not_count():
    for text in ("ok", "hello?", "#48213", "ORD-1209958 A-20931 12/03", "", "😡😡😡", "merci"):
        assert detect(text) == UNKNOWN, text
    assert detect("order ORD-1209958 por favor").reliable is False


def test_the_latest_turns_count_together():
    assert detect_turns(["Hola", "mi pedido", "no ha llegado todavía"]).code == "es"
    assert detect_turns(["Mon colis est en retard", "#48213"]).code == "fr"
    assert detect_turns([]) == UNKNOWN


def chat(*texts: str) -> Conversation:
    return Conversation("c", "Ana", tuple(Turn(Sender.CUSTOMER, t, float(i)) for i, t in enumerate(texts)), len(texts))


@pytest.fixture(scope="module")
def engine():
    return OfflineEngine.load_default()


def test_offline_engine_says_plainly_when_the_language_is_not_its_own(engine):
    diagnosis = engine.diagnose(chat(MESSAGES["es"]))
    assert diagnosis.abstained and diagnosis.top == () and diagnosis.language == "es"
    assert "writes in Spanish" in diagnosis.reason and "trained on English only" in diagnosis.reason
    assert engine.draft(chat(MESSAGES["es"]), diagnosis) is None
    german = engine.diagnose(chat("Mein Paket ist kaputt angekommen, was soll ich tun?", "#12345"))
    assert german.language == "de" and german.abstained


def test_english_chats_are_diagnosed_as_before(engine):
    diagnosis = engine.diagnose(chat(MESSAGES["en"]))
    assert not diagnosis.abstained and diagnosis.reason == "" and diagnosis.best.category == "late_delivery"
    short = engine.diagnose(chat("where is my order?"))  # too short to tell: the classifier decides
    assert short.reason == ""


def test_a_model_trained_on_more_languages_accepts_them(engine):
    polyglot = OfflineEngine(engine.model, engine.playbooks)
    polyglot.languages = ("en", "es")
    assert polyglot.diagnose(chat(MESSAGES["es"])).reason == ""


def test_without_a_language_model_the_engine_reads_chats_as_before(engine, monkeypatch):
    from copilot.language import detection

    monkeypatch.setattr(detection, "_identifier", None)
    monkeypatch.setattr(detection, "_failure", OSError("model file missing from this install"))
    diagnosis = engine.diagnose(chat(MESSAGES["es"]))
    assert diagnosis.reason == "" and diagnosis.language == ""  # no refusal, no crash
