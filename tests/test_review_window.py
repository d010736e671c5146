"""The review window, driven with pytest-qt (offscreen): loading on a worker with progress and cancel,
the sortable and filterable table, the team charts, the drill-down, exports, and the app's menu entry."""
from __future__ import annotations

import csv
import struct

import pytest
from PySide6.QtCore import Qt

from copilot.review.columns import COLUMN_KEYS
from copilot.ui.app import application
from copilot.ui.review.window import ReviewWindow
from tests.review_builders import HOUR, careful_log, overloaded_log, passive_log
from tests.usage_log_builders import T0


@pytest.fixture
def team(tmp_path):
    folder = tmp_path / "team"
    folder.mkdir()
    careful_log(folder / "cara.sqlite", "cara")
    careful_log(folder / "cole.sqlite", "cole", T0 + 24 * HOUR, latency=30.0)
    passive_log(folder / "pat.sqlite", "pat", T0 + HOUR)
    overloaded_log(folder / "olly.sqlite", "olly", T0 + 2 * HOUR)
    (folder / "junk.sqlite").write_text("not a database")
    return folder


@pytest.fixture
def window(qtbot):
    application()
    w = ReviewWindow()
    qtbot.addWidget(w)
    w.show()
    return w


def load(qtbot, window, paths) -> None:
    with qtbot.waitSignal(window.review_shown, timeout=20000):
        window.load([str(p) for p in paths])


def column(key: str) -> int:
    return COLUMN_KEYS.index(key)


def test_loads_a_team_with_progress_and_shows_the_table(qtbot, window, team):
    steps = []
    window.load_progress.connect(lambda done, total, path: steps.append((done, total)))
    with qtbot.waitSignal(window.review_shown, timeout=20000):
        window.load([str(team)])
        assert window.loading_row.isVisible() and window.loading_row.cancel_button.isEnabled()
    # progress reaches the window at most once a frame, latest first (copilot/ui/background.py): steps may merge
    assert steps[-1] == (5, 5) and steps == sorted(set(steps)) and all(total == 5 for _, total in steps)
    assert not window.loading_row.isVisible()
    assert window.proxy.rowCount() == 4
    assert "4 agent(s)" in window.status.text() and "files were only read" in window.status.text()
    assert window.notice.isVisible() and "junk.sqlite is not a SQLite database" in window.notice.text.text()
    headers = [window.proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(window.proxy.columnCount())]
    for heading in ("Shown", "Accept", "Edit", "Reject", "Edit dist.", "s / word", "Open avg", "Open peak",
                    "Reply s", "Chat min", "Left", "Hand-over frustr.", "Flags"):
        assert heading in headers
    row = window.model.row_of("pat")
    flags = window.model.index(row, column("flags"))
    assert window.model.data(flags) == "over-reliance"
    assert window.model.data(flags, Qt.ItemDataRole.ToolTipRole).startswith("Passive over-reliance")


def test_sorting_and_filtering(qtbot, window, team):
    load(qtbot, window, [team])
    window.table.sortByColumn(column("acceptance_rate"), Qt.SortOrder.DescendingOrder)
    assert window.proxy.visible_agents()[0] == "pat"
    window.table.sortByColumn(column("reply_seconds"), Qt.SortOrder.AscendingOrder)
    assert window.proxy.visible_agents() == ["pat", "cara", "cole", "olly"]
    assert window.team_tab.key == "reply_seconds"  # the chart follows the sorted figure
    window.filter_edit.setText("co")
    assert window.proxy.visible_agents() == ["cole"]
    window.filter_edit.setText("overload")  # flag names match too
    assert window.proxy.visible_agents() == ["olly"]
    window.filter_edit.clear()
    window.flagged_box.setChecked(True)
    assert sorted(window.proxy.visible_agents()) == ["olly", "pat"]
    window.flagged_box.setChecked(False)
    window.tier_box.setCurrentIndex(window.tier_box.findData("high"))
    assert window.proxy.visible_agents() == ["pat"]


def test_selecting_an_agent_shows_their_position_and_drill_down(qtbot, window, team):
    load(qtbot, window, [team])
    with qtbot.waitSignal(window.detail_shown, timeout=10000) as blocker:
        window.select_agent("olly")
    assert blocker.args == ["olly"]
    assert window.team_tab.selected == "olly"
    window.team_tab.show_figure("acceptance_rate")
    assert window.team_tab.distribution.caption.startswith("olly: ")
    assert "of 4 from the lowest" in window.team_tab.distribution.caption
    view = window.agent_view
    assert "olly · tier low" in view.title.text() and "Multitasking overload" in view.flags.text()
    assert "flagged: overload" in view.session_box.currentText()
    whats = [view.events.item(r, 1).text() for r in range(view.events.rowCount())]
    assert "flagged: overload" in whats
    assert view.decisions.rowCount() == 32 and view.decisions.isColumnHidden(5)
    assert "not shown" in view.privacy.text()
    names = [s.name() for s in view.chart.chart().series()]
    assert {"flagged: overload", "open chats", "edited", "rejected"} <= set(names)


def test_cancel_keeps_what_was_read(qtbot, window, tmp_path):
    for n in range(12):
        careful_log(tmp_path / f"agent{n:02d}.sqlite", f"agent{n:02d}", T0 + n * HOUR)
    with qtbot.waitSignal(window.review_shown, timeout=20000):
        window.load([str(tmp_path)])
        window.cancel_load()
    review = window.data.review
    assert review.cancelled and len(review.agents) < 12
    assert any(p.kind == "cancelled" for p in review.problems)
    assert "cancelled" in window.notice.text.text()


def test_exports_the_filtered_table_and_the_report(qtbot, window, team, tmp_path):
    load(qtbot, window, [team])
    window.flagged_box.setChecked(True)
    out = tmp_path / "flagged.csv"
    with qtbot.waitSignal(window.exported, timeout=10000) as blocker:
        window.export("csv", str(out))
    assert blocker.args == [str(out), ""]
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert sorted(r[0] for r in rows[1:]) == ["olly", "pat"]
    page = tmp_path / "review.html"
    with qtbot.waitSignal(window.exported, timeout=10000):
        window.export("html", str(page))
    assert "<svg" in page.read_text(encoding="utf-8")


def test_window_screenshot_is_rendered(qtbot, window, team, tmp_path):
    load(qtbot, window, [team])
    with qtbot.waitSignal(window.detail_shown, timeout=10000):
        window.select_agent("pat")
    window.resize(1440, 900)
    shot = tmp_path / "review.png"
    assert window.grab().save(str(shot))
    data = shot.read_bytes()
    assert struct.unpack(">II", data[16:24]) == (1440, 900) and len(data) > 60_000


def test_the_app_menu_opens_the_review_on_the_agent_log(qtbot, tmp_path):
    from copilot.session import SessionOptions
    from copilot.ui.workbench import Workbench

    application()
    log = careful_log(tmp_path / "usage.sqlite", "me")
    bench = Workbench(SessionOptions(agent="me", seed=1, usage_log=log))
    qtbot.addWidget(bench.window)
    assert bench.window.review_action.isVisible()
    bench.window.review_action.trigger()
    review = bench.review_window
    qtbot.addWidget(review)
    qtbot.waitUntil(lambda: review.data is not None, timeout=20000)
    assert [a.agent for a in review.data.review.agents] == ["me"]
    bench.window.review_action.trigger()
    assert bench.review_window is review  # one review window, raised again
    bench.close()
