"""The shipped sample knowledge base, imported once into a temporary index, for the knowledge tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from copilot.knowledge.base import KnowledgeBase

SAMPLE = Path(__file__).parent.parent / "resources" / "knowledge" / "sample"


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    base = KnowledgeBase.open(tmp_path_factory.mktemp("kb") / "knowledge.sqlite")
    base.import_paths([SAMPLE])
    yield base
    base.close()
