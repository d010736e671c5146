"""Hands the team's knowledge base to a session's engines, so their drafts use and cite it.

Called by Session.build (copilot/session.py). Only an index that exists and holds items is opened:
a fresh install without an import runs exactly as before. A file that cannot be used is reported
as a problem for the window to show, and the engines run without it.
"""
from __future__ import annotations

from pathlib import Path


def attach(engines, settings, problems: list[str], path: Path | None = None):
    """The KnowledgeBase now used by `engines` (an copilot.assist.engines.Engines), or None."""
    from copilot.knowledge.base import KnowledgeBase, default_path
    from copilot.knowledge.store import StoreError

    path = path or default_path()
    if not getattr(settings, "knowledge_in_drafts", True) or not path.exists():
        return None
    try:
        kb = KnowledgeBase.open(path)
        if not kb.counts():
            kb.close()
            return None
    except StoreError as exc:
        problems.append(f"The knowledge index cannot be used ({exc}); drafts come from the playbooks only.")
        return None
    for engine in {id(e): e for e in (engines.offline, engines.primary)}.values():
        if hasattr(engine, "knowledge"):
            engine.knowledge = kb
    return kb
