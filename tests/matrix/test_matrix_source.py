"""The Matrix chat source against a real Synapse homeserver: chats, replies and their delivery,
outside messages, restarts of the app, and the faults a live server brings."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from copilot.core.events import (
    ChatEndedElsewhere, ChatOpened, ConnectionChanged, CustomerLeft, CustomerMessage, Delivery, DeliveryUpdate, Link,
    OutsideMessage,
)
from copilot.sources.config import SourceConfig
from copilot.sources.live.incoming_text import KEEP_INLINE
from copilot.sources.matrix.api import MatrixApi
from copilot.sources.matrix.rooms import RESOLVED_TAG
from copilot.sources.matrix.source import MatrixSource
from tests.flaky_proxy import FlakyProxy
from tests.live_gathering import Gathered
from tests.matrix.conftest import new_user


def open_source(url: str, agent: dict, data_dir, **config) -> tuple[MatrixSource, Gathered]:
    source = MatrixSource(SourceConfig(kind="matrix", url=url, user=agent["user"], **config), agent["password"],
                          data_dir, poll_timeout_ms=3000)
    source.start()
    return source, Gathered(source)


def history(server, room_id: str) -> list[dict]:
    """The room's messages as the server keeps them, oldest first (read as a server admin)."""
    data = server.as_admin("GET", f"/_synapse/admin/v1/rooms/{room_id}/messages?dir=b&limit=1000")
    return [e for e in reversed(data["chunk"]) if e.get("type") == "m.room.message"]


def delivered(gathered: Gathered, outbox_id: str) -> list[Delivery]:
    return [e.state for e in gathered.of(DeliveryUpdate) if e.outbox_id == outbox_id]


@pytest.fixture
def people(synapse):
    return {"agent": new_user(synapse, "agent", "Dana"), "customer": new_user(synapse, "customer", "Alex Doe")}


@pytest.fixture
def room(synapse, people):
    customer = MatrixApi(synapse.url, people["customer"]["access_token"])
    room_id = customer.create_room([people["agent"]["user_id"]])
    yield customer, room_id
    customer.close()


def test_a_customer_room_becomes_a_chat_and_a_reply_is_confirmed_once(synapse, people, room, tmp_path):
    customer, room_id = room
    customer.send_text(room_id, "c1", "Hello <script>alert(1)</script> **my order** is late")
    source, got = open_source(synapse.url, people["agent"], tmp_path)
    try:
        assert got.until(lambda ev: any(isinstance(e, CustomerMessage) for e in ev))
        opened = got.of(ChatOpened)
        assert [(o.chat_id, o.customer_name, o.channel) for o in opened] == [(room_id, "Alex Doe", "Matrix")]
        message = got.of(CustomerMessage)[0]
        assert message.text == "Hello <script>alert(1)</script> **my order** is late"  # plain, as typed
        assert got.until(lambda ev: any(isinstance(e, ConnectionChanged) and e.state is Link.CONNECTED for e in ev))

        source.send(room_id, "Sorry about that! What is the order number?", time.time(), "s1-1")
        source.send(room_id, "Sorry about that! What is the order number?", time.time(), "s1-1")  # a double click
        assert got.until(lambda ev: Delivery.CONFIRMED in delivered(got, "s1-1"))
        # SENT (the server's answer) and CONFIRMED (the echo), or only CONFIRMED when the echo came first
        assert delivered(got, "s1-1") in ([Delivery.SENT, Delivery.CONFIRMED], [Delivery.CONFIRMED])
        source.send(room_id, "Sorry about that! What is the order number?", time.time(), "s1-1")  # Retry after done
        got.until(lambda ev: delivered(got, "s1-1").count(Delivery.CONFIRMED) == 2, timeout=2)
        replies = [e for e in history(synapse, room_id) if e["sender"] == people["agent"]["user_id"]]
        assert [e["content"]["body"] for e in replies] == ["Sorry about that! What is the order number?"]
        assert not got.of(OutsideMessage)  # our own echo is not reported as a message
        assert max(got.poll_seconds) < 0.05  # poll() only drains
    finally:
        source.stop()


