"""The per-agent table: a read-only item model over a TeamReview, and the proxy that sorts and filters it.

Sorting uses the raw values (copilot.review.columns.sort_key: empty cells last, tiers high to low),
not the displayed text. The filter matches the agent's name or flag names, and can keep one tier
or only flagged agents.
"""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QTableView, QWidget

from copilot.review.columns import COLUMNS, cell, flag_explanations, flag_text, sort_key
from copilot.review.team import AgentReview, TeamReview
from copilot.review.tiers import TIERS, UNRATED
from copilot.ui import theme

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
AGENT_ROLE = Qt.ItemDataRole.UserRole + 2
_FLAGGED_ROW = QColor("#fff5f5")
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_FLAGS = next(i for i, c in enumerate(COLUMNS) if c.key == "flags")


class AgentTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.agents: list[AgentReview] = []
        self._cells: list[list[str]] = []  # formatted once: painting asks for every visible cell often
        self.keys: list[list[tuple]] = []  # sort keys, once: sorting compares each row many times

    def set_review(self, review: TeamReview | None) -> None:
        self.beginResetModel()
        self.agents = list(review.agents) if review else []
        self._cells = [[cell(c, a) for c in COLUMNS] for a in self.agents]
        self.keys = [[sort_key(c, a) for c in COLUMNS] for a in self.agents]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.agents)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        agent, col = self.agents[index.row()], COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[index.row()][index.column()]
        if role == SORT_ROLE:
            return self.keys[index.row()][index.column()]
        if role == AGENT_ROLE:
            return agent.agent
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == _FLAGS or col.key == "agent":
                return flag_explanations(agent)
            return f"{col.heading}: {self._cells[index.row()][index.column()]}\n{col.tip}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if col.fmt == "text" else _RIGHT
        if role == Qt.ItemDataRole.BackgroundRole and agent.raised:
            return QBrush(_FLAGGED_ROW)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == _FLAGS and agent.raised:
            kinds = {f.kind for f in agent.raised}
            return QBrush(theme.DANGER if "over_reliance" in kinds else theme.WARNING)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].heading
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section].tip
        return None

    def row_of(self, agent: str) -> int:
        return next((i for i, a in enumerate(self.agents) if a.agent == agent), -1)


class AgentFilterProxy(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.text = ""
        self.tier = ""  # "" = all tiers
        self.flagged_only = False
        self.setSortRole(SORT_ROLE)

    def set_filter(self, text: str | None = None, tier: str | None = None, flagged_only: bool | None = None) -> None:
        self.beginFilterChange()
        if text is not None:
            self.text = text.strip().lower()
        if tier is not None:
            self.tier = tier
        if flagged_only is not None:
            self.flagged_only = flagged_only
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        agent = self.sourceModel().agents[source_row]
        if self.flagged_only and not agent.raised:
            return False
        if self.tier and agent.tier != self.tier:
            return False
        return not self.text or self.text in agent.agent.lower() or self.text in flag_text(agent)

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:
        model = self.sourceModel()
        ka, kb = model.keys[left.row()][left.column()], model.keys[right.row()][right.column()]
        if ka[0] != kb[0]:  # empty values last in both directions
            return (ka[0] < kb[0]) == (self.sortOrder() == Qt.SortOrder.AscendingOrder)
        return ka < kb if ka != kb else model.agents[left.row()].agent < model.agents[right.row()].agent

    def visible_agents(self) -> list[str]:
        return [self.data(self.index(r, 0), AGENT_ROLE) for r in range(self.rowCount())]


def agent_table(proxy: AgentFilterProxy) -> QTableView:
    """The table view: whole rows selected, sortable by any column, sized from a sample of rows."""
    table = QTableView()
    table.setObjectName("agentTable")
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(26)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setResizeContentsPrecision(40)  # sizing reads 40 rows, not hundreds
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    return table


class FilterBar(QWidget):
    """Name or flag text, a tier, flagged only: what the proxy keeps."""

    def __init__(self, proxy: AgentFilterProxy, parent=None):
        super().__init__(parent)
        self.text = QLineEdit()
        self.text.setObjectName("agentFilter")
        self.text.setPlaceholderText("Filter agents or flags…")
        self.text.setClearButtonEnabled(True)
        self.text.setMinimumWidth(220)
        self.text.setMaximumWidth(300)
        self.tier = QComboBox()
        self.tier.addItem("All tiers", "")
        for tier in (*TIERS, UNRATED):
            self.tier.addItem(f"{tier.capitalize()} tier" if tier != UNRATED else "Unrated", tier)
        self.flagged = QCheckBox("Flagged only")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.text, self.tier, self.flagged):
            row.addWidget(widget)
        row.addStretch(1)
        self.text.textChanged.connect(lambda text: proxy.set_filter(text=text))
        self.tier.currentIndexChanged.connect(lambda _i: proxy.set_filter(tier=self.tier.currentData()))
        self.flagged.toggled.connect(lambda on: proxy.set_filter(flagged_only=on))
