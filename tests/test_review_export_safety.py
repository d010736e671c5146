"""Review exports never overwrite the logs they are made from, are written whole or not at all, and
cannot run as spreadsheet formulas; file names and errors in the review window are plain text."""
from __future__ import annotations

import csv
import os
import subprocess
import sys

import pytest

from copilot.core.atomic_file import write_text_atomically
from copilot.review.export import csv_cell, output_problem, write_csv
from copilot.review.team import review_logs
from tests.review_builders import HOUR, careful_log, passive_log
from tests.usage_log_builders import T0


@pytest.fixture
def team(tmp_path):
    folder = tmp_path / "team"
    folder.mkdir()
    careful_log(folder / "cara.sqlite", "cara")
    passive_log(folder / "pat.sqlite", "pat", T0 + HOUR)
    return folder


def run_review(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "copilot", "review", *args], capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("option", ["--csv", "--html"])
def test_an_output_that_is_an_input_log_is_refused_and_the_log_kept(team, option):
    """Before: `--csv team/cara.sqlite` replaced the log with the CSV table."""
    log = team / "cara.sqlite"
    before = log.read_bytes()
    result = run_review("--logs", str(team), option, str(log))
    assert result.returncode == 2, result.stderr
    assert "one of the usage logs being reviewed" in result.stderr and "Traceback" not in result.stderr
    assert log.read_bytes() == before


def test_outputs_beside_a_log_or_through_a_link_are_refused(team, tmp_path):
    log = team / "pat.sqlite"
    assert output_problem(team / "pat.sqlite-wal", [team])
    link = tmp_path / "link.csv"
    link.symlink_to(log)
    assert output_problem(link, [log])
    assert output_problem(team, [log])  # a folder
    assert output_problem(tmp_path / "review.csv", [team]) == ""


def test_a_report_that_is_a_folder_is_a_one_line_error(team):
    result = run_review("--logs", str(team), "--csv", str(team))
    assert result.returncode == 2 and "is a folder" in result.stderr and "Traceback" not in result.stderr


def test_formula_cells_are_made_inert(tmp_path):
    """Before: an agent named =HYPERLINK(...) became a live formula in the CSV."""
    careful_log(tmp_path / "evil.sqlite", "=HYPERLINK(\"http://x\",\"click\")")
    careful_log(tmp_path / "plus.sqlite", "+1+1", T0 + HOUR)
    careful_log(tmp_path / "at.sqlite", "@SUM(A1)", T0 + 2 * HOUR)
    careful_log(tmp_path / "tab.sqlite", "\tcmd", T0 + 3 * HOUR)
    review = review_logs([tmp_path])
    out = write_csv(review, tmp_path / "out.csv")
    rows = list(csv.reader(out.open(encoding="utf-8-sig", newline="")))
    names = sorted(r[0] for r in rows[1:])
    assert names == sorted(["'=HYPERLINK(\"http://x\",\"click\")", "'+1+1", "'@SUM(A1)", "'\tcmd"])
    assert csv_cell(-0.5) == -0.5 and csv_cell(None) == "" and csv_cell("-x") == "'-x" and csv_cell("ok") == "ok"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "review.csv"
    target.write_text("old table")

    def refuse(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        write_text_atomically(target, "new table")
    assert target.read_text() == "old table" and sorted(p.name for p in tmp_path.iterdir()) == ["review.csv"]


def test_the_window_refuses_to_export_over_a_log_and_shows_plain_text(qtbot, team, tmp_path):
    from PySide6.QtCore import Qt

    from copilot.ui.app import application
    from copilot.ui.review.window import ReviewWindow

    application()
    window = ReviewWindow()
    qtbot.addWidget(window)
    odd = team / "<b>bold \u202egnp.sqlite"
    odd.write_text("not a database")
    with qtbot.waitSignal(window.review_shown, timeout=20000):
        window.load([str(team)])
    notice = window.notice.text.text()
    assert "<b>bold" in notice and "\u202e" not in notice  # shown as typed, the override made visible
    log = team / "cara.sqlite"
    before = log.read_bytes()
    with qtbot.waitSignal(window.exported, timeout=10000) as blocker:
        window.export("csv", str(log))
    assert "one of the usage logs" in blocker.args[1] and log.read_bytes() == before
    assert window.warning is not None and window.warning.textFormat() == Qt.TextFormat.PlainText
    window.warning.close()
    window._failed("OSError: <img src=x> \u202eboom", window._load_id)  # as a load reports a crash
    assert window.warning.textFormat() == Qt.TextFormat.PlainText and "\u202e" not in window.warning.text()
    window.warning.close()
    window.loading_row.step(1, 2, "<i>x</i>\u202e.sqlite", False)
    assert window.loading_row.label.textFormat() == Qt.TextFormat.PlainText
    assert "\u202e" not in window.loading_row.label.text()