def test_others_in_the_room_and_the_agent_elsewhere_are_outside_messages(synapse, people, room, tmp_path):
    customer, room_id = room
    colleague = new_user(synapse, "colleague", "Sam (team lead)")
    customer.request("POST", f"/_matrix/client/v3/rooms/{room_id}/invite", "invite", body={"user_id": colleague["user_id"]})
    MatrixApi(synapse.url, colleague["access_token"]).join(room_id)
    customer.send_text(room_id, "c1", "Hi, is anyone there?")
    source, got = open_source(synapse.url, people["agent"], tmp_path)
    try:
        assert got.until(lambda ev: any(isinstance(e, CustomerMessage) for e in ev))
        MatrixApi(synapse.url, colleague["access_token"]).send_text(room_id, "k1", "Dana will be with you shortly.")
        other_device = MatrixApi(synapse.url)
        other_device.login(people["agent"]["user"], people["agent"]["password"])  # the agent in another client
        other_device.send_text(room_id, "w1", "Typed in Element.")
        assert got.until(lambda ev: len(got.of(OutsideMessage)) == 2)
        authors = {m.text: m.author for m in got.of(OutsideMessage)}
        assert authors == {"Dana will be with you shortly.": "Sam (team lead)",
                           "Typed in Element.": "Dana (you, outside the app)"}
        assert [m.text for m in got.of(CustomerMessage)] == ["Hi, is anyone there?"]
    finally:
        source.stop()


def test_customer_leaving_ends_the_chat(synapse, people, room, tmp_path):
    customer, room_id = room
    customer.send_text(room_id, "c1", "Never mind.")
    source, got = open_source(synapse.url, people["agent"], tmp_path)
    try:
        assert got.until(lambda ev: any(isinstance(e, CustomerMessage) for e in ev))
        customer.leave(room_id)
        assert got.until(lambda ev: any(isinstance(e, CustomerLeft) for e in ev))
        assert got.of(CustomerLeft)[0].chat_id == room_id
    finally:
        source.stop()


def test_restart_keeps_the_place_resolved_rooms_stay_closed_and_open_ones_come_back(synapse, people, tmp_path):
    agent = people["agent"]
    rooms = {}
    for name in ("first", "second"):
        person = new_user(synapse, "customer", name.title())
        api = MatrixApi(synapse.url, person["access_token"])
        rooms[name] = (api, api.create_room([agent["user_id"]]))
        api.send_text(rooms[name][1], "c1", f"{name}: hello")
    source, got = open_source(synapse.url, agent, tmp_path)
    assert got.until(lambda ev: len(got.of(CustomerMessage)) == 2)
    source.close(rooms["first"][1], resolved=True, now=time.time())
    time.sleep(1.0)  # the tag is written by the command thread
    source.stop()
    tags = MatrixApi(synapse.url, agent["access_token"]).request(
        "GET", f"/_matrix/client/v3/user/{agent['user_id']}/rooms/{rooms['first'][1]}/tags", "tags")
    assert RESOLVED_TAG in tags["tags"]

    for name in ("first", "second"):  # both customers write while the app is closed
        rooms[name][0].send_text(rooms[name][1], "c2", f"{name}: are you there?")
    restarted, again = open_source(synapse.url, agent, tmp_path)
    try:
        assert again.until(lambda ev: sum(isinstance(e, CustomerMessage) for e in ev) >= 3)
        again.until(lambda ev: False, timeout=1.0)
        texts = [m.text for m in again.of(CustomerMessage)]
        assert sorted(texts) == ["first: are you there?", "second: are you there?", "second: hello"]
        opened = [o.chat_id for o in again.of(ChatOpened)]
        # the resolved chat stays closed; the customer writing again opens a new chat in that room
        assert opened == [rooms["second"][1], f"{rooms['first'][1]}~2"]
        assert len(texts) == len(set(texts))
    finally:
        restarted.stop()


def test_a_room_deleted_on_the_server_ends_the_chat(synapse, people, room, tmp_path):
    customer, room_id = room
    customer.send_text(room_id, "c1", "Hello?")
    source, got = open_source(synapse.url, people["agent"], tmp_path)
    try:
        assert got.until(lambda ev: any(isinstance(e, CustomerMessage) for e in ev))
        source.membership_check_every = 1.0
        synapse.as_admin("DELETE", f"/_synapse/admin/v1/rooms/{room_id}", {"purge": True})
        # Synapse removes everyone, then purges the room: the chat ends one way or the other
        assert got.until(lambda ev: any(isinstance(e, (ChatEndedElsewhere, CustomerLeft)) for e in ev), timeout=30)
        source.send(room_id, "Are you still there?", time.time(), "gone-1")
        assert got.until(lambda ev: Delivery.FAILED in delivered(got, "gone-1"))
        assert not source.rooms.rooms[room_id].open
    finally:
        source.stop()


