"""The conversation in focus: who said what, and when.

Messages are inserted with QTextCursor.insertText, which never interprets markup: customer text
is always plain text. Huge messages are cut for display (the chat keeps the full text) so one
hostile message cannot freeze the window.
"""
from __future__ import annotations

import time

from PySide6.QtGui import QColor, QFont, QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextEdit

from copilot.core.chat import Chat, Message, Sender
from copilot.core.display_text import displayable
from copilot.ui import theme


def clock_time(ts: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(ts))


class ChatView(QTextEdit):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("chatView")
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setUndoRedoEnabled(False)
        self.document().setDocumentMargin(16)
        self._chat_id: str | None = None
        self._chat: Chat | None = None
        self._shown = 0  # how many of the chat's messages are in the document
        self.translations: dict[int, str] = {}  # message id -> its translation, shown below it (ui/translation_ui.py)

    def show_chat(self, chat: Chat | None) -> None:
        """Render a whole chat (on focus change)."""
        self.clear()
        self._chat_id = chat.id if chat else None
        self._chat = chat
        self._shown = 0
        if chat is None:
            self._notice("No chat selected. New chats appear on the left as customers write in.")
            return
        self.append_new(chat)

    def append_new(self, chat: Chat) -> None:
        """Add only the messages not yet shown: cheap for the common 'one more message' case."""
        if chat.id != self._chat_id:
            return
        scrollbar = self.verticalScrollBar()
        at_bottom = scrollbar.value() >= scrollbar.maximum() - 4
        for message in chat.messages[self._shown :]:
            self._insert(chat, message)
        self._shown = len(chat.messages)
        if at_bottom:
            scrollbar.setValue(scrollbar.maximum())

    @property
    def chat_id(self) -> str | None:
        return self._chat_id

    def _insert(self, chat: Chat, message: Message) -> None:
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        is_agent = message.sender is Sender.AGENT
        first = self.document().isEmpty()

        header_block = QTextBlockFormat()
        header_block.setTopMargin(0 if first else 10)
        header_block.setLeftMargin(120 if is_agent else 0)
        header_block.setRightMargin(0 if is_agent else 120)
        header = QTextCharFormat()
        header.setForeground(theme.MUTED)
        header.setFontPointSize(8.5)
        header.setFontWeight(QFont.Weight.Bold)
        who = "You" if is_agent else chat.customer_name if message.sender is Sender.CUSTOMER else "System"
        if first:
            cursor.setBlockFormat(header_block)
        else:
            cursor.insertBlock(header_block)
        cursor.insertText(f"{who}  ·  {clock_time(message.ts)}", header)

        body_block = QTextBlockFormat()
        body_block.setTopMargin(2)
        body_block.setLeftMargin(120 if is_agent else 0)
        body_block.setRightMargin(0 if is_agent else 120)
        body_block.setBackground(theme.AGENT_BUBBLE if is_agent else theme.CUSTOMER_BUBBLE)
        body = QTextCharFormat()
        body.setForeground(theme.TEXT)
        body.setFontPointSize(10.5)
        cursor.insertBlock(body_block, body)
        # insertText: plain text, newlines become paragraph breaks inside the same bubble.
        cursor.insertText(displayable(message.text), body)
        if message.id in self.translations:  # beside the original, never instead of it
            note = QTextCharFormat(body)
            note.setForeground(theme.MUTED)
            note.setFontItalic(True)
            cursor.insertBlock(body_block, note)
            cursor.insertText(f"Translated: {displayable(self.translations[message.id])}", note)

    def set_translation(self, message_id: int, text: str) -> None:
        """Show `text` under the message (the chat is redrawn if it is the one on screen)."""
        self.translations[message_id] = text
        if self._chat is not None and any(m.id == message_id for m in self._chat.messages[: self._shown]):
            bar = self.verticalScrollBar()
            at_bottom, position = bar.value() >= bar.maximum() - 4, bar.value()
            self.show_chat(self._chat)
            bar.setValue(bar.maximum() if at_bottom else position)

    def _notice(self, text: str) -> None:
        cursor = QTextCursor(self.document())
        fmt = QTextCharFormat()
        fmt.setForeground(QColor(theme.MUTED))
        cursor.insertText(text, fmt)
