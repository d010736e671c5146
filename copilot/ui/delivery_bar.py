"""Replies that did not reach the customer, for the chat in focus: the reason, Retry and Copy.

A failed reply is never lost: it stays in the chat (marked "Not delivered" there) and this bar
offers to send it again under the same outbox id (the server drops a duplicate) or to copy its text
to paste it elsewhere. Replies still on their way are counted, so a slow server is visible too.
"""
from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton

from copilot.core.chat import Chat
from copilot.core.display_text import preview
from copilot.core.events import Delivery
from copilot.ui.diagnosis_panel import plain_label


def failed_replies(chat: Chat) -> list[tuple[int, str, str]]:
    """(message id, text, reason) of the chat's replies that failed, oldest first."""
    texts = {m.id: m.text for m in chat.messages}
    return [(mid, texts.get(mid, ""), reason) for mid, (state, reason) in chat.delivery.items()
            if state is Delivery.FAILED]


class DeliveryBar(QFrame):
    def __init__(self, workspace, parent=None):
        super().__init__(parent)
        self.setObjectName("deliveryBar")
        self.workspace = workspace
        self._failed: tuple[str, int, str] | None = None  # (chat id, message id, text) offered
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        self.label = plain_label("", "warning")
        self.retry_button = QPushButton("Retry")
        self.copy_button = QPushButton("Copy")
        self.retry_button.clicked.connect(self.retry)
        self.copy_button.clicked.connect(self.copy)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.retry_button)
        layout.addWidget(self.copy_button)
        self.hide()

    def show_chat(self, chat: Chat | None) -> None:
        failed = failed_replies(chat) if chat is not None else []
        waiting = sum(state in (Delivery.QUEUED, Delivery.SENT) for state, _ in chat.delivery.values()) if chat else 0
        if failed:
            message_id, text, reason = failed[-1]
            self._failed = (chat.id, message_id, text)
            more = f" ({len(failed)} replies)" if len(failed) > 1 else ""
            self.label.setText(f"Not delivered{more}: {reason}. “{preview(text, 60)}”")
        else:
            self._failed = None
            self.label.setText(f"{waiting} {'reply' if waiting == 1 else 'replies'} on the way to the customer…"
                               if waiting else "")
        self.retry_button.setVisible(bool(failed) and chat is not None and chat.is_open)
        self.copy_button.setVisible(bool(failed))
        self.setVisible(bool(failed or waiting))

    def retry(self) -> None:
        if self._failed is not None:
            chat_id, message_id, _ = self._failed
            self.workspace.retry(chat_id, message_id)

    def copy(self) -> None:
        if self._failed is not None:
            QGuiApplication.clipboard().setText(self._failed[2])
