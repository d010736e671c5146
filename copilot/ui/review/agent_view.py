"""The drill-down into one agent: why they are flagged, and one shift at a time on a timeline.

The chart puts each decision at the minute of the shift it was made (height: seconds per word of
the draft; the dashed line is reading pace), open chats as a step line, and the flagged stretches
shaded. Below: the stretches and escalations, and the decisions. Customers' words appear only when
the log kept message text (a team opt-in); otherwise the view says so.
"""
from __future__ import annotations

from PySide6.QtCharts import QChartView, QLineSeries
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QSplitter, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from copilot.review.columns import FLAG_NAMES, format_value
from copilot.review.drilldown import AgentDetail
from copilot.usage.timeframes import iso
from copilot.ui import theme
from copilot.ui.review.team_charts import area, new_chart, scatter, value_axis

MAX_PER_WORD = 3.0  # s/word shown; slower decisions sit on the top edge
READING_PACE = 0.25
KINDS = (("unread", "accepted unread", theme.DANGER), ("accepted", "accepted", theme.SUCCESS),
         ("edited", "edited", theme.ACCENT), ("rejected", "rejected", theme.TECHNICAL))
SHADES = {"over_reliance": QColor(214, 69, 69, 60), "overload": QColor(217, 130, 43, 60)}


