"""What a scripted agent may know beyond the window: its `simulator` argument (policy.py).

With the built-in simulator that is the simulator itself (the scenario's true issue, a reply that
moves the chat on, whether the customer is satisfied). With real customers there is no script, so
`BlindOracle` stands in: it trusts the engine's diagnosis, answers with a neutral reply, and counts
a chat as done when the customer's latest message thanks the agent.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from copilot.core.chat import Sender
from copilot.core.workspace import Workspace

NEUTRAL_REPLY = "Thank you for your message. Let me look into this for you; could you tell me a little more?"
_THANKS = re.compile(r"\b(thanks?|thank you|cheers|that'?s all|perfect|great|solved|sorted)\b", re.I)


@dataclass(frozen=True)
class _Issue:
    issue: str | None


@dataclass(frozen=True)
class _Outcome:
    resolved_correctly: bool


class BlindOracle:
    def __init__(self, workspace: Workspace):
        self.ws = workspace
        self.capacity = 0  # the overloaded policy sets it; nothing here routes chats

    def scenario_of(self, chat_id: str) -> _Issue:
        state = self.ws.suggestion_for(chat_id)
        best = state.suggestion.diagnosis.best if state else None
        return _Issue(best.category if best else None)

    def hint_reply(self, chat_id: str) -> str:
        return NEUTRAL_REPLY

    def outcome(self, chat_id: str) -> _Outcome:
        chat = self.ws.chats.get(chat_id)
        if chat is None or not chat.messages:
            return _Outcome(False)
        last = chat.messages[-1]
        answered = any(m.sender is Sender.AGENT for m in chat.messages)
        return _Outcome(answered and last.sender is Sender.CUSTOMER and bool(_THANKS.search(last.text)))


class SimulatorOracle:
    """For scripted customers played by a Simulator outside the app (over Matrix, or into a Chatwoot
    double): the workspace's chat ids are translated to the simulator's (`sim_chat`, None while the
    chat is newer than the driver's bookkeeping: then `fallback` answers, a moment later the
    simulator does). `lock` is the one the customers' driver holds around the simulator."""

    def __init__(self, simulator, lock, sim_chat, fallback):
        self.simulator, self.lock, self.sim_chat, self.fallback = simulator, lock, sim_chat, fallback

    def _ask(self, chat_id: str, question: str):
        sim_chat = self.sim_chat(chat_id)
        if sim_chat is None:
            return getattr(self.fallback, question)(chat_id)
        with self.lock:
            return getattr(self.simulator, question)(sim_chat)

    def scenario_of(self, chat_id: str):
        return self._ask(chat_id, "scenario_of")

    def hint_reply(self, chat_id: str) -> str:
        return self._ask(chat_id, "hint_reply")

    def outcome(self, chat_id: str):
        return self._ask(chat_id, "outcome")

    @property
    def capacity(self) -> int:
        return self.simulator.capacity

    @capacity.setter
    def capacity(self, value: int) -> None:
        self.simulator.capacity = value
