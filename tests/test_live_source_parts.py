"""Unit tests of the pieces the live chat sources share, and of their configuration and secrets."""
from __future__ import annotations

import json
import random

import keyring
import pytest
from keyring.backends import fail

from copilot import secrets
from copilot.core.events import ChatOpened, CustomerMessage, Delivery, DeliveryUpdate
from copilot.sources import factory
from copilot.sources.config import SourceConfig
from copilot.sources.live.arrivals import Arrivals
from copilot.sources.live.backoff import Backoff
from copilot.sources.live.incoming_text import KEEP_INLINE, plain_text
from copilot.sources.live.outbox import Outbox
from copilot.sources.live.problems import from_status, retry_after_header
from copilot.sources.live.state_file import StateFile
from copilot.sources.matrix.room_events import RoomEvents
from copilot.sources.matrix.room_text import message_text


def test_arrivals_report_a_remote_id_once_and_never_in_the_future():
    arrivals = Arrivals()
    assert arrivals.put(CustomerMessage("c", "hi", 105.0, remote_id="$1"))
    assert not arrivals.put(CustomerMessage("c", "hi again (resync)", 101.0, remote_id="$1"))
    assert arrivals.put(CustomerMessage("c", "no id", 99.0))
    drained = arrivals.drain(now=100.0)
    assert [(e.text, e.ts) for e in drained] == [("hi", 100.0), ("no id", 99.0)]
    assert arrivals.drain(now=200.0) == []


def test_backoff_doubles_up_to_its_cap_and_obeys_the_server():
    backoff = Backoff(base=0.5, cap=5.0, rng=random.Random(1))
    delays = [backoff.next_delay() for _ in range(8)]
    assert all(d <= 5.0 for d in delays) and delays[-1] >= 3.0 and delays[0] <= 0.5
    assert backoff.next_delay(retry_after=7.0) == 7.0
    backoff.reset()
    assert backoff.next_delay() <= 0.5


