"""A session's engines get the imported knowledge base; without an import nothing changes."""
from __future__ import annotations

from pathlib import Path

from copilot.assist.engine import Conversation, DraftRequest, Turn
from copilot.assist.engines import DeferredOfflineEngine, Engines
from copilot.core.chat import Sender
from copilot.core.modes import DraftKind
from copilot.knowledge.base import KnowledgeBase
from copilot.knowledge.wiring import attach
from copilot.settings import Settings

SAMPLE = Path(__file__).parent.parent / "resources" / "knowledge" / "sample"


def test_engines_draft_from_the_imported_knowledge(tmp_path):
    index = tmp_path / "knowledge.sqlite"
    problems: list[str] = []
    engines = Engines(DeferredOfflineEngine())
    assert attach(engines, Settings(), problems, index) is None and not index.exists()  # nothing imported yet
    KnowledgeBase.open(index).import_paths([SAMPLE])
    assert attach(engines, Settings(knowledge_in_drafts=False), problems, index) is None
    kb = attach(engines, Settings(), problems, index)
    assert kb is not None and not problems and engines.offline.knowledge is kb
    late = Conversation("c", "Ann", (Turn(Sender.CUSTOMER, "I forgot my password and the reset email never comes, "
                                                           "my email is ann@example.com", 0.0),), 1)
    draft = engines.offline.write_draft(late, engines.offline.diagnose(late), DraftRequest(DraftKind.ROUTINE))
    assert [c.item_id for c in draft.citations][:1] == ["csv:password"]


def test_an_unusable_index_is_a_problem_not_a_crash(tmp_path):
    index = tmp_path / "knowledge.sqlite"
    index.write_bytes(b"garbage" * 1000)
    problems: list[str] = []
    assert attach(Engines(DeferredOfflineEngine()), Settings(), problems, index) is None
    assert problems and problems[0].startswith("The knowledge index cannot be used")
