"""Paints a chat list row: who, what about, how long they have waited, unread and mood badges.

Everything is drawn with drawText on plain strings, so nothing a customer typed can become markup.
"""
from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from copilot.core.chat import Chat, ChatStatus
from copilot.core.display_text import preview
from copilot.ui import theme
from copilot.core.display_text import format_wait

ROW_HEIGHT = 62
ROW_CACHE = 64  # row pictures kept, ~75 KB each: enough for every visible row and its last looks
WHITE = QColor("white")
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


class _Fonts:
    """The row's fonts and their metrics, made once per base font (building them on every paint
    cost the UI thread more than the drawing itself)."""

    def __init__(self, base: QFont):
        self.name, self.name_bold, self.small = QFont(base), QFont(base), QFont(base)
        for font in (self.name, self.name_bold):
            font.setPointSizeF(base.pointSizeF() + 0.5)
        self.name_bold.setBold(True)
        self.small.setPointSizeF(max(7.0, base.pointSizeF() - 1))
        self.name_metrics, self.name_bold_metrics = QFontMetrics(self.name), QFontMetrics(self.name_bold)
        self.small_metrics = QFontMetrics(self.small)


class RowView(NamedTuple):
    """Everything a row shows, as plain values: equal views look the same (the pixmap cache's key)."""

    background: int  # colours as RGBA ints
    strip: int | None
    name: str
    bold: bool
    name_colour: int
    badge: str
    badge_colour: int
    right_text: str
    right_colour: int
    line2: str
    line2_colour: int
    unread: str


UNSENT_MARK = "✎ "  # before the second line: a reply started in this chat waits there


def row_view(chat: Chat, now: float, selected: bool, unsent: bool = False) -> RowView:
    waiting = chat.waiting_seconds(now)
    badge = badge_for(chat, now) if chat.is_open else None
    strip = badge[1] if badge else (wait_colour(waiting) if chat.is_open and waiting >= 45 else None)
    if chat.is_open:
        waiting_shown = chat.awaiting_reply_since is not None
        right_text = format_wait(waiting) if waiting_shown else "replied"
        right_colour = wait_colour(waiting) if waiting_shown else theme.MUTED
    else:
        right_text, right_colour = STATUS_TEXT.get(chat.status, chat.status.value), theme.MUTED
    if chat.issue_guess:
        line2, line2_colour = chat.issue_guess, theme.ACCENT_TEXT
    else:
        line2, line2_colour = preview(chat.topic) or "New chat", theme.MUTED
    if unsent and chat.is_open:
        line2 = UNSENT_MARK + line2
    background = theme.SELECTED if selected else (theme.SURFACE if chat.is_open else theme.ENDED)
    return RowView(
        background.rgba(), strip.rgba() if strip is not None else None, chat.customer_name,
        chat.is_open and chat.unread > 0, (theme.TEXT if chat.is_open else theme.MUTED).rgba(),
        badge[0] if badge else "", badge[1].rgba() if badge else 0, right_text, right_colour.rgba(),
        line2, (line2_colour if chat.is_open else theme.MUTED).rgba(),
        str(chat.unread) if chat.unread and chat.is_open else "",
    )


class ChatListDelegate(QStyledItemDelegate):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._fonts: dict[str, _Fonts] = {}
        self._rows: dict[tuple, QPixmap] = {}  # row look -> its picture, oldest first

    def fonts(self, base: QFont) -> _Fonts:
        key = base.key()
        if key not in self._fonts:
            self._fonts[key] = _Fonts(base)
        return self._fonts[key]

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        return QSize(option.rect.width(), ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        model = index.model()
        chat = model.chat_at(index.row())
        if chat is None:
            return
        view = row_view(chat, model.workspace.clock.now(), bool(option.state & QStyle.StateFlag.State_Selected),
                        chat.id in model.unsent)
        rect = option.rect
        ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        key = (view, rect.width(), rect.height(), ratio, option.font.key())
        picture = self._rows.get(key)
        if picture is None:
            # Rows are drawn once per look and reused: a row's look changes a few times a minute,
            # the list repaints many times a second while drafts stream in.
            picture = QPixmap(QSize(rect.width(), rect.height()) * ratio)
            picture.setDevicePixelRatio(ratio)
            row_painter = QPainter(picture)
            self._draw(row_painter, QRect(0, 0, rect.width(), rect.height()), view, self.fonts(option.font))
            row_painter.end()
            self._rows[key] = picture
            if len(self._rows) > ROW_CACHE:
                self._rows.pop(next(iter(self._rows)))  # the oldest look
        painter.drawPixmap(rect.topLeft(), picture)

    def _draw(self, painter: QPainter, rect: QRect, view: "RowView", fonts: "_Fonts") -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(rect, QColor.fromRgba(view.background))
        painter.setPen(QPen(theme.BORDER))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        if view.strip is not None:  # left strip: the row's urgency at a glance
            painter.fillRect(QRect(rect.left(), rect.top(), 4, rect.height()), QColor.fromRgba(view.strip))

        left, right = rect.left() + 14, rect.right() - 10
        top = rect.top() + 8
        name_font, fm = (fonts.name_bold, fonts.name_bold_metrics) if view.bold else (fonts.name, fonts.name_metrics)
        small, small_fm = fonts.small, fonts.small_metrics

        # Right column: waiting time, or the chat's end state.
        painter.setFont(small)
        painter.setPen(QColor.fromRgba(view.right_colour))
        right_w = small_fm.horizontalAdvance(view.right_text)
        painter.drawText(QRect(right - right_w, top, right_w, 18), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         view.right_text)

        # Name, then the badge beside it.
        painter.setFont(name_font)
        painter.setPen(QColor.fromRgba(view.name_colour))
        name_room = right - right_w - left - 8
        badge_w = small_fm.horizontalAdvance(view.badge) + 20 if view.badge else 0
        name = fm.elidedText(view.name, Qt.TextElideMode.ElideRight, max(40, name_room - badge_w))
        painter.drawText(QRect(left, top, name_room, 20), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        if view.badge:
            x = left + fm.horizontalAdvance(name) + 8
            self._pill(painter, small, small_fm, x, top + 1, view.badge, QColor.fromRgba(view.badge_colour), WHITE)

        # Second line: the issue guess (or the customer's first words), and the unread count.
        line2 = top + 24
        unread_w = 0
        if view.unread:
            unread_w = self._pill(painter, small, small_fm, right, line2, view.unread, theme.ACCENT, WHITE,
                                  align_right=True)
        painter.setFont(small)
        painter.setPen(QColor.fromRgba(view.line2_colour))
        room = right - left - unread_w - 8
        painter.drawText(
            QRect(left, line2, room, 18), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            small_fm.elidedText(view.line2, Qt.TextElideMode.ElideRight, room),
        )

    @staticmethod
    def _pill(painter: QPainter, font: QFont, fm: QFontMetrics, x: int, y: int, text: str, fill: QColor, ink: QColor,
              align_right: bool = False) -> int:
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
