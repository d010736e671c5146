"""The Team tab: one figure's distribution over the team and its trend, with the selected agent picked out."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from copilot.review.columns import CHART_COLUMNS
from copilot.ui.review.team_charts import DistributionChart, TrendChart


class TeamTab(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.data = None
        self.selected: str | None = None
        self.figure_box = QComboBox()
        for col in CHART_COLUMNS:
            self.figure_box.addItem(col.heading, col.key)
            self.figure_box.setItemData(self.figure_box.count() - 1, col.tip, 3)  # 3: ToolTipRole
        self.window_box = QComboBox()
        self.window_box.addItem("by day", "day")
        self.window_box.addItem("by week", "week")
        self.distribution = DistributionChart()
        self.trend = TrendChart()
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Figure:"))
        bar.addWidget(self.figure_box)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Trend:"))
        bar.addWidget(self.window_box)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.distribution, 1)
        layout.addWidget(self.trend, 1)
        self.figure_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.window_box.currentIndexChanged.connect(lambda _i: self.refresh())

    @property
    def key(self) -> str:
        return self.figure_box.currentData()

    def show_figure(self, key: str) -> None:
        index = self.figure_box.findData(key)
        if index >= 0:
            self.figure_box.setCurrentIndex(index)

    def set_data(self, data, selected: str | None) -> None:
        self.data, self.selected = data, selected
        self.refresh()

    def select(self, agent: str | None) -> None:
        if agent != self.selected:
            self.selected = agent
            self.refresh()

    def refresh(self) -> None:
        if self.data is None:
            return
        self.distribution.show_figure(self.data.review, self.key, self.selected)
        self.trend.show_trend(self.data, self.key, self.window_box.currentData(), self.selected)
