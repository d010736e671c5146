"""The simulator's scripted customers writing into the Chatwoot contract double (as the web widget
would), and reading the agent's replies the double receives. A customer who leaves is like a
conversation Chatwoot auto-resolves after the customer went quiet."""
from __future__ import annotations

import threading

from copilot.core.events import ChatOpened, CustomerLeft, CustomerMessage
from copilot.selftest.oracles import SimulatorOracle


class DoubleCustomers:
    def __init__(self, double, simulator, clock):
        self.double, self.simulator, self.clock = double, simulator, clock
        self.lock = threading.Lock()
        self.conversation_of: dict[str, int] = {}
        self.chat_of: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.errors: list[str] = []
        double.on_agent_message = self._agent_wrote

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _agent_wrote(self, conversation_id: int, text: str) -> None:
        chat = self.chat_of.get(conversation_id)
        if chat is not None:
            with self.lock:
                self.simulator.deliver(chat, text, self.clock.now())

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            try:
                with self.lock:
                    events = self.simulator.poll(self.clock.now())
                for event in events:
                    if isinstance(event, ChatOpened):
                        conversation = self.double.new_conversation(event.customer_name)
                        self.conversation_of[event.chat_id], self.chat_of[conversation] = conversation, event.chat_id
                    elif isinstance(event, CustomerMessage):
                        self.double.customer_writes(self.conversation_of[event.chat_id], event.text)
                    elif isinstance(event, CustomerLeft):
                        conversation = self.conversation_of[event.chat_id]
                        if self.double.conversations[conversation].status == "open":
                            self.double.set_status(conversation, "resolved")
            except Exception as exc:  # the test reads `errors`
                self.errors.append(repr(exc))


def double_oracle(customers: DoubleCustomers, fallback) -> SimulatorOracle:
    """The scripted agent's oracle for these customers (chat ids are "chatwoot-<conversation>")."""
    def sim_chat(chat_id: str) -> str | None:
        number = chat_id.removeprefix("chatwoot-").split("~")[0]
        return customers.chat_of.get(int(number)) if number.isdigit() else None
    return SimulatorOracle(customers.simulator, customers.lock, sim_chat, fallback)
