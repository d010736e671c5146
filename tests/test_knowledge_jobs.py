"""The Jobs the window runs for knowledge, wrap-up notes and translations (run inline here)."""
from __future__ import annotations

from pathlib import Path

from copilot.assist.engine import Conversation, Turn
from copilot.assist.engines import Engines
from copilot.assist.offline import OfflineEngine
from copilot.core.chat import Sender
from copilot.core.jobs import run_now
from copilot.knowledge.base import KnowledgeBase
from copilot.knowledge.jobs import LatestSearch, import_job, top_for_job, translate_job, wrapup_job

SAMPLE = Path(__file__).parent.parent / "resources" / "knowledge" / "sample"


def test_import_then_search_as_you_type_drops_older_answers(tmp_path):
    kb = KnowledgeBase.open(tmp_path / "k.sqlite")
    progress, reports = [], []
    run_now(import_job(kb, [SAMPLE], reports.append, progress.append))
    assert reports[0].taken == 47 and progress[-1][0] == 24
    shown = []
    searches = LatestSearch(kb, lambda q, hits: shown.append((q, [h.id for h in hits])), limit=3)
    older, newer = searches.job("gif"), searches.job("gift card")
    run_now(newer)
    run_now(older)  # finishing late: dropped
    assert shown == [("gift card", shown[0][1])] and shown[0][1][0] == "sample:gift-cards"
    assert older.lane == "assist" and import_job(kb, [], print).lane == "io"
    best = []
    conversation = Conversation("c", "Ann", (Turn(Sender.CUSTOMER, "do gift cards expire?", 0.0),), 1)
    run_now(top_for_job(kb, conversation, None, best.append))
    assert best[0][0].id == "sample:gift-cards"


class CancelledControl:
    cancelled = True

    def progress(self, value) -> None:
        pass


def test_import_can_be_cancelled(tmp_path):
    kb = KnowledgeBase.open(tmp_path / "k.sqlite")
    report = import_job(kb, [SAMPLE / "help"], print).work(CancelledControl())
    assert report.files_seen == 0 and "import cancelled" in "\n".join(report.lines())


def test_wrapup_and_translation_without_an_endpoint():
    engines = Engines(OfflineEngine.load_default())
    conversation = Conversation("c", "Ann", (Turn(Sender.CUSTOMER, "my parcel is late, order #48213", 0.0),), 1)
    notes, translations = [], []
    run_now(wrapup_job(engines, conversation, None, "open", notes.append))
    assert notes[0].engine == "offline" and "Order number: 48213" in notes[0].facts
    run_now(translate_job(engines, "Mi pedido no ha llegado todavía", "en", translations.append))
    assert translations[0].text == "" and "needs an LLM endpoint" in translations[0].notice
