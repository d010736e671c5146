"""Exports from the review window, written by the background helper: the UI thread never waits on the disk."""
from __future__ import annotations

from collections.abc import Callable

from copilot.core.jobs import Job
from copilot.ui.review.loader import LANE


def export_job(kind: str, review, path: str, agents: list[str] | None, done: Callable[[str, str], None]) -> Job:
    """Writes the HTML report or the CSV table; `done(path, error)` ("" when written) on the UI thread."""
    def work(_control) -> str:
        from copilot.review.export import write_csv
        from copilot.review.html_report import write_html

        if kind == "html":
            write_html(review, path)
        else:
            write_csv(review, path, agents)
        return path

    # a full disk, a folder without write access: reported in the window, not raised
    return Job(work, f"Writing {path}", on_done=lambda _path: done(path, ""),
               on_error=lambda error: done(path, str(error) or type(error).__name__), lane=LANE)