def test_retry_after_and_status_words():
    assert retry_after_header("3") == 3.0 and retry_after_header("soon") is None
    assert retry_after_header("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: now
    problem = from_status(429, "", "sending a reply", 2.0)
    assert problem.kind == "rate_limited" and problem.retryable and "retry in 2 s" in problem.detail
    assert from_status(401, "bad token", "receiving").kind == "auth"
    assert from_status(503, "", "receiving").retryable and not from_status(404, "", "x").retryable


def test_outbox_never_steps_back_and_retry_reuses_the_entry():
    arrivals = Arrivals()
    outbox = Outbox(arrivals, give_up_after=60, clock=lambda: 10.0)
    reply = outbox.add("c", "hello", "o1")
    assert reply is not None and outbox.add("c", "hello", "o1") is None  # already on its way
    outbox.confirmed("o1", "$e")  # the echo came before the server's answer
    outbox.sent("o1", "$e")
    assert [e.state for e in arrivals.drain(10.0)] == [Delivery.CONFIRMED]
    assert outbox.add("c", "hello", "o1") is None  # Retry of a confirmed reply: confirmed again, not resent
    assert [e.state for e in arrivals.drain(10.0)] == [Delivery.CONFIRMED]
    outbox.add("c", "other", "o2")
    outbox.failed("o2", "the server could not be reached")
    again = outbox.add("c", "other", "o2")
    assert again is not None and again.state is Delivery.QUEUED  # Retry: the same entry, sent again
    updates = [e for e in arrivals.drain(10.0) if isinstance(e, DeliveryUpdate)]
    assert [(u.state, u.reason) for u in updates] == [(Delivery.FAILED, "the server could not be reached")]


def test_a_state_file_that_cannot_be_read_is_kept_aside(tmp_path):
    path = tmp_path / "matrix-x.json"
    path.write_text("{not json")
    state = StateFile(path)
    assert state.load() == {} and "could not be read" in state.problem
    assert (tmp_path / "matrix-x.json.unreadable").exists()
    state.save({"since": "s1"})
    assert json.loads(path.read_text()) == {"since": "s1"}


def test_a_giant_body_is_cut_for_the_chat_and_kept_whole_in_a_file(tmp_path):
    giant = "<b>" + "x" * 1_000_000
    text = plain_text(giant, "$ev/../../etc", tmp_path)
    assert len(text) < KEEP_INLINE + 500 and text.startswith(giant[:KEEP_INLINE])
    kept = list(tmp_path.iterdir())
    assert len(kept) == 1 and kept[0].read_text() == giant and str(kept[0]) in text
    assert plain_text("short <i>text</i>", "$e", tmp_path) == "short <i>text</i>"
    assert plain_text(None, "$e", tmp_path) == ""


def test_matrix_events_are_read_as_plain_body_only():
    html = {"content": {"msgtype": "m.text", "body": "<b>hi</b>", "format": "org.matrix.custom.html",
                        "formatted_body": "<script>x</script>"}}
    assert message_text(html) == "<b>hi</b>"
    assert message_text({"content": {"msgtype": "m.image", "body": "photo.jpg"}}) == "[sent an image: photo.jpg]"
    assert message_text({"content": {"body": "* fix", "m.new_content": {"body": "fixed"},
                                     "m.relates_to": {"rel_type": "m.replace"}}}) == "(edited) fixed"
    assert message_text({"content": {}}) is None  # redacted


def test_a_one_megabyte_matrix_message_reaches_the_chat_cut_and_kept(tmp_path):
    """Synapse refuses events over 64 KiB, so a 1 MB body is fed to the rules directly here."""
    arrivals = Arrivals()
    rooms = RoomEvents(arrivals, Outbox(arrivals), frozenset(), tmp_path, clock=lambda: 2_000_000.0)
    rooms.agent = "@agent:hs"
    create = {"type": "m.room.create", "state_key": "", "sender": "@cust:hs", "content": {}, "event_id": "$c",
              "origin_server_ts": 1_000}
    join = {"type": "m.room.member", "state_key": "@cust:hs", "sender": "@cust:hs", "event_id": "$j",
            "content": {"membership": "join", "displayname": "Cus"}, "origin_server_ts": 1_001}
    big = {"type": "m.room.message", "sender": "@cust:hs", "event_id": "$big", "origin_server_ts": 1_002,
           "content": {"msgtype": "m.text", "body": "y" * 1_048_576}}
    rooms.joined("!r:hs", {}, [create, join, big])
    events = arrivals.drain(3_000_000.0)
    assert [type(e) for e in events] == [ChatOpened, CustomerMessage]
    assert "1,048,576 characters in total" in events[1].text and len(list(tmp_path.iterdir())) == 1


@pytest.mark.parametrize("fields, problem", [
    ({"kind": "irc"}, "source must be one of"),
    ({"kind": "matrix", "url": "matrix.example.com", "user": "d"}, r"http\(s\) URL"),
    ({"kind": "matrix", "url": "https://m.example.com"}, "user name is needed"),
    ({"kind": "matrix", "url": "https://m.example.com", "user": "d", "space": "support"}, "space must be"),
    ({"kind": "matrix", "url": "https://m.example.com", "user": "d", "staff": ("bridgebot",)}, "staff must be"),
    ({"kind": "chatwoot", "url": "https://c.example.com", "inbox_ids": (0,)}, "inbox ids"),
    ({"kind": "chatwoot", "url": "https://c.example.com", "websocket_url": "ftp://x"}, "websocket_url"),
])
def test_source_config_says_what_is_wrong(fields, problem):
    with pytest.raises(ValueError, match=problem):
        SourceConfig(**fields).validated()


def test_source_config_round_trips_and_names_its_keyring_entry():
    config = SourceConfig(kind="matrix", url="https://Chat.Example.com/", user="Dana", staff=("@bot:example.com",))
    assert SourceConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert config.secret_account == "matrix:chat.example.com:dana"
    assert "password" not in json.dumps(config.to_dict()).lower().replace('"login": "password"', "")


def test_open_source_needs_a_secret_and_a_live_kind(tmp_path):
    with pytest.raises(ValueError, match="enter it in Copilot"):
        factory.open_source(SourceConfig(kind="chatwoot", url="https://c.example.com"), "", tmp_path)
    with pytest.raises(ValueError, match="simulator"):
        factory.open_source(SourceConfig(), "x", tmp_path)
    source = factory.open_source(SourceConfig(kind="matrix", url="https://m.example.com", user="d"), "pw", tmp_path)
    assert source.kind == "matrix"


def test_test_connection_answers_within_its_deadline_even_from_a_silent_server(tmp_path):
    import socket
    import time

    silent = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    try:
        started = time.monotonic()
        ok, message = factory.test_connection(
            SourceConfig(kind="chatwoot", url=f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=30), "t", deadline=2.0)
        assert not ok and time.monotonic() - started < 3.0
        assert "within 2 seconds" in message or "did not answer" in message
    finally:
        silent.close()
    assert factory.test_connection(SourceConfig(kind="matrix", url="nope", user="d"), "pw")[0] is False


@pytest.fixture
def fresh_store(monkeypatch):
    previous = keyring.get_keyring()
    monkeypatch.setattr(secrets, "store", secrets.KeyStore())
    yield
    keyring.set_keyring(previous)


def test_source_secrets_live_in_the_keyring_or_the_session_only(fresh_store, monkeypatch):
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("OPENAI_API_KEY", "not-for-sources")
    assert secrets.get_source_secret("matrix:hs:dana") is None  # never from the environment
    message = secrets.set_source_secret("matrix:hs:dana", " s3cret ")
    assert "this session only" in message and secrets.get_source_secret("matrix:hs:dana") == "s3cret"
    assert secrets.get_source_secret("chatwoot:hs:dana") is None
    assert secrets.set_source_secret("matrix:hs:dana", "") == "Sign-in details removed."
    assert secrets.get_source_secret("matrix:hs:dana") is None


def test_the_status_area_words_for_a_source():
    from copilot.core.events import ConnectionChanged, Link
    from copilot.sources.live.link_text import describe_link

    assert describe_link("simulator", None, 0) == "Simulator"
    assert describe_link("matrix", ConnectionChanged(Link.CONNECTED, 5.0), 6.0) == "Matrix · connected"
    assert describe_link("chatwoot", ConnectionChanged(Link.RECONNECTING, 5.0, "x", retry_at=9.2), 5.0) == \
        "Chatwoot · reconnecting in 4 s"
    offline = describe_link("matrix", ConnectionChanged(Link.OFFLINE, 5.0, "401", since=0.0), 6.0)
    assert offline.startswith("Matrix · offline since ") and offline[-5:-3].isdigit()


def test_a_private_note_says_the_diagnosis_in_plain_words():
    from copilot.core.suggestion import CategoryScore, Diagnosis
    from copilot.sources.diagnosis_notes import note_text

    diagnosis = Diagnosis(top=(CategoryScore("late_delivery", "Late delivery", 0.82), CategoryScore("lost", "Lost parcel", 0.1)),
                          abstained=False, evidence=("late", "parcel"), missing=("order number",), steps=("Check the tracking",))
    assert note_text(diagnosis, "offline") == (
        "Agent Copilot diagnosis: Late delivery (82%, offline).\nAlso possible: Lost parcel 10%.\n"
        "Because of: late, parcel.\nStill needed: order number.\nSteps: Check the tracking")
    assert note_text(Diagnosis(top=(), abstained=True), "offline") == "Agent Copilot: no confident diagnosis."


def test_copilot_run_with_a_live_source_and_no_secret_says_so_and_exits_2(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "COPILOT_DATA_DIR": str(tmp_path), "COPILOT_CONFIG_DIR": str(tmp_path),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    done = subprocess.run([sys.executable, "-m", "copilot", "run", "--source", "chatwoot", "--url", "https://chat.example.com"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == ("copilot run: no token for https://chat.example.com: give --token-env VAR, "
                                   "or save it in Copilot ▸ Chat source…")
    done = subprocess.run([sys.executable, "-m", "copilot", "run", "--source", "matrix", "--url", "ftp://x", "--user", "d"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2 and "must be an http(s) URL" in done.stderr
