"""Exports from the review window, written by the background helper: the UI thread never waits on the disk."""
from __future__ import annotations

from collections.abc import Callable

from copilot.core.jobs import Job
from copilot.ui.review.loader import LANE


def export_job(kind: str, review, path: str, agents: list[str] | None, inputs: list[str],
               done: Callable[[str, str], None]) -> Job:
    """Writes the HTML report or the CSV table; `done(path, error)` ("" when written) on the UI thread.

    `inputs`: the logs the review was read from (files or folders), which an export never overwrites."""
    def work(_control) -> str:
        from copilot.review.export import output_problem, write_csv
        from copilot.review.html_report import write_html

        problem = output_problem(path, inputs)
        if problem:
            raise ValueError(problem)
        if kind == "html":
            write_html(review, path)
        else:
            write_csv(review, path, agents)
        return path

    def failed(error: BaseException) -> None:  # a full disk, a folder without write access: reported, not raised
        text = (error.strerror if isinstance(error, OSError) else "") or str(error) or type(error).__name__
        done(path, text)

    return Job(work, f"Writing {path}", on_done=lambda _path: done(path, ""), on_error=failed, lane=LANE)
