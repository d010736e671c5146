"""The knowledge work the window hands to its background helper, as Qt-free Jobs (copilot/core/jobs.py).

    searches = LatestSearch(kb, show_hits)          # the Ctrl+K panel
    background.run(searches.job(text))              # on every keystroke; older answers are dropped
    background.run(top_for_job(kb, conversation, diagnosis, show_best_three))
    background.run(import_job(kb, paths, show_report, show_progress))
    background.run(wrapup_job(engines, conversation, diagnosis, "resolved", show_note))
    background.run(translate_job(engines, customer_text, "en", show_translation))

Searches run on the "assist" lane (tens of milliseconds each), imports on "io" (they may take
minutes and must not hold searches up). Callbacks come on the UI thread.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from copilot.core.jobs import Job


class LatestSearch:
    """Search as you type: one Job per keystroke; an answer to an older keystroke is never shown."""

    def __init__(self, kb, on_hits: Callable[[str, list], None], limit: int = 10):
        self.kb = kb
        self.on_hits = on_hits  # (query, hits), on the UI thread
        self.limit = limit
        self._latest = 0

    def job(self, query: str, kind: str | None = None) -> Job:
        self._latest += 1
        ticket = self._latest

        def done(hits: list) -> None:
            if ticket == self._latest:
                self.on_hits(query, hits)

        return Job(lambda control: self.kb.search(query, limit=self.limit, kind=kind),
                   "Searching saved replies and articles", on_done=done, lane="assist")


def top_for_job(kb, conversation, diagnosis, on_done: Callable[[list], None]) -> Job:
    """The best three items for the chat in focus (call again when a customer message arrives)."""
    return Job(lambda control: kb.top_for(conversation, diagnosis), "Finding saved replies for this chat",
               on_done=on_done, lane="assist")


def import_job(kb, paths: list[str | Path], on_done: Callable, on_progress: Callable | None = None,
               default_kind: str | None = None) -> Job:
    """An import with progress ((files read, current file)) and cancellation; on_done gets the ImportReport."""
    def work(control):
        return kb.import_paths(paths, default_kind, progress=lambda n, path: control.progress((n, path)),
                               cancelled=lambda: control.cancelled)

    return Job(work, "Importing saved replies and articles", on_done=on_done, on_progress=on_progress, lane="io")


def wrapup_job(engines, conversation, diagnosis, status: str, on_done: Callable,
               used_items: tuple[str, ...] = ()) -> Job:
    """The wrap-up note: by the LLM endpoint when one is configured (the offline note if it fails),
    else offline. `engines`: copilot.assist.engines.Engines."""
    def work(control):
        from copilot.assist.wrapup import offline_note

        primary = engines.primary
        if engines.has_fallback and hasattr(primary, "complete"):
            from copilot.assist.llm.wrapup import llm_note

            return llm_note(primary, conversation, diagnosis, status, used_items, lambda: control.cancelled)
        return offline_note(conversation, diagnosis, status, used_items)

    return Job(work, "Writing the wrap-up note", on_done=on_done, lane="assist")


def translate_job(engines, text: str, target: str, on_done: Callable, source: str = "",
                  detect_from: list[str] | None = None) -> Job:
    """A translation through the LLM endpoint (copilot/assist/llm/translate.py); without one, on_done
    gets a Translation whose notice says so. `detect_from`: the customer's texts whose language is
    the source, detected here, off the UI thread (the detector's model loads on first use); when it is
    unsure, or the same as `target`, nothing is translated and the notice says why."""
    def work(control):
        from copilot.assist.llm.translate import Translation, translate

        found_source = source
        if not found_source and detect_from is not None:
            from copilot.language import detect_turns

            found = detect_turns(detect_from)
            if not found.reliable or found.code == target:
                return Translation(text, "", found.code if found.reliable else "", target,
                                   notice="The customer writes in your language, or too little to tell: "
                                          "nothing to translate.")
            found_source = found.code
        if not (engines.has_fallback and hasattr(engines.primary, "complete")):
            return Translation(text, "", found_source, target, notice="Translation needs an LLM endpoint (Copilot ▸ "
                               "Model endpoint…).")
        return translate(engines.primary, text, target, found_source, lambda: control.cancelled)

    return Job(work, "Translating", on_done=on_done, lane="assist")
