"""In the window, with the Chatwoot source against the CONTRACT DOUBLE (not Chatwoot): a reply the
server refused stays in the chat with Retry and Copy; Retry delivers it once; outside replies say
who wrote them."""
from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from copilot.core.chat import Sender
from tests.chatwoot.double import ChatwootDouble, workbench_on


def test_a_refused_reply_offers_retry_and_copy_and_retry_sends_it_once(qtbot, tmp_path):
    double = ChatwootDouble().start()
    conv = double.new_conversation("Alex Doe")
    double.customer_writes(conv, "Where is my parcel?")
    bench = workbench_on(double, tmp_path)
    try:
        bench.start()
        ws, window = bench.workspace, bench.window
        chat_id = f"chatwoot-{conv}"
        qtbot.waitUntil(lambda: chat_id in ws.chats and ws.focused_id == chat_id, timeout=15000)
        double.user_writes(conv, "Sam here, looking into it", 8)
        qtbot.waitUntil(lambda: "Sam  ·" in window.chat_view.toPlainText(), timeout=10000)

        double.rate_limit_next, double.retry_after = 10_000, 1  # the server turns every request away...
        bench.workspace.source.outbox.give_up_after = 2.0  # ...for longer than the source keeps trying
        ws.send(chat_id, "It left our warehouse today.")
        qtbot.waitUntil(lambda: not window.delivery_bar.retry_button.isHidden(), timeout=15000)
        assert window.delivery_bar.label.text().startswith("Not delivered: sending a reply: 429")
        window.delivery_bar.copy_button.click()
        assert QGuiApplication.clipboard().text() == "It left our warehouse today."

        double.rate_limit_next = 0
        window.delivery_bar.retry_button.click()
        qtbot.waitUntil(lambda: not ws.chats[chat_id].delivery, timeout=15000)
        assert window.delivery_bar.isHidden()
        sent = [m["content"] for m in double.conversations[conv].messages if m["sender_type"] == "User" and m["sender_id"] == 7]
        assert sent == ["It left our warehouse today."]
        outside = [m for m in ws.chats[chat_id].messages if m.sender is Sender.AGENT and m.outside]
        assert [m.author for m in outside] == ["Sam"]
    finally:
        bench.close()
        double.stop()
