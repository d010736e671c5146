"""Paints a chat list row: who, what about, how long they have waited, unread and mood badges.

Everything is drawn with drawText on plain strings, so nothing a customer typed can become markup.
"""
from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from copilot.core.chat import Chat, ChatStatus
from copilot.core.display_text import preview
from copilot.ui import theme
from copilot.ui.chat_list_model import format_wait

ROW_HEIGHT = 62
STATUS_TEXT = {ChatStatus.RESOLVED: "Resolved", ChatStatus.CLOSED: "Closed", ChatStatus.ABANDONED: "Customer left"}


def badge_for(chat: Chat, now: float) -> tuple[str, QColor] | None:
    """The row's badge: an escalation with its timer, else the customer's mood, else nothing."""
    if chat.escalation is not None:
        colour = theme.DANGER if chat.escalation.type == "emotional" else theme.TECHNICAL
        return f"{chat.escalation.type.capitalize()} {format_wait(now - chat.escalation.since)}", colour
    return mood(chat)


def mood(chat: Chat) -> tuple[str, QColor] | None:
    """The frustration badge: None while the customer is calm."""
    if chat.frustration >= 0.65:
        return "Frustrated", theme.DANGER
    if chat.frustration >= 0.35:
        return "Impatient", theme.WARNING
    return None


def wait_colour(seconds: float) -> QColor:
    if seconds >= 90:
        return theme.DANGER
    if seconds >= 45:
        return theme.WARNING
    return theme.MUTED


class ChatListDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        return QSize(option.rect.width(), ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        model = index.model()
        chat = model.chat_at(index.row())
        if chat is None:
            return
        now = model.workspace.clock.now()
        waiting = chat.waiting_seconds(now)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        background = theme.SELECTED if selected else (theme.SURFACE if chat.is_open else theme.ENDED)
        painter.fillRect(rect, background)
        painter.setPen(QPen(theme.BORDER))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())

        badge = badge_for(chat, now) if chat.is_open else None
        # Left strip: the row's urgency at a glance.
        strip = badge[1] if badge else (wait_colour(waiting) if chat.is_open and waiting >= 45 else None)
        if strip is not None:
            painter.fillRect(QRect(rect.left(), rect.top(), 4, rect.height()), strip)

        left, right = rect.left() + 14, rect.right() - 10
        top = rect.top() + 8
        name_font = QFont(option.font)
        name_font.setBold(chat.is_open and chat.unread > 0)
        name_font.setPointSizeF(option.font.pointSizeF() + 0.5)
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() - 1))

        # Right column: waiting time, or the chat's end state.
        painter.setFont(small)
        if chat.is_open:
            right_text = format_wait(waiting) if chat.awaiting_reply_since is not None else "replied"
            painter.setPen(wait_colour(waiting) if chat.awaiting_reply_since is not None else theme.MUTED)
        else:
            right_text = STATUS_TEXT.get(chat.status, chat.status.value)
            painter.setPen(theme.MUTED)
        right_w = QFontMetrics(small).horizontalAdvance(right_text)
        painter.drawText(QRect(right - right_w, top, right_w, 18), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, right_text)

        # Name, then the mood badge beside it.
        painter.setFont(name_font)
        painter.setPen(theme.TEXT if chat.is_open else theme.MUTED)
        fm = QFontMetrics(name_font)
        name_room = right - right_w - left - 8
        badge_w = QFontMetrics(small).horizontalAdvance(badge[0]) + 20 if badge else 0
        name = fm.elidedText(chat.customer_name, Qt.TextElideMode.ElideRight, max(40, name_room - badge_w))
        painter.drawText(QRect(left, top, name_room, 20), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        if badge:
            x = left + fm.horizontalAdvance(name) + 8
            self._pill(painter, small, x, top + 1, badge[0], badge[1], QColor("white"))

        # Second line: the issue guess (or the customer's first words), and the unread count.
        line2 = top + 24
        unread_w = 0
        if chat.unread and chat.is_open:
            unread_w = self._pill(painter, small, right, line2, str(chat.unread), theme.ACCENT, QColor("white"), align_right=True)
        painter.setFont(small)
        if chat.issue_guess:
            text, colour = chat.issue_guess, theme.ACCENT_TEXT
        else:
            text, colour = preview(chat.topic) or "New chat", theme.MUTED
        painter.setPen(colour if chat.is_open else theme.MUTED)
        room = right - left - unread_w - 8
        painter.drawText(
            QRect(left, line2, room, 18), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(small).elidedText(text, Qt.TextElideMode.ElideRight, room),
        )
        painter.restore()

    @staticmethod
    def _pill(painter: QPainter, font: QFont, x: int, y: int, text: str, fill: QColor, ink: QColor, align_right: bool = False) -> int:
        fm = QFontMetrics(font)
        width = max(18, fm.horizontalAdvance(text) + 12)
        if align_right:
            x -= width
        box = QRect(x, y, width, 17)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 8, 8)
        painter.setPen(ink)
        painter.setFont(font)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        return width
