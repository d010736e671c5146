"""Copilot ▸ Usage review… in the agent's window: opens the review window on the agent's own log.

The main window has the menu action (hidden until something offers a review); this shows it and
opens one review window, raised again on later clicks. A team lead opens the team's folder from
the review window itself.
"""
from __future__ import annotations

from pathlib import Path


def attach_review(main_window, usage_log: Path | str | None) -> None:
    """Show and connect `main_window.review_action`; the window is kept on `main_window.review_window`."""
    main_window.review_window = None

    def open_review() -> None:
        from copilot.ui.review.window import ReviewWindow

        window = main_window.review_window
        if window is None:
            window = main_window.review_window = ReviewWindow()
            if usage_log is not None and Path(usage_log).exists():
                window.load([str(usage_log)])
        window.show()
        window.raise_()
        window.activateWindow()

    main_window.review_action.setVisible(True)
    main_window.review_action.triggered.connect(open_review)
