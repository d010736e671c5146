"""Team review at scale: 200 agents' logs with 2,000,000 events, merged and summarised, then the window.

    python bench/review.py [--agents 200] [--events 2000000] [--keep DIR] [--repeats 3]

Prints measured figures only (timing varies with the machine and its load; nothing passes or
fails). Targets (issue 5): merge + summarise <= 5 s; the window interactive <= 1 s after that,
measured from the data being ready to the table model populated and the table's first paint,
offscreen. Also: the longest the UI thread went without running its event loop while the
window loaded the team on its worker thread, and a sort, a filter and one agent's drill-down.
The logs are written by bench/review_team.py (direct executemany into the real schema); with
--keep they are written once and reused.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from review_team import write_team  # noqa: E402

from copilot.review.loading import load_logs  # noqa: E402
from copilot.review.team import build_review  # noqa: E402


def prepare(folder: Path, agents: int, events: int) -> None:
    existing = sorted(folder.glob("agent*.sqlite"))
    if len(existing) == agents:
        print(f"reusing {agents} logs in {folder}")
        return
    t0 = time.perf_counter()
    written = write_team(folder, agents, events)
    size = sum(p.stat().st_size for p in folder.glob("*.sqlite")) / 1e6
    print(f"wrote {agents} logs, {written:,} events, {size:.0f} MB in {time.perf_counter() - t0:.1f} s")


def bench_merge(folder: Path, repeats: int):
    runs = []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = load_logs([folder])
        mid, mid_cpu = time.perf_counter(), time.process_time()
        review = build_review(result)
        runs.append((mid - wall, time.perf_counter() - mid, time.process_time() - cpu))
    for load, build, cpu in runs:
        print(f"  read {load:.2f} s + merge/flags/tiers {build:.2f} s = {load + build:.2f} s (CPU {cpu:.2f} s)")
    totals = [a + b for a, b, _ in runs]
    raised = sum(1 for a in review.agents if a.raised)
    print(f"merge + summarise, {len(review.agents)} agents, {review.sessions} sessions: best {min(totals):.2f} s, "
          f"median {statistics.median(totals):.2f} s   (target <= 5 s); {raised} agents flagged")
    return review


def bench_window(folder: Path, review) -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from copilot.review.drilldown import agent_detail
    from copilot.ui.app import application
    from copilot.ui.review.loader import ReviewData
    from copilot.ui.review.window import ReviewWindow

    app = application()
    window = ReviewWindow()
    window.resize(1440, 900)
    window.show()
    app.processEvents()

    class FirstPaint(QObject):
        at = None

        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and self.at is None:
                self.at = time.perf_counter()
            return False

    probe = FirstPaint()
    window.table.viewport().installEventFilter(probe)
    data = ReviewData(review)  # what the loading thread hands over
    ready = time.perf_counter()
    window._loaded(data)  # the slot the worker's signal runs: model, charts, tiers, selection
    populated = time.perf_counter()
    while probe.at is None and time.perf_counter() - ready < 10:
        app.processEvents()
    print(f"window: data ready -> table model populated and charts drawn {(populated - ready) * 1000:.0f} ms, "
          f"-> first paint of the table {(probe.at - ready) * 1000:.0f} ms   (target <= 1 s)")
    t0 = time.perf_counter()
    window.table.sortByColumn(4, window.proxy.sortOrder())
    app.processEvents()
    t1 = time.perf_counter()
    window.filter_edit.setText("agent1")
    app.processEvents()
    t2 = time.perf_counter()
    detail = agent_detail(review, review.agents[0].agent)
    t3 = time.perf_counter()
    window.agent_view.show_detail(review.agents[0], detail)
    app.processEvents()
    print(f"  sort by a column {(t1 - t0) * 1000:.0f} ms, filter {(t2 - t1) * 1000:.0f} ms, one agent's drill-down "
          f"read {(t3 - t2) * 1000:.0f} ms (worker) + shown {(time.perf_counter() - t3) * 1000:.0f} ms "
          f"({len(detail.decisions)} decisions)")

    # Loading through the window: the worker reads while the UI thread keeps its event loop turning.
    gaps, last = [], [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(10)
    done = []
    window.review_shown.connect(lambda: done.append(time.perf_counter()))
    t0 = time.perf_counter()
    window.load([str(folder)])
    while not done and time.perf_counter() - t0 < 120:
        app.processEvents()
        time.sleep(0.002)
    timer.stop()
    print(f"window loading the team on its worker: {done[0] - t0:.2f} s to the table; the UI thread's longest gap "
          f"between 10 ms timer ticks {max(gaps) * 1000:.0f} ms (median {statistics.median(gaps) * 1000:.0f} ms)")
    window.close()
    QApplication.processEvents()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--keep", type=Path, help="write the logs here, or reuse them if already there")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp) / "team"
        prepare(folder, args.agents, args.events)
        review = bench_merge(folder, args.repeats)
        bench_window(folder, review)


if __name__ == "__main__":
    main()
