"""The chat list: one row per chat, the most urgent first.

Rows are re-ranked on every change and once a second (waiting times grow); the model moves rows
with layoutChanged and updates persistent indexes, so the selection follows its chat.
"""
from __future__ import annotations

import html

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from copilot.core.chat import Chat
from copilot.core.display_text import format_wait, preview
from copilot.core.workspace import Workspace

CHAT_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class ChatListModel(QAbstractListModel):
    def __init__(self, workspace: Workspace, parent=None):
        super().__init__(parent)
        self.workspace = workspace
        self._ids: list[str] = []
        self.unsent: set[str] = set()  # chats holding a reply the agent started and has not sent

    # ---- Qt model API ----------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        chat = self.workspace.chats.get(self._ids[index.row()])
        if chat is None:
            return None
        if role == CHAT_ID_ROLE:
            return chat.id
        now = self.workspace.clock.now()
        if role == Qt.ItemDataRole.DisplayRole:
            return chat.customer_name
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(chat, now)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            unsent = ", unsent reply" if chat.id in self.unsent else ""
            return f"{chat.customer_name}, {chat.issue_guess or 'no diagnosis yet'}, {chat.unread} unread{unsent}"
        return None

    def _tooltip(self, chat: Chat, now: float) -> str:
        lines = [chat.customer_name, chat.issue_guess or "No diagnosis yet", preview(chat.topic, 200)]
        if chat.id in self.unsent:
            lines.append("You have started a reply here (not sent)")
        if chat.is_open and chat.awaiting_reply_since is not None:
            lines.append(f"Waiting {format_wait(chat.waiting_seconds(now))} for a reply")
        if chat.frustration >= 0.35:
            lines.append(f"Frustration {chat.frustration:.0%}")
        if chat.escalation is not None:
            lines.append(f"Escalated ({chat.escalation.type}) {format_wait(now - chat.escalation.since)} ago: "
                         f"{chat.escalation.trigger}")
        # Qt renders a tooltip as rich text when it looks like HTML, and these lines quote the
        # customer: escape everything, so it is always shown as the plain text it is.
        return "<p style='white-space:pre-wrap'>" + "<br>".join(html.escape(line) for line in lines) + "</p>"

    # ---- keeping it in step with the workspace ------------------------------------------------------
    def chat_at(self, row: int) -> Chat | None:
        """For the delegate: the chat itself, without wrapping Python objects in QVariants."""
        chat_id = self.chat_id_at(row)
        return self.workspace.chats.get(chat_id) if chat_id else None

    def chat_id_at(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, chat_id: str) -> int:
        try:
            return self._ids.index(chat_id)
        except ValueError:
            return -1

    def refresh(self, changed: str | None = None) -> None:
        """Re-rank; move rows without resetting so selection and scroll position survive.

        `changed`: only that chat changed, so when the order holds only its row is repainted
        (repainting every row on each message costs the UI thread several milliseconds).
        """
        new_ids = [chat.id for chat in self.workspace.ranked_chats()]
        if new_ids == self._ids:
            if changed is not None and changed in self._ids:
                row = self._ids.index(changed)
                self.dataChanged.emit(self.index(row), self.index(row))
            elif changed is None and self._ids:
                self.dataChanged.emit(self.index(0), self.index(len(self._ids) - 1))
            return
        if not set(self._ids) <= set(new_ids):  # rows left the list: rare, so simply reset
            self.beginResetModel()
            self._ids = new_ids
            self.endResetModel()
            return
        if set(new_ids) != set(self._ids):
            added = [cid for cid in new_ids if cid not in set(self._ids)]
            if added:
                first = len(self._ids)
                self.beginInsertRows(QModelIndex(), first, first + len(added) - 1)
                self._ids.extend(added)
                self.endInsertRows()
        self.layoutAboutToBeChanged.emit()
        old_positions = {cid: row for row, cid in enumerate(self._ids)}
        persistent = self.persistentIndexList()
        self._ids = new_ids
        new_positions = {cid: row for row, cid in enumerate(new_ids)}
        old_ids = {row: cid for cid, row in old_positions.items()}
        self.changePersistentIndexList(
            persistent,
            [
                self.index(new_positions[old_ids[p.row()]]) if old_ids.get(p.row()) in new_positions else QModelIndex()
                for p in persistent
            ],
        )
        self.layoutChanged.emit()
