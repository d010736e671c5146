"""Segments by performance tier (does AI help low and high performers alike?) and escalation effort by type."""
from __future__ import annotations

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChartView
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from copilot.review.columns import format_value
from copilot.review.tiers import segments
from copilot.ui import theme
from copilot.ui.review.team_charts import new_chart, value_axis

TIER_COLUMNS = (("Tier", None, "text"), ("Agents", lambda s: len(s.agents), "int"),
                ("Accept", lambda s: s.figures.acceptance_rate, "pct"), ("Edit", lambda s: s.figures.edit_rate, "pct"),
                ("Reject", lambda s: s.figures.reject_rate, "pct"),
                ("Unread", lambda s: s.figures.fast_acceptance_share, "pct"),
                ("Reply from draft s", lambda s: s.extras.assisted_reply_mean, "s"),
                ("Own reply s", lambda s: s.extras.own_reply_mean, "s"),
                ("Saved s", lambda s: s.seconds_saved, "s"),
                ("Resolved, drafts sent", lambda s: s.extras.assisted_resolution_rate, "pct"),
                ("Resolved, no draft", lambda s: s.extras.own_chats_resolved_rate, "pct"),
                ("Over-reliance", lambda s: s.over_reliance, "int"), ("Overload", lambda s: s.overload, "int"))
EFFORT_COLUMNS = (("Type", "type", "text"), ("Escalations", "escalations", "int"), ("Answered", "intervened", "int"),
                  ("Median s to intervene", "median_seconds_to_intervene", "s"), ("Within 60 s", "within_60s", "pct"),
                  ("Agent messages after", "mean_agent_messages", "f1"), ("Agent share", "mean_agent_share", "pct"),
                  ("Questions", "mean_questions", "f1"), ("Solutions", "mean_solutions", "f1"))


def _fill(table: QTableWidget, rows: list[list[tuple[str, str]]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, (text, fmt) in enumerate(row):
            item = QTableWidgetItem(text)
            if fmt != "text":
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


def _table(headers) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels([h[0] for h in headers])
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    return table


class TiersView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        note = QLabel("Tiers come from reply latency and resolution only, never from AI use: the top, middle and "
                      "bottom third of agents with enough replies and chats. Compare how drafts work out in each.")
        note.setWordWrap(True)
        note.setObjectName("muted")
        self.table = _table(TIER_COLUMNS)
        self.chart = QChartView()
        self.chart.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.effort = _table(EFFORT_COLUMNS)
        effort_title = QLabel("Escalations: time to intervene and effort after, by type (whole team)")
        effort_title.setObjectName("reviewTitle")
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(effort_title)
        lower_layout.addWidget(self.effort)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.chart)
        split.addWidget(lower)
        split.setSizes([150, 260, 150])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(note)
        layout.addWidget(split, 1)

    def show_review(self, review) -> None:
        tiers = segments(review.agents)
        _fill(self.table, [[(s.tier, "text")] + [(format_value(get(s), fmt), fmt) for _, get, fmt in TIER_COLUMNS[1:]]
                           for s in tiers])
        _fill(self.effort, [[(format_value(getattr(e, attr), fmt), fmt) for _, attr, fmt in EFFORT_COLUMNS]
                            for e in review.effort.values()])
        chart = new_chart("Customer wait per reply (seconds), by tier: replies sent from a draft vs written by the agent")
        drafted, own = QBarSet("from a draft"), QBarSet("own reply")
        drafted.setColor(theme.ACCENT)
        own.setColor(theme.MUTED)
        for s in tiers:
            drafted.append(s.extras.assisted_reply_mean or 0.0)
            own.append(s.extras.own_reply_mean or 0.0)
        bars = QBarSeries()
        bars.append([drafted, own])
        bars.setLabelsVisible(True)
        bars.setLabelsFormat("@value")
        bars.setLabelsPrecision(3)
        chart.addSeries(bars)
        x_axis = QBarCategoryAxis()
        x_axis.append([s.tier for s in tiers])
        top = max([v for s in tiers for v in (s.extras.assisted_reply_mean, s.extras.own_reply_mean) if v] + [1.0])
        y_axis = value_axis("s", 0, top * 1.15)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(x_axis)
        bars.attachAxis(y_axis)
        self.chart.setChart(chart)
