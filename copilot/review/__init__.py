"""Team-lead usage review (Qt-free): many agents' usage logs, read-only, merged and summarised.

    from copilot.review import review_logs, write_html, write_csv, review_dict
    review = review_logs(["team/"])             # files or folders; bad files become review.problems
    review.agents[0].figures, review.agents[0].flags["over_reliance"].explanation
    write_html(review, "review.html"); write_csv(review, "review.csv")

loading.py reads logs (read-only, problems collected, duplicate sessions counted once); team.py
merges them into per-agent rows with flags; tiers.py, distributions.py and drilldown.py give the
tiers, team distributions and trends, and one agent's timeline; export.py, html_report.py and
svg.py write the reports. The window is copilot/ui/review/.
"""
from __future__ import annotations

from copilot.review.export import review_dict, write_csv
from copilot.review.html_report import write_html
from copilot.review.loading import load_logs
from copilot.review.team import TeamReview, build_review, review_logs

__all__ = ["TeamReview", "build_review", "load_logs", "review_dict", "review_logs", "write_csv", "write_html"]
