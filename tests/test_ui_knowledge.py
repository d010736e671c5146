"""The window's knowledge features: Ctrl+K panel with the best three and search as you type, a
saved reply inserted with its placeholders filled, what was shown/inserted/sent recorded, and the
wrap-up note when a chat ends, with Copy and Post as private note."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from copilot.knowledge.base import KnowledgeBase
from copilot.ui.knowledge_ui import KnowledgeUI
from tests.window_harness import Harness

SAMPLE = Path(__file__).parent.parent / "resources" / "knowledge" / "sample"


@pytest.fixture
def kb(tmp_path):
    base = KnowledgeBase.open(tmp_path / "knowledge.sqlite")
    base.import_paths([SAMPLE])
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "x.md").write_text("---\nkind: reply\n---\n# Deals <$50 & <i>fast</i>\n\nHello {{contact.first_name}}!")
    base.import_paths([tmp_path / "odd"])
    return base


def test_panel_insert_send_and_wrapup(qtbot, kb):
    h = Harness(qtbot)
    h.engine.knowledge = kb
    notes = []
    h.source.post_note = lambda chat_id, text, now: notes.append((chat_id, text))
    ui = KnowledgeUI(h.window, SimpleNamespace(workspace=h.ws, engines=h.engines), h.background, "Sam Reed")
    h.customer("c1", "I forgot my password and the reset email never comes, my email is ana@example.com")
    h.ws.focus("c1")
    h.window.knowledge_action.trigger()
    panel = ui.panel
    qtbot.waitUntil(lambda: panel.results.count() == 3, timeout=5000)
    assert panel.isVisible() and panel.heading.text() == "Best for the chat with Ana Silva"
    shown = [f for k, _, f in h.recorder.records if k == "knowledge_shown"]
    assert shown and shown[-1]["where"] == "top_for" and "csv:password" in shown[-1]["item_ids"]

    qtbot.keyClicks(panel.search, "deals fas")  # markup was dropped at import; what is left shows as plain text
    qtbot.waitUntil(lambda: panel.results.count() and "Deals <$50 & fast" in panel.results.item(0).text(), timeout=5000)
    panel.search.clear()
    qtbot.keyClicks(panel.search, "password reset link")
    qtbot.waitUntil(lambda: panel.results.count() and panel.current_id() == "csv:password", timeout=5000)
    assert panel.insert_button.isEnabled()
    panel.insert_button.click()
    qtbot.waitUntil(lambda: "ana@example.com" in h.window.composer.toPlainText(), timeout=5000)
    assert h.window.composer.toPlainText().startswith("I've sent a password reset link to ana@example.com.")
    inserted = [f for k, _, f in h.recorder.records if k == "knowledge_inserted"]
    assert inserted == [{"chat_id": "c1", "item_id": "csv:password", "ready": True, "missing": 0, "unknown": 0}]
    h.window.send_from_composer(h.window.composer.toPlainText())
    sent = [f for k, _, f in h.recorder.records if k == "knowledge_sent"]
    assert sent and sent[0]["unedited"] is True and sent[0]["item_id"] == "csv:password"

    h.window.end_chat(resolved=True)
    assert h.window.notice_bar.action_button.text() == "Wrap-up note"
    h.window.notice_bar.action_button.click()
    qtbot.waitUntil(lambda: ui.dialog.text.toPlainText().startswith("Issue:"), timeout=5000)
    note = ui.dialog.text.toPlainText()
    assert "E-mail: ana@example.com" in note and "Outcome: Resolved." in note
    ui.dialog.text.setPlainText(note + "\nChecked by Sam.")
    ui.dialog.copy()
    assert ui.dialog.post_button.isEnabled()
    ui.dialog.post_button.click()
    assert notes == [("c1", note + "\nChecked by Sam.")]
    panel.hide()
    h.close()


def test_translations_beside_the_original_and_a_reply_sent_after_seeing_both(qtbot):
    import json

    from copilot.assist.engines import Engines
    from copilot.assist.llm.config import LLMConfig
    from copilot.assist.llm.engine import LLMEngine
    from copilot.assist.offline import OfflineEngine
    from copilot.ui.translation_ui import TranslationUI
    from tests.fakes import EchoEngine
    from tests.llm_fake_server import FakeOpenAI

    server = FakeOpenAI()
    answers = {"Mi pedido": ["My order 48213 has not arrived yet."], "Your order": ["Su pedido 48213 llega mañana."]}

    def reply(body):
        if not body.get("stream"):
            return ("json", json.dumps({"category": "late_delivery", "confidence": 0.9, "evidence": []}))
        text = body["messages"][-1]["content"]
        return ("stream", next((v for k, v in answers.items() if k in text), ["A draft."]), 0.0)

    server.default = reply
    llm = LLMEngine(LLMConfig(base_url=server.base_url, model="fake", timeout=5.0), OfflineEngine.load_default().playbooks)
    h = Harness(qtbot, engines=Engines(EchoEngine(), llm))
    ui = TranslationUI(h.window, SimpleNamespace(workspace=h.ws, engines=h.engines), h.background, "en")
    h.customer("c1", "Mi pedido 48213 todavía no ha llegado, ¿dónde está?", wait_for_suggestion=False)
    h.ws.focus("c1")
    qtbot.waitUntil(lambda: "Translated: My order 48213 has not arrived yet." in h.window.chat_view.toPlainText(),
                    timeout=8000)
    assert "Mi pedido 48213" in h.window.chat_view.toPlainText()  # the original stays
    h.window.composer.setPlainText("Your order 48213 arrives tomorrow.")
    h.window.translate_action.trigger()
    qtbot.waitUntil(lambda: ui.dialog.theirs.toPlainText() == "Su pedido 48213 llega mañana.", timeout=8000)
    assert ui.dialog.mine.toPlainText() == "Your order 48213 arrives tomorrow." and ui.dialog.send_button.isEnabled()
    ui.dialog.send_button.click()
    assert h.source.sent[-1] == ("c1", "Su pedido 48213 llega mañana.")
    h.close()
    server.close()


def test_the_diagnosis_panel_says_when_the_language_is_not_the_engines(qtbot):
    from copilot.assist.offline import OfflineEngine

    h = Harness(qtbot, engine=OfflineEngine.load_default())
    h.customer("c1", "Hola, mi pedido no ha llegado todavía y estoy preocupada")
    h.ws.focus("c1")
    qtbot.waitUntil(lambda: "writes in Spanish" in h.window.diagnosis_panel.notice.text(), timeout=5000)
    assert h.window.diagnosis_panel.category.text() == "No matching category"
    h.close()


def test_the_draft_panel_names_the_items_a_draft_rests_on(qtbot, kb):
    from copilot.assist.offline import OfflineEngine

    engine = OfflineEngine.load_default()
    engine.knowledge = kb
    h = Harness(qtbot, engine=engine)
    h.customer("c1", "I forgot my password and the reset email never comes, my email is ana@example.com")
    h.ws.focus("c1")
    panel = h.window.draft_panel
    qtbot.waitUntil(lambda: getattr(panel, "sources_label", None) is not None and panel.sources_label.isVisible(),
                    timeout=5000)
    assert panel.sources_label.text() == "Based on: Password reset link · Can't sign in or reset your password"
    cited = [f for k, _, f in h.recorder.records if k == "knowledge_cited"]
    assert cited and cited[0]["item_ids"] == ["csv:password", "sample:account-access"]
    h.close()


def test_the_panel_imports_the_sample_knowledge_base_off_the_ui_thread(qtbot, tmp_path):
    """A new team starts with an empty index: Import… in the panel takes the shipped sample (or a
    file or folder) on the background helper and says what it took."""
    from copilot.session import SessionOptions
    from copilot.ui.app import application
    from copilot.ui.workbench import Workbench

    application()
    bench = Workbench(SessionOptions(agent="ana", seed=2, usage_log=tmp_path / "usage.sqlite"))
    qtbot.addWidget(bench.window)
    ui = bench.knowledge
    ui.open_panel()
    qtbot.waitUntil(lambda: ui.kb is not None, timeout=10000)
    ui.panel.import_requested.emit("")
    qtbot.waitUntil(lambda: ui.panel.status.text().startswith("Imported"), timeout=30000)
    assert "new" in ui.panel.status.text() and ui.kb.search("refund")
    bench.close()
