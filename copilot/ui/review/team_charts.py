"""Team charts (Qt Charts): one figure's distribution over the team, and its trend by day or week,
each with the selected agent picked out so a lead sees where they stand.

Qt Charts ships with PySide6, draws natively, and is fast enough for hundreds of points, so no
other plotting library is needed.
"""
from __future__ import annotations

import zlib

from PySide6.QtCharts import (QAreaSeries, QCategoryAxis, QChart, QChartView, QLineSeries, QScatterSeries,
                              QValueAxis)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from copilot.review.columns import format_value
from copilot.review.distributions import distribution, trend
from copilot.ui import theme

BAND = QColor("#dbe7fb")
DOT = QColor("#9aa5b1")
_SCALES = {"pct": (100.0, "%.0f%%"), "min": (1 / 60, "%.1f"), "s": (1.0, "%.0f"), "f1": (1.0, "%.1f"),
           "f2": (1.0, "%.2f"), "int": (1.0, "%d")}
_UNITS = {"min": " (minutes)", "s": " (seconds)"}


def new_chart(title: str) -> QChart:
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundRoundness(0)
    chart.setMargins(QMargins(6, 6, 6, 6))
    font = QFont(chart.titleFont())
    font.setPointSizeF(10.5)
    font.setBold(True)
    chart.setTitleFont(font)
    chart.setTitle(title)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def value_axis(fmt: str, lo: float, hi: float, title: str = "") -> QValueAxis:
    axis = QValueAxis()
    axis.setLabelFormat(_SCALES.get(fmt, (1.0, "%.1f"))[1])
    axis.setRange(lo, hi if hi > lo else lo + 1)
    axis.applyNiceNumbers()
    axis.setGridLineColor(theme.BORDER)
    axis.setTitleText(title)
    return axis


def scatter(name: str, colour: QColor, size: float) -> QScatterSeries:
    s = QScatterSeries()
    s.setName(name)
    s.setColor(colour)
    s.setBorderColor(QColor("#ffffff"))
    s.setMarkerSize(size)
    return s


def area(upper: QLineSeries, lower: QLineSeries, name: str, colour: QColor) -> QAreaSeries:
    """An area between two lines. The area does not own its lines: parenting them to it keeps
    Python from deleting them while the chart still draws them."""
    series = QAreaSeries(upper, lower)
    upper.setParent(series)
    lower.setParent(series)
    series.setName(name)
    series.setColor(colour)
    series.setBorderColor(colour)
    return series


def _jitter(agent: str) -> float:
    """A stable height for an agent's dot (crc32, not hash(): the same place every run)."""
    return 0.15 + 0.7 * (zlib.crc32(agent.encode()) % 1000) / 1000


class DistributionChart(QChartView):
    """Every agent's value of one figure as a dot; the team's middle half shaded, its median drawn."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self.caption = ""

    def show_figure(self, review, key: str, selected: str | None) -> None:
        d = distribution(review, key)
        factor = _SCALES.get(d.fmt, (1.0, ""))[0]
        pos = d.position(selected) if selected else None
        if pos and selected:
            self.caption = (f"{selected}: {format_value(d.value_of(selected), d.fmt)}, {pos[0]} of {pos[1]} from the "
                            f"lowest ({pos[2]:.0%} of the team at or below); team median {format_value(d.median, d.fmt)}")
        else:
            self.caption = f"{len(d.values)} agents; team median {format_value(d.median, d.fmt)}"
        chart = new_chart(f"{d.label}{_UNITS.get(d.fmt, '')} — {self.caption}")
        marks = {f.agent: f.kind for a in review.agents for f in a.raised}
        series = {"team": scatter("agent", DOT, 9), "over_reliance": scatter("flagged: over-reliance", theme.DANGER, 11),
                  "overload": scatter("flagged: overload", theme.WARNING, 11)}
        chosen = scatter(selected or "selected", theme.ACCENT, 17)
        for agent, value in d.values:
            point = QPointF(value * factor, _jitter(agent))
            (chosen if agent == selected else series[marks.get(agent, "team")]).append(point)
        values = [v * factor for _, v in d.values] or [0.0]
        lo, hi = (0.0, 100.0) if d.fmt == "pct" else (min(0.0, min(values)), max(values) * 1.05 or 1.0)
        x_axis, y_axis = value_axis(d.fmt, lo, hi), value_axis("f1", 0, 1)
        y_axis.setVisible(False)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        if d.q1 is not None:
            upper, lower = QLineSeries(), QLineSeries()
            upper.append([QPointF(d.q1 * factor, 1), QPointF(d.q3 * factor, 1)])
            lower.append([QPointF(d.q1 * factor, 0), QPointF(d.q3 * factor, 0)])
            band = area(upper, lower, "middle half of the team", BAND)
            median = QLineSeries()
            median.setName("team median")
            median.append([QPointF(d.median * factor, 0), QPointF(d.median * factor, 1)])
            median.setPen(QPen(theme.ACCENT, 2.5))
            extra = [band, median]
        else:
            extra = []
        for s in [*extra, *series.values(), chosen]:
            if isinstance(s, QScatterSeries) and s.count() == 0 and s is not chosen:
                continue
            chart.addSeries(s)
            s.attachAxis(x_axis)
            s.attachAxis(y_axis)
        self.setChart(chart)


class TrendChart(QChartView):
    """A figure by day or ISO week: the team's median and middle half, and the selected agent."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)

    def show_trend(self, data, key: str, window: str, selected: str | None) -> None:
        t = trend(data.review, key, window, data.views[window])
        factor = _SCALES.get(t.fmt, (1.0, ""))[0]
        chart = new_chart(f"{t.label}{_UNITS.get(t.fmt, '')} by {window}" + (f" — {selected} against the team"
                                                                              if selected else ""))
        x_axis = QCategoryAxis()
        x_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        for i, label in enumerate(t.labels):
            x_axis.append(label[5:] if window == "day" else label, i)
        x_axis.setRange(-0.3, max(0.3, len(t.labels) - 0.7))
        x_axis.setGridLineColor(theme.BORDER)
        every = [v * factor for vs in (t.q1, t.q3, t.median, t.agents.get(selected, [])) for v in vs if v is not None]
        y_axis = value_axis(t.fmt, 0.0 if t.fmt == "pct" or not every or min(every) >= 0 else min(every),
                            100.0 if t.fmt == "pct" else (max(every) * 1.1 if every else 1.0))
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        upper, lower, median = QLineSeries(), QLineSeries(), QLineSeries()
        for i, (a, b, m) in enumerate(zip(t.q1, t.q3, t.median)):
            if a is not None:
                lower.append(i, a * factor)
                upper.append(i, b * factor)
                median.append(i, m * factor)
        band = area(upper, lower, "middle half of the team", BAND)
        median.setName("team median")
        median.setPen(QPen(theme.ACCENT, 2.5))
        median.setPointsVisible(True)
        series = [band, median]
        if selected in t.agents:
            mine = QLineSeries()
            mine.setName(selected)
            mine.setPen(QPen(theme.TEXT, 2.5))
            mine.setPointsVisible(True)
            for i, v in enumerate(t.agents[selected]):
                if v is not None:
                    mine.append(i, v * factor)
            series.append(mine)
        for s in series:
            chart.addSeries(s)
            s.attachAxis(x_axis)
            s.attachAxis(y_axis)
        self.setChart(chart)
