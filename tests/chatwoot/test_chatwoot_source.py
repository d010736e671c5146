"""The Chatwoot chat source against a CONTRACT DOUBLE of Chatwoot (tests/chatwoot/double.py), not a
real Chatwoot: no Chatwoot server can be installed here. The double follows Chatwoot's published
REST paths, payload shapes and ActionCable frames, and misbehaves on request."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from copilot.core.events import (
    ChatEndedElsewhere, ChatOpened, ConnectionChanged, CustomerMessage, Delivery, DeliveryUpdate, Link, OutsideMessage,
)
from copilot.sources.chatwoot.cable import cable_url
from copilot.sources.chatwoot.source import ChatwootSource
from copilot.sources.config import SourceConfig
from copilot.sources.live.incoming_text import KEEP_INLINE
from tests.chatwoot.double import ChatwootDouble
from tests.flaky_proxy import FlakyProxy
from tests.live_gathering import Gathered


@pytest.fixture
def chatwoot():
    double = ChatwootDouble().start()
    yield double
    double.stop()


def open_source(url: str, data_dir: Path, token: str = "agent-token", **config) -> tuple[ChatwootSource, Gathered]:
    source = ChatwootSource(SourceConfig(kind="chatwoot", url=url, **config), token, data_dir)
    source.start()
    return source, Gathered(source)


def states(got: Gathered, outbox_id: str) -> list[Delivery]:
    return [e.state for e in got.of(DeliveryUpdate) if e.outbox_id == outbox_id]


def agent_texts(double: ChatwootDouble, conversation_id: int) -> list[str]:
    return [m["content"] for m in double.conversations[conversation_id].messages
            if m["message_type"] == 1 and m["sender_type"] == "User" and not m["private"]]


def test_assigned_conversations_become_chats_and_replies_are_confirmed_by_their_echo(chatwoot, tmp_path):
    mine = chatwoot.new_conversation("Alex Doe")
    chatwoot.customer_writes(mine, "My <b>parcel</b> never came & I'm **upset**")
    theirs = chatwoot.new_conversation("Someone Else", assignee=8)
    chatwoot.customer_writes(theirs, "not for Dana")
    source, got = open_source(chatwoot.url, tmp_path)
    try:
        assert got.until(lambda ev: any(isinstance(e, ConnectionChanged) and e.state is Link.CONNECTED for e in ev))
        assert [e.state for e in got.of(ConnectionChanged)] == [Link.CONNECTING, Link.CONNECTED]
        assert [(o.chat_id, o.customer_name, o.channel) for o in got.of(ChatOpened)] == [(f"chatwoot-{mine}", "Alex Doe", "Web widget")]
        assert [m.text for m in got.of(CustomerMessage)] == ["My <b>parcel</b> never came & I'm **upset**"]
        chatwoot.user_writes(mine, "internal: check the courier", 8, private=True)  # a private note: not shown
        chatwoot.customer_writes(theirs, "still not for Dana")
        source.send(f"chatwoot-{mine}", "Sorry! Could you give me the order number?", time.time(), "cw-1")
        source.send(f"chatwoot-{mine}", "Sorry! Could you give me the order number?", time.time(), "cw-1")  # double click
        assert got.until(lambda ev: Delivery.CONFIRMED in states(got, "cw-1"))
        got.until(lambda ev: False, timeout=0.5)
        assert agent_texts(chatwoot, mine) == ["Sorry! Could you give me the order number?"]
        assert not got.of(OutsideMessage) and len(got.of(CustomerMessage)) == 1
        assert chatwoot.origins == [chatwoot.url]  # the install's Origin, as a browser sends it
        assert max(got.poll_seconds) < 0.05
    finally:
        source.stop()


def test_replies_written_outside_the_app_are_shown_as_such(chatwoot, tmp_path):
    conv = chatwoot.new_conversation("Alex Doe")
    source, got = open_source(chatwoot.url, tmp_path)
    try:
        assert got.until(lambda ev: any(isinstance(e, ChatOpened) for e in ev))
        chatwoot.user_writes(conv, "Typed in the Chatwoot web page", 7)
        chatwoot.user_writes(conv, "Sam stepping in", 8)
        chatwoot.bot_writes(conv, "Our opening hours are 9-17.")
        assert got.until(lambda ev: len(got.of(OutsideMessage)) == 3)
        assert [(m.text, m.author) for m in got.of(OutsideMessage)] == [
            ("Typed in the Chatwoot web page", "Dana (you, in Chatwoot)"), ("Sam stepping in", "Sam"),
            ("Our opening hours are 9-17.", "Captain (bot)")]
    finally:
        source.stop()


def test_resolving_uses_toggle_status_and_a_resolved_chat_stays_closed_after_a_restart(chatwoot, tmp_path):
    first, second = chatwoot.new_conversation("First"), chatwoot.new_conversation("Second")
    chatwoot.customer_writes(first, "first: hello")
    chatwoot.customer_writes(second, "second: hello")
    source, got = open_source(chatwoot.url, tmp_path)
    assert got.until(lambda ev: len(got.of(CustomerMessage)) == 2)
    source.close(f"chatwoot-{first}", resolved=True, now=time.time())
    assert got.until(lambda ev: chatwoot.conversations[first].status == "resolved")
    assert ("POST", f"/api/v1/accounts/3/conversations/{first}/toggle_status") in chatwoot.requests
    source.stop()

    restarted, again = open_source(chatwoot.url, tmp_path)
    try:
        assert again.until(lambda ev: any(isinstance(e, ConnectionChanged) and e.state is Link.CONNECTED for e in ev))
        assert [o.chat_id for o in again.of(ChatOpened)] == [f"chatwoot-{second}"]  # the open one comes back
        time.sleep(1.1)  # Chatwoot's times are whole seconds
        chatwoot.customer_writes(first, "first: one more thing")  # Chatwoot reopens it; so do we, as a new chat
        assert again.until(lambda ev: any(e.chat_id == f"chatwoot-{first}~2" for e in again.of(CustomerMessage)))
    finally:
        restarted.stop()


@pytest.mark.parametrize("how, reason", [
    ("resolved", "resolved in Chatwoot"), ("reassigned", "assigned to Sam in Chatwoot"),
    ("deleted", "the conversation was deleted in Chatwoot"),
])
def test_a_conversation_ended_elsewhere_ends_the_chat(chatwoot, tmp_path, how, reason):
    conv = chatwoot.new_conversation("Alex Doe")
    chatwoot.customer_writes(conv, "Hello")
    source, got = open_source(chatwoot.url, tmp_path)
    try:
        assert got.until(lambda ev: any(isinstance(e, CustomerMessage) for e in ev))
        if how == "resolved":
            chatwoot.set_status(conv, "resolved")
        elif how == "reassigned":
            chatwoot.assign(conv, 8)
        else:
            chatwoot.delete(conv)  # Chatwoot sends no event for it: the next reply finds out
            source.send(f"chatwoot-{conv}", "Still there?", time.time(), "del-1")
            assert got.until(lambda ev: Delivery.FAILED in states(got, "del-1"))
            assert [e.reason for e in got.of(DeliveryUpdate) if e.state is Delivery.FAILED] == [
                "the conversation no longer exists in Chatwoot"]
        assert got.until(lambda ev: any(isinstance(e, ChatEndedElsewhere) for e in ev))
        assert got.of(ChatEndedElsewhere)[0].reason == reason
    finally:
        source.stop()


def test_a_refused_token_goes_offline_with_a_plain_reason(chatwoot, tmp_path):
    conv = chatwoot.new_conversation("Alex Doe")
    source, got = open_source(chatwoot.url, tmp_path, token="wrong-token")
    try:
        assert got.until(lambda ev: any(isinstance(e, ConnectionChanged) and e.state is Link.OFFLINE for e in ev))
        offline = [e for e in got.of(ConnectionChanged) if e.state is Link.OFFLINE][0]
        assert offline.detail.startswith("401: Chatwoot refused the access token")
        source.send(f"chatwoot-{conv}", "Hello", time.time(), "no-1")
        assert got.until(lambda ev: Delivery.FAILED in states(got, "no-1"))
        assert not chatwoot.conversations[conv].messages
    finally:
        source.stop()


def test_429_is_waited_out_as_the_server_says(chatwoot, tmp_path):
    conv = chatwoot.new_conversation("Alex Doe")
    source, got = open_source(chatwoot.url, tmp_path)
    try:  # connected: the resync is over, so the two 429s meet the reply, not the resync's reads
        assert got.until(lambda ev: any(isinstance(e, ConnectionChanged) and e.state is Link.CONNECTED for e in ev))
        chatwoot.retry_after, chatwoot.rate_limit_next = 2, 2
        started = time.monotonic()
        source.send(f"chatwoot-{conv}", "Hello there", time.time(), "rl-1")
        assert got.until(lambda ev: Delivery.CONFIRMED in states(got, "rl-1"))
        assert time.monotonic() - started >= 3.5  # two answers of "Retry-After: 2", obeyed
        assert source.problems["rate_limited"] == 2 and agent_texts(chatwoot, conv) == ["Hello there"]
    finally:
        source.stop()


def test_a_reply_whose_answer_was_lost_is_not_posted_twice(chatwoot, tmp_path):
    conv = chatwoot.new_conversation("Alex Doe")
    source, got = open_source(chatwoot.url, tmp_path)
    try:
        assert got.until(lambda ev: any(isinstance(e, ChatOpened) for e in ev))
        chatwoot.drop_connections()  # no websocket: the echo cannot confirm it
        chatwoot.lose_answer_to_next_post = True
        source.send(f"chatwoot-{conv}", "Your refund is on its way.", time.time(), "lost-1")
        assert got.until(lambda ev: Delivery.CONFIRMED in states(got, "lost-1"), timeout=20)
        assert agent_texts(chatwoot, conv) == ["Your refund is on its way."]
    finally:
        source.stop()


def test_huge_and_marked_up_messages_arrive_as_plain_text_and_nothing_is_lost(chatwoot, tmp_path):
    conv = chatwoot.new_conversation("Alex Doe")
    source, got = open_source(chatwoot.url, tmp_path)
    try:
        assert got.until(lambda ev: any(isinstance(e, ConnectionChanged) and e.state is Link.CONNECTED for e in ev))
        huge = ("<img src=x onerror=alert(1)> # heading\n" * 30_000)[:1_000_000]
        chatwoot.customer_writes(conv, huge)
        assert got.until(lambda ev: any(isinstance(e, CustomerMessage) for e in ev))
        text = got.of(CustomerMessage)[0].text
        assert text.startswith(huge[:KEEP_INLINE]) and "1,000,000 characters in total" in text
        kept = Path(text.rsplit("kept in ", 1)[1].rstrip("]"))
        assert kept.read_text(encoding="utf-8") == huge
    finally:
        source.stop()


def test_dropped_connections_and_a_server_restart_lose_and_repeat_nothing(chatwoot, tmp_path):
    conv = chatwoot.new_conversation("Alex Doe")
    proxy = FlakyProxy(int(chatwoot.url.rsplit(":", 1)[1]))
    # through the proxy; the double checks Origin against its own address, as an install would
    source, got = open_source(chatwoot.url, tmp_path, websocket_url=proxy.url.replace("http", "ws"))
    stop_cutting = proxy.cut_every(2.0)
    try:
        assert got.until(lambda ev: any(isinstance(e, ChatOpened) for e in ev), timeout=20)
        for n in range(10):
            chatwoot.customer_writes(conv, f"customer {n}")
            source.send(f"chatwoot-{conv}", f"agent {n}", time.time(), f"d-{n}")
            if n == 5:
                chatwoot.restart(down_for=1.5)
            got.until(lambda ev: False, timeout=0.4)
        assert got.until(lambda ev: len(got.of(CustomerMessage)) == 10 and
                         all(Delivery.CONFIRMED in states(got, f"d-{n}") for n in range(10)), timeout=60)
        assert [m.text for m in got.of(CustomerMessage)] == [f"customer {n}" for n in range(10)]
        assert sorted(agent_texts(chatwoot, conv)) == sorted(f"agent {n}" for n in range(10))
        assert proxy.cuts >= 2 and any(e.state is Link.RECONNECTING for e in got.of(ConnectionChanged))
        assert max(got.poll_seconds) < 0.05
    finally:
        stop_cutting.set()
        source.stop()
        proxy.close()


def test_presence_is_kept_alive_and_private_notes_are_posted_only_when_the_team_wants(chatwoot, tmp_path, monkeypatch):
    import copilot.sources.chatwoot.source as chatwoot_source

    monkeypatch.setattr(chatwoot_source, "PRESENCE_EVERY", 0.5)
    conv = chatwoot.new_conversation("Alex Doe")
    for notes in (False, True):
        source, got = open_source(chatwoot.url, tmp_path / str(notes), private_notes=notes)
        try:
            assert got.until(lambda ev: any(isinstance(e, ChatOpened) for e in ev))
            source.post_note(f"chatwoot-{conv}", f"Diagnosis: late delivery (notes={notes})", time.time())
            got.until(lambda ev: False, timeout=1.5)
        finally:
            source.stop()
    private = [m["content"] for m in chatwoot.conversations[conv].messages if m["private"]]
    assert private == ["Diagnosis: late delivery (notes=True)"]
    assert chatwoot.presence >= 2
    assert not [e for e in got.of(OutsideMessage)]  # a note is never shown as a reply


def test_the_websocket_address_follows_the_install():
    assert cable_url("https://chat.example.com") == "wss://chat.example.com/cable"
    assert cable_url("http://10.0.0.5:3000/") == "ws://10.0.0.5:3000/cable"
    assert cable_url("https://chat.example.com", "wss://ws.example.com") == "wss://ws.example.com/cable"


def test_test_connection_signs_in_lists_and_subscribes(chatwoot):
    from copilot.sources import factory

    chatwoot.new_conversation("Alex Doe")
    config = SourceConfig(kind="chatwoot", url=chatwoot.url)
    assert factory.test_connection(config, "agent-token") == (
        True, "Connected to Chatwoot as Dana (account 3): 1 open conversation(s) assigned to you; live updates work.")
    ok, message = factory.test_connection(config, "wrong-token")
    assert not ok and message.startswith("The server refused the sign-in (reading your Chatwoot profile: 401")


def test_the_window_status_area_shows_the_live_source_and_its_state(qtbot, chatwoot, tmp_path):
    from tests.chatwoot.double import workbench_on

    conv = chatwoot.new_conversation("Alex Doe")
    chatwoot.customer_writes(conv, "Hello from the widget")
    bench = workbench_on(chatwoot, tmp_path)
    try:
        bench.start()
        label = bench.window.status_area.source
        qtbot.waitUntil(lambda: label.text().startswith("Chatwoot · connected"), timeout=15000)
        qtbot.waitUntil(lambda: any(c.customer_name == "Alex Doe" for c in bench.workspace.chats.values()), timeout=5000)
        chatwoot.refuse_tokens = True
        chatwoot.drop_connections()
        qtbot.waitUntil(lambda: "offline since" in label.text(), timeout=20000)
        assert "refused the access token" in label.toolTip()
    finally:
        bench.close()


def test_with_the_team_setting_each_diagnosis_becomes_a_private_note(chatwoot, tmp_path):
    from copilot.session import Session, SessionOptions

    conv = chatwoot.new_conversation("Alex Doe")
    chatwoot.customer_writes(conv, "My parcel is two weeks late, order 12345")
    options = SessionOptions(agent="dana", usage_log=tmp_path / "usage.sqlite", source_secret="agent-token",
                             source=SourceConfig(kind="chatwoot", url=chatwoot.url, private_notes=True))
    session = Session.build(options)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(m["private"] for m in chatwoot.conversations[conv].messages):
            session.workspace.tick()  # suggestions are made inline here (no window)
            time.sleep(0.05)
    finally:
        session.close()
    notes = [m["content"] for m in chatwoot.conversations[conv].messages if m["private"]]
    assert len(notes) == 1 and notes[0].startswith("Agent Copilot diagnosis: ")
    assert not [m for m in chatwoot.conversations[conv].messages if m["message_type"] == 1 and not m["private"]]
