"""A whole shift over a real Synapse homeserver, without the window: the simulator's scripted
customers write through real Matrix accounts, the Workspace gets them through the Matrix source,
and a scripted agent answers with the offline engine's drafts, while Synapse is killed (SIGKILL)
and restarted 20 times. The server's own room history is the judge: every reply the agent sent is
there exactly once, and nothing the customers wrote reached the agent twice."""
from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict

import pytest

from copilot import paths
from copilot.core.chat import Sender
from copilot.core.clock import AcceleratedClock, WallClock
from copilot.core.workspace import Workspace
from copilot.selftest.headless import HeadlessShift, with_offline_suggestions
from copilot.selftest.oracles import BlindOracle
from copilot.selftest.policy import ScriptedAgent
from copilot.sources.config import SourceConfig
from copilot.sources.matrix.customers import MatrixCustomers, customer_oracle
from copilot.sources.matrix.source import MatrixSource
from copilot.sources.scenario import load_scenarios
from copilot.sources.simulator import Simulator, SimulatorConfig
from tests.matrix.conftest import new_user

SPEED = 10.0  # the customers' clock and the agent's pace, against real time
CHATS = 12
ENOUGH = 10  # chats ended: a scripted customer and the engine's drafts can go round in circles in one chat
RESTARTS = 20


def room_history(server, room_id: str) -> list[dict]:
    data = server.as_admin("GET", f"/_synapse/admin/v1/rooms/{room_id}/messages?dir=b&limit=1000")
    return [e for e in reversed(data["chunk"]) if e.get("type") == "m.room.message"]


class Restarter:
    """Kills and restarts the homeserver `times` times, a few seconds apart, on its own thread."""

    def __init__(self, server, times: int, every: float):
        self.server, self.times, self.every = server, times, every
        self.done = 0
        self.error: Exception | None = None
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            while self.done < self.times and not self._stop.wait(self.every):
                self.server.kill()
                time.sleep(0.3)
                self.server.start()
                self.done += 1
        except Exception as exc:  # the test reports it
            self.error = exc

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=120)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_shift_over_matrix_survives_twenty_server_restarts(own_synapse, tmp_path):
    server = own_synapse
    agent, bridge = new_user(server, "agent", "Dana"), new_user(server, "bridge", "Bridge")
    scenarios, problems = load_scenarios(paths.resource("scenarios"))
    assert scenarios and not problems
    simulator = Simulator(scenarios, SimulatorConfig(seed=5, arrival_rate=8.0, max_concurrent=4, total_chats=CHATS,
                                                     typing_delay=(2.0, 5.0), linger=(5.0, 10.0), id_prefix="m"))
    customers = MatrixCustomers(server.url, agent["user_id"], lambda user, password, name: server.register(
        user, password, displayname=name), simulator, AcceleratedClock(SPEED), bridge)
    config = SourceConfig(kind="matrix", url=server.url, user=agent["user"], staff=(bridge["user_id"],))
    source = MatrixSource(config, agent["password"], tmp_path / "data", poll_timeout_ms=10_000)
    ws = Workspace(source=source, clock=WallClock())
    scripted = ScriptedAgent("careful", customer_oracle(customers, BlindOracle(ws)), seed=2)
    with_offline_suggestions(ws)
    shift = HeadlessShift(ws, scripted, speed=SPEED)
    restarter = Restarter(server, RESTARTS, every=1.5)

    source.start()
    customers.start()
    restarter.thread.start()
    try:
        report = shift.run(lambda w: restarter.done >= RESTARTS and sum(not c.is_open for c in w.chats.values()) >= ENOUGH,
                           deadline_seconds=420)
        restarter.stop()
        # let every reply still on its way land (the server is up again for good)
        settle = HeadlessShift(ws, scripted, speed=SPEED)
        settle.run(lambda w: all(not c.delivery for c in w.chats.values()), deadline_seconds=60, act=False)
    finally:
        restarter.stop()
        customers.stop()
        source.stop()

    assert restarter.error is None and restarter.done == RESTARTS
    assert not report.timed_out, (report.as_dict(), restarter.done, [c.status for c in ws.chats.values()])
    assert not report.errors and not customers.errors, (report.errors, customers.errors)
    assert report.chats_ended >= 10 and ws.peak_concurrency >= 3, report.as_dict()
    assert source.problems["unreachable"] >= RESTARTS // 2  # the restarts were felt

    by_room = defaultdict(list)
    for chat in ws.chats.values():
        by_room[chat.id.split("~")[0]].append(chat)
    replies_checked = 0
    for room_id, chats in by_room.items():
        events = room_history(server, room_id)
        sent_by_agent = Counter(e["content"]["body"] for e in events if e["sender"] == agent["user_id"])
        in_app = Counter(m.text for chat in chats for m in chat.messages if m.sender is Sender.AGENT and not m.outside)
        assert in_app == sent_by_agent, room_id  # every reply exactly once on the server, none made up
        assert not any(chat.delivery for chat in chats)  # and every one confirmed by its echo
        replies_checked += sum(in_app.values())
        customer_texts = [m.text for chat in chats for m in chat.messages if m.sender is Sender.CUSTOMER]
        on_server = Counter(e["content"]["body"] for e in events if e["sender"] not in (agent["user_id"], bridge["user_id"]))
        assert not Counter(customer_texts) - on_server  # nothing reached the agent twice or from nowhere
    print("shift:", report.as_dict(), "replies checked:", replies_checked, "problems:", dict(source.problems))
    assert replies_checked >= ENOUGH
