"""Chat list rows: what a row shows is a plain-value look, and rows are drawn once per look."""
from __future__ import annotations

from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem

from copilot.core.chat import Chat, ChatStatus, EscalationMark, Message, Sender
from copilot.ui.app import application
from copilot.ui.chat_list_delegate import ChatListDelegate, row_view


def chat(**changes) -> Chat:
    c = Chat(id="c1", customer_name="<b>Ana</b>", opened_at=0.0, topic="where is my parcel", **changes)
    c.messages.append(Message("c1", Sender.CUSTOMER, "where is my parcel", 0.0))
    return c


def test_a_rows_look_follows_what_it_shows():
    base = row_view(chat(), 10.0, selected=False)
    assert base == row_view(chat(), 10.4, selected=False)  # same second shown: same look, drawn once
    assert base.name == "<b>Ana</b>"  # the customer's text as typed, drawn as plain text
    assert row_view(chat(), 50.0, selected=False).right_text != base.right_text
    assert row_view(chat(), 10.0, selected=True).background != base.background
    assert row_view(chat(unread=2), 10.0, selected=False).unread == "2"
    assert row_view(chat(issue_guess="Late delivery"), 10.0, selected=False).line2 == "Late delivery"
    upset = row_view(chat(escalation=EscalationMark("emotional", "angry", 0.0)), 75.0, selected=False)
    assert upset.badge.startswith("Emotional") and upset.strip is not None
    assert row_view(chat(), 10.0, selected=False, unsent=True).line2.startswith("✎")
    ended = row_view(chat(status=ChatStatus.RESOLVED, unread=3), 10.0, selected=False)
    assert ended.right_text == "Resolved" and ended.unread == "" and ended.badge == ""


class _Model:
    def __init__(self, chats, now):
        self.chats, self.workspace = chats, type("W", (), {"clock": type("C", (), {"now": lambda _: now})()})()
        self.unsent: set[str] = set()

    def chat_at(self, row):
        return self.chats[row]


class _Index:
    def __init__(self, model, row):
        self._model, self._row = model, row

    def model(self):
        return self._model

    def row(self):
        return self._row


def test_rows_are_drawn_once_per_look_and_differ_when_the_look_does():
    application()
    delegate = ChatListDelegate()
    option = QStyleOptionViewItem()
    option.rect.setRect(0, 0, 280, 62)
    model = _Model([chat(), chat(), chat(unread=4)], now=12.0)
    image = QImage(280, 62, QImage.Format.Format_ARGB32)
    pictures = []
    for row in range(3):
        painter = QPainter(image)
        delegate.paint(painter, option, _Index(model, row))
        painter.end()
        pictures.append(image.copy())
    assert len(delegate._rows) == 2  # rows 0 and 1 look the same: one picture
    assert pictures[0] == pictures[1] and pictures[0] != pictures[2]