def _label(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # explanations and names are never markup
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class AgentView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.detail: AgentDetail | None = None
        self.agent = None
        self.title = _label("Select an agent in the table to see their shifts.", "reviewTitle")
        self.flags = _label("", "reviewExplanation")
        self.privacy = _label("", "muted")
        self.session_box = QComboBox()
        self.session_box.currentIndexChanged.connect(self._show_session)
        self.chart = QChartView()
        self.chart.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart.setMinimumHeight(240)
        self.events = _table(["Time (UTC)", "What", "Detail"])
        self.decisions = _table(["Time (UTC)", "Chat", "Decision", "s / word", "Edit dist.", "Customer's message"])
        top = QHBoxLayout()
        top.addWidget(_label("Shift:"))
        top.addWidget(self.session_box, 1)
        lower = QSplitter()
        lower.addWidget(self.events)
        lower.addWidget(self.decisions)
        lower.setSizes([480, 560])
        body = QSplitter(Qt.Orientation.Vertical)  # the lead can give the timeline or the tables more room
        body.addWidget(self.chart)
        body.addWidget(lower)
        body.setSizes([330, 200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        for widget in (self.title, self.flags):
            layout.addWidget(widget)
        layout.addLayout(top)
        layout.addWidget(body, 1)
        layout.addWidget(self.privacy)

    def show_loading(self, agent: str) -> None:
        self.title.setText(f"{agent}: reading their sessions…")

    def show_detail(self, agent, detail: AgentDetail) -> None:
        """`agent`: the AgentReview (figures and flags); `detail`: what was read for the drill-down."""
        self.agent, self.detail = agent, detail
        effort = "; ".join(f"{e.type}: {e.escalations} escalation(s), median {format_value(e.median_seconds_to_intervene, 's')} s "
                           f"to intervene" for e in agent.effort.values()) or "no escalations"
        self.title.setText(f"{agent.agent} · tier {agent.tier} · {len(agent.loaded)} session(s), "
                           f"{agent.flagged_sessions} flagged · {effort}")
        self.flags.setText("\n".join(f.explanation for f in agent.flags.values()))
        self.privacy.setText("Customers' messages are shown because this team kept message text (redacted)."
                             if detail.stores_text else
                             "Customers' messages are not shown: these logs did not keep message text "
                             "(the team has not opted in). Escalation reasons are shown without quotes.")
        self.decisions.setColumnHidden(5, not detail.stores_text)
        self.session_box.blockSignals(True)
        self.session_box.clear()
        for key, start, end, kinds in detail.sessions:
            flagged = ", ".join(FLAG_NAMES[k] for k in kinds)
            self.session_box.addItem(f"{iso(start)[:16].replace('T', ' ')} – {iso(end)[11:16]} UTC · {key}"
                                     + (f" · flagged: {flagged}" if flagged else ""), key)
        first_flagged = next((i for i, s in enumerate(detail.sessions) if s[3]), 0)  # open on a flagged shift
        self.session_box.blockSignals(False)
        self.session_box.setCurrentIndex(first_flagged)
        self._show_session(first_flagged)

    def _show_session(self, index: int) -> None:
        if self.detail is None or index < 0:
            return
        key, start, end, _ = self.detail.sessions[index]
        decisions = [d for d in self.detail.decisions if d.session == key]
        steps = self.detail.concurrency.get(key, [])
        stretches = [s for s in self.detail.stretches if s.session == key]

        def minute(ts: float) -> float:
            return (ts - start) / 60

        chart = new_chart(f"{self.agent.agent}, shift from {iso(start)[:16].replace('T', ' ')} UTC: "
                          "decisions, open chats and flagged stretches")
        span = max(1.0, minute(end))
        x_axis = value_axis("f1", 0, span, "minutes into the shift")
        x_axis.setLabelFormat("%d")
        y_left = value_axis("f2", 0, MAX_PER_WORD, "s per word")
        peak = max([n for _, n in steps] + [1])
        y_right = value_axis("int", 0, peak + 1, "open chats")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_left, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(y_right, Qt.AlignmentFlag.AlignRight)
        for kind in ("over_reliance", "overload"):
            mine = [s for s in stretches if s.kind == kind]
            if mine:
                upper, lower = QLineSeries(), QLineSeries()
                for s in mine:
                    a, b = minute(s.start), minute(s.end)
                    upper.append([QPointF(a, 0), QPointF(a, peak + 1), QPointF(b, peak + 1), QPointF(b, 0)])
                lower.append([QPointF(0, 0), QPointF(span, 0)])
                self._add(chart, area(upper, lower, f"flagged: {FLAG_NAMES[kind]}", SHADES[kind]), x_axis, y_right)
        load = QLineSeries()
        load.setName("open chats")
        load.setPen(QPen(theme.MUTED, 2))
        last = None
        for ts, n in steps:
            if last is not None:
                load.append(minute(ts), last)
            load.append(minute(ts), n)
            last = n
        if last is not None:
            load.append(span, last)
        self._add(chart, load, x_axis, y_right)
        reading = QLineSeries()
        reading.setName("reading pace (0.25 s/word)")
        reading.setPen(QPen(theme.DANGER, 1.2, Qt.PenStyle.DashLine))
        reading.append([QPointF(0, READING_PACE), QPointF(span, READING_PACE)])
        self._add(chart, reading, x_axis, y_left)
        for kind, name, colour in KINDS:
            dots = scatter(name, colour, 8)
            for d in decisions:
                shown = "unread" if d.unread else d.decision
                if shown == kind and d.seconds_per_word is not None:
                    dots.append(minute(d.ts), min(MAX_PER_WORD, d.seconds_per_word))
            if dots.count():
                self._add(chart, dots, x_axis, y_left)
        self.chart.setChart(chart)
        self._fill_tables(key, decisions, stretches)

    @staticmethod
    def _add(chart, series, x_axis, y_axis) -> None:
        chart.addSeries(series)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)

    def _fill_tables(self, key: str, decisions, stretches) -> None:
        rows = [(s.start, f"flagged: {FLAG_NAMES[s.kind]}", f"{iso(s.start)[11:16]}–{iso(s.end)[11:16]}: {s.why}")
                for s in stretches]
        rows += [(e.ts, f"{e.type} escalation", f"{e.trigger or e.reason}; agent stepped in after "
                  f"{format_value(e.seconds_to_intervene, 's')} s") for e in self.detail.escalations if e.session == key]
        rows.sort()
        self.events.setRowCount(len(rows))
        for r, (ts, what, why) in enumerate(rows):
            for c, text in enumerate((iso(ts)[11:19], what, why)):
                self.events.setItem(r, c, QTableWidgetItem(text))
        self.decisions.setRowCount(len(decisions))
        for r, d in enumerate(decisions):
            kind = "accepted (unread)" if d.unread else d.decision
            for c, text in enumerate((iso(d.ts)[11:19], d.chat_id, kind, format_value(d.seconds_per_word, "f2"),
                                      format_value(d.edit_distance, "f2"), d.customer_text or "")):
                self.decisions.setItem(r, c, QTableWidgetItem(text))
        self.events.resizeColumnsToContents()
        self.decisions.resizeColumnsToContents()