def test_leaving_the_room_in_another_client_ends_the_chat_there_too(synapse, people, room, tmp_path):
    customer, room_id = room
    customer.send_text(room_id, "c1", "Hello?")
    source, got = open_source(synapse.url, people["agent"], tmp_path)
    try:
        assert got.until(lambda ev: any(isinstance(e, CustomerMessage) for e in ev))
        elsewhere = MatrixApi(synapse.url)
        elsewhere.login(people["agent"]["user"], people["agent"]["password"])
        elsewhere.leave(room_id)
        assert got.until(lambda ev: any(isinstance(e, ChatEndedElsewhere) for e in ev))
        assert got.of(ChatEndedElsewhere)[0].reason.startswith("you are no longer in the room")
    finally:
        source.stop()


def test_a_refused_token_takes_the_source_offline_with_a_plain_reason(synapse, people, room, tmp_path):
    customer, room_id = room
    source, got = open_source(synapse.url, people["agent"], tmp_path)
    try:
        assert got.until(lambda ev: any(isinstance(e, ChatOpened) for e in ev))
        MatrixApi(synapse.url, people["agent"]["access_token"]).request(
            "POST", "/_matrix/client/v3/logout/all", "log out everywhere", body={})
        assert got.until(lambda ev: any(isinstance(e, ConnectionChanged) and e.state is Link.OFFLINE for e in ev))
        offline = [e for e in got.of(ConnectionChanged) if e.state is Link.OFFLINE][0]
        assert offline.detail.startswith("401: the homeserver refused the access token")
        assert offline.since is not None  # "offline since HH:MM"
        source.send(room_id, "Hello?", time.time(), "refused-1")
        assert got.until(lambda ev: Delivery.FAILED in delivered(got, "refused-1"))
        failed = [e for e in got.of(DeliveryUpdate) if e.state is Delivery.FAILED][0]
        assert "refused" in failed.reason
    finally:
        source.stop()


def test_a_wrong_password_is_said_plainly(synapse, people, tmp_path):
    wrong = {**people["agent"], "password": "not-the-password"}
    source, got = open_source(synapse.url, wrong, tmp_path)
    try:
        assert got.until(lambda ev: any(isinstance(e, ConnectionChanged) and e.state is Link.OFFLINE for e in ev))
        offline = [e for e in got.of(ConnectionChanged) if e.state is Link.OFFLINE][0]
        assert offline.detail == "403: the homeserver refused the user name or password"
    finally:
        source.stop()


def test_an_unreachable_server_is_retried_and_a_reply_fails_plainly(tmp_path):
    from tests.matrix.synapse_server import free_port

    agent = {"user": "agent", "password": "pw"}
    source, got = open_source(f"http://127.0.0.1:{free_port()}", agent, tmp_path)
    source.outbox.give_up_after = 2.0
    try:
        source.send("!nowhere:localhost", "Hello", time.time(), "u-1")
        assert got.until(lambda ev: Delivery.FAILED in delivered(got, "u-1"))
        changes = [e for e in got.of(ConnectionChanged) if e.state is Link.RECONNECTING]
        assert changes and changes[0].retry_at is not None and changes[0].retry_at <= time.time() + 6
        assert "could not be reached" in changes[0].detail
        assert max(got.poll_seconds) < 0.05
    finally:
        started = time.monotonic()
        source.stop()
        assert time.monotonic() - started < 5


