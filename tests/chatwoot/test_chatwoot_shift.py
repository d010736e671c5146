"""A whole shift over the Chatwoot CONTRACT DOUBLE (not Chatwoot; see tests/chatwoot/double.py):
the simulator's scripted customers write into conversations assigned to the agent, the Workspace
gets them through the Chatwoot source, a scripted agent answers with the offline engine's drafts,
the websocket is cut every few seconds and the server restarts twice. The double's record of each
conversation is the judge: every reply exactly once, each customer message reported once."""
from __future__ import annotations

import time
from collections import Counter

import pytest

from copilot import paths
from copilot.core.chat import Sender
from copilot.core.clock import AcceleratedClock, WallClock
from copilot.core.workspace import Workspace
from copilot.selftest.headless import HeadlessShift, with_offline_suggestions
from copilot.selftest.oracles import BlindOracle
from copilot.selftest.policy import ScriptedAgent
from copilot.sources.chatwoot.source import ChatwootSource
from copilot.sources.config import SourceConfig
from copilot.sources.scenario import load_scenarios
from copilot.sources.simulator import Simulator, SimulatorConfig
from tests.chatwoot.customers import DoubleCustomers, double_oracle
from tests.chatwoot.double import ChatwootDouble
from tests.flaky_proxy import FlakyProxy

SPEED, CHATS = 15.0, 12
ENOUGH = 10  # chats ended: a scripted customer and the engine's drafts can go round in circles in one chat


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_shift_over_chatwoot_with_drops_and_restarts(tmp_path):
    double = ChatwootDouble().start()
    proxy = FlakyProxy(int(double.url.rsplit(":", 1)[1]))
    scenarios, _ = load_scenarios(paths.resource("scenarios"))
    simulator = Simulator(scenarios, SimulatorConfig(seed=11, arrival_rate=8.0, max_concurrent=4, total_chats=CHATS,
                                                     typing_delay=(2.0, 5.0), linger=(5.0, 10.0)))
    customers = DoubleCustomers(double, simulator, AcceleratedClock(SPEED))
    source = ChatwootSource(SourceConfig(kind="chatwoot", url=double.url, websocket_url=proxy.url.replace("http", "ws")),
                            "agent-token", tmp_path)
    ws = Workspace(source=source, clock=WallClock())
    scripted = ScriptedAgent("careful", double_oracle(customers, BlindOracle(ws)), seed=4)
    with_offline_suggestions(ws)
    shift = HeadlessShift(ws, scripted, speed=SPEED)
    cutting = proxy.cut_every(3.0)
    restarts_at = {4, 8}  # chats ended when the server restarts
    restarted: list[int] = []

    def faults() -> None:
        ended = sum(not c.is_open for c in ws.chats.values())
        if ended in restarts_at and ended not in restarted:
            restarted.append(ended)
            double.restart(down_for=1.5)

    source.start()
    customers.start()
    try:
        report = shift.run(lambda w: sum(not c.is_open for c in w.chats.values()) >= ENOUGH, 300, between=faults)
        cutting.set()
        HeadlessShift(ws, scripted, speed=SPEED).run(lambda w: all(not c.delivery for c in w.chats.values()), 60, act=False)
    finally:
        cutting.set()
        customers.stop()
        source.stop()
        proxy.close()
        double.stop()
    print("shift:", report.as_dict(), "cuts:", proxy.cuts, "problems:", dict(source.problems))
    assert not report.timed_out and not report.errors and not customers.errors, (report.as_dict(), customers.errors)
    assert report.chats_ended >= 10 and ws.peak_concurrency >= 3 and restarted == [4, 8] and proxy.cuts >= 3
    checked = 0
    for chat in ws.chats.values():
        conversation = double.conversations[int(chat.id.removeprefix("chatwoot-").split("~")[0])]
        on_server = Counter(m["content"] for m in conversation.messages if m["message_type"] == 1 and not m["private"])
        in_app = Counter(m.text for c in ws.chats.values() if c.id.split("~")[0] == chat.id.split("~")[0]
                         for m in c.messages if m.sender is Sender.AGENT and not m.outside)
        assert in_app == on_server, chat.id
        reported = [m.text for m in chat.messages if m.sender is Sender.CUSTOMER]
        assert not Counter(reported) - Counter(m["content"] for m in conversation.messages if m["message_type"] == 0)
        checked += sum(in_app.values())
    assert checked >= CHATS and not any(c.delivery for c in ws.chats.values())