def test_rate_limited_replies_wait_as_told_and_arrive_once(synapse, people, room, tmp_path):
    customer, room_id = room
    customer.send_text(room_id, "c1", "Hi")
    synapse.as_admin("POST", f"/_synapse/admin/v1/users/{people['agent']['user_id']}/override_ratelimit",
                     {"messages_per_second": 2, "burst_count": 1})
    source, got = open_source(synapse.url, people["agent"], tmp_path)
    try:
        assert got.until(lambda ev: any(isinstance(e, CustomerMessage) for e in ev))
        for n in range(5):
            source.send(room_id, f"Reply {n}", time.time(), f"rl-{n}")
        assert got.until(lambda ev: all(Delivery.CONFIRMED in delivered(got, f"rl-{n}") for n in range(5)), timeout=30)
        assert source.problems["rate_limited"] >= 1  # the server did say 429, and we waited
        bodies = [e["content"]["body"] for e in history(synapse, room_id) if e["sender"] == people["agent"]["user_id"]]
        assert bodies == [f"Reply {n}" for n in range(5)]
    finally:
        source.stop()


def test_big_and_marked_up_messages_pass_as_plain_text(synapse, people, room, tmp_path):
    customer, room_id = room
    big = ("<h1>Invoice</h1> &amp; [link](javascript:x) " * 1500)[:60_000]  # Synapse keeps events under 64 KiB
    customer.request("PUT", f"/_matrix/client/v3/rooms/{room_id}/send/m.room.message/big", "send", body={
        "msgtype": "m.text", "body": big, "format": "org.matrix.custom.html", "formatted_body": "<b>ignored</b>"})
    source, got = open_source(synapse.url, people["agent"], tmp_path)
    try:
        assert got.until(lambda ev: any(isinstance(e, CustomerMessage) for e in ev))
        text = got.of(CustomerMessage)[0].text  # cut for the chat, kept whole in a file
        assert text.startswith(big[:KEEP_INLINE]) and "60,000 characters in total" in text
        kept = Path(text.rsplit("kept in ", 1)[1].rstrip("]"))
        assert kept.read_text(encoding="utf-8") == big and kept.is_relative_to(tmp_path)
        source.send(room_id, "x" * 1_000_000, time.time(), "huge-1")  # beyond what the server takes
        assert got.until(lambda ev: Delivery.FAILED in delivered(got, "huge-1"))
        failed = [e for e in got.of(DeliveryUpdate) if e.state is Delivery.FAILED][0]
        assert "too large" in failed.reason
    finally:
        source.stop()


def test_a_connection_dropping_every_two_seconds_loses_and_repeats_nothing(synapse, people, room, tmp_path):
    customer, room_id = room
    proxy = FlakyProxy(synapse.port)
    source, got = open_source(proxy.url, people["agent"], tmp_path)
    customer.send_text(room_id, "c-first", "customer first")
    stop_cutting = proxy.cut_every(2.0)
    try:
        assert got.until(lambda ev: any(isinstance(e, CustomerMessage) for e in ev), timeout=30)
        for n in range(12):
            customer.send_text(room_id, f"c{n}", f"customer {n}")
            source.send(room_id, f"agent {n}", time.time(), f"drop-{n}")
            got.until(lambda ev: False, timeout=0.5)
        ok = got.until(lambda ev: len(got.of(CustomerMessage)) == 13 and
                         all(Delivery.CONFIRMED in delivered(got, f"drop-{n}") for n in range(12)), timeout=60)
        assert ok
        assert proxy.cuts >= 3
        assert [m.text for m in got.of(CustomerMessage)] == ["customer first"] + [f"customer {n}" for n in range(12)]
        bodies = [e["content"]["body"] for e in history(synapse, room_id) if e["sender"] == people["agent"]["user_id"]]
        assert sorted(bodies) == sorted(f"agent {n}" for n in range(12))
        assert max(got.poll_seconds) < 0.05
    finally:
        stop_cutting.set()
        source.stop()
        proxy.close()


def test_test_connection_says_plainly_what_it_found(synapse, people):
    from copilot.sources import factory

    config = SourceConfig(kind="matrix", url=synapse.url, user=people["agent"]["user"])
    ok, message = factory.test_connection(config, people["agent"]["password"])
    assert ok and message == f"Connected to {synapse.url} as {people['agent']['user_id']}: 0 room(s) joined."
    ok, message = factory.test_connection(config, "wrong password")
    assert not ok and message.startswith("The server refused the sign-in (signing in: 403")
    ok, message = factory.test_connection(SourceConfig(kind="matrix", url=synapse.url, login="token"),
                                          people["agent"]["access_token"])
    assert ok and people["agent"]["user_id"] in message
